"""HR's editing of career ladders: ladders (bilingual name and description), the steps between
posts (promotion, branch, lateral move), the requirements on each step (one kind per row,
checked here with the fields its kind needs, as the table's check constraint does), each
post's description and key flag, and the order of everything. Services flush, never commit.

Every refusal is a ``LadderError`` naming the form field it belongs to, so the pages show
it next to that field and nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from courses.models import Course
from lms.career import requirements
from lms.career.models import (
    CareerLadder,
    CareerStep,
    Endorser,
    KpiMetric,
    RequirementKind,
    StepKind,
    StepRequirement,
)
from lms.certification.models import Certification
from lms.extensions import db
from lms.organisation.models import Post

# The fields each requirement kind reads; the others are cleared when a requirement is saved.
KIND_FIELDS: dict[RequirementKind, tuple[str, ...]] = {
    RequirementKind.COURSE: ("course_id",),
    RequirementKind.CERTIFICATION: ("certification_id",),
    RequirementKind.TENURE: ("months",),
    RequirementKind.KPI: ("metric_id", "months", "threshold"),
    RequirementKind.ENDORSEMENT: ("endorser",),
    RequirementKind.ROTATION: ("count",),
    RequirementKind.MENTORING: ("count",),
}
ALL_FIELDS = ("course_id", "certification_id", "metric_id", "months", "threshold", "count")
MONTHS_RANGE = (1, 120)
COUNT_RANGE = (1, 50)


class LadderError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _text(value: str | None, limit: int | None = None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return value[:limit] if limit else value


@contextlib.contextmanager
def _unique(message: str, field: str | None) -> Iterator[None]:
    """Make the changes in a savepoint and flush them: a unique constraint a concurrent writer
    beat us to becomes a refusal (and undoes only these changes) instead of an error page."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise LadderError(message, field) from None


def _move(rows: list[Any], row: Any, offset: int) -> None:
    """Move ``row`` ``offset`` places among ``rows`` (in their current order) and number
    their positions 0, 1, 2 … so equal positions left by seeding get an order too."""
    index = rows.index(row)
    target = max(0, min(len(rows) - 1, index + offset))
    rows.insert(target, rows.pop(index))
    for position, item in enumerate(rows):
        item.position = position
    db.session.flush()


# --- ladders -----------------------------------------------------------------------------------


@dataclass
class LadderData:
    name: str
    name_en: str | None = None
    description: str | None = None
    description_en: str | None = None


def _apply_ladder(ladder: CareerLadder, data: LadderData) -> None:
    name = _text(data.name, 100)
    if not name:
        raise LadderError(_("Give the ladder a name."), "name")
    clash = db.session.scalar(
        sa.select(CareerLadder.id).where(CareerLadder.name == name, CareerLadder.id != ladder.id)
    )
    if clash is not None:
        raise LadderError(_("Another ladder has this name."), "name")
    ladder.name = name
    ladder.name_en = _text(data.name_en, 100)
    ladder.description = _text(data.description, 5000)
    ladder.description_en = _text(data.description_en, 5000)


def create_ladder(data: LadderData, *, now: dt.datetime) -> CareerLadder:
    last = db.session.scalar(sa.select(sa.func.max(CareerLadder.position)))
    ladder = CareerLadder(position=(last or 0) + 1, created_at=now)
    with _unique(_("Another ladder has this name."), "name"):
        _apply_ladder(ladder, data)
        db.session.add(ladder)
    return ladder


def update_ladder(ladder: CareerLadder, data: LadderData) -> None:
    with _unique(_("Another ladder has this name."), "name"):
        _apply_ladder(ladder, data)


def delete_ladder(ladder: CareerLadder) -> None:
    """The ladder and its steps with their requirements and endorsements go; promotions
    decided on its steps keep their posts."""
    db.session.delete(ladder)
    db.session.flush()


def move_ladder(ladder: CareerLadder, offset: int) -> None:
    ladders = list(
        db.session.scalars(sa.select(CareerLadder).order_by(CareerLadder.position, CareerLadder.id))
    )
    _move(ladders, ladder, offset)


# --- steps -------------------------------------------------------------------------------------


@dataclass
class StepData:
    from_post_id: int | None
    to_post_id: int | None
    kind: str = StepKind.PROMOTION


