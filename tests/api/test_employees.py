"""The JSON API: bearer tokens, JSON errors, pagination, employees, teams, posts, OpenAPI."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.services import create_token, revoke_token
from lms.extensions import db
from lms.organisation.models import Employee, PostChange


@pytest.fixture
def hr_headers(make):
    hr = make.employee("hr", roles={"hr"})
    _token, secret = create_token(hr, "sync", clock.now())
    make.team("售后一组")
    make.post("客服专员")
    make.post("高级客服专员", level=2)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


NEW = {
    "employee_no": "C5001",
    "name": "孙丽",
    "hire_date": "2026-11-20",
    "team": "售后一组",
    "post": "客服专员",
    "email": "sunli@example.com",
}


def test_create_then_read_and_update(client, hr_headers):
    response = client.post("/api/v1/employees", json=NEW, headers=hr_headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["employee_no"] == "C5001" and body["status"] == "onboarding"
    assert body["initial_password"] and response.headers["Location"].endswith("/C5001")
    got = client.get("/api/v1/employees/C5001", headers=hr_headers).get_json()
    assert got["team"] == "售后一组" and "initial_password" not in got
    patched = client.patch(
        "/api/v1/employees/C5001", json={"post": "高级客服专员"}, headers=hr_headers
    )
    assert patched.status_code == 200 and patched.get_json()["post"] == "高级客服专员"
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == "C5001"))
    history = db.session.scalars(
        sa.select(PostChange).where(PostChange.employee_id == person.id).order_by(PostChange.id)
    ).all()
    assert [(h.from_post and h.from_post.title, h.to_post.title) for h in history] == [
        (None, "客服专员"),
        ("客服专员", "高级客服专员"),
    ]
    assert {h.source for h in history} == {"api"}


def test_duplicate_number_is_a_conflict(client, hr_headers):
    assert client.post("/api/v1/employees", json=NEW, headers=hr_headers).status_code == 201
    response = client.post("/api/v1/employees", json=NEW, headers=hr_headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["status"] == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "x", "hire_date": "2026-01-01"}, 422, "employee_no"),
        (NEW | {"hire_date": "yesterday"}, 422, "hire_date"),
        (NEW | {"team": "不存在"}, 422, "team"),
        (NEW | {"roles": ["boss"]}, 422, "roles"),
        (NEW | {"salary": 1}, 400, None),
        (NEW | {"status": None}, 422, "status"),
    ],
)
def test_invalid_bodies(client, hr_headers, body, status, field):
    response = client.post("/api/v1/employees", json=body, headers=hr_headers)
    assert response.status_code == status
    error = response.get_json()["error"]
    if field:
        assert field in error["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1


def test_body_must_be_a_json_object(client, hr_headers):
    response = client.post(
        "/api/v1/employees", data="[1,2]", headers=hr_headers, content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/employees", data="{not json", headers=hr_headers, content_type="application/json"
    )
    assert response.status_code == 400 and response.is_json


def test_list_pages_and_filters(client, hr_headers, make):
    for i in range(30):
        make.employee(employee_no=f"P{i:03d}", name=f"员工{i}")
    db.session.commit()
    page = client.get("/api/v1/employees?per_page=10&page=2", headers=hr_headers).get_json()
    assert page["total"] == 31 and page["pages"] == 4 and len(page["items"]) == 10
    assert page["items"][0]["employee_no"] == "P010"  # sorted by number; hr is T00001
    found = client.get("/api/v1/employees?q=员工29", headers=hr_headers).get_json()
    assert [p["employee_no"] for p in found["items"]] == ["P029"]
    assert client.get("/api/v1/employees?per_page=1000", headers=hr_headers).status_code == 400
    assert client.get("/api/v1/employees?page=x", headers=hr_headers).status_code == 400
    assert client.get("/api/v1/employees?team=nope", headers=hr_headers).status_code == 400


def test_teams_and_posts(client, hr_headers):
    teams = client.get("/api/v1/teams", headers=hr_headers).get_json()
    assert [t["name"] for t in teams["items"]] == ["售后一组"]
    posts = client.get("/api/v1/posts", headers=hr_headers).get_json()
    assert [(p["title"], p["level"]) for p in posts["items"]] == [
        ("客服专员", 1),
        ("高级客服专员", 2),
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer lms_forged",
        "Basic abc",
        "Bearer " + "x" * 500,
    ],
)
def test_missing_or_forged_tokens_get_401_json(client, hr_headers, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/employees", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_stop_working(client, make):
    hr = make.employee("hr2", roles={"hr"})
    token, secret = create_token(hr, "short", clock.now(), days=1)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/teams", headers=headers).status_code == 200
    with clock.frozen(clock.now() + dt.timedelta(days=2)):
        assert client.get("/api/v1/teams", headers=headers).status_code == 401
    revoke_token(token, clock.now())
    db.session.commit()
    assert client.get("/api/v1/teams", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, make):
    make.employee("hr3", roles={"hr"})
    db.session.commit()
    from tests.conftest import login

    login(client, "hr3")
    assert client.get("/api/v1/employees").status_code == 401


def test_non_hr_token_is_forbidden(client, make):
    agent = make.employee("agent")
    _t, secret = create_token(agent, "mine", clock.now())
    db.session.commit()
    response = client.get("/api/v1/employees", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403 and response.is_json


def test_unknown_routes_and_methods_answer_json(client, hr_headers):
    assert client.get("/api/v1/nothing", headers=hr_headers).get_json()["error"]["status"] == 404
    response = client.delete("/api/v1/employees", headers=hr_headers)
    assert response.status_code == 405 and response.is_json
    missing = client.get("/api/v1/employees/NOPE", headers=hr_headers)
    assert missing.status_code == 404 and missing.is_json


def test_openapi_documents_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1") :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in openapi.json"


def test_token_cli_creates_a_working_token(app, runner, client, make):
    make.employee("hr4", roles={"hr"})
    db.session.commit()
    result = runner.invoke(args=["token", "create", "hr4", "--name", "hr-sync"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert (
        client.get("/api/v1/teams", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    assert runner.invoke(args=["token", "create", "nobody"]).exit_code != 0
