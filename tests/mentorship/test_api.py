"""The mentorship API: who sees which mentorships (and never the rating unless HR), assigning,
check-ins, a mentor's mentees; every refusal is a JSON 4xx."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from courses import enrolment
from lms import clock
from lms.accounts.services import create_token
from lms.extensions import db
from lms.mentorship import services
from lms.mentorship.models import CheckIn, Mentorship
from lms.organisation.models import Employee
from tests.courses.conftest import CatalogueFactory
from tests.mentorship.conftest import NOW
from tests.test_query_counts import count_statements


@dataclass
class World:
    hr: Employee
    admin: Employee
    lead: Employee  # supervisor leading team one
    boss: Employee  # supervisor of hire two (other team)
    mentor: Employee
    other_mentor: Employee
    hire: Employee  # team one
    hire2: Employee  # team two, reports to boss
    alumnus: Employee  # mentored by ``mentor`` in the past, rated it
    nobody: Employee
    current: Mentorship  # mentor -> hire, active
    second: Mentorship  # other_mentor -> hire2, active
    past: Mentorship  # mentor -> alumnus, completed and rated


def bearer(person: Employee) -> dict[str, str]:
    _token, secret = create_token(person, "test", clock.now())
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(make, mentors, at_now) -> World:
    lead = make.employee(roles={"supervisor"})
    boss = make.employee(roles={"supervisor"})
    team_one = make.team("售后一组", lead=lead)
    team_two = make.team("售后二组")
    mentor = mentors.mentor(team_one, name="王导师")
    other = mentors.mentor(team_two, name="李导师")
    hire = mentors.new_hire(team_one, name="新人一")
    hire2 = mentors.new_hire(team_two, supervisor=boss, name="新人二")
    alumnus = mentors.new_hire(team_two, name="老学员")
    past = services.assign(mentor, alumnus, actor=None, now=NOW - dt.timedelta(days=120))
    services.sign_off(past, actor=mentor, now=NOW - dt.timedelta(days=20))
    services.rate(past, rating=2, comment="很少见面", now=NOW - dt.timedelta(days=10))
    current = services.assign(mentor, hire, actor=None, now=NOW)
    second = services.assign(other, hire2, actor=None, now=NOW)
    db.session.commit()
    return World(
        hr=make.employee(roles={"hr"}),
        admin=make.employee(roles={"admin"}),
        lead=lead,
        boss=boss,
        mentor=mentor,
        other_mentor=other,
        hire=hire,
        hire2=hire2,
        alumnus=alumnus,
        nobody=make.employee(),
        current=current,
        second=second,
        past=past,
    )


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"], error
    return error


# --- GET /mentorships -----------------------------------------------------------------


def test_each_role_sees_its_own_mentorships(client, world):
    w = world
    everyone = {w.current.id, w.second.id, w.past.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.hr))) == everyone
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.admin))) == everyone
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.mentor))) == {
        w.current.id,
        w.past.id,
    }
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.other_mentor))) == {w.second.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.lead))) == {w.current.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.boss))) == {w.second.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.hire))) == {w.current.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.alumnus))) == {w.past.id}
    assert ids(client.get("/api/v1/mentorships", headers=bearer(w.nobody))) == set()
    assert_error(client.get("/api/v1/mentorships"), 401)


def test_the_rating_is_for_hr_only(client, world):
    w = world
    for person in (w.hr, w.admin):
        items = client.get("/api/v1/mentorships", headers=bearer(person)).get_json()["items"]
        past = next(i for i in items if i["id"] == w.past.id)
        assert past["rating"] == 2 and past["rating_comment"] == "很少见面"
    for person in (w.mentor, w.alumnus, w.lead):
        response = client.get("/api/v1/mentorships", headers=bearer(person))
        for item in response.get_json()["items"]:
            assert "rating" not in item and "rating_comment" not in item
        assert "很少见面" not in response.get_data(as_text=True)
    past = next(
        i
        for i in client.get("/api/v1/mentorships", headers=bearer(w.mentor)).get_json()["items"]
        if i["id"] == w.past.id
    )
    assert past["status"] == "completed" and past["signed_off_at"]
    assert past["mentor"] == {"employee_no": w.mentor.employee_no, "name": "王导师"}
    assert past["mentee"] == {"employee_no": w.alumnus.employee_no, "name": "老学员"}
    assert set(past) == {
        "id",
        "mentor",
        "mentee",
        "kind",
        "status",
        "started_on",
        "planned_end_on",
        "ended_on",
        "end_reason",
        "score",
        "reasons",
        "signed_off_at",
    }


def test_filters_and_pages(client, world):
    w = world
    h = bearer(w.hr)
    get = client.get
    assert ids(get("/api/v1/mentorships?status=active", headers=h)) == {w.current.id, w.second.id}
    assert ids(get("/api/v1/mentorships?status=completed", headers=h)) == {w.past.id}
    assert ids(get("/api/v1/mentorships?kind=rotation", headers=h)) == set()
    assert ids(get(f"/api/v1/mentorships?mentor={w.mentor.employee_no}", headers=h)) == {
        w.current.id,
        w.past.id,
    }
    assert ids(get(f"/api/v1/mentorships?mentee={w.hire2.employee_no}", headers=h)) == {w.second.id}
    assert ids(get("/api/v1/mentorships?team=售后二组", headers=h)) == {w.second.id, w.past.id}
    assert ids(get("/api/v1/mentorships?mentor=NOPE", headers=h)) == set()
    assert ids(get("/api/v1/mentorships?team=无此组", headers=h)) == set()
    # a filter never widens what a person may see
    mine = bearer(w.mentor)
    assert ids(get(f"/api/v1/mentorships?mentee={w.hire2.employee_no}", headers=mine)) == set()
    page = get("/api/v1/mentorships?per_page=2&page=2", headers=h).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    assert_error(get("/api/v1/mentorships?status=paused", headers=h), 400)
    assert_error(get("/api/v1/mentorships?kind=buddy", headers=h), 400)
    assert_error(get("/api/v1/mentorships?per_page=0", headers=h), 400)


# --- POST /mentorships ----------------------------------------------------------------


def test_hr_assigns_a_mentor(client, make, mentors, at_now):
    hr = make.employee(roles={"hr"})
    mentor = mentors.mentor(name="张导师")
    hire = mentors.new_hire(name="新人")
    body = {"mentor": mentor.employee_no, "mentee": hire.employee_no, "started_on": "2026-08-30"}
    response = client.post("/api/v1/mentorships", json=body, headers=bearer(hr))
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert got["status"] == "active" and got["kind"] == "onboarding"
    assert got["started_on"] == "2026-08-30" and got["planned_end_on"] == "2026-11-28"
    assert got["mentor"]["name"] == "张导师" and got["rating"] is None
    created = db.session.get(Mentorship, got["id"])
    assert [c.day for c in created.check_ins] == [7, 30, 60, 90]
    again = client.post("/api/v1/mentorships", json=body, headers=bearer(hr))
    assert_error(again, 409, "mentor")
    rotation = body | {"kind": "rotation", "planned_end_on": "2027-01-01"}
    other = mentors.mentor()
    rotation["mentor"] = other.employee_no
    made = client.post("/api/v1/mentorships", json=rotation, headers=bearer(hr))
    assert made.status_code == 201 and made.get_json()["kind"] == "rotation"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"salary": 1}, 400, None),
        ({"kind": "buddy"}, 400, "kind"),
        ({"kind": ["onboarding"]}, 400, "kind"),
        ({"started_on": "next monday"}, 400, "started_on"),
        ({"planned_end_on": 20261231}, 400, "planned_end_on"),
        ({"started_on": "2026-09-01", "planned_end_on": "2026-08-01"}, 400, "planned_end_on"),
        ({"mentor": None}, 400, "mentor"),
        ({"mentee": ["T1"]}, 400, "mentee"),
        ({"mentee": "NOPE"}, 404, "mentee"),
        ({"mentor": "NOPE"}, 404, "mentor"),
    ],
)
def test_assign_refuses_bad_bodies(client, make, mentors, at_now, change, status, field):
    hr = make.employee(roles={"hr"})
    body = {"mentor": mentors.mentor().employee_no, "mentee": mentors.new_hire().employee_no}
    response = client.post("/api/v1/mentorships", json=body | change, headers=bearer(hr))
    assert_error(response, status, field)
    assert db.session.scalar(sa.select(sa.func.count(Mentorship.id))) == 0


def test_assign_conflicts_and_access(client, make, mentors, at_now):
    hr = make.employee(roles={"hr"})
    hire = mentors.new_hire()
    plain = make.employee()
    full = mentors.mentor()
    services.set_capacity(full, 0)
    cases = [
        (plain, 409),  # not a mentor
        (full, 409),  # no free place
        (hire, 409),  # nobody mentors themself
    ]
    for mentor, status in cases:
        body = {"mentor": mentor.employee_no, "mentee": hire.employee_no}
        assert_error(client.post("/api/v1/mentorships", json=body, headers=bearer(hr)), status)
    mentor = mentors.mentor()
    body = {"mentor": mentor.employee_no, "mentee": hire.employee_no}
    for person in (mentor, make.employee(roles={"supervisor"}), hire):
        assert_error(client.post("/api/v1/mentorships", json=body, headers=bearer(person)), 403)
    not_json = client.post("/api/v1/mentorships", data="x", headers=bearer(hr))
    assert_error(not_json, 400)
    assert db.session.scalar(sa.select(sa.func.count(Mentorship.id))) == 0


# --- POST /mentorships/<id>/check-ins -------------------------------------------------


def test_the_mentor_and_hr_log_check_ins(client, world):
    w = world
    url = f"/api/v1/mentorships/{w.current.id}/check-ins"
    body = {"notes": "熟悉了退货流程", "actions": "练习话术", "pulse": 4}
    response = client.post(url, json=body, headers=bearer(w.mentor))
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert got["day"] == 7 and got["held_on"] == NOW.date().isoformat()
    assert (got["pulse"], got["notes"], got["actions"]) == (4, "熟悉了退货流程", "练习话术")
    assert got["due_on"] == (NOW.date() + dt.timedelta(days=7)).isoformat()
    by_hr = client.post(url, json={"held_on": "2026-09-01"}, headers=bearer(w.hr))
    assert by_hr.status_code == 201 and by_hr.get_json()["day"] == 30
    stored = db.session.get(CheckIn, got["id"])
    assert stored.logged_by_id == w.mentor.id


def test_check_ins_hide_from_others(client, world):
    w = world
    url = f"/api/v1/mentorships/{w.current.id}/check-ins"
    for person in (w.hire, w.lead, w.other_mentor, w.nobody):
        assert_error(client.post(url, json={}, headers=bearer(person)), 404)
    assert_error(client.post(url, data="x", headers=bearer(w.nobody)), 404)  # before the body
    for missing in (
        "/api/v1/mentorships/99999/check-ins",
        "/api/v1/mentorships/3000000000/check-ins",
    ):
        assert_error(client.post(missing, json={}, headers=bearer(w.hr)), 404)
    assert_error(client.post(url, json={}), 401)
    assert db.session.scalar(sa.select(CheckIn.id).where(CheckIn.held_on.is_not(None))) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pulse": 0}, "pulse"),
        ({"pulse": 6}, "pulse"),
        ({"pulse": "3"}, "pulse"),
        ({"pulse": True}, "pulse"),
        ({"held_on": "yesterday"}, "held_on"),
        ({"held_on": "2026-09-02"}, "held_on"),  # tomorrow
        ({"held_on": "2026-08-01"}, "held_on"),  # before the start
        ({"notes": 5}, "notes"),
        ({"mood": "good"}, None),
    ],
)
def test_check_in_bad_bodies(client, world, body, field):
    url = f"/api/v1/mentorships/{world.current.id}/check-ins"
    assert_error(client.post(url, json=body, headers=bearer(world.mentor)), 400, field)


def test_check_ins_only_while_active(client, world):
    w = world
    url = f"/api/v1/mentorships/{w.past.id}/check-ins"
    for person in (w.mentor, w.hr):
        assert_error(client.post(url, json={}, headers=bearer(person)), 409)
    services.end(w.current, reason="换岗", now=NOW)
    db.session.commit()
    ended = f"/api/v1/mentorships/{w.current.id}/check-ins"
    assert_error(client.post(ended, json={"pulse": 3}, headers=bearer(w.mentor)), 409)


# --- GET /mentors/<employee_no>/mentees ------------------------------------------------


def test_a_mentors_mentees_with_progress(client, world):
    w = world
    catalogue = CatalogueFactory()
    first, second, third = (catalogue.course() for _ in range(3))
    for course in (first, second, third):
        enrolment.enrol(w.hire, course, now=NOW)
    done = enrolment.enrol(w.alumnus, first, now=NOW)
    done.completed_at = NOW
    db.session.commit()
    url = f"/api/v1/mentors/{w.mentor.employee_no}/mentees"
    for person in (w.hr, w.admin, w.mentor, w.lead):
        response = client.get(url, headers=bearer(person))
        assert response.status_code == 200, (person, response.get_json())
        body = response.get_json()
        assert body["mentor"]["employee_no"] == w.mentor.employee_no and body["total"] == 2
        rows = {item["mentee"]["name"]: item for item in body["items"]}
        assert rows["新人一"]["status"] == "active"
        assert rows["新人一"]["progress"] == {"completed": 0, "total": 3}
        assert rows["老学员"]["status"] == "completed" and rows["老学员"]["ended_on"]
        assert rows["老学员"]["progress"] == {"completed": 1, "total": 1}
        assert "rating" not in response.get_data(as_text=True)
    for person in (w.hire, w.other_mentor, w.boss, w.nobody):
        assert_error(client.get(url, headers=bearer(person)), 404)
    assert_error(client.get("/api/v1/mentors/NOPE/mentees", headers=bearer(w.hr)), 404)
    assert_error(client.get(url), 401)


def test_mentees_take_the_same_statements_for_many(client, make, mentors, at_now):
    hr = make.employee(roles={"hr"})
    mentor = mentors.mentor()
    services.set_capacity(mentor, 20)
    url = f"/api/v1/mentors/{mentor.employee_no}/mentees"
    headers = bearer(hr)

    def measure() -> int:
        db.session.commit()
        with count_statements() as statements:
            assert client.get(url, headers=headers).status_code == 200
        return len(statements)

    services.assign(mentor, mentors.new_hire(), actor=None, now=NOW)
    measure()  # the token's first use is recorded once
    one = measure()
    for _ in range(8):
        services.assign(mentor, mentors.new_hire(), actor=None, now=NOW)
    assert measure() == one <= 15


def test_openapi_names_the_mentorship_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/mentorships"])
    assert "post" in paths["/mentorships/{mentorship_id}/check-ins"]
    assert "get" in paths["/mentors/{employee_no}/mentees"]
