"""Notifications: what happened that a person should know, delivered through channels.

``notify(person, kind, now=..., params={...})`` stores one notification and hands it to every
channel. Kinds are keys with a message each (``MESSAGES``) so they are translated when shown,
in the reader's language. Channels are a registry; the in-app inbox is the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.notifications.models import Notification
from lms.organisation.models import Employee

MESSAGES: dict[str, Any] = {
    "attempt_graded": _l("Your attempt at “%(quiz)s” has been graded: %(percent)s%%."),
    "enrolled": _l("You have been enrolled in “%(course)s”."),
}

# Channels receive every stored notification (in-app: storing it is the delivery).
CHANNELS: list[Callable[[Notification], None]] = []


def notify(
    person: Employee, kind: str, *, now: dt.datetime, params: dict[str, Any] | None = None
) -> Notification:
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    note = Notification(employee_id=person.id, kind=kind, params=params or {}, created_at=now)
    db.session.add(note)
    db.session.flush()
    for channel in CHANNELS:
        channel(note)
    return note


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
