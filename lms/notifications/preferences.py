"""How each person wants notifications by email: immediately, in a daily digest, or not at all.

Without a stored choice, people who hold the mentor, supervisor or hr role get the digest
(they receive many notifications) and everybody else gets each one immediately. The same rule
is available as a SQL expression so channels and the digest select people set-wise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from lms.db import dialect_insert
from lms.extensions import db
from lms.notifications.models import (
    DeliveryStatus,
    EmailPreference,
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from lms.organisation.models import Employee, EmployeeRole

DIGEST_ROLES = ("mentor", "supervisor", "hr")


def default_email_preference(person: Employee) -> str:
    if person.has_role(*DIGEST_ROLES):
        return EmailPreference.DIGEST.value
    return EmailPreference.IMMEDIATE.value


def email_preference(person: Employee) -> str:
    """``"immediate"``, ``"digest"`` or ``"off"``: the person's choice or their default."""
    chosen = db.session.scalar(
        sa.select(NotificationPreference.email).where(
            NotificationPreference.employee_id == person.id
        )
    )
    return EmailPreference(chosen).value if chosen else default_email_preference(person)


def set_email_preference(person: Employee, choice: str, *, now: dt.datetime) -> None:
    """Store the person's choice; mails still waiting to be sent one by one are dropped when
    it is no longer "immediate" (a digest lists them instead). The caller commits."""
    value = EmailPreference(choice).value
    stmt = dialect_insert(NotificationPreference.__table__).values(
        employee_id=person.id, email=value, updated_at=now
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["employee_id"],
            set_={"email": stmt.excluded.email, "updated_at": stmt.excluded.updated_at},
        )
    )
    if value != EmailPreference.IMMEDIATE.value:
        waiting = sa.select(Notification.id).where(Notification.employee_id == person.id)
        db.session.execute(
            sa.delete(NotificationDelivery.__table__).where(
                NotificationDelivery.channel == "email",
                NotificationDelivery.status == DeliveryStatus.PENDING.value,
                NotificationDelivery.notification_id.in_(waiting),
            )
        )


def email_preference_sql(employee_id: Any) -> sa.ColumnElement[str]:
    """The email preference of the person whose id is the column ``employee_id``."""
    chosen = (
        sa.select(NotificationPreference.email)
        .where(NotificationPreference.employee_id == employee_id)
        .scalar_subquery()
    )
    holds_digest_role = (
        sa.select(EmployeeRole.employee_id)
        .where(EmployeeRole.employee_id == employee_id, EmployeeRole.role.in_(DIGEST_ROLES))
        .exists()
    )
    default = sa.case(
        (holds_digest_role, sa.literal(EmailPreference.DIGEST.value)),
        else_=sa.literal(EmailPreference.IMMEDIATE.value),
    )
    return sa.func.coalesce(sa.cast(chosen, sa.String(16)), default)
