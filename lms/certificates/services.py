"""Looking certificates up (by verification code, by serial), who may see a person's
certificates, their status, and revocation (audited). Services flush, never commit; the caller
commits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.certificates import codes
from lms.certificates.models import Certificate, CertificateEvent, CertificateStatus
from lms.extensions import db
from lms.organisation.models import Employee

REASON_MAX = 500
SERIAL_PATTERN = re.compile(r"\d{4}-\d{6,9}")


class CertificateError(Exception):
    """A request the rules refuse; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def find_by_code(text: str | None) -> Certificate | None:
    """The certificate a verification code names, or None for an unknown or malformed code
    (alike). Looked up by the digest of the canonical form, then compared in constant time."""
    code = codes.canonical(text)
    if code is None:
        return None
    found = db.session.scalar(
        sa.select(Certificate).where(Certificate.code_digest == codes.digest(code))
    )
    if found is None or not codes.same(found.code, code):
        return None
    return found


def by_serial(serial: str | None) -> Certificate | None:
    if not serial or not SERIAL_PATTERN.fullmatch(serial):
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.serial == serial))


def status(certificate: Certificate, today: dt.date) -> CertificateStatus:
    return certificate.status(today)


def may_view(viewer: Any, employee: Employee) -> bool:
    """Whether ``viewer`` may see ``employee``'s certificates: the person, their supervisor
    or team lead, HR and admins — the rule of every per-person record."""
    if viewer is None or not getattr(viewer, "id", None):
        return False
    return employee.is_visible_to(viewer)


def events(certificate: Certificate) -> list[CertificateEvent]:
    """The audit trail, oldest first, with each actor."""
    return list(
        db.session.scalars(
            sa.select(CertificateEvent)
            .where(CertificateEvent.certificate_id == certificate.id)
            .options(joinedload(CertificateEvent.actor))
            .order_by(CertificateEvent.at, CertificateEvent.id)
        )
    )


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise CertificateError(_("Give the reason for revoking this certificate."), "reason")
    if len(text) > REASON_MAX:
        raise CertificateError(
            _("The reason may be at most %(n)d characters long.", n=REASON_MAX), "reason"
        )
    return text


def revoke(
    certificate: Certificate, *, reason: str | None, actor: Employee | None, now: dt.datetime
) -> Certificate:
    """Revoke a certificate, once: the public verification says so from now on. The reason
    is kept for HR and the audit trail, never shown publicly."""
    text = clean_reason(reason)
    done = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(
            revoked_at=now,
            revoked_by_id=actor.id if actor is not None else None,
            revocation_reason=text,
        ),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:
        db.session.refresh(certificate)
        raise CertificateError(_("This certificate has been revoked already."))
    db.session.add(
        CertificateEvent(
            certificate_id=certificate.id,
            action="revoked",
            actor_id=actor.id if actor is not None else None,
            detail=text,
            at=now,
        )
    )
    db.session.flush()
    db.session.refresh(certificate)
    return certificate


def public_facts(certificate: Certificate, today: dt.date, locale: str) -> dict[str, Any]:
    """What public verification shows: the holder, the title in the viewer's language, the
    dates and the status — nothing else (no email, no employee number, no reason)."""
    state = certificate.status(today)
    revoked_on = certificate.revoked_at.date() if certificate.revoked_at is not None else None
    return {
        "status": str(state),
        "revoked": state == CertificateStatus.REVOKED,
        "revoked_on": revoked_on.isoformat() if revoked_on else None,
        "holder_name": certificate.holder_name,
        "title": certificate.display_title(locale),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "serial": certificate.serial,
        "code": certificate.grouped_code,
    }
