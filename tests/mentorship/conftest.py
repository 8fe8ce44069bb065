"""Mentorship fixtures: eligible mentors and new hires in one line."""

from __future__ import annotations

import datetime as dt

import pytest

from lms import clock
from lms.extensions import db
from lms.mentorship import eligibility
from lms.organisation.models import Employee, EmployeeStatus, Team

NOW = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)


class MentorFactory:
    def __init__(self, make) -> None:
        self.make = make

    def mentor(self, team: Team | None = None, **fields) -> Employee:
        """An eligible mentor: role, active, two years of tenure, no plan (the settings
        require no course unless a test sets one)."""
        fields.setdefault("hire_date", dt.date(2024, 1, 1))
        return self.make.employee(roles={"mentor"}, team=team, **fields)

    def new_hire(self, team: Team | None = None, **fields) -> Employee:
        fields.setdefault("hire_date", dt.date(2026, 8, 25))
        return self.make.employee(team=team, status=EmployeeStatus.ONBOARDING, **fields)


@pytest.fixture
def mentors(make) -> MentorFactory:
    eligibility.settings()
    db.session.flush()
    return MentorFactory(make)


@pytest.fixture
def at_now():
    with clock.frozen(NOW):
        yield NOW


# --- helpers for the service tests --------------------------------------------------------


@pytest.fixture
def hr(make) -> Employee:
    """Someone with the HR role, who hears about unmatched and re-proposed mentees."""
    return make.employee("hr", roles={"hr"})


def notes(kind: str, person: Employee | None = None) -> list:
    """Stored notifications of one kind (for one person, when given), oldest first."""
    import sqlalchemy as sa

    from lms.notifications.models import Notification

    query = sa.select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    if person is not None:
        query = query.where(Notification.employee_id == person.id)
    return list(db.session.scalars(query))


def loads() -> dict[int, tuple[int, int]]:
    """Each mentor's (load, capacity_limit), read afresh from the database."""
    import sqlalchemy as sa

    from lms.mentorship.models import MentorProfile

    rows = db.session.execute(
        sa.select(MentorProfile.employee_id, MentorProfile.load, MentorProfile.capacity_limit)
    )
    return {employee_id: (load, limit) for employee_id, load, limit in rows}


def open_per_mentor() -> dict[int, int]:
    """How many proposed or active mentorships each mentor holds, counted from the rows."""
    import sqlalchemy as sa

    from lms.mentorship.models import HOLDS_SLOT, Mentorship

    rows = db.session.execute(
        sa.select(Mentorship.mentor_id, sa.func.count(Mentorship.id))
        .where(Mentorship.status.in_(HOLDS_SLOT))
        .group_by(Mentorship.mentor_id)
    )
    return dict(rows.all())


def new_hires_csv(
    count: int, *, prefix: str = "N", team: str = "售后一组", hired: str = "2026-08-25"
) -> bytes:
    """An import file of ``count`` new hires (status 入职中), numbered ``prefix0001``..."""
    rows = [f"{prefix}{i:04d},新员工{prefix}{i},{hired},{team},入职中" for i in range(1, count + 1)]
    return ("工号,姓名,入职日期,团队,状态\n" + "\n".join(rows) + "\n").encode()
