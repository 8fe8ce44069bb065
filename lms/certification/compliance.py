"""Read-only queries of the compliance view: people × certifications with each holder's state
derived from the dates in SQL, summary counts in one grouped query, and the rows and files of
the CSV and XLSX exports.

A team lead sees their own people (their team and direct reports); HR and admins see everyone
still employed. Every filter narrows that scope, never widens it. Each page runs a fixed number
of statements whatever the number of people or certifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from courses import team_queries
from lms.certification.models import Certification
from lms.certification.models import PersonCertification as PC
from lms.extensions import db
from lms.organisation.models import Department, Employee, Team

EXPIRING_DAYS = (30, 60, 90)
AMBER_DAYS = 30  # a valid certification expiring within this many days shows amber
STATES = ("overdue", "expiring_30", "expiring_60", "expiring_90", "valid", "not_certified")
SORTS = ("name", "expiry")
RED_STATES = ("expired", "overdue")


@dataclass
class ComplianceFilter:
    certification_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None
    state: str | None = None  # one of STATES
    q: str = ""
    sort: str = "name"  # one of SORTS
    descending: bool = False


@dataclass(frozen=True)
class Cell:
    """One holder as the grid shows it."""

    state: str  # expired, overdue, due, certified or assigned
    due_on: dt.date | None
    certified_on: dt.date | None
    expires_on: dt.date | None
    cycle_number: int
    days_left: int | None
    matches: bool  # whether the holder itself meets the state filter

    @property
    def level(self) -> str:
        return level_of(self.state, self.days_left)


@dataclass
class Summary:
    holders: int = 0
    valid: int = 0
    due: int = 0
    overdue: int = 0
    expiring: dict[int, int] = field(default_factory=dict)  # days → holders expiring within

    @property
    def valid_percent(self) -> int | None:
        return round(100 * self.valid / self.holders) if self.holders else None

    def percent(self, count: int) -> int:
        return round(100 * count / self.holders) if self.holders else 0


def level_of(state: str, days_left: int | None) -> str:
    """red (expired, or a first certification past due), amber (renewal window open, first
    certification pending, or expiring within ``AMBER_DAYS``) or green."""
    if state in RED_STATES:
        return "red"
    if state in ("due", "assigned") or (days_left is not None and days_left <= AMBER_DAYS):
        return "amber"
    return "green"


def state_labels() -> dict[str, str]:
    return {
        "expired": _("Expired"),
        "overdue": _("Overdue"),
        "due": _("Renewal due"),
        "certified": _("Certified"),
        "assigned": _("Not certified yet"),
    }


def filter_labels() -> dict[str, str]:
    return {
        "overdue": _("Overdue"),
        "expiring_30": _("Expiring within 30 days"),
        "expiring_60": _("Expiring within 60 days"),
        "expiring_90": _("Expiring within 90 days"),
        "valid": _("Valid"),
        "not_certified": _("Not certified"),
    }


# --- SQL expressions -------------------------------------------------------------------------


def state_expression(today: dt.date):
    """``PersonCertification.state(today)`` in SQL, with a first certification past its due
    date told apart as "overdue"."""
    return sa.case(
        (PC.expires_on <= today, "expired"),
        (PC.window_opens_on <= today, "due"),
        (PC.certified_on.is_not(None), "certified"),
        (PC.due_on < today, "overdue"),
        else_="assigned",
    )


def state_condition(state: str | None, today: dt.date):
    """Holders in ``state`` (a key of ``STATES``): overdue — expired or first certification
    past due; expiring_N — valid and expiring within N days; valid — certified and not
    expired; not_certified — never certified or expired."""
    if state == "overdue":
        return sa.or_(PC.expires_on <= today, sa.and_(PC.certified_on.is_(None), PC.due_on < today))
    if state in ("expiring_30", "expiring_60", "expiring_90"):
        days = int(state.rsplit("_", 1)[1])
        return sa.and_(PC.expires_on > today, PC.expires_on <= today + dt.timedelta(days=days))
    if state == "valid":
        return sa.and_(
            PC.certified_on.is_not(None), sa.or_(PC.expires_on.is_(None), PC.expires_on > today)
        )
    if state == "not_certified":
        return sa.or_(PC.certified_on.is_(None), PC.expires_on <= today)
    return sa.true()


def deadline():
    """The date a holder must act by: the expiry, or the first certification's due date."""
    return sa.func.coalesce(PC.expires_on, PC.due_on)


# --- scope and filters -----------------------------------------------------------------------


