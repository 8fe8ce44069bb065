"""Career plans: who may do what about a person's career, the plan itself (get-or-create, the
target post), short- and long-term goals, career conversations and endorsements.

The learning plan that turns the gaps into enrolments is in ``lms.career.learning``. Services
take the acting person and ``now``/``today``; they flush, never commit: the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.career import readiness
from lms.career.models import (
    CareerConversation,
    CareerGoal,
    CareerPlan,
    CareerStep,
    Endorsement,
    Endorser,
    GoalHorizon,
)
from lms.career.requirements_base import among
from lms.db import dialect_insert
from lms.extensions import db
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.organisation.models import Employee, EmployeeStatus, Team

MAX_GOAL = 500
MAX_COMMENT = 500


class PlanError(Exception):
    """A refused change, with the form field it concerns (if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PlanError):
    """The actor may see the person but may not make this change."""


# --- who may do what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """How the actor stands to the person whose career it is."""

    own: bool
    lead: bool  # their supervisor, or the lead of their team
    mentor: bool  # an active mentorship, the actor mentoring
    hr: bool  # HR or admin

    @property
    def can_view(self) -> bool:
        return self.own or self.lead or self.mentor or self.hr

    @property
    def can_set_target(self) -> bool:
        return self.own or self.hr

    @property
    def can_plan_learning(self) -> bool:
        return self.own or self.hr

    @property
    def can_edit_goals(self) -> bool:
        return self.own or self.lead or self.hr

    @property
    def can_log_conversation(self) -> bool:
        return not self.own and (self.lead or self.mentor or self.hr)

    @property
    def endorser_role(self) -> Endorser | None:
        if self.own:
            return None
        if self.lead:
            return Endorser.LEAD
        return Endorser.MENTOR if self.mentor else None

    @property
    def can_propose(self) -> bool:
        return self.lead and not self.own


def leads(person: Employee, actor: Employee) -> bool:
    """The person's supervisor or team lead, holding the supervisor role (as everywhere)."""
    if actor.id == person.id or not actor.has_role("supervisor"):
        return False
    if person.supervisor_id == actor.id:
        return True
    if person.team_id is None:
        return False
    lead_id = db.session.scalar(sa.select(Team.lead_id).where(Team.id == person.team_id))
    return lead_id == actor.id


def mentors(person: Employee, actor: Employee) -> bool:
    if actor.id == person.id:
        return False
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    Mentorship.mentor_id == actor.id,
                    Mentorship.mentee_id == person.id,
                    Mentorship.status == MentorshipStatus.ACTIVE,
                )
            )
        )
    )