def _apply_step(step: CareerStep, data: StepData) -> None:
    posts = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Post).where(Post.id.in_([data.from_post_id or 0, data.to_post_id or 0]))
        )
    }
    if data.from_post_id not in posts:
        raise LadderError(_("Choose the post the step starts from."), "from_post")
    if data.to_post_id not in posts:
        raise LadderError(_("Choose the post the step leads to."), "to_post")
    if data.from_post_id == data.to_post_id:
        raise LadderError(_("A step must lead to another post."), "to_post")
    try:
        kind = StepKind(data.kind)
    except ValueError:
        raise LadderError(_("Choose the kind of step."), "kind") from None
    clash = db.session.execute(
        sa.select(CareerStep.id, CareerLadder.name)
        .join(CareerLadder, CareerLadder.id == CareerStep.ladder_id)
        .where(
            CareerStep.from_post_id == data.from_post_id,
            CareerStep.to_post_id == data.to_post_id,
            CareerStep.id != (step.id or 0),
        )
    ).first()
    if clash is not None:
        raise LadderError(_duplicate_step(posts, data, clash.name), "to_post")
    step.from_post_id = data.from_post_id
    step.to_post_id = data.to_post_id
    step.kind = kind


def _duplicate_step(posts: dict[int, Post], data: StepData, ladder_name: str) -> str:
    return _(
        "There is already a step from %(from_post)s to %(to_post)s (ladder %(ladder)s).",
        from_post=posts[data.from_post_id].title,
        to_post=posts[data.to_post_id].title,
        ladder=ladder_name,
    )


def add_step(ladder: CareerLadder, data: StepData, *, now: dt.datetime) -> CareerStep:
    last = db.session.scalar(
        sa.select(sa.func.max(CareerStep.position)).where(CareerStep.ladder_id == ladder.id)
    )
    step = CareerStep(ladder_id=ladder.id, position=(last or 0) + 1, created_at=now)
    with _unique(_("There is already a step between these posts."), "to_post"):
        _apply_step(step, data)
        db.session.add(step)
    return step


def update_step(step: CareerStep, data: StepData) -> None:
    with _unique(_("There is already a step between these posts."), "to_post"):
        _apply_step(step, data)


def delete_step(step: CareerStep) -> None:
    """The step with its requirements and endorsements; decided promotions keep their posts."""
    db.session.delete(step)
    db.session.flush()


def move_step(step: CareerStep, offset: int) -> None:
    steps = list(
        db.session.scalars(
            sa.select(CareerStep)
            .where(CareerStep.ladder_id == step.ladder_id)
            .order_by(CareerStep.position, CareerStep.id)
        )
    )
    _move(steps, step, offset)


# --- requirements ------------------------------------------------------------------------------


@dataclass
class RequirementData:
    kind: str
    course_id: int | None = None
    certification_id: int | None = None
    metric_id: int | None = None
    months: int | None = None
    threshold: float | None = None
    count: int | None = None
    endorser: str | None = None


def _in_range(value: int | None, bounds: tuple[int, int], field: str, message: str) -> None:
    if value is None or not bounds[0] <= value <= bounds[1]:
        raise LadderError(message, field)


def _check_kind_fields(kind: RequirementKind, data: RequirementData) -> None:
    if kind == RequirementKind.COURSE:
        if data.course_id is None or db.session.get(Course, data.course_id) is None:
            raise LadderError(_("Choose the course to be completed."), "course")
    elif kind == RequirementKind.CERTIFICATION:
        if (
            data.certification_id is None
            or db.session.get(Certification, data.certification_id) is None
        ):
            raise LadderError(_("Choose the certification to be held."), "certification")
    elif kind == RequirementKind.TENURE:
        _in_range(data.months, MONTHS_RANGE, "months", _("Give the months in post, from 1 to 120."))
    elif kind == RequirementKind.KPI:
        metric = db.session.get(KpiMetric, data.metric_id) if data.metric_id else None
        if metric is None:
            raise LadderError(_("Choose the KPI."), "metric")
        _in_range(data.months, MONTHS_RANGE, "months", _("Give the period, from 1 to 120 months."))
        if data.threshold is None or not math.isfinite(data.threshold):
            raise LadderError(_("Give the threshold to reach."), "threshold")
        low, high = metric.min_value, metric.max_value
        if (low is not None and data.threshold < low) or (
            high is not None and data.threshold > high
        ):
            raise LadderError(
                _(
                    "%(metric)s ranges from %(low)s to %(high)s.",
                    metric=metric.name,
                    low="—" if low is None else f"{low:g}",
                    high="—" if high is None else f"{high:g}",
                ),
                "threshold",
            )
    elif kind == RequirementKind.ENDORSEMENT:
        if data.endorser not in {e.value for e in Endorser}:
            raise LadderError(_("Choose who must endorse."), "endorser")
    else:  # rotation, mentoring
        _in_range(data.count, COUNT_RANGE, "count", _("Give a number from 1 to 50."))


