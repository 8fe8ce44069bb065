"""Job rotations (轮岗): HR sends a person to a host team and/or post for a while, under a host
supervisor, with objectives; from the last day on, the host supervisor (or HR) evaluates it
once: a rating from 1 to 5, passed or not, and a written evaluation. A passed rotation counts
for the "rotation" requirement and shows in the person's history.

A person's rotations never overlap (checked under a per-person lock); an evaluation is a
guarded UPDATE on ``status = 'planned'``, so it lands once. Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from lms.career.models import Rotation, RotationStatus
from lms.db import serialise
from lms.extensions import db
from lms.notifications import MESSAGES, notify
from lms.organisation.models import Employee, EmployeeStatus, Post, Team

MESSAGES.update(
    {
        "rotation_assigned": _l(
            "Job rotation: you join %(host)s from %(starts_on)s to %(ends_on)s."
        ),
        "rotation_hosting": _l(
            "You host %(person)s on a job rotation from %(starts_on)s to %(ends_on)s; "
            "evaluate it from the last day on."
        ),
        "rotation_cancelled": _l(
            "The job rotation of %(person)s at %(host)s (%(starts_on)s – %(ends_on)s) "
            "has been cancelled."
        ),
        "rotation_evaluated": _l("Your job rotation at %(host)s has been evaluated."),
    }
)

PHASES = ("upcoming", "current", "due", "evaluated", "cancelled")
OBJECTIVES_MAX = 5000


class RotationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def phase(rotation: Rotation, today: dt.date) -> str:
    """Where the rotation stands: upcoming, current, due (for evaluation), evaluated or
    cancelled."""
    if rotation.status != RotationStatus.PLANNED:
        return str(rotation.status)
    if today < rotation.starts_on:
        return "upcoming"
    return "current" if today < rotation.ends_on else "due"


def host_label(rotation: Rotation, lang: str | None = None) -> str:
    parts = []
    if rotation.host_team is not None:
        parts.append(rotation.host_team.display_name(lang) if lang else rotation.host_team.name)
    if rotation.host_post is not None:
        parts.append(rotation.host_post.display_name(lang) if lang else rotation.host_post.title)
    return " · ".join(parts)


def can_see(rotation: Rotation, user: Employee) -> bool:
    """The person, HR, the person's lead and the host supervisor."""
    return rotation.host_supervisor_id == user.id or rotation.employee.is_visible_to(user)


def can_evaluate(rotation: Rotation, user: Employee) -> bool:
    if user.id == rotation.employee_id:
        return False
    return rotation.host_supervisor_id == user.id or user.has_role("hr", "admin")


# --- writing -----------------------------------------------------------------------------------


@dataclass
class RotationData:
    employee_no: str
    host_supervisor_no: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    objectives: str
    host_team_id: int | None = None
    host_post_id: int | None = None


def _person(employee_no: str, field: str) -> Employee:
    number = (employee_no or "").strip()
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == number))
    if person is None:
        raise RotationError(_("No employee has the number “%(no)s”.", no=number), field)
    if person.status == EmployeeStatus.LEFT:
        raise RotationError(_("%(name)s has left.", name=person.name), field)
    return person


def _check_host(data: RotationData) -> None:
    if data.host_team_id is None and data.host_post_id is None:
        raise RotationError(_("Choose the host team, the host post or both."), "host_team")
    if data.host_team_id is not None and db.session.get(Team, data.host_team_id) is None:
        raise RotationError(_("Choose the host team."), "host_team")
    if data.host_post_id is not None and db.session.get(Post, data.host_post_id) is None:
        raise RotationError(_("Choose the host post."), "host_post")


def _check_dates(data: RotationData) -> None:
    if data.starts_on is None:
        raise RotationError(_("Give the first day."), "starts_on")
    if data.ends_on is None:
        raise RotationError(_("Give the last day."), "ends_on")
    if data.ends_on < data.starts_on:
        raise RotationError(_("The last day cannot be before the first."), "ends_on")


