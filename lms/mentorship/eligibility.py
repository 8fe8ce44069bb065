"""Who may mentor, and how many places each mentor has: the rules HR edits, evaluated
set-wise (one query for every mentor, whatever their number)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from courses.models import Enrolment
from lms.db import dialect_insert
from lms.extensions import db
from lms.mentorship.models import MentorProfile, MentorshipSettings
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus

CHECKS = ("role", "active", "tenure", "course", "no_plan")


def settings() -> MentorshipSettings:
    """The rules (one row, created with the defaults the first time)."""
    row = db.session.get(MentorshipSettings, 1)
    if row is None:
        db.session.execute(dialect_insert(MentorshipSettings).values(id=1).on_conflict_do_nothing())
        row = db.session.get(MentorshipSettings, 1)
    return row


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (31 Mar - 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass
class MentorStanding:
    person: Employee
    capacity: int
    load: int
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return all(self.checks.values())

    @property
    def free(self) -> int:
        return max(self.capacity - self.load, 0)


def standings(
    rules: MentorshipSettings, today: dt.date, *, ids: Iterable[int] | None = None
) -> list[MentorStanding]:
    """Everyone with the mentor role, and anyone still holding mentees, with each rule's
    verdict, their capacity and load. One statement."""
    is_mentor = (
        sa.select(EmployeeRole.employee_id)
        .where(EmployeeRole.employee_id == Employee.id, EmployeeRole.role == "mentor")
        .exists()
    )
    if rules.required_course_id is not None:
        trained = (
            sa.select(Enrolment.id)
            .where(
                Enrolment.employee_id == Employee.id,
                Enrolment.course_id == rules.required_course_id,
                Enrolment.completed_at.is_not(None),
            )
            .exists()
        )
    else:
        trained = sa.true()
    query = (
        sa.select(
            Employee,
            is_mentor.label("is_mentor"),
            trained.label("trained"),
            MentorProfile.capacity,
            sa.func.coalesce(MentorProfile.load, 0),
        )
        .outerjoin(MentorProfile, MentorProfile.employee_id == Employee.id)
        .where(sa.or_(is_mentor, MentorProfile.load > 0))
        .order_by(Employee.name, Employee.id)
    )
    if ids is not None:
        query = query.where(Employee.id.in_(list(ids)))
    cutoff = months_before(today, rules.min_tenure_months)
    result = []
    for person, mentor_role, has_course, capacity, load in db.session.execute(query):
        checks = {
            "role": bool(mentor_role),
            "active": person.status == EmployeeStatus.ACTIVE,
            "tenure": person.hire_date <= cutoff,
            "course": bool(has_course),
            "no_plan": not person.on_improvement_plan,
        }
        resolved = rules.default_capacity if capacity is None else capacity
        result.append(MentorStanding(person, resolved, load, checks))
    return result


def eligible_mentors(
    rules: MentorshipSettings, today: dt.date, *, ids: Iterable[int] | None = None
) -> list[MentorStanding]:
    """The standings of those who may mentor now (one statement)."""
    return [s for s in standings(rules, today, ids=ids) if s.eligible]


def ensure_profiles(rules: MentorshipSettings, employee_ids: Iterable[int]) -> None:
    """A capacity row for each of these mentors (kept if there is one already)."""
    rows = [
        {"employee_id": i, "load": 0, "capacity_limit": rules.default_capacity}
        for i in sorted(set(employee_ids))
    ]
    if rows:
        db.session.execute(dialect_insert(MentorProfile).values(rows).on_conflict_do_nothing())


def set_default_capacity(rules: MentorshipSettings, capacity: int) -> None:
    """Change the default; mentors without their own capacity follow it (never below the
    mentees they hold now: they keep those, and get no more until below the new limit)."""
    rules.default_capacity = capacity
    db.session.execute(
        sa.update(MentorProfile)
        .where(MentorProfile.capacity.is_(None))
        .values(
            capacity_limit=sa.case(
                (MentorProfile.load > capacity, MentorProfile.load), else_=capacity
            )
        )
    )