def relation(person: Employee, actor: Employee) -> Relation:
    own = person.id == actor.id
    return Relation(
        own=own,
        lead=not own and leads(person, actor),
        mentor=not own and mentors(person, actor),
        hr=actor.has_role("hr", "admin"),
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


# --- the plan ----------------------------------------------------------------------------------


def plan_of(person: Employee) -> CareerPlan | None:
    """The person's plan when there is one (reading: creates nothing)."""
    return db.session.scalar(sa.select(CareerPlan).where(CareerPlan.employee_id == person.id))


def plan_for(person: Employee) -> CareerPlan:
    """The person's plan, created when missing; two requests racing create one."""
    plan = plan_of(person)
    if plan is not None:
        return plan
    table = CareerPlan.__table__
    db.session.execute(
        dialect_insert(table)
        .values(employee_id=person.id)
        .on_conflict_do_nothing(index_elements=["employee_id"])
    )
    return db.session.scalars(
        sa.select(CareerPlan)
        .where(CareerPlan.employee_id == person.id)
        .execution_options(populate_existing=True)
    ).one()


def set_target(
    person: Employee, post_id: int | None, actor: Employee, now: dt.datetime
) -> CareerPlan:
    """Aim the plan at a post reachable in one step from the person's current post (None
    clears the target)."""
    _require(
        relation(person, actor).can_set_target,
        _("Only the person and HR may choose the target post."),
    )
    if post_id is not None:
        if person.post_id is None:
            raise PlanError(
                _("%(name)s has no post yet: ask HR to set one first.", name=person.name),
                "target",
            )
        reachable = {step.to_post_id for step in readiness.reachable_steps(person.post_id)}
        if post_id not in reachable:
            raise PlanError(
                _("That post is not a step from the current post; choose one of the listed posts."),
                "target",
            )
    plan = plan_for(person)
    plan.target_post_id = post_id
    plan.updated_by_id = actor.id
    plan.updated_at = now
    db.session.flush()
    return plan


# --- goals -------------------------------------------------------------------------------------


def add_goal(
    person: Employee,
    actor: Employee,
    *,
    horizon: GoalHorizon,
    text: str,
    due_on: dt.date | None,
    now: dt.datetime,
) -> CareerGoal:
    _require(
        relation(person, actor).can_edit_goals,
        _("Only the person, their team lead and HR may change the goals."),
    )
    text = (text or "").strip()
    if not text:
        raise PlanError(_("Write the goal."), "text")
    if len(text) > MAX_GOAL:
        raise PlanError(_("A goal has at most %(n)s characters.", n=MAX_GOAL), "text")
    if due_on is not None and due_on < now.date():
        raise PlanError(_("The due date is in the past."), "due_on")
    plan = plan_for(person)
    goal = CareerGoal(
        plan_id=plan.id,
        horizon=horizon,
        text=text,
        due_on=due_on,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(goal)
    db.session.flush()
    return goal


def goal_of(person: Employee, goal_id: int) -> CareerGoal | None:
    """One of the person's goals (None when the id is another person's)."""
    return db.session.scalar(
        sa.select(CareerGoal)
        .join(CareerPlan, CareerPlan.id == CareerGoal.plan_id)
        .where(CareerGoal.id == goal_id, CareerPlan.employee_id == person.id)
    )


def complete_goal(
    person: Employee, goal: CareerGoal, actor: Employee, today: dt.date, *, done: bool = True
) -> None:
    """Mark a goal done today (or open again)."""
    _require(
        relation(person, actor).can_edit_goals,
        _("Only the person, their team lead and HR may change the goals."),
    )
    goal.done_on = today if done else None
    db.session.flush()


def delete_goal(person: Employee, goal: CareerGoal, actor: Employee) -> None:
    _require(
        relation(person, actor).can_edit_goals,
        _("Only the person, their team lead and HR may change the goals."),
    )
    db.session.delete(goal)
    db.session.flush()


# --- career conversations ----------------------------------------------------------------------


def log_conversation(
    person: Employee,
    actor: Employee,
    held_on: dt.date,
    notes: str,
    next_steps: str | None,
    now: dt.datetime,
) -> CareerConversation:
    _require(
        relation(person, actor).can_log_conversation,
        _("Only the team lead, an active mentor and HR may log a career conversation."),
    )
    notes = (notes or "").strip()
    if not notes:
        raise PlanError(_("Write what was discussed."), "notes")
    if held_on > now.date():
        raise PlanError(_("A conversation cannot be held in the future."), "held_on")
    if held_on < person.hire_date:
        raise PlanError(_("The date is before the hire date."), "held_on")
    conversation = CareerConversation(
        employee_id=person.id,
        author_id=actor.id,
        held_on=held_on,
        notes=notes,
        next_steps=(next_steps or "").strip() or None,
        created_at=now,
    )
    db.session.add(conversation)
    db.session.flush()
    return conversation


# --- endorsements ------------------------------------------------------------------------------


def _endorsement(person: Employee, step: CareerStep, actor: Employee) -> Endorsement | None:
    return db.session.scalar(
        sa.select(Endorsement)
        .where(
            Endorsement.employee_id == person.id,
            Endorsement.step_id == step.id,
            Endorsement.endorser_id == actor.id,
        )
        .execution_options(populate_existing=True)
    )


def endorse(
    person: Employee,
    step: CareerStep,
    actor: Employee,
    comment: str | None,
    now: dt.datetime,
) -> Endorsement:
    """The team lead's or an active mentor's endorsement for a step out of the person's
    current post; endorsing again renews it (one per endorser and step)."""
    role = relation(person, actor).endorser_role
    _require(role is not None, _("Only the team lead or an active mentor may endorse."))
    if person.status == EmployeeStatus.LEFT:
        raise PlanError(_("%(name)s has left the company.", name=person.name))
    if step.from_post_id != person.post_id:
        raise PlanError(_("That step does not start from the current post."))
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise PlanError(_("A comment has at most %(n)s characters.", n=MAX_COMMENT), "comment")
    found = _endorsement(person, step, actor)
    if found is None:
        found = Endorsement(
            employee_id=person.id,
            step_id=step.id,
            endorser_id=actor.id,
            endorser_role=role,
            comment=comment,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(found)
                db.session.flush()
            return found
        except sa.exc.IntegrityError:  # a concurrent click endorsed first
            found = _endorsement(person, step, actor)
            if found is None:
                raise
    found.endorser_role = role
    found.comment = comment
    if found.withdrawn_at is not None:
        found.withdrawn_at = None
        found.created_at = now
    db.session.flush()
    return found


def withdraw(person: Employee, step: CareerStep, actor: Employee, now: dt.datetime) -> Endorsement:
    found = _endorsement(person, step, actor)
    if found is None or found.withdrawn_at is not None:
        raise PlanError(_("You have not endorsed %(name)s for this step.", name=person.name))
    found.withdrawn_at = now
    db.session.flush()
    return found


def active_endorsements(employee_ids: list[int], step_ids: list[int]) -> list[Endorsement]:
    """The standing endorsements of these people for these steps, in one statement."""
    if not employee_ids or not step_ids:
        return []
    wanted = set(employee_ids)
    found = db.session.scalars(
        sa.select(Endorsement)
        .where(
            among(Endorsement.employee_id, wanted),  # a whole company: read all, filter here
            Endorsement.step_id.in_(step_ids),
            Endorsement.withdrawn_at.is_(None),
        )
        .options(joinedload(Endorsement.endorser).lazyload(Employee.role_grants))
        .order_by(Endorsement.created_at)
    ).unique()
    return [endorsement for endorsement in found if endorsement.employee_id in wanted]
