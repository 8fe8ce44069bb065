"""``POST /api/v1/kpis``: HR and admin tokens only; every problem in a 422 body and nothing
written; counts on success; sending the same figures again changes none; at most 5,000 rows."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.services import create_token
from lms.career import kpis
from lms.career.models import KpiImport, KpiValue
from lms.extensions import db
from lms.organisation.models import Employee

NOW = dt.datetime(2026, 11, 15, 2, 0, tzinfo=dt.UTC)


def bearer(person: Employee) -> dict[str, str]:
    _token, secret = create_token(person, "test", clock.now())
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app, make):
    kpis.ensure_default_metrics()
    world = {
        "hr": make.employee("hr", roles={"hr"}, locale="en"),
        "admin": make.employee("admin", roles={"admin"}),
        "lead": make.employee("lead", roles={"supervisor"}),
        "agent": make.employee("agent"),
        "a": make.employee(employee_no="C1001"),
        "b": make.employee(employee_no="C1002"),
    }
    db.session.commit()
    return world


def post(client, person, body):
    with clock.frozen(NOW):
        return client.post("/api/v1/kpis", json=body, headers=bearer(person))


def figures() -> dict[tuple[int, int, dt.date], float]:
    rows = db.session.execute(
        sa.select(KpiValue.employee_id, KpiValue.metric_id, KpiValue.month, KpiValue.value)
    )
    return {(e, m, month): value for e, m, month, value in rows}


ROWS = [
    {"employee_no": "C1001", "month": "2026-10", "csat": 93.5, "complaint_rate": 0.4},
    {"employee_no": "C1002", "month": "2026-10", "csat": "88.5%", "tickets": 610, "fcr": None},
]


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_hr_and_admin_import_and_get_the_counts(client, world, who):
    response = post(client, world[who], {"rows": ROWS})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {k: v for k, v in body.items() if k != "import_id"} == {
        "rows": 2,
        "figures": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "people": 2,
        "months": 1,
    }
    record = db.session.get(KpiImport, body["import_id"])
    assert (record.source, record.filename, record.imported_by_id) == ("api", None, world[who].id)
    csat = {m.code: m for m in kpis.all_metrics()}["csat"]
    assert figures()[(world["b"].id, csat.id, dt.date(2026, 10, 1))] == 88.5


def test_the_same_figures_again_change_nothing_and_a_changed_one_is_updated(client, world):
    post(client, world["hr"], {"rows": ROWS})
    before = figures()
    again = post(client, world["hr"], {"rows": ROWS}).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert figures() == before
    changed = [dict(ROWS[0], csat=95)]
    body = post(client, world["hr"], {"rows": changed}).get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, 1)
    assert sorted(figures().values()) == [0.4, 88.5, 95.0, 610.0]


def test_problems_answer_422_and_write_nothing(client, world):
    rows = [
        {"employee_no": "C9999", "month": "2026-10", "csat": 90},
        {"employee_no": "C1001", "month": "2026-12", "csat": 91},
        {"employee_no": "C1002", "month": "2026-10", "csat": 130, "nps": 3},
        {"employee_no": "C1001", "month": "2026-10", "frt": "fast"},
        "not an object",
        {"month": "2026-10"},
        {"employee_no": "C1001", "month": "2026-10", "csat": True},
    ]
    response = post(client, world["hr"], {"rows": rows})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "Nothing was imported" in error["message"]
    found = [(p["row"], p["field"]) for p in error["problems"]]
    assert found == [
        (0, "employee_no"),
        (1, "month"),
        (2, "csat"),
        (2, "nps"),
        (3, "frt"),
        (4, None),
        (5, "employee_no"),
        (6, "csat"),
        (6, "employee_no"),  # the same person and month as row 3
    ]
    assert all(p["message"] for p in error["problems"])
    assert "130" in error["problems"][2]["message"]
    assert figures() == {}
    assert db.session.scalar(sa.select(sa.func.count(KpiImport.id))) == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rows": []}, 422),
        ({"rows": {"employee_no": "C1001"}}, 422),
        ({}, 422),
        ({"rows": ROWS, "dry": True}, 400),
        ([], 400),
    ],
)
def test_a_malformed_body(client, world, body, status):
    response = post(client, world["hr"], body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_more_than_5000_rows_are_refused(client, world):
    rows = [{"employee_no": "C1001", "month": "2026-10", "csat": 90}] * 5001
    response = post(client, world["hr"], {"rows": rows})
    assert response.status_code == 413
    assert "5000" in response.get_json()["error"]["message"]
    assert figures() == {}


@pytest.mark.parametrize("who", ["lead", "agent"])
def test_other_tokens_are_forbidden(client, world, who):
    response = post(client, world[who], {"rows": ROWS})
    assert response.status_code == 403
    assert figures() == {}


def test_no_token_is_unauthorised(client, world):
    response = client.post("/api/v1/kpis", json={"rows": ROWS})
    assert response.status_code == 401


def test_the_route_is_in_the_openapi_document(client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/kpis"]["post"]
    assert {"200", "401", "403", "413", "422"} <= set(operation["responses"])
    assert "KpiRow" in document["components"]["schemas"]