def people_in_scope(viewer: Employee, f: ComplianceFilter, *, everyone: bool) -> sa.Select:
    """The ids of the people ``viewer`` may see (everyone still here for HR, otherwise the
    lead's team and direct reports), narrowed by the filter's team, department and search."""
    scope = team_queries.team_people(viewer, everyone=everyone)
    query = sa.select(Employee.id).where(Employee.id.in_(scope))
    if f.team_id:
        query = query.where(Employee.team_id == f.team_id)
    if f.department_id:
        query = query.where(
            Employee.team_id.in_(sa.select(Team.id).where(Team.department_id == f.department_id))
        )
    if f.q.strip():
        like = f"%{f.q.strip()}%"
        query = query.where(sa.or_(Employee.name.ilike(like), Employee.employee_no.ilike(like)))
    return query


def certifications() -> list[Certification]:
    return list(db.session.scalars(sa.select(Certification).order_by(Certification.title)))


def columns(all_certifications: Sequence[Certification], f: ComplianceFilter) -> list:
    """The grid's certifications: the chosen one, otherwise every active one."""
    if f.certification_id:
        return [c for c in all_certifications if c.id == f.certification_id]
    return [c for c in all_certifications if c.active]


def holders_in(people: sa.Select, certification_ids: list[int]):
    return sa.and_(PC.employee_id.in_(people), PC.certification_id.in_(certification_ids))


def people_query(
    people: sa.Select, certification_ids: list[int], f: ComplianceFilter, today: dt.date
) -> sa.Select:
    """The people with at least one holder of ``certification_ids`` meeting the state filter,
    with team, department and post loaded, by name or by the soonest deadline."""
    holders = holders_in(people, certification_ids)
    query = (
        sa.select(Employee)
        .where(
            sa.exists().where(
                holders, PC.employee_id == Employee.id, state_condition(f.state, today)
            )
        )
        .options(
            joinedload(Employee.team).joinedload(Team.department),
            joinedload(Employee.post),
        )
    )
    name = (Employee.name, Employee.employee_no, Employee.id)
    if f.sort == "expiry":
        soonest = (
            sa.select(sa.func.min(deadline()))
            .where(PC.employee_id == Employee.id, PC.certification_id.in_(certification_ids))
            .scalar_subquery()
        )
        first = soonest.desc() if f.descending else soonest.asc()
        return query.order_by(soonest.is_(None), first, *name)
    return query.order_by(*(c.desc() if f.descending else c.asc() for c in name))


def cells(
    employee_ids: list[int], certification_ids: list[int], f: ComplianceFilter, today: dt.date
) -> dict[tuple[int, int], Cell]:
    """(employee id, certification id) → the holder's cell, for one page of people."""
    if not employee_ids or not certification_ids:
        return {}
    query = sa.select(
        PC.employee_id,
        PC.certification_id,
        state_expression(today).label("state"),
        PC.due_on,
        PC.certified_on,
        PC.expires_on,
        PC.cycle_number,
        sa.case((state_condition(f.state, today), 1), else_=0).label("matches"),
    ).where(PC.employee_id.in_(employee_ids), PC.certification_id.in_(certification_ids))
    return {
        (r.employee_id, r.certification_id): Cell(
            state=r.state,
            due_on=r.due_on,
            certified_on=r.certified_on,
            expires_on=r.expires_on,
            cycle_number=r.cycle_number,
            days_left=None if r.expires_on is None else (r.expires_on - today).days,
            matches=bool(r.matches),
        )
        for r in db.session.execute(query)
    }


def summary(people: sa.Select, certification_ids: list[int], today: dt.date) -> Summary:
    """Holders, valid, due, overdue and expiring within 30/60/90 days, in one query."""

    def count(condition) -> sa.ColumnElement:
        return sa.func.count(sa.case((condition, 1)))

    due = state_expression(today).in_(("due", "assigned"))  # to do, not late yet
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            count(state_condition("valid", today)),
            count(due),
            count(state_condition("overdue", today)),
            *(count(state_condition(f"expiring_{days}", today)) for days in EXPIRING_DAYS),
        ).where(holders_in(people, certification_ids))
    ).one()
    holders, valid, due_count, overdue, *expiring = row
    return Summary(
        holders, valid, due_count, overdue, dict(zip(EXPIRING_DAYS, expiring, strict=True))
    )


def team_choices(viewer: Employee, *, everyone: bool) -> list[Team]:
    """Every team for HR; for a lead, the teams their people belong to."""
    query = sa.select(Team).order_by(Team.name)
    if not everyone:
        people = team_queries.team_people(viewer, everyone=False)
        query = query.where(Team.id.in_(sa.select(Employee.team_id).where(Employee.id.in_(people))))
    return list(db.session.scalars(query))


def departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).order_by(Department.name)))
