from lms.extensions import db
from tests.conftest import login


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["scheduler"] == {"last_run_at": None}


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_sign_in_and_see_home(client, make):
    make.employee("amy", name="王小美")
    db.session.commit()
    response = login(client, "amy", follow=True)
    assert response.status_code == 200
    assert "王小美" in response.get_data(as_text=True)