def _same_requirement(kind: RequirementKind, data: RequirementData) -> sa.ColumnElement[bool]:
    column = {
        RequirementKind.COURSE: StepRequirement.course_id == data.course_id,
        RequirementKind.CERTIFICATION: StepRequirement.certification_id == data.certification_id,
        RequirementKind.KPI: StepRequirement.metric_id == data.metric_id,
        RequirementKind.ENDORSEMENT: StepRequirement.endorser == data.endorser,
    }
    return column.get(kind, sa.true())


def _apply_requirement(requirement: StepRequirement, data: RequirementData) -> None:
    try:
        kind = RequirementKind(data.kind)
    except ValueError:
        raise LadderError(_("Choose the kind of requirement."), "kind") from None
    _check_kind_fields(kind, data)
    clash = db.session.scalar(
        sa.select(StepRequirement.id).where(
            StepRequirement.step_id == requirement.step_id,
            StepRequirement.kind == kind,
            StepRequirement.id != (requirement.id or 0),
            _same_requirement(kind, data),
        )
    )
    if clash is not None:
        raise LadderError(_("This step already has this requirement."), "kind")
    requirement.kind = kind
    wanted = KIND_FIELDS[kind]
    for name in ALL_FIELDS:
        setattr(requirement, name, getattr(data, name) if name in wanted else None)
    requirement.endorser = Endorser(data.endorser) if "endorser" in wanted else None


def add_requirement(step: CareerStep, data: RequirementData) -> StepRequirement:
    last = db.session.scalar(
        sa.select(sa.func.max(StepRequirement.position)).where(StepRequirement.step_id == step.id)
    )
    requirement = StepRequirement(step_id=step.id, position=(last or 0) + 1)
    _apply_requirement(requirement, data)
    db.session.add(requirement)
    db.session.flush()
    return requirement


def update_requirement(requirement: StepRequirement, data: RequirementData) -> None:
    _apply_requirement(requirement, data)
    db.session.flush()


def delete_requirement(requirement: StepRequirement) -> None:
    db.session.delete(requirement)
    db.session.flush()


def move_requirement(requirement: StepRequirement, offset: int) -> None:
    rows = list(
        db.session.scalars(
            sa.select(StepRequirement)
            .where(StepRequirement.step_id == requirement.step_id)
            .order_by(StepRequirement.position, StepRequirement.id)
        )
    )
    _move(rows, requirement, offset)


# --- posts -------------------------------------------------------------------------------------


@dataclass
class PostData:
    description: str | None = None
    description_en: str | None = None
    is_key: bool = False


def update_post(post: Post, data: PostData) -> None:
    post.description = _text(data.description, 5000)
    post.description_en = _text(data.description_en, 5000)
    post.is_key = bool(data.is_key)
    db.session.flush()


# --- reading -----------------------------------------------------------------------------------


def ladders_overview() -> list[CareerLadder]:
    """Every ladder with its steps, their posts and requirements (and what those name), in a
    fixed number of statements."""
    return list(
        db.session.scalars(
            sa.select(CareerLadder)
            .order_by(CareerLadder.position, CareerLadder.id)
            .options(
                selectinload(CareerLadder.steps).options(
                    joinedload(CareerStep.from_post),
                    joinedload(CareerStep.to_post),
                    selectinload(CareerStep.requirements).options(*requirements.target_options()),
                )
            )
        )
    )


def by_level(ladder: CareerLadder) -> list[tuple[int, list[CareerStep]]]:
    """The ladder's steps grouped by the level of the post they start from, lowest first."""
    groups: dict[int, list[CareerStep]] = {}
    for step in ladder.steps:
        groups.setdefault(step.from_post.level, []).append(step)
    return sorted(groups.items())
