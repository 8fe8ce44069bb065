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
