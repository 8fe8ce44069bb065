"""What certificates tell people: the holder hears once that a certificate was issued (keyed
``certificate:<id>``, so retries, racing issuers and the backfill sweep never repeat it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from lms.notifications import MESSAGES, notify_many

MESSAGES.update(
    {
        "certificate_issued": _l("Your certificate “%(title)s” has been issued (No. %(serial)s)."),
    }
)

MY_CERTIFICATES = "/certificates"


def key(certificate_id: int) -> str:
    return f"certificate:{certificate_id}"


def issued(rows: Iterable[tuple[int, int, str, str]], *, now: dt.datetime) -> int:
    """Tell each holder about their new certificate: rows are (certificate id, holder id,
    title in the holder's language, serial). Returns how many notifications were new."""
    recipients = [
        (
            holder_id,
            {
                "title": title,
                "serial": serial,
                "certificate_id": certificate_id,
                "url": MY_CERTIFICATES,
            },
            key(certificate_id),
        )
        for certificate_id, holder_id, title, serial in rows
    ]
    if not recipients:
        return 0
    return len(notify_many("certificate_issued", recipients, now=now))
