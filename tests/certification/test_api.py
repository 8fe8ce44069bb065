"""The certification API: the catalogue (HR with holders by state, others the active ones), a
person's certifications with every cycle (visible to them, their lead and HR; 404 for anyone
else), and assignment by HR (201, or 422 naming the unknown people and writing nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.services import create_token
from lms.certification import services
from lms.certification.dates import add_months
from lms.certification.models import PersonCertification
from lms.extensions import db
from lms.organisation.models import Employee
from tests.certification.conftest import QUARTERS, T0, at, complete, run
from tests.test_query_counts import count_statements

D = dt.date


def bearer(person: Employee) -> dict[str, str]:
    _token, secret = create_token(person, "test", clock.now())
    return {"Authorization": f"Bearer {secret}"}


def get(client, url: str, person: Employee, day: dt.date):
    with clock.frozen(at(day, 9)):
        return client.get(url, headers=bearer(person))


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"], error
    return error


@dataclass
class World:
    hr: Employee
    admin: Employee
    lead: Employee
    member: Employee  # in the lead's team
    colleague: Employee  # same team, no role: not allowed to see the member's record
    certification: object


@pytest.fixture
def world(make, certs) -> World:
    lead = make.employee(roles={"supervisor"})
    team = make.team("售后一组", lead=lead)
    member = make.employee(team=team, employee_no="A001", name="王小明")
    colleague = make.employee(team=team, employee_no="A002")
    certification = certs.certification(
        slug="product-quarterly",
        title="产品知识季度复训",
        active_months=3,
        window_days=30,
        expiry_base="fixed",
        fixed_dates=QUARTERS,
        min_active_days=30,
    )
    db.session.commit()
    return World(
        make.employee(roles={"hr"}),
        make.employee(roles={"admin"}),
        lead,
        member,
        colleague,
        certification,
    )


def renewals(person, certification, count: int) -> None:
    """Assigned at T0, certified on 10 January, then ``count`` renewals, each ten days into
    the quarter's window."""
    course = certification.courses[0].course
    services.assign(certification, employee_ids=[person.id], actor=None, now=T0)
    complete(person, course, at(D(2027, 1, 10)))
    expires = D(2027, 4, 1)
    for _ in range(count):
        window = expires - dt.timedelta(days=30)
        run(at(window))
        complete(person, course, at(window + dt.timedelta(days=10)))
        expires = add_months(expires, 3)


# --- GET /certifications ----------------------------------------------------------------


def test_hr_sees_every_certification_with_holders_by_state(client, world, certs, make):
    w = world
    retired = certs.certification(slug="retired", active=False)
    renewals(w.member, w.certification, 1)
    services.assign(w.certification, employee_ids=[w.colleague.id], actor=None, now=T0)
    db.session.commit()
    for person in (w.hr, w.admin):
        body = get(client, "/api/v1/certifications", person, D(2027, 3, 25)).get_json()
        assert body["total"] == 2 and body["page"] == 1
        first, second = body["items"]
        assert (first["slug"], second["slug"]) == ("product-quarterly", "retired")
        assert second["active"] is False
        assert first["holders"] == {
            "assigned": 1,
            "in_progress": 0,
            "certified": 1,
            "due": 0,
            "expired": 0,
        }
        assert second["holders"]["certified"] == 0
    course = w.certification.courses[0].course
    assert first["initial_courses"] == first["renewal_courses"] == [course.slug]
    assert (first["expiry_base"], first["fixed_dates"]) == ("fixed", QUARTERS)
    assert (first["active_months"], first["window_days"], first["min_active_days"]) == (3, 30, 30)
    assert first["title"] == "产品知识季度复训" and retired.id == second["id"]


def test_others_see_the_active_certifications_without_counts(client, world):
    w = world
    response = get(client, "/api/v1/certifications", w.member, D(2027, 3, 25))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["slug"] for i in items] == ["product-quarterly"] and "holders" not in items[0]
    w.certification.active = False
    db.session.commit()
    assert get(client, "/api/v1/certifications", w.lead, D(2027, 3, 25)).get_json()["total"] == 0
    assert_error(client.get("/api/v1/certifications"), 401)


