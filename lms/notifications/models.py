"""Notifications, their outbox of deliveries to other channels, people's preferences and
the record of daily digests.

Invariants live in constraints: a notification key is used once per person
(``uq_notification_key``; NULL keys stay distinct), a notification is queued once per
channel, and a person gets at most one digest a day.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import now
from lms.db import JSONType, value_enum
from lms.extensions import db


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last try


class EmailPreference(enum.StrEnum):
    IMMEDIATE = "immediate"  # one mail per notification
    DIGEST = "digest"  # one mail a day listing what was new
    OFF = "off"


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # What the notification is about, e.g. "check-in:42:due"; the same key is stored once
    # per person, so a re-run or a second scheduler does not notify twice.
    key: Mapped[str | None] = mapped_column(sa.String(160))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    read_at: Mapped[dt.datetime | None]

    __table_args__ = (
        sa.Index("ix_notification_unread", "employee_id", "read_at"),
        sa.Index("ix_notification_employee_created", "employee_id", "created_at"),
        sa.UniqueConstraint("employee_id", "key", name="uq_notification_key"),
    )


class NotificationDelivery(db.Model):
    """The outbox: one row per notification and channel that sends outside the app."""

    __tablename__ = "notification_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notification.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[DeliveryStatus] = mapped_column(
        value_enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_try_at: Mapped[dt.datetime] = mapped_column(default=now)
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.UniqueConstraint("notification_id", "channel", name="uq_notification_delivery_once"),
        sa.Index("ix_notification_delivery_due", "channel", "status", "next_try_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


class NotificationPreference(db.Model):
    """How a person wants notifications by email; no row means the default for their roles."""

    __tablename__ = "notification_preference"

    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[EmailPreference] = mapped_column(value_enum(EmailPreference))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class NotificationDigest(db.Model):
    """A daily digest sent (or being sent) to a person; the row is the claim on the day."""

    __tablename__ = "notification_digest"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    day: Mapped[dt.date]
    sent_at: Mapped[dt.datetime]
    count: Mapped[int]

    __table_args__ = (sa.UniqueConstraint("employee_id", "day", name="uq_notification_digest_day"),)
