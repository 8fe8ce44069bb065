"""Notifications: what happened that a person should know, delivered through channels.

``notify(person, kind, now=..., params={...}, key=...)`` stores one notification and hands it
to every channel; ``notify_many(kind, recipients, now=...)`` stores many in one statement.
A ``key`` names what the notification is about: a person gets a given key once, whoever
sends it and however often, so sweeps and retries may notify without checking first. Kinds
are keys with a message each (``MESSAGES``) so they are translated when shown, in the
reader's language. Channels are a registry (``lms.notifications.channels``): the in-app inbox
and email, immediately or in a daily digest as each person prefers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.db import dialect_insert
from lms.extensions import db
from lms.notifications.channels import CHANNELS, Channel, enqueue_all, register
from lms.notifications.models import Notification
from lms.notifications.preferences import email_preference
from lms.organisation.models import Employee

MESSAGES: dict[str, Any] = {
    "attempt_graded": _l("Your attempt at “%(quiz)s” has been graded: %(percent)s%%."),
    "enrolled": _l("You have been enrolled in “%(course)s”."),
}

__all__ = [
    "CHANNELS",
    "MESSAGES",
    "Channel",
    "email_preference",
    "message",
    "notify",
    "notify_many",
    "register",
]

# Rows per INSERT in notify_many: keeps bound parameters well inside every database's limit.
CHUNK = 1000


def _check_kind(kind: str) -> None:
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")


def _insert() -> Any:
    return (
        dialect_insert(Notification.__table__)
        .on_conflict_do_nothing(index_elements=["employee_id", "key"])
        .returning(Notification.__table__.c.id)
    )


def notify(
    person: Employee,
    kind: str,
    *,
    now: dt.datetime,
    params: dict[str, Any] | None = None,
    key: str | None = None,
) -> Notification | None:
    """Store a notification and hand it to every channel; flushes, the caller commits.

    With a ``key`` the person already has, nothing is stored and None is returned.
    """
    _check_kind(kind)
    row = {
        "employee_id": person.id,
        "kind": kind,
        "params": params or {},
        "key": key,
        "created_at": now,
    }
    new_id = db.session.execute(_insert().values(row)).scalar()
    if new_id is None:
        return None
    enqueue_all([new_id], now=now)
    return db.session.get(Notification, new_id)


def notify_many(
    kind: str,
    recipients: Iterable[tuple[int, dict[str, Any], str | None]],
    *,
    now: dt.datetime,
) -> list[int]:
    """Store one notification per ``(employee_id, params, key)`` in one INSERT per thousand
    rows and hand the new ones to every channel; returns the ids of those created (keys a
    person already has, or repeated within ``recipients``, create nothing)."""
    _check_kind(kind)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    for employee_id, params, key in recipients:
        if key is not None:
            if (employee_id, key) in seen:
                continue
            seen.add((employee_id, key))
        rows.append(
            {
                "employee_id": employee_id,
                "kind": kind,
                "params": params or {},
                "key": key,
                "created_at": now,
            }
        )
    created: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids = sorted(db.session.scalars(_insert().values(rows[start : start + CHUNK])))
        enqueue_all(ids, now=now)
        created.extend(ids)
    return created


def message(note: Notification) -> str:
    params = {k: v for k, v in (note.params or {}).items() if isinstance(v, str | int | float)}
    try:
        return str(MESSAGES[note.kind]) % params
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES.get(note.kind, note.kind))


def init_app(app: Flask) -> None:
    """The inbox blueprint and the navbar's unread count."""
    from lms.notifications.views import bp, unread_context

    app.register_blueprint(bp)
    app.context_processor(unread_context)
