"""What mentorship tells people, through the notification centre."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.notifications import MESSAGES, notify
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus

MESSAGES.update(
    {
        "mentor_assigned": _l("%(mentor)s is your mentor. Say hello!"),
        "mentee_assigned": _l("You are now mentoring %(mentee)s."),
        "check_in_requested": _l("%(mentee)s asks for a check-in."),
        "onboarding_signed_off": _l("%(mentor)s signed off your onboarding. Congratulations!"),
        "mentees_unmatched": _l(
            "%(count)s new hires have no mentor: no eligible mentor has a free place."
        ),
        "mentees_reproposed": _l(
            "%(count)s mentees of %(mentors)s need a new mentor; new proposals wait on the "
            "matching board."
        ),
    }
)


def notify_people(
    people: Iterable[Employee], kind: str, *, now: dt.datetime, params: dict[str, Any]
) -> None:
    for person in people:
        notify(person, kind, now=now, params=params)


def notify_hr(kind: str, *, now: dt.datetime, params: dict[str, Any]) -> None:
    """Everyone with the HR role who has not left."""
    hr = db.session.scalars(
        sa.select(Employee)
        .join(EmployeeRole, EmployeeRole.employee_id == Employee.id)
        .where(EmployeeRole.role == "hr", Employee.status != EmployeeStatus.LEFT)
    )
    notify_people(hr, kind, now=now, params=params)
