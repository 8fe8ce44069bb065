"""Email through SMTP: the connection, and mails for one notification or a daily digest.

Configured by ``LMS_SMTP_HOST`` (empty: email is off), ``LMS_SMTP_PORT``,
``LMS_SMTP_USERNAME``/``LMS_SMTP_PASSWORD``, ``LMS_SMTP_SECURITY`` (``none``, ``starttls`` or
``ssl``) and ``LMS_MAIL_FROM``; links point at ``LMS_PUBLIC_URL``. Mails are written in the
recipient's language, as plain text with an HTML alternative, and carry a ``Message-ID`` made
from what they are about, so a mail sent again after a failure is recognisably the same one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import smtplib
import ssl
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_datetime as babel_datetime
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from lms.notifications.models import Notification
from lms.organisation.models import Employee

SUBJECT_MAX = 150
# Errors about one message or recipient; anything else means the connection is unusable.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
CONNECTION_ERRORS = (smtplib.SMTPException, OSError)


def mail_enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def mail_host() -> str:
    """The host name of the public address: Message-IDs and the SMTP greeting use it."""
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"


def sender_address() -> str:
    """``LMS_MAIL_FROM``, or noreply@ the public host (``localhost`` when that is an IP)."""
    configured = current_app.config.get("MAIL_FROM")
    if configured:
        return configured
    host = mail_host()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return f"noreply@{host}"
    return "noreply@localhost"


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built outside any request from ``LMS_PUBLIC_URL``."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


@contextmanager
def smtp_connection() -> Iterator[smtplib.SMTP]:
    """An SMTP session with the configured security and login, closed afterwards."""
    config = current_app.config
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    timeout, security = config["SMTP_TIMEOUT"], config["SMTP_SECURITY"]
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host,
            port,
            local_hostname=mail_host(),
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(host, port, local_hostname=mail_host(), timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def recipient_locale(person: Employee) -> str:
    config = current_app.config
    return person.locale if person.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _local_time(value: dt.datetime, person: Employee, locale: str) -> str:
    try:
        zone = zoneinfo.ZoneInfo(person.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return babel_datetime(value, "short", tzinfo=zone, locale=locale)


def _render(template: str, **context: Any) -> str:
    return current_app.jinja_env.get_template(template).render(**context)


def _envelope(person: Employee, subject: str, message_id: str, now: dt.datetime) -> EmailMessage:
    mail = EmailMessage()
    brand = _("Service Academy")
    full = f"[{brand}] {subject}".replace("\r", " ").replace("\n", " ")
    mail["Subject"] = full if len(full) <= SUBJECT_MAX else full[: SUBJECT_MAX - 1] + "…"
    mail["From"] = sender_address()
    mail["To"] = Address(display_name=person.name, addr_spec=person.email or "")
    mail["Date"] = rfc2822_date(now)
    mail["Message-ID"] = message_id
    mail["Auto-Submitted"] = "auto-generated"
    return mail


def notification_mail(note: Notification, person: Employee, *, now: dt.datetime) -> EmailMessage:
    """One notification as a mail to its recipient, in their language."""
    from lms.notifications import message

    locale = recipient_locale(person)
    with force_locale(locale):
        text = message(note)
        context = {
            "person": person,
            "text": text,
            "when": _local_time(note.created_at, person, locale),
            "link": public_url("notifications.index"),
            "preferences_link": public_url("notifications.preferences"),
        }
        mail = _envelope(person, text, f"<notification-{note.id}@{mail_host()}>", now)
        mail.set_content(_render("notifications/mail/notification.txt", **context))
        mail.add_alternative(
            _render("notifications/mail/notification.html", **context), subtype="html"
        )
    return mail


def digest_mail(
    person: Employee,
    notes: Sequence[Notification],
    *,
    day: dt.date,
    now: dt.datetime,
    shown: int = 100,
) -> EmailMessage:
    """A day's digest: the notifications listed, newest last, at most ``shown`` of them."""
    from lms.notifications import message

    locale = recipient_locale(person)
    with force_locale(locale):
        count = len(notes)
        subject = ngettext(
            "Your daily digest: %(num)d new notification",
            "Your daily digest: %(num)d new notifications",
            count,
        )
        context = {
            "person": person,
            "count": count,
            "items": [
                (_local_time(note.created_at, person, locale), message(note))
                for note in notes[:shown]
            ],
            "more": max(0, count - shown),
            "link": public_url("notifications.index"),
            "preferences_link": public_url("notifications.preferences"),
        }
        message_id = f"<digest-{person.id}-{day.isoformat()}@{mail_host()}>"
        mail = _envelope(person, subject, message_id, now)
        mail.set_content(_render("notifications/mail/digest.txt", **context))
        mail.add_alternative(_render("notifications/mail/digest.html", **context), subtype="html")
    return mail