def test_pages(client, world, certs):
    for n in range(3):
        certs.certification(slug=f"extra-{n}")
    db.session.commit()
    url = "/api/v1/certifications?per_page=2&page=2"
    body = get(client, url, world.hr, D(2027, 3, 25)).get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (4, 2, 2)


# --- GET /employees/<no>/certifications ------------------------------------------------------


def test_a_person_sees_every_cycle_of_their_certification(client, world):
    w = world
    renewals(w.member, w.certification, 1)
    response = get(client, "/api/v1/employees/A001/certifications", w.member, D(2027, 3, 25))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["employee"] == {"employee_no": "A001", "name": "王小明"} and body["total"] == 1
    (item,) = body["items"]
    assert item["certification"] == {
        "id": w.certification.id,
        "slug": "product-quarterly",
        "title": "产品知识季度复训",
    }
    assert (item["state"], item["status"], item["cycle_number"]) == ("certified", "certified", 2)
    assert (item["certified_on"], item["expires_on"]) == ("2027-03-12", "2027-07-01")
    assert item["window_opens_on"] == "2027-06-01" and item["days_left"] == 98
    assert item["required_by"] is None
    first, second = item["history"]
    assert (first["number"], first["kind"], first["reason"]) == (1, "initial", "assigned")
    assert (first["completed_on"], first["expires_on"]) == ("2027-01-10", "2027-04-01")
    assert first["lapsed_on"] is None
    assert (second["kind"], second["reason"], second["due_on"]) == (
        "renewal",
        "window",
        "2027-04-01",
    )
    assert second["opened_at"].startswith("2027-03-02")
    course = w.certification.courses[0].course
    (counted,) = second["courses"]
    assert (counted["course"], counted["version"]) == (course.slug, 1)
    assert counted["completed_at"].startswith("2027-03-12") and counted["attempt_ids"] == []


def test_the_derived_state_is_shown_not_the_stored_one(client, world):
    w = world
    renewals(w.member, w.certification, 0)  # expires 1 April; no sweep has run since
    item = get(client, "/api/v1/employees/A001/certifications", w.hr, D(2027, 4, 2)).get_json()
    (holder,) = item["items"]
    assert (holder["state"], holder["status"], holder["days_left"]) == ("expired", "certified", -1)


def test_only_the_person_their_lead_and_hr_see_the_record(client, world, make):
    w = world
    renewals(w.member, w.certification, 0)
    url = "/api/v1/employees/A001/certifications"
    for person in (w.member, w.lead, w.hr, w.admin):
        assert get(client, url, person, D(2027, 2, 1)).status_code == 200
    boss = make.employee(roles={"supervisor"})  # leads nobody here
    for person in (w.colleague, boss):
        unrelated = get(client, url, person, D(2027, 2, 1))
        unknown = get(client, "/api/v1/employees/NOPE/certifications", person, D(2027, 2, 1))
        assert_error(unrelated, 404)
        assert (
            unrelated.get_json()["error"]["message"].replace("A001", "NOPE")
            == (unknown.get_json()["error"]["message"])
        )


def test_statements_do_not_grow_with_cycles(client, world, certs, make):
    w = world
    other = certs.certification(slug="annual", active_months=12, expiry_base="expiry")
    services.assign(other, employee_ids=[w.member.id], actor=None, now=T0)
    _token, secret = create_token(w.hr, "count", T0, days=0)
    headers = {"Authorization": f"Bearer {secret}"}
    db.session.commit()

    def measure(day: dt.date) -> int:
        with clock.frozen(at(day, 9)):
            client.get("/api/v1/employees/A001/certifications", headers=headers)  # token's use
            with count_statements() as statements:
                response = client.get("/api/v1/employees/A001/certifications", headers=headers)
        assert response.status_code == 200 and len(response.get_json()["items"]) == 2
        return len(statements)

    renewals(w.member, w.certification, 0)
    one = measure(D(2027, 1, 20))
    course = w.certification.courses[0].course
    for window in (D(2027, 3, 2), D(2027, 6, 1), D(2027, 9, 1), D(2027, 12, 2)):
        run(at(window))
        complete(w.member, course, at(window + dt.timedelta(days=10)))
    holder = db.session.scalar(
        sa.select(PersonCertification).where(
            PersonCertification.employee_id == w.member.id,
            PersonCertification.certification_id == w.certification.id,
        )
    )
    assert len(holder.cycles) == 5
    assert measure(D(2027, 12, 20)) == one <= 12


