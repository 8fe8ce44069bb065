"""What the career page shows about one person, read in a bounded number of statements: the
ladder drawing, the steps they can take, the readiness for the target with its gaps, the
learning plan, goals, conversations, endorsements, KPI history, post history and rotations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.career import drawing, kpis, learning, plans, readiness, rotations
from lms.career.models import (
    CareerConversation,
    CareerGoal,
    CareerPlan,
    CareerStep,
    Endorsement,
    Rotation,
    RotationStatus,
)
from lms.extensions import db
from lms.organisation.models import Employee, PostChange

KPI_MONTHS = 6


@dataclass
class CareerPage:
    person: Employee
    viewer_id: int
    relation: plans.Relation
    plan: CareerPlan | None
    steps: list[CareerStep]  # reachable from the current post
    target_step: CareerStep | None
    stale_target: bool  # a target that is no longer one step away
    readiness: readiness.Readiness | None
    drawing: drawing.Drawing | None
    items: list[learning.ItemView]
    goals: list[CareerGoal]
    conversations: list[CareerConversation]
    endorsements: list[Endorsement]  # standing, for the target step
    post_changes: list[PostChange]
    rotations: list[Rotation]
    kpi_history: list[Any] = field(default_factory=list)

    @property
    def my_endorsement(self) -> Endorsement | None:
        return next((e for e in self.endorsements if e.endorser_id == self.viewer_id), None)

    @property
    def gaps(self) -> list[readiness.Finding]:
        return self.readiness.gaps if self.readiness else []

    @property
    def plannable_gaps(self) -> int:
        """Gaps the learning plan can act on: those naming a course or a certification."""
        planned = {(i.item.course_id, i.item.certification_id) for i in self.items}
        return sum(
            1
            for f in self.gaps
            if (f.course_id or f.certification_id)
            and (f.course_id, None) not in planned
            and (None, f.certification_id) not in planned
        )


def career_page(person: Employee, viewer: Employee, today: dt.date, locale: str) -> CareerPage:
    relation = plans.relation(person, viewer)
    plan = plans.plan_of(person)
    steps = readiness.reachable_steps(person.post_id) if person.post_id else []
    target_id = plan.target_post_id if plan else None
    target_step = next((s for s in steps if s.to_post_id == target_id), None)
    found = readiness.for_person(person, target_id, today) if target_step else None
    reached = _held_posts(person)
    return CareerPage(
        person=person,
        viewer_id=viewer.id,
        relation=relation,
        plan=plan,
        steps=steps,
        target_step=target_step,
        stale_target=target_id is not None and target_step is None,
        readiness=found,
        drawing=drawing.ladder_drawing(person.post_id, target_id, reached, locale),
        items=learning.item_views(plan, person, today),
        goals=_goals(plan),
        conversations=_conversations(person),
        endorsements=(
            plans.active_endorsements([person.id], [target_step.id]) if target_step else []
        ),
        post_changes=_post_changes(person),
        rotations=[r for r in rotations.history(person.id) if r.status != RotationStatus.CANCELLED],
        kpi_history=[h for h in kpis.person_history(person.id, KPI_MONTHS, today) if h.values],
    )


def _held_posts(person: Employee) -> set[int]:
    rows = db.session.execute(
        sa.select(PostChange.from_post_id, PostChange.to_post_id).where(
            PostChange.employee_id == person.id
        )
    ).all()
    return {p for row in rows for p in row if p is not None}


def _goals(plan: CareerPlan | None) -> list[CareerGoal]:
    if plan is None:
        return []
    return list(
        db.session.scalars(
            sa.select(CareerGoal)
            .where(CareerGoal.plan_id == plan.id)
            .order_by(
                CareerGoal.done_on.is_not(None),
                CareerGoal.horizon.desc(),
                CareerGoal.due_on,
                CareerGoal.id,
            )
        )
    )


def _conversations(person: Employee) -> list[CareerConversation]:
    return list(
        db.session.scalars(
            sa.select(CareerConversation)
            .where(CareerConversation.employee_id == person.id)
            .options(joinedload(CareerConversation.author))
            .order_by(CareerConversation.held_on.desc(), CareerConversation.id.desc())
        )
    )


def _post_changes(person: Employee) -> list[PostChange]:
    return list(
        db.session.scalars(
            sa.select(PostChange)
            .where(PostChange.employee_id == person.id)
            .options(joinedload(PostChange.from_post), joinedload(PostChange.to_post))
            .order_by(PostChange.changed_at.desc(), PostChange.id.desc())
        )
    )
