"""The inbox's changes: marking one or all of a person's notifications read."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.models import Notification
from lms.organisation.models import Employee


def mark_read(person: Employee, notification_id: int, *, now: dt.datetime) -> bool:
    """Mark one of the person's notifications read. False when it is not theirs (or does not
    exist); marking a read one again changes nothing. Flushes, the caller commits."""
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.employee_id == person.id
        )
    )
    if note is None:
        return False
    if note.read_at is None:
        note.read_at = now
        db.session.flush()
    return True


def mark_all_read(person: Employee, *, now: dt.datetime) -> int:
    """Mark every unread notification of the person read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.employee_id == person.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