def overlapping(employee_id: int, starts_on: dt.date, ends_on: dt.date) -> Rotation | None:
    return db.session.scalar(
        sa.select(Rotation)
        .where(
            Rotation.employee_id == employee_id,
            Rotation.status != RotationStatus.CANCELLED,
            Rotation.starts_on <= ends_on,
            Rotation.ends_on >= starts_on,
        )
        .limit(1)
    )


def create(data: RotationData, *, actor: Employee, now: dt.datetime) -> Rotation:
    person = _person(data.employee_no, "employee_no")
    host = _person(data.host_supervisor_no, "host_supervisor_no")
    if host.id == person.id:
        raise RotationError(_("Someone else must supervise the rotation."), "host_supervisor_no")
    _check_host(data)
    _check_dates(data)
    objectives = (data.objectives or "").strip()
    if not objectives:
        raise RotationError(_("Write down what the rotation should achieve."), "objectives")
    serialise(db.session, f"career-rotation:{person.id}")
    clash = overlapping(person.id, data.starts_on, data.ends_on)
    if clash is not None:
        raise RotationError(
            _(
                "%(name)s already has a rotation from %(starts_on)s to %(ends_on)s.",
                name=person.name,
                starts_on=clash.starts_on.isoformat(),
                ends_on=clash.ends_on.isoformat(),
            ),
            "starts_on",
        )
    rotation = Rotation(
        employee_id=person.id,
        host_team_id=data.host_team_id,
        host_post_id=data.host_post_id,
        host_supervisor_id=host.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        objectives=objectives[:OBJECTIVES_MAX],
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(rotation)
    db.session.flush()
    params = _params(rotation)
    key = f"rotation:{rotation.id}:created"
    notify(person, "rotation_assigned", now=now, params=params, key=key)
    notify(host, "rotation_hosting", now=now, params=params, key=key)
    return rotation


def _params(rotation: Rotation) -> dict[str, str]:
    return {
        "person": rotation.employee.name,
        "host": host_label(rotation),
        "starts_on": rotation.starts_on.isoformat(),
        "ends_on": rotation.ends_on.isoformat(),
    }


def _transition(rotation: Rotation, message: str, **values) -> None:
    result = db.session.execute(
        sa.update(Rotation)
        .where(Rotation.id == rotation.id, Rotation.status == RotationStatus.PLANNED)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(rotation)
    if result.rowcount != 1:
        raise RotationError(message)


def cancel(rotation: Rotation, *, actor: Employee, now: dt.datetime) -> None:
    _transition(
        rotation,
        _("Only a rotation not yet evaluated can be cancelled."),
        status=RotationStatus.CANCELLED,
    )
    key = f"rotation:{rotation.id}:cancelled"
    for person in (rotation.employee, rotation.host_supervisor):
        if person is not None and person.id != actor.id:
            notify(person, "rotation_cancelled", now=now, params=_params(rotation), key=key)


def evaluate(
    rotation: Rotation,
    *,
    actor: Employee,
    rating: int | None,
    passed: bool | None,
    evaluation: str,
    today: dt.date,
    now: dt.datetime,
) -> None:
    if not can_evaluate(rotation, actor):
        raise RotationError(_("Only the host supervisor or HR may evaluate this rotation."))
    if rotation.status == RotationStatus.EVALUATED:
        raise RotationError(_("This rotation has already been evaluated."))
    if rotation.status == RotationStatus.CANCELLED:
        raise RotationError(_("This rotation was cancelled."))
    if today < rotation.ends_on:
        raise RotationError(
            _("The evaluation opens on %(date)s, the last day.", date=rotation.ends_on.isoformat())
        )
    if rating is None or not 1 <= rating <= 5:
        raise RotationError(_("Give a rating from 1 to 5."), "rating")
    if passed is None:
        raise RotationError(_("Say whether the rotation was passed."), "passed")
    evaluation = (evaluation or "").strip()
    if not evaluation:
        raise RotationError(_("Write the evaluation."), "evaluation")
    _transition(
        rotation,
        _("This rotation has already been evaluated."),
        status=RotationStatus.EVALUATED,
        rating=rating,
        passed=passed,
        evaluation=evaluation[:OBJECTIVES_MAX],
        evaluated_by_id=actor.id,
        evaluated_at=now,
    )
    key = f"rotation:{rotation.id}:evaluated"
    notify(rotation.employee, "rotation_evaluated", now=now, params=_params(rotation), key=key)


# --- reading -----------------------------------------------------------------------------------


def _loaded() -> tuple:
    return (
        joinedload(Rotation.employee).joinedload(Employee.team),
        joinedload(Rotation.host_team),
        joinedload(Rotation.host_post),
        joinedload(Rotation.host_supervisor),
        joinedload(Rotation.evaluated_by),
    )


def history(employee_id: int) -> list[Rotation]:
    """A person's rotations, latest first (cancelled ones too; pages may leave them out)."""
    return list(
        db.session.scalars(
            sa.select(Rotation)
            .where(Rotation.employee_id == employee_id)
            .options(*_loaded())
            .order_by(Rotation.starts_on.desc(), Rotation.id.desc())
        )
    )


def hosted_by(host_id: int) -> list[Rotation]:
    return list(
        db.session.scalars(
            sa.select(Rotation)
            .where(
                Rotation.host_supervisor_id == host_id,
                Rotation.status != RotationStatus.CANCELLED,
            )
            .options(*_loaded())
            .order_by(Rotation.ends_on.desc(), Rotation.id.desc())
        )
    )


def evaluations_due(host_id: int, today: dt.date) -> list[Rotation]:
    """Rotations this host supervises that have reached their last day unevaluated."""
    return list(
        db.session.scalars(
            sa.select(Rotation)
            .where(
                Rotation.host_supervisor_id == host_id,
                Rotation.status == RotationStatus.PLANNED,
                Rotation.ends_on <= today,
            )
            .options(*_loaded())
            .order_by(Rotation.ends_on, Rotation.id)
        )
    )


def _phase_condition(name: str, today: dt.date) -> sa.ColumnElement[bool]:
    planned = Rotation.status == RotationStatus.PLANNED
    return {
        "upcoming": sa.and_(planned, Rotation.starts_on > today),
        "current": sa.and_(planned, Rotation.starts_on <= today, Rotation.ends_on > today),
        "due": sa.and_(planned, Rotation.ends_on <= today),
        "evaluated": Rotation.status == RotationStatus.EVALUATED,
        "cancelled": Rotation.status == RotationStatus.CANCELLED,
    }[name]


SORTS = ("person", "starts", "ends", "host", "status")


@dataclass
class RotationFilter:
    """What the list shows; ``sort``/``descending`` are what ``sort_link`` reads."""

    phase: str | None = None
    team_id: int | None = None
    sort: str = "starts"
    descending: bool = True


def list_query(f: RotationFilter, today: dt.date) -> sa.Select:
    host_team = aliased(Team)
    query = (
        sa.select(Rotation)
        .join(Employee, Employee.id == Rotation.employee_id)
        .outerjoin(host_team, host_team.id == Rotation.host_team_id)
        .options(*_loaded())
    )
    if f.phase in PHASES:
        query = query.where(_phase_condition(f.phase, today))
    if f.team_id:
        query = query.where(
            sa.or_(Employee.team_id == f.team_id, Rotation.host_team_id == f.team_id)
        )
    column = {
        "person": Employee.name,
        "ends": Rotation.ends_on,
        "host": host_team.name,
        "status": Rotation.status,
    }.get(f.sort, Rotation.starts_on)
    order = column.desc() if f.descending else column.asc()
    return query.order_by(order, Rotation.id.desc())


def phase_counts(today: dt.date) -> dict[str, int]:
    """How many rotations are in each phase, in one statement."""
    row = db.session.execute(
        sa.select(
            *(
                sa.func.coalesce(sa.func.sum(sa.case((_phase_condition(p, today), 1), else_=0)), 0)
                for p in PHASES
            )
        ).select_from(Rotation)
    ).one()
    return dict(zip(PHASES, (int(n) for n in row), strict=True))
