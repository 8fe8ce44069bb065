"""What certifications tell people. Every notice carries a key — holder, cycle and step — so
a person gets each one once, however many schedulers run and however often."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from lms.notifications import MESSAGES, notify_many

MESSAGES.update(
    {
        "certification_assigned": _l(
            "You need the certification “%(certification)s”: complete its courses by %(due_on)s."
        ),
        "certification_certified": _l(
            "You are certified: “%(certification)s”, valid until %(expires_on)s."
        ),
        "certification_due": _l(
            "The renewal window of “%(certification)s” is open: renew it before %(expires_on)s."
        ),
        "certification_reminder": _l(
            "Reminder: “%(certification)s” expires on %(expires_on)s. Renew it now."
        ),
        "certification_overdue": _l(
            "“%(certification)s” expired on %(expires_on)s. Renew it as soon as you can."
        ),
        "certification_expired": _l("Your certification “%(certification)s” has expired."),
        "certification_escalation": _l(
            "%(person)s has not renewed “%(certification)s” (expiry %(expires_on)s)."
        ),
        "certification_recertify": _l(
            "“%(course)s” has changed: renew “%(certification)s” by %(required_by)s."
        ),
    }
)


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def send(
    kind: str,
    certification,
    rows: Iterable[tuple[int, int, int, dt.date | None]],
    *,
    step: str,
    now: dt.datetime,
    extra: dict | None = None,
) -> int:
    """Notify each (holder id, recipient id, cycle number, date) once per holder, cycle and
    step. Returns how many notifications were new."""
    recipients = []
    for holder_id, recipient_id, number, day in rows:
        params = {
            "certification": certification.title,
            "certification_id": certification.id,
            "expires_on": _day(day),
            "due_on": _day(day),
            "url": "/certifications",
        }
        params.update(extra or {})
        recipients.append((recipient_id, params, f"cert:{holder_id}:{number}:{step}"))
    if not recipients:
        return 0
    return len(notify_many(kind, recipients, now=now))


def send_about(
    kind: str,
    certification,
    rows: Iterable[tuple[int, int, int, dt.date | None, str]],
    *,
    step: str,
    now: dt.datetime,
) -> int:
    """Notify others (mentor, team lead, HR) about a holder: rows carry the holder's name."""
    recipients = [
        (
            recipient_id,
            {
                "certification": certification.title,
                "certification_id": certification.id,
                "expires_on": _day(day),
                "person": name,
                "url": "/certifications/compliance",
            },
            f"cert:{holder_id}:{number}:{step}",
        )
        for holder_id, recipient_id, number, day, name in rows
    ]
    if not recipients:
        return 0
    return len(notify_many(kind, recipients, now=now))
