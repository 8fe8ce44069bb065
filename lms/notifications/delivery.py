"""Sweeps that send what channels queued, and the daily email digest.

``deliver_email(now)`` claims due rows of the outbox in batches (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two schedulers share the work; on SQLite the write lock serialises them),
sends each, marks it sent or counts the failed try with a growing pause before the next one,
and commits per batch. A row that fails ``MAX_ATTEMPTS`` times is given up as failed.

``send_daily_digests(now)`` sends each person whose preference is "digest" one mail listing
the notifications since their previous digest (at most the last 24 hours for a first one).
The ``notification_digest`` row for the person and day is inserted before the mail is sent
(``ON CONFLICT DO NOTHING``): only the scheduler that inserted it sends, so a second
scheduler, or a second run the same day, sends nothing. A mail that could not be sent gives
its row back, and a later run tries again.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from lms.db import UTCDateTime, dialect_insert
from lms.extensions import db
from lms.notifications import mail
from lms.notifications.channels import CHANNELS, Channel, DeliveryError
from lms.notifications.models import (
    DeliveryStatus,
    EmailPreference,
    Notification,
    NotificationDelivery,
    NotificationDigest,
)
from lms.notifications.preferences import email_preference_sql
from lms.organisation.models import Employee, EmployeeStatus

BATCH_SIZE = 50
MAX_ATTEMPTS = 5
# Pause after the 1st, 2nd, 3rd and 4th failed try; the 5th gives up.
BACKOFF = (
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
DIGEST_WINDOW = dt.timedelta(hours=24)
ERROR_MAX = 2000

outbox = NotificationDelivery.__table__


def _claim(channel: str, now: dt.datetime, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(NotificationDelivery.id)
            .where(
                NotificationDelivery.channel == channel,
                NotificationDelivery.status == DeliveryStatus.PENDING,
                NotificationDelivery.next_try_at <= now,
            )
            .order_by(NotificationDelivery.next_try_at, NotificationDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def _mark_sent(ids: list[int], now: dt.datetime) -> None:
    if ids:
        db.session.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                status=DeliveryStatus.SENT.value,
                attempts=outbox.c.attempts + 1,
                sent_at=now,
                error=None,
            )
        )


def _mark_failed(ids: list[int], error: str, now: dt.datetime) -> None:
    """One more failed try: wait longer before the next, or give up after the last."""
    if not ids:
        return
    next_try = sa.case(
        *(
            (outbox.c.attempts == tries, sa.literal(now + pause, UTCDateTime()))
            for tries, pause in enumerate(BACKOFF)
        ),
        else_=sa.literal(now + BACKOFF[-1], UTCDateTime()),
    )
    status = sa.case(
        (outbox.c.attempts + 1 >= MAX_ATTEMPTS, sa.literal(DeliveryStatus.FAILED.value)),
        else_=sa.literal(DeliveryStatus.PENDING.value),
    )
    db.session.execute(
        sa.update(outbox)
        .where(outbox.c.id.in_(ids))
        .values(
            attempts=outbox.c.attempts + 1,
            status=status,
            next_try_at=next_try,
            error=error[:ERROR_MAX],
        )
    )


def deliver(channel: Channel, now: dt.datetime, *, batch_size: int | None = None) -> int:
    """Send the channel's due outbox rows, committing per batch; returns how many were sent.

    Stops at the first batch whose connection failed: the rest waits for the next run.
    """
    batch_size = batch_size or BATCH_SIZE
    sent_total = 0
    while True:
        ids = _claim(channel.name, now, batch_size)
        if not ids:
            break
        rows = db.session.execute(
            sa.select(NotificationDelivery.id, Notification, Employee)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .join(Employee, Employee.id == Notification.employee_id)
            .where(NotificationDelivery.id.in_(ids))
            .order_by(NotificationDelivery.id)
        ).all()
        sent: list[int] = []
        failed: dict[str, list[int]] = defaultdict(list)
        broken = False
        try:
            with channel.sender(now=now) as send:
                for delivery_id, note, person in rows:
                    try:
                        send(note, person)
                    except DeliveryError as exc:
                        failed[str(exc)].append(delivery_id)
                    else:
                        sent.append(delivery_id)
        except channel.connection_errors as exc:  # every row not yet sent waits
            broken = True
            done = set(sent).union(*failed.values())
            failed[f"{type(exc).__name__}: {exc}"].extend(i for i in ids if i not in done)
        _mark_sent(sent, now)
        for error, failed_ids in failed.items():
            _mark_failed(failed_ids, error, now)
        db.session.commit()
        sent_total += len(sent)
        if broken or len(ids) < batch_size:
            break
    return sent_total


def deliver_email(now: dt.datetime) -> int:
    """The email outbox's sweep: sends due mails; returns how many were sent."""
    if not mail.mail_enabled():
        return 0
    return deliver(CHANNELS["email"], now)


# --- the daily digest -------------------------------------------------------------------


