"""Career plan services: the plan (once per person), the target post (reachable steps only,
chosen by the person or HR), goals, career conversations and endorsements, with who may do
each."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.career import plans, readiness
from lms.career.models import (
    CareerConversation,
    CareerGoal,
    CareerPlan,
    Endorsement,
    GoalHorizon,
    RequirementKind,
    StepKind,
)
from lms.career.plans import NotAllowed, PlanError
from lms.career.readiness import Status
from lms.extensions import db
from tests.career import factories as cf

NOW = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def build(make, *, with_person: bool = True) -> SimpleNamespace:
    """客服专员 L1 → 高级客服专员 L2 → 客服组长 L3 (promotions), 客服专员 → 质检专员 L2 (branch);
    the step to L2 asks for two courses, a certification and the team lead's endorsement.
    The person (an agent) has a supervisor who leads their team, and a mentor."""
    ladder = cf.ladder("客服管理通道", "Service management ladder")
    agent = cf.post("客服专员", "Customer Service Agent", level=1)
    senior = cf.post("高级客服专员", "Senior Customer Service Agent", level=2)
    lead_post = cf.post("客服组长", "Team Lead", level=3)
    qa = cf.post("质检专员", "QA Specialist", level=2)
    up = cf.step(agent, senior, ladder_=ladder, position=1)
    cf.step(senior, lead_post, ladder_=ladder, position=2)
    branch = cf.step(agent, qa, ladder_=ladder, kind=StepKind.BRANCH, position=3)
    course_a = cf.course("投诉处理", "Complaint Handling", lessons=2)
    course_b = cf.course("情绪安抚", "Calming Upset Customers", lessons=2)
    certification = cf.certification("客服认证", "Service Certification")
    cf.requirement(up, RequirementKind.COURSE, course=course_a)
    cf.requirement(up, RequirementKind.COURSE, course=course_b)
    cf.requirement(up, RequirementKind.CERTIFICATION, certification=certification)
    cf.requirement(up, RequirementKind.ENDORSEMENT, endorser="lead")
    boss = make.employee("boss", roles={"supervisor"}, name="王组长")
    team = make.team("售后一组", lead=boss)
    mentor = make.employee("mentor", roles={"mentor"}, name="陈导师")
    hr = make.employee("hr", roles={"hr"}, name="人事")
    stranger = make.employee("stranger", name="路人")
    other_boss = make.employee("otherboss", roles={"supervisor"}, team=make.team("售后二组"))
    person = None
    if with_person:
        person = make.employee(
            "agent",
            team=team,
            post=agent,
            supervisor=boss,
            name="李娜",
            hire_date=dt.date(2024, 3, 1),
        )
        cf.mentorship(mentor, person)
    return SimpleNamespace(
        ladder=ladder,
        agent=agent,
        senior=senior,
        lead_post=lead_post,
        qa=qa,
        up=up,
        branch=branch,
        course_a=course_a,
        course_b=course_b,
        certification=certification,
        boss=boss,
        team=team,
        mentor=mentor,
        hr=hr,
        stranger=stranger,
        other_boss=other_boss,
        person=person,
    )


@pytest.fixture
def world(make):
    return build(make)


def plan_count(person) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(CareerPlan.id)).where(CareerPlan.employee_id == person.id)
    )


# --- the plan and its target ---------------------------------------------------------------


def test_plan_for_creates_one_plan_per_person(world):
    assert plans.plan_of(world.person) is None
    first = plans.plan_for(world.person)
    second = plans.plan_for(world.person)
    assert first.id == second.id and plan_count(world.person) == 1


def test_relation_names_lead_mentor_and_hr(world):
    p = world.person
    assert plans.relation(p, world.boss).lead and plans.relation(p, world.boss).can_view
    assert plans.relation(p, world.mentor).mentor
    assert plans.relation(p, world.hr).hr
    assert plans.relation(p, p).own and plans.relation(p, p).endorser_role is None
    for outsider in (world.stranger, world.other_boss):
        assert not plans.relation(p, outsider).can_view


def test_set_target_accepts_a_reachable_step_and_refuses_anything_else(world):
    p = world.person
    plan = plans.set_target(p, world.senior.id, p, NOW)
    assert plan.target_post_id == world.senior.id and plan.updated_by_id == p.id
    plans.set_target(p, world.qa.id, p, NOW)  # a branch is reachable too
    assert plans.plan_of(p).target_post_id == world.qa.id

    with force_locale("en"), pytest.raises(PlanError) as refused:
        plans.set_target(p, world.lead_post.id, p, NOW)  # two steps away
    assert "not a step from the current post" in refused.value.message
    assert refused.value.field == "target"
    with pytest.raises(PlanError):
        plans.set_target(p, 999_999, p, NOW)
    assert plans.plan_of(p).target_post_id == world.qa.id


def test_set_target_by_hr_but_not_by_the_lead_or_mentor(world):
    p = world.person
    assert plans.set_target(p, world.senior.id, world.hr, NOW).updated_by_id == world.hr.id
    for actor in (world.boss, world.mentor):
        with pytest.raises(NotAllowed):
            plans.set_target(p, world.qa.id, actor, NOW)
    plans.set_target(p, None, p, NOW)
    assert plans.plan_of(p).target_post_id is None


def test_set_target_without_a_post_is_refused(make, world):
    nobody = make.employee("newcomer")
    with pytest.raises(PlanError):
        plans.set_target(nobody, world.senior.id, nobody, NOW)


# --- goals -----------------------------------------------------------------------------------


def test_goals_added_completed_and_deleted_by_the_person_and_their_lead(world):
    p = world.person
    short = plans.add_goal(
        p, p, horizon=GoalHorizon.SHORT, text=" 考取客服认证 ", due_on=TODAY, now=NOW
    )
    long = plans.add_goal(
        p, world.boss, horizon=GoalHorizon.LONG, text="成为组长", due_on=None, now=NOW
    )
    assert short.text == "考取客服认证" and long.created_by_id == world.boss.id
    plans.complete_goal(p, short, world.boss, TODAY)
    assert short.done_on == TODAY
    plans.complete_goal(p, short, p, TODAY, done=False)
    assert short.done_on is None
    plans.delete_goal(p, long, world.hr)
    remaining = db.session.scalars(sa.select(CareerGoal.text)).all()
    assert remaining == ["考取客服认证"]


def test_goals_refused_for_others_and_bad_input(world):
    p = world.person
    for actor in (world.mentor, world.stranger):
        with pytest.raises(NotAllowed):
            plans.add_goal(p, actor, horizon=GoalHorizon.SHORT, text="x", due_on=None, now=NOW)
    with pytest.raises(PlanError) as empty:
        plans.add_goal(p, p, horizon=GoalHorizon.SHORT, text="  ", due_on=None, now=NOW)
    assert empty.value.field == "text"
    with pytest.raises(PlanError) as past:
        plans.add_goal(
            p, p, horizon=GoalHorizon.SHORT, text="x", due_on=TODAY - dt.timedelta(days=1), now=NOW
        )
    assert past.value.field == "due_on"
    goal = plans.add_goal(p, p, horizon=GoalHorizon.LONG, text="x", due_on=None, now=NOW)
    with pytest.raises(NotAllowed):
        plans.delete_goal(p, goal, world.mentor)
    assert plans.goal_of(world.stranger, goal.id) is None
    assert plans.goal_of(p, goal.id) is goal


# --- conversations ----------------------------------------------------------------------------


def test_conversations_logged_by_lead_mentor_and_hr_only(world):
    p = world.person
    for actor in (world.boss, world.mentor, world.hr):
        plans.log_conversation(p, actor, TODAY, "谈了晋升方向", "报名课程", NOW)
    rows = db.session.scalars(sa.select(CareerConversation).order_by(CareerConversation.id)).all()
    assert [c.author_id for c in rows] == [world.boss.id, world.mentor.id, world.hr.id]
    assert rows[0].next_steps == "报名课程" and rows[0].employee_id == p.id
    for actor in (p, world.stranger, world.other_boss):
        with pytest.raises(NotAllowed):
            plans.log_conversation(p, actor, TODAY, "x", None, NOW)


def test_conversation_refuses_a_future_date_and_empty_notes(world):
    p = world.person
    with pytest.raises(PlanError) as future:
        plans.log_conversation(p, world.boss, TODAY + dt.timedelta(days=1), "x", None, NOW)
    assert future.value.field == "held_on"
    with pytest.raises(PlanError) as empty:
        plans.log_conversation(p, world.boss, TODAY, "   ", None, NOW)
    assert empty.value.field == "notes"


# --- endorsements ----------------------------------------------------------------------------


def endorsement_finding(world):
    with force_locale("en"):
        found = readiness.for_person(world.person, world.senior.id, TODAY)
    return next(f for f in found.findings if f.kind == RequirementKind.ENDORSEMENT)


def test_endorsement_by_the_lead_meets_the_requirement_until_withdrawn(world):
    p = world.person
    assert endorsement_finding(world).status == Status.NOT_MET
    made = plans.endorse(p, world.up, world.boss, "表现稳定", NOW)
    assert made.endorser_role == "lead" and made.comment == "表现稳定"
    assert endorsement_finding(world).status == Status.MET

    plans.withdraw(p, world.up, world.boss, NOW)
    assert endorsement_finding(world).status != Status.MET
    again = plans.endorse(p, world.up, world.boss, None, NOW + dt.timedelta(days=1))
    assert again.id == made.id and again.withdrawn_at is None
    assert endorsement_finding(world).status == Status.MET
    assert db.session.scalar(sa.select(sa.func.count(Endorsement.id))) == 1


def test_mentor_endorses_as_mentor_others_may_not(world):
    p = world.person
    assert plans.endorse(p, world.up, world.mentor, None, NOW).endorser_role == "mentor"
    # the lead's requirement is not met by a mentor's endorsement
    assert endorsement_finding(world).status != Status.MET
    for actor in (p, world.hr, world.stranger, world.other_boss):
        with pytest.raises(NotAllowed):
            plans.endorse(p, world.up, actor, None, NOW)
    with pytest.raises(PlanError):  # never endorsed
        plans.withdraw(p, world.up, world.boss, NOW)


def test_endorsing_twice_keeps_one_row_and_a_step_from_elsewhere_is_refused(world):
    p = world.person
    plans.endorse(p, world.up, world.boss, "一", NOW)
    plans.endorse(p, world.up, world.boss, "二", NOW)
    rows = db.session.scalars(sa.select(Endorsement)).all()
    assert len(rows) == 1 and rows[0].comment == "二"
    elsewhere = cf.step(world.senior, world.qa, ladder_=world.ladder, kind=StepKind.LATERAL)
    with pytest.raises(PlanError):
        plans.endorse(p, elsewhere, world.boss, None, NOW)
