"""The one-click learning plan: exactly the missing courses and certifications of the target
step, once — a second click adds nothing, a completed course is not enrolled again, an open
enrolment is planned as it is, and two clicks racing in real threads make one set."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from courses.models import Enrolment, EnrolmentSource
from lms.career import learning, plans
from lms.career.learning import STAGGER_DAYS
from lms.career.models import CareerPlan, LearningPlanItem
from lms.career.plans import NotAllowed, PlanError
from lms.certification.models import PersonCertification
from lms.extensions import db
from lms.organisation.models import Employee
from tests.career import factories as cf
from tests.career.test_plans import NOW, TODAY, build
from tests.conftest import csrf_token, login
from tests.mentorship.test_concurrency import _fresh
from tests.test_concurrency import _race


@pytest.fixture
def world(make):
    w = build(make)
    plans.set_target(w.person, w.senior.id, w.person, NOW)
    return w


def items(person) -> list[LearningPlanItem]:
    return list(
        db.session.scalars(
            sa.select(LearningPlanItem)
            .join(CareerPlan, CareerPlan.id == LearningPlanItem.plan_id)
            .where(CareerPlan.employee_id == person.id)
            .order_by(LearningPlanItem.suggested_by, LearningPlanItem.id)
        )
    )


def enrolments(person) -> dict[int, Enrolment]:
    rows = db.session.scalars(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    return {e.course_id: e for e in rows}


def test_enrols_exactly_the_missing_items_once(world):
    p = world.person
    cf.enrol(p, world.course_a, lessons_done=2)  # completed already
    completed_id = enrolments(p)[world.course_a.id].id

    result = learning.create_learning_plan(p, p, TODAY, NOW)

    added = [(i.course_id, i.certification_id) for i in result.added]
    assert added == [(world.course_b.id, None), (None, world.certification.id)]
    assert [i.suggested_by for i in result.added] == [
        TODAY + dt.timedelta(days=STAGGER_DAYS),
        TODAY + dt.timedelta(days=2 * STAGGER_DAYS),
    ]
    assert all(i.target_post_id == world.senior.id for i in result.added)
    mine = enrolments(p)
    assert mine[world.course_a.id].id == completed_id  # not enrolled again
    assert mine[world.course_b.id].source == EnrolmentSource.ASSIGNMENT
    assert mine[world.course_b.id].assigned_by_id == p.id
    held = db.session.scalars(
        sa.select(PersonCertification.certification_id).where(
            PersonCertification.employee_id == p.id
        )
    ).all()
    assert held == [world.certification.id]
    # the certification's own course came with the assignment
    cert_course = world.certification.courses[0].course_id
    assert cert_course in mine

    again = learning.create_learning_plan(p, p, TODAY, NOW)
    assert again.added == [] and again.skipped == []
    assert len(items(p)) == 2
    assert set(enrolments(p)) == set(mine)


def test_an_open_enrolment_becomes_an_item_without_a_new_enrolment(world):
    p = world.person
    open_one = cf.enrol(p, world.course_b, lessons_done=1)
    result = learning.create_learning_plan(p, world.hr, TODAY, NOW)
    planned = [i.course_id for i in result.added if i.course_id]
    assert world.course_a.id in planned and world.course_b.id in planned
    assert enrolments(p)[world.course_b.id].id == open_one.id
    assert all(i.created_by_id == world.hr.id for i in result.added)


def test_later_gaps_are_added_after_the_existing_items(world):
    p = world.person
    first = learning.create_learning_plan(p, p, TODAY, NOW)
    assert len(first.added) == 3
    # HR adds a course to the step: the next click plans only that one, after the others
    extra = cf.course("售后政策", "After-sales Policy")
    cf.requirement(world.up, "course", course=extra)
    second = learning.create_learning_plan(p, p, TODAY, NOW)
    assert [i.course_id for i in second.added] == [extra.id]
    last = max(i.suggested_by for i in first.added)
    assert second.added[0].suggested_by == last + dt.timedelta(days=STAGGER_DAYS)


def test_item_views_follow_the_enrolment_and_certification(world):
    p = world.person
    learning.create_learning_plan(p, p, TODAY, NOW)
    plan = plans.plan_of(p)
    with force_locale("en"):
        first = learning.item_views(plan, p, TODAY)
    assert [v.title for v in first] == [
        "Complaint Handling",
        "Calming Upset Customers",
        "Service Certification",
    ]
    assert {v.status for v in first} == {"not_started"}
    cf.enrol(p, world.course_a, lessons_done=1)
    cf.enrol(p, world.course_b, lessons_done=2)
    views = {v.item.course_id: v.status for v in learning.item_views(plan, p, TODAY)}
    assert views[world.course_a.id] == "in_progress"
    assert views[world.course_b.id] == "completed"


def test_refusals(make, world):
    p = world.person
    for actor in (world.boss, world.mentor, world.stranger):
        with pytest.raises(NotAllowed):
            learning.create_learning_plan(p, actor, TODAY, NOW)
    plans.set_target(p, None, p, NOW)
    with pytest.raises(PlanError):
        learning.create_learning_plan(p, p, TODAY, NOW)
    assert items(p) == []


def test_an_unpublished_course_is_skipped_with_a_reason(world):
    p = world.person
    draft = cf.course("草稿课程", "Draft course")
    draft.status = "draft"
    cf.requirement(world.up, "course", course=draft)
    db.session.flush()
    result = learning.create_learning_plan(p, p, TODAY, NOW)
    assert draft.id not in [i.course_id for i in result.added]
    assert len(result.skipped) == 1
    assert draft.id not in enrolments(p)


@pytest.mark.concurrency
def test_two_clicks_at_once_make_one_set(app, world):
    p = world.person
    db.session.commit()
    url, person_id = f"/career/people/{p.employee_no}/learning-plan", p.id
    clients = []
    for _ in range(2):
        client = app.test_client()
        login(client, "agent")
        clients.append((client, csrf_token(client, "/career")))

    def click(i: int) -> int:
        client, token = clients[i]
        return client.post(url, data={"csrf_token": token}).status_code

    assert _race(click, 2) == [302, 302]
    _fresh()
    person = db.session.get(Employee, person_id)
    assert len(items(person)) == 3
    assert len(enrolments(person)) == 3  # two courses and the certification's course
    count = db.session.scalar(
        sa.select(sa.func.count(PersonCertification.id)).where(
            PersonCertification.employee_id == person_id
        )
    )
    assert count == 1