# --- POST /certifications/<id>/assignments --------------------------------------------------


def holders(certification) -> set[str]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            sa.select(Employee.employee_no)
            .join(PersonCertification, PersonCertification.employee_id == Employee.id)
            .where(PersonCertification.certification_id == certification.id)
        )
    )


def post(client, certification_id, person, body=None, **kwargs):
    url = f"/api/v1/certifications/{certification_id}/assignments"
    with clock.frozen(T0):
        return client.post(url, json=body, headers=bearer(person), **kwargs)


def test_hr_assigns_people_and_is_told_how_many_are_new(client, world):
    w = world
    cid = w.certification.id
    response = post(client, cid, w.hr, {"employee_nos": ["A001", "A002"]})
    assert response.status_code == 201 and response.get_json() == {"assigned": 2}
    assert holders(w.certification) == {"A001", "A002"}
    again = post(client, cid, w.admin, {"employee_nos": ["A001"]})
    assert again.status_code == 201 and again.get_json() == {"assigned": 0}
    team = post(client, cid, w.hr, {"team_id": w.member.team_id})
    assert team.get_json() == {"assigned": 0}
    everyone = post(client, cid, w.hr, {"everyone": True})
    assert (
        everyone.status_code == 201 and everyone.get_json()["assigned"] == 3
    )  # the lead, HR and the admin
    assert w.lead.employee_no in holders(w.certification)


def test_unknown_people_are_named_and_nobody_is_assigned(client, world, make):
    w = world
    cid = w.certification.id
    error = assert_error(
        post(client, cid, w.hr, {"employee_nos": ["A001", "X404", "X405"]}), 422, "employee_nos"
    )
    assert "X404" in error["message"] and "X405" in error["message"]
    assert error["fields"]["employee_nos"] == ["X404", "X405"]
    assert holders(w.certification) == set()
    assert_error(post(client, cid, w.hr, {"team_id": 999_999}), 422, "team_id")
    assert_error(post(client, cid, w.hr, {"post_id": "1"}), 422, "post_id")
    assert_error(post(client, cid, w.hr, {"department_id": 2**40}), 422, "department_id")
    assert_error(post(client, cid, w.hr, {"everyone": False}), 422, "everyone")
    assert_error(post(client, cid, w.hr, {"employee_nos": []}), 422, "employee_nos")
    assert_error(post(client, cid, w.hr, {"employee_nos": "A001"}), 422, "employee_nos")
    assert_error(post(client, cid, w.hr, {"everyone": True, "team_id": 1}), 422)
    assert_error(post(client, cid, w.hr, {}), 422)
    assert holders(w.certification) == set()


def test_bad_requests(client, world):
    w = world
    cid = w.certification.id
    assert_error(post(client, cid, w.hr, {"people": ["A001"]}), 400)
    with clock.frozen(T0):
        headers = bearer(w.hr) | {"Content-Type": "application/json"}
        malformed = client.post(
            f"/api/v1/certifications/{cid}/assignments", data="{not json", headers=headers
        )
    assert_error(malformed, 400)
    assert_error(post(client, cid, w.hr, [1, 2]), 400)
    assert_error(post(client, 999_999, w.hr, {"everyone": True}), 404)
    assert_error(post(client, 2**40, w.hr, {"everyone": True}), 404)
    for person in (w.member, w.lead):
        assert_error(post(client, cid, person, {"everyone": True}), 403)
    w.certification.active = False
    db.session.commit()
    assert_error(post(client, cid, w.hr, {"everyone": True}), 409)
    assert holders(w.certification) == set()


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/certifications"]
    assert "post" in paths["/certifications/{certification_id}/assignments"]
    assert "get" in paths["/employees/{employee_no}/certifications"]
