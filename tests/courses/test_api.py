"""Catalogue API: courses, enrolments."""

from __future__ import annotations

import datetime as dt

import pytest

from courses import enrolment
from courses.models import Curriculum, CurriculumCourse, Tier
from lms import clock
from lms.accounts.services import create_token
from lms.extensions import db


@pytest.fixture
def tokens(make):
    lead = make.employee("lead", roles={"supervisor"})
    team = make.team(lead=lead)
    agent = make.employee("agent", team=team, employee_no="A100", hire_date=dt.date(2026, 1, 1))
    other = make.employee("other", employee_no="B200")
    hr = make.employee("hr", roles={"hr"})
    secrets = {}
    for name, person in (("hr", hr), ("agent", agent), ("lead", lead), ("other", other)):
        _t, secret = create_token(person, "api", clock.now())
        secrets[name] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return secrets


def test_list_and_filter_courses(client, tokens, catalogue):
    catalogue.course("c-basic", title="退换货政策")
    catalogue.course("c-adv", tier=Tier.ADVANCED, track="communication")
    catalogue.course("c-draft", publish=False)
    db.session.commit()
    body = client.get("/api/v1/courses", headers=tokens["agent"]).get_json()
    assert [c["slug"] for c in body["items"]] == ["c-basic", "c-adv"]
    assert body["items"][0]["tier"] == "foundation" and body["items"][0]["version"] == 1
    adv = client.get("/api/v1/courses?tier=advanced", headers=tokens["agent"]).get_json()
    assert [c["slug"] for c in adv["items"]] == ["c-adv"]
    assert client.get("/api/v1/courses?status=draft", headers=tokens["agent"]).status_code == 403
    drafts = client.get("/api/v1/courses?status=draft", headers=tokens["hr"]).get_json()
    assert [c["slug"] for c in drafts["items"]] == ["c-draft"]
    assert client.get("/api/v1/courses?tier=expert", headers=tokens["hr"]).status_code == 400


def test_course_detail_has_the_outline(client, tokens, catalogue):
    course = catalogue.course("outline", lessons=3)
    draft = catalogue.course("unseen", publish=False)
    db.session.commit()
    body = client.get(f"/api/v1/courses/{course.id}", headers=tokens["agent"]).get_json()
    assert [lesson["key"] for lesson in body["modules"][0]["lessons"]] == [
        "lesson-1",
        "lesson-2",
        "lesson-3",
    ]
    assert client.get(f"/api/v1/courses/{draft.id}", headers=tokens["agent"]).status_code == 404
    assert client.get("/api/v1/courses/9999", headers=tokens["agent"]).status_code == 404


def test_enrol_by_api_and_read_back(client, tokens, catalogue):
    course = catalogue.course("api-course")
    db.session.commit()
    response = client.post(
        "/api/v1/enrolments",
        headers=tokens["hr"],
        json={"employee_no": "A100", "course": "api-course", "due_on": "2026-12-31"},
    )
    assert response.status_code == 201, response.get_json()
    item = response.get_json()["items"][0]
    assert item["status"] == "not_started" and item["due_on"] == "2026-12-31"
    assert item["source"] == "assignment"
    again = client.post(
        "/api/v1/enrolments",
        headers=tokens["hr"],
        json={"employee_no": "A100", "course": course.id},
    )
    assert again.status_code == 201 and again.get_json()["total"] == 1
    mine = client.get("/api/v1/employees/A100/enrolments", headers=tokens["agent"]).get_json()
    assert [e["course"] for e in mine["items"]] == ["api-course"]
    assert (
        client.get("/api/v1/employees/A100/enrolments", headers=tokens["lead"]).status_code == 200
    )
    assert (
        client.get("/api/v1/employees/A100/enrolments", headers=tokens["other"]).status_code == 404
    )


def test_enrol_a_curriculum_by_api(client, tokens, catalogue):
    courses = [catalogue.course() for _ in range(2)]
    curriculum = Curriculum(slug="onboarding", title="入职", due_days=30)
    curriculum.items = [CurriculumCourse(course=c, position=i) for i, c in enumerate(courses)]
    db.session.add(curriculum)
    db.session.commit()
    response = client.post(
        "/api/v1/enrolments",
        headers=tokens["hr"],
        json={"employee_no": "A100", "curriculum": "onboarding"},
    )
    assert response.status_code == 201 and response.get_json()["total"] == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"employee_no": "NOPE", "course": "x"}, 422),
        ({"employee_no": "A100"}, 422),
        ({"employee_no": "A100", "course": "nope"}, 422),
        ({"employee_no": "A100", "course": "api2", "due_on": "soon"}, 422),
        ({"employee_no": "A100", "course": "api2", "due_on": "2025-01-01"}, 422),
        ({"employee_no": "A100", "course": "api2", "extra": 1}, 400),
    ],
)
def test_enrolment_errors(client, tokens, catalogue, body, status):
    catalogue.course("api2")
    db.session.commit()
    response = client.post("/api/v1/enrolments", headers=tokens["hr"], json=body)
    assert response.status_code == status and response.is_json


def test_only_hr_enrols_by_api(client, tokens, catalogue):
    catalogue.course("api3")
    db.session.commit()
    response = client.post(
        "/api/v1/enrolments",
        headers=tokens["agent"],
        json={"employee_no": "A100", "course": "api3"},
    )
    assert response.status_code == 403


def test_progress_shows_in_the_api(client, tokens, catalogue, make):
    course = catalogue.course("progress", lessons=2)
    from lms.organisation.queries import employee_by_no

    e = enrolment.enrol(employee_by_no("A100"), course, now=clock.now())
    enrolment.complete_lesson(e, course.current_version.lessons[0], now=clock.now())
    db.session.commit()
    item = client.get("/api/v1/employees/A100/enrolments", headers=tokens["hr"]).get_json()[
        "items"
    ][0]
    assert item["progress"] == 50 and item["status"] == "in_progress"
