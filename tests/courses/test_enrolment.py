"""Enrolment by hand, by assignment and by rule; progress, completion and versions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from courses import assignment, enrolment, prerequisites, services
from courses.models import (
    Curriculum,
    CurriculumCourse,
    Enrolment,
    EnrolmentSource,
    Tier,
    VersionStatus,
)
from courses.services import CatalogueError
from lms import clock
from lms.extensions import db
from lms.organisation import services as org
from lms.organisation.models import EmployeeStatus


def count(**where) -> int:
    query = sa.select(sa.func.count(Enrolment.id))
    for key, value in where.items():
        query = query.where(getattr(Enrolment, key) == value)
    return db.session.scalar(query)


def test_publish_pins_versions_and_keeps_learners_consistent(make, catalogue):
    course = catalogue.course(lessons=2)
    v1 = course.current_version
    started, waiting = make.employee(), make.employee()
    a = enrolment.enrol(started, course, now=clock.now())
    b = enrolment.enrol(waiting, course, now=clock.now())
    enrolment.complete_lesson(a, v1.lessons[0], now=clock.now())

    draft = services.draft_of(course, now=clock.now())
    assert draft.number == 2 and [x.key for x in draft.lessons] == ["lesson-1", "lesson-2"]
    services.save_lesson(
        draft.modules[0],
        None,
        services.LessonFields(
            key="new-policy", title="新退货政策", title_en=None, body="内容", minutes=5
        ),
    )
    v2 = services.publish(course, actor=None, now=clock.now(), note="2026 秋季新政策")
    assert {"kind": "added", "title": "新退货政策"} in json.loads(v2.change_log)
    assert v1.status == VersionStatus.RETIRED
    db.session.refresh(a)
    db.session.refresh(b)
    assert a.version_id == v1.id  # part-way through: keeps what they started
    assert b.version_id == v2.id  # not started yet: gets the new version
    assert len(v1.lessons) == 2 and len(v2.lessons) == 3  # the old version is untouched


def test_completion_needs_every_required_lesson(make, catalogue):
    course = catalogue.course(lessons=2, optional=1)
    person = make.employee()
    e = enrolment.enrol(person, course, now=clock.now())
    lessons = course.current_version.lessons
    assert not enrolment.complete_lesson(e, lessons[2], now=clock.now())  # the optional one
    assert not enrolment.complete_lesson(e, lessons[0], now=clock.now())
    assert enrolment.complete_lesson(e, lessons[1], now=clock.now())
    assert enrolment.complete_lesson(e, lessons[1], now=clock.now())  # idempotent
    assert e.status(clock.today()) == "completed"


def test_status_is_derived_from_the_due_date(make, catalogue):
    course = catalogue.course()
    e = enrolment.enrol(
        make.employee(), course, now=clock.now(), due_on=clock.today() + dt.timedelta(days=1)
    )
    assert e.status(clock.today()) == "not_started"
    assert e.status(clock.today() + dt.timedelta(days=2)) == "overdue"


def test_refusals(make, catalogue):
    course = catalogue.course()
    gone = make.employee(status=EmployeeStatus.LEFT)
    with pytest.raises(enrolment.EnrolmentError, match="has left"):
        enrolment.enrol(gone, course, now=clock.now())
    fresh = make.employee(hire_date=dt.date(2026, 6, 1))
    with pytest.raises(enrolment.EnrolmentError, match="before"):
        enrolment.enrol(fresh, course, now=clock.now(), due_on=dt.date(2026, 5, 1))
    draft = catalogue.course(publish=False)
    with pytest.raises(enrolment.EnrolmentError, match="published"):
        enrolment.enrol(fresh, draft, now=clock.now())
    closed = catalogue.course(self_enrolment=False)
    with pytest.raises(enrolment.EnrolmentError, match="self-enrolment"):
        enrolment.self_enrol(fresh, closed, now=clock.now())


def test_default_prerequisites_follow_the_tiers(make, catalogue):
    basic = catalogue.course("basic", track="communication")
    advanced = catalogue.course("advanced", track="communication", tier=Tier.ADVANCED)
    person = make.employee()
    with pytest.raises(enrolment.EnrolmentError, match="basic"):
        enrolment.self_enrol(person, advanced, now=clock.now())
    e = enrolment.self_enrol(person, basic, now=clock.now())
    for lesson in basic.current_version.lessons:
        enrolment.complete_lesson(e, lesson, now=clock.now())
    assert enrolment.self_enrol(person, advanced, now=clock.now()).source == EnrolmentSource.SELF


def test_prerequisite_cycles_are_refused(catalogue):
    a, b, c = catalogue.course("aa"), catalogue.course("bb"), catalogue.course("cc")
    prerequisites.set_prerequisites(b, [a])
    prerequisites.set_prerequisites(c, [b])
    with pytest.raises(CatalogueError, match="cycle: aa → cc → bb → aa"):
        prerequisites.set_prerequisites(a, [c])
    with pytest.raises(CatalogueError, match="itself"):
        prerequisites.set_prerequisites(a, [a])


def test_rule_enrols_everyone_matching_at_once_and_new_hires_later(make, catalogue):
    course = catalogue.course()
    agent, senior = make.post("客服专员"), make.post("高级客服专员")
    onboarding = [
        make.employee(post=agent, status=EmployeeStatus.ONBOARDING, hire_date=dt.date(2026, 11, 1))
        for _ in range(3)
    ]
    make.employee(post=agent, status=EmployeeStatus.ACTIVE)
    make.employee(post=senior, status=EmployeeStatus.ONBOARDING)
    rule, created = assignment.create_rule(
        name="新客服入职",
        course=course,
        curriculum=None,
        post_id=agent.id,
        team_id=None,
        department_id=None,
        employee_status="onboarding",
        due_days_after_hire=30,
        due_days_after_enrolment=None,
        actor=None,
        now=clock.now(),
    )
    assert created == 3
    dues = set(db.session.scalars(sa.select(Enrolment.due_on)))
    assert dues == {dt.date(2026, 12, 1)}
    assert assignment.apply_rule(rule, now=clock.now()) == 0  # idempotent
    # a new hire created through the organisation service is enrolled immediately
    person, _password = org.save_employee(
        None,
        {
            "employee_no": "N1",
            "name": "新人",
            "hire_date": dt.date(2026, 11, 20),
            "post": "客服专员",
        },
        actor=None,
        now=clock.now(),
    )
    mine = db.session.scalar(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    assert mine.rule_id == rule.id and mine.due_on == dt.date(2026, 12, 20)
    assert {e.employee_id for e in db.session.scalars(sa.select(Enrolment))} == {
        p.id for p in onboarding
    } | {person.id}


def test_curriculum_rule_and_assignment(make, catalogue):
    courses = [catalogue.course() for _ in range(3)]
    curriculum = Curriculum(slug="onboarding", title="入职培训", due_days=30)
    curriculum.items = [CurriculumCourse(course=c, position=i) for i, c in enumerate(courses)]
    db.session.add(curriculum)
    team = make.team()
    people = [make.employee(team=team) for _ in range(4)]
    hr = make.employee(roles={"hr"})
    created = assignment.assign(
        curriculum=curriculum,
        team_id=team.id,
        due_on=clock.today() + dt.timedelta(days=14),
        actor=hr,
        now=clock.now(),
    )
    assert created == 12
    assert count(curriculum_id=curriculum.id) == 12
    again = assignment.assign(
        curriculum=curriculum, employee_ids=[people[0].id], due_on=None, actor=hr, now=clock.now()
    )
    assert again == 0


def test_assignment_refusals(make, catalogue):
    course = catalogue.course()
    hr = make.employee(roles={"hr"})
    gone = make.employee(status=EmployeeStatus.LEFT)
    with pytest.raises(enrolment.EnrolmentError, match="has left"):
        assignment.assign(
            course=course, employee_ids=[gone.id], due_on=None, actor=hr, now=clock.now()
        )
    late = make.employee(hire_date=clock.today() + dt.timedelta(days=20))
    with pytest.raises(enrolment.EnrolmentError, match="hire date"):
        assignment.assign(
            course=course,
            employee_ids=[late.id],
            due_on=clock.today() + dt.timedelta(days=10),
            actor=hr,
            now=clock.now(),
        )
    with pytest.raises(enrolment.EnrolmentError, match="past"):
        assignment.assign(
            course=course,
            employee_ids=[hr.id],
            due_on=clock.today() - dt.timedelta(days=1),
            actor=hr,
            now=clock.now(),
        )