def digest_day(now: dt.datetime) -> dt.date | None:
    """The day a digest sent now belongs to, or None before the hour digests go out."""
    zone = zoneinfo.ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    if local.hour < current_app.config["MAIL_DIGEST_HOUR"]:
        return None
    return local.date()


def _claim_digests(
    day: dt.date, now: dt.datetime, skip: list[int], limit: int
) -> list[tuple[int, int]]:
    """Insert today's digest rows for up to ``limit`` people who want one and have something
    new; returns (employee id, count) of the rows this call inserted."""
    digest = NotificationDigest
    previous = (
        sa.select(sa.func.max(digest.sent_at))
        .where(digest.employee_id == Employee.id)
        .scalar_subquery()
    )
    since = sa.func.coalesce(previous, sa.literal(now - DIGEST_WINDOW, UTCDateTime()))
    done_today = sa.select(digest.id).where(digest.employee_id == Employee.id, digest.day == day)
    conditions = [
        Employee.email.is_not(None),
        Employee.email != "",
        Employee.status != EmployeeStatus.LEFT,
        email_preference_sql(Employee.id) == EmailPreference.DIGEST.value,
        ~done_today.exists(),
        Notification.created_at > since,
        Notification.created_at <= now,
    ]
    if skip:
        conditions.append(Employee.id.not_in(skip))
    wanted = (
        sa.select(
            Employee.id,
            sa.literal(day, sa.Date()),
            sa.literal(now, UTCDateTime()),
            sa.func.count(Notification.id),
        )
        .join(Notification, Notification.employee_id == Employee.id)
        .where(*conditions)
        .group_by(Employee.id)
        .order_by(Employee.id)
        .limit(limit)
    )
    table = digest.__table__
    stmt = (
        dialect_insert(table)
        .from_select(["employee_id", "day", "sent_at", "count"], wanted)
        .on_conflict_do_nothing(index_elements=["employee_id", "day"])
        .returning(table.c.employee_id, table.c.count)
    )
    return [(row.employee_id, row.count) for row in db.session.execute(stmt)]


def _digest_contents(
    people: list[int], day: dt.date, now: dt.datetime
) -> dict[int, list[Notification]]:
    """The notifications each person's digest lists, oldest first (one query)."""
    digest = NotificationDigest
    previous = (
        sa.select(digest.employee_id, sa.func.max(digest.sent_at).label("at"))
        .where(digest.employee_id.in_(people), digest.day < day)
        .group_by(digest.employee_id)
        .subquery()
    )
    since = sa.func.coalesce(previous.c.at, sa.literal(now - DIGEST_WINDOW, UTCDateTime()))
    notes = db.session.scalars(
        sa.select(Notification)
        .outerjoin(previous, previous.c.employee_id == Notification.employee_id)
        .where(
            Notification.employee_id.in_(people),
            Notification.created_at > since,
            Notification.created_at <= now,
        )
        .order_by(Notification.employee_id, Notification.created_at, Notification.id)
    )
    contents: dict[int, list[Notification]] = defaultdict(list)
    for note in notes:
        contents[note.employee_id].append(note)
    return contents


def _give_back(people: list[int], day: dt.date) -> None:
    if people:
        db.session.execute(
            sa.delete(NotificationDigest.__table__).where(
                NotificationDigest.employee_id.in_(people), NotificationDigest.day == day
            )
        )


def send_daily_digests(now: dt.datetime, *, batch_size: int | None = None) -> int:
    """Send today's digests not yet sent; returns how many were sent."""
    batch_size = batch_size or BATCH_SIZE
    if not mail.mail_enabled():
        return 0
    day = digest_day(now)
    if day is None:
        return 0
    sent_total = 0
    skip: list[int] = []  # people whose mail failed in this run
    while True:
        claimed = _claim_digests(day, now, skip, batch_size)
        if not claimed:
            break
        ids = [employee_id for employee_id, _count in claimed]
        people = {
            p.id: p for p in db.session.scalars(sa.select(Employee).where(Employee.id.in_(ids)))
        }
        contents = _digest_contents(ids, day, now)
        sent: list[int] = []
        failed: list[int] = []
        broken = False
        try:
            with mail.smtp_connection() as smtp:
                for employee_id in ids:
                    person, notes = people[employee_id], contents.get(employee_id, [])
                    if not notes:  # nothing to list after all
                        failed.append(employee_id)
                        continue
                    try:
                        smtp.send_message(mail.digest_mail(person, notes, day=day, now=now))
                    except mail.MESSAGE_ERRORS:
                        failed.append(employee_id)
                    else:
                        sent.append(employee_id)
        except mail.CONNECTION_ERRORS:  # nobody left in this batch got a mail
            broken = True
            failed.extend(i for i in ids if i not in sent and i not in failed)
        _give_back(failed, day)
        db.session.commit()
        sent_total += len(sent)
        skip.extend(failed)
        if broken or len(claimed) < batch_size:
            break
    return sent_total
