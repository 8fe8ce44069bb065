"""Channels: the ways a notification reaches its person, kept in the ``CHANNELS`` registry.

Every stored notification is handed to every registered channel, set-wise:
``channel.enqueue(notification_ids, now=now)``. The in-app inbox is the storage itself, so its
channel does nothing more. A channel that sends outside the app queues one
``notification_delivery`` row per notification it will send (unique per notification and
channel, so queueing twice is harmless); a sweep later claims due rows and calls the channel's
``sender()`` for each batch (``lms.notifications.delivery.deliver``).

Adding another channel, e.g. a WeCom or DingTalk group-robot webhook, takes three steps:

1. subclass ``Channel`` with a ``name`` (the outbox's ``channel`` value, e.g. ``"wecom"``) and
   a ``label``, and implement ``enqueue`` as one ``INSERT ... SELECT`` into
   ``notification_delivery`` for the notifications and people it applies to (see
   ``EmailChannel.enqueue``);
2. implement ``sender(now=...)``: a context manager that opens the connection once and yields a
   function ``send(note, person)`` posting one message; it raises ``DeliveryError`` when only
   that message failed, one of its ``connection_errors`` when the connection is unusable;
3. ``register(WeComChannel())`` where the application starts, and have a sweep call
   ``deliver(CHANNELS["wecom"], now)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.db import dialect_insert
from lms.extensions import db
from lms.notifications import mail
from lms.notifications.models import (
    DeliveryStatus,
    EmailPreference,
    Notification,
    NotificationDelivery,
)
from lms.notifications.preferences import email_preference_sql
from lms.organisation.models import Employee, EmployeeStatus

Send = Callable[[Notification, Employee], None]
# The columns a channel's enqueue fills in notification_delivery, in its SELECT's order.
COLUMNS = ["notification_id", "channel", "status", "attempts", "next_try_at"]


class DeliveryError(Exception):
    """One message could not be delivered; the channel itself still works."""


class Channel:
    """A way notifications reach people. Subclasses set ``name`` and ``label``."""

    name: ClassVar[str]
    label: ClassVar[Any]
    # What ``sender`` raises when the connection itself fails (the whole batch waits).
    connection_errors: ClassVar[tuple[type[Exception], ...]] = (OSError,)

    def enabled(self) -> bool:
        return True

    def enqueue(self, notification_ids: list[int], *, now: dt.datetime) -> int:
        """Queue these stored notifications for this channel; returns how many were queued."""
        return 0

    def sender(self, *, now: dt.datetime) -> AbstractContextManager[Send]:
        """Open the channel once for a batch and give a function sending one message."""
        raise NotImplementedError(f"channel {self.name!r} sends nothing")


class InAppChannel(Channel):
    """The inbox: storing the notification delivered it."""

    name = "in_app"
    label = _l("In the app")


class EmailChannel(Channel):
    """One mail per notification, for people with an address whose preference is
    "immediate", when SMTP is configured."""

    name = "email"
    label = _l("Email")
    connection_errors = mail.CONNECTION_ERRORS

    def enabled(self) -> bool:
        return mail.mail_enabled()

    def enqueue(self, notification_ids: list[int], *, now: dt.datetime) -> int:
        if not notification_ids or not self.enabled():
            return 0
        wanted = (
            sa.select(
                Notification.id,
                sa.literal(self.name, sa.String(32)),
                sa.literal(DeliveryStatus.PENDING.value, sa.String(16)),
                sa.literal(0, sa.Integer),
                sa.literal(now, NotificationDelivery.__table__.c.next_try_at.type),
            )
            .join(Employee, Employee.id == Notification.employee_id)
            .where(
                Notification.id.in_(notification_ids),
                Employee.email.is_not(None),
                Employee.email != "",
                Employee.status != EmployeeStatus.LEFT,
                email_preference_sql(Employee.id) == EmailPreference.IMMEDIATE.value,
            )
        )
        stmt = (
            dialect_insert(NotificationDelivery.__table__)
            .from_select(COLUMNS, wanted)
            .on_conflict_do_nothing(index_elements=["notification_id", "channel"])
        )
        return db.session.execute(stmt).rowcount or 0

    @contextmanager
    def sender(self, *, now: dt.datetime) -> Iterator[Send]:
        with mail.smtp_connection() as smtp:

            def send(note: Notification, person: Employee) -> None:
                if not person.email:
                    raise DeliveryError("the person has no email address")
                try:
                    smtp.send_message(mail.notification_mail(note, person, now=now))
                except mail.MESSAGE_ERRORS as exc:
                    raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

            yield send


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.name] = channel
    return channel


register(InAppChannel())
register(EmailChannel())


def enqueue_all(notification_ids: list[int], *, now: dt.datetime) -> None:
    """Hand new notifications to every registered channel."""
    if not notification_ids:
        return
    for channel in CHANNELS.values():
        channel.enqueue(notification_ids, now=now)
