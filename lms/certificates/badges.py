"""Open Badges 2.0 documents for hosted verification: each certificate is an Assertion at
``/badges/assertions/<code>.json``, each course or certification with an award a BadgeClass at
``/badges/classes/<kind>-<id>.json``, and the academy an Issuer at ``/badges/issuer.json``.
Every id is an absolute URL built from ``LMS_PUBLIC_URL``, so a verifier can fetch them.

The recipient is the holder's email, hashed with a salt (``sha256$…``), so the public document
does not show it; a holder without an email is named by the certificate's verification page.
A revoked assertion answers 410 with ``revoked: true`` and a reason that gives only the date:
HR's own reason stays private, as on the verification page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from courses.models import Course
from lms.certificates.models import Certificate, CertificateAward, CertificateDesign
from lms.certification.models import Certification
from lms.extensions import db
from lms.i18n import locale_code
from lms.notifications.mail import public_url

CONTEXT = "https://w3id.org/openbadges/v2"
KINDS = ("course", "certification")

_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">'
    '<path d="M70 120 50 195 80 180 100 198 100 130Z" fill="#1f4e79"/>'
    '<path d="M130 120 150 195 120 180 100 198 100 130Z" fill="#163a5a"/>'
    '<circle cx="100" cy="85" r="70" fill="#c8961b"/>'
    '<circle cx="100" cy="85" r="56" fill="#f2c230" stroke="#fff" stroke-width="4"/>'
    '<path d="M72 86 92 106 130 66" fill="none" stroke="#fff" stroke-width="12" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
IMAGE = "data:image/svg+xml;base64," + base64.b64encode(_IMAGE.encode()).decode("ascii")


# --- addresses ------------------------------------------------------------------------------


def assertion_url(certificate: Certificate) -> str:
    return public_url("certificates.badge_assertion", code=certificate.grouped_code)


def badge_class_url(kind: str, subject_id: int) -> str:
    return public_url("certificates.badge_class", kind=kind, subject_id=subject_id)


def issuer_url() -> str:
    return public_url("certificates.badge_issuer")


def verification_page_url(certificate: Certificate) -> str:
    return public_url("certificates.verify_code", code=certificate.grouped_code)


def subject_of(certificate: Certificate) -> tuple[str, int]:
    if certificate.course_id is not None:
        return "course", certificate.course_id
    return "certification", certificate.certification_id or 0


# --- documents ------------------------------------------------------------------------------


def _midnight(day: dt.date) -> str:
    return (
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    )


def salt_for(certificate: Certificate) -> str:
    """A salt fixed per certificate (the document reads the same every time) that reveals
    nothing of the code."""
    return hashlib.sha256(f"openbadges-salt:{certificate.code_digest}".encode()).hexdigest()[:16]


def recipient(certificate: Certificate) -> dict[str, Any]:
    email = (certificate.employee.email or "").strip().lower()
    if not email:
        return {"type": "url", "hashed": False, "identity": verification_page_url(certificate)}
    salt = salt_for(certificate)
    hashed = hashlib.sha256((email + salt).encode()).hexdigest()
    return {"type": "email", "hashed": True, "salt": salt, "identity": f"sha256${hashed}"}


def assertion(certificate: Certificate) -> dict[str, Any]:
    """The Assertion of a certificate that is not revoked (expired ones carry ``expires``)."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(certificate),
        "recipient": recipient(certificate),
        "badge": badge_class_url(*subject_of(certificate)),
        "verification": {"type": "hosted"},
        "issuedOn": _midnight(certificate.issued_on),
        "image": IMAGE,
        "evidence": [
            {
                "id": verification_page_url(certificate),
                "narrative": _("Certificate No. %(serial)s", serial=certificate.serial),
            }
        ],
    }
    if certificate.expires_on is not None:
        document["expires"] = _midnight(certificate.expires_on)
    return document


def revoked_assertion(certificate: Certificate) -> dict[str, Any]:
    revoked_on = certificate.revoked_at.date() if certificate.revoked_at else None
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(certificate),
        "revoked": True,
        "revocationReason": _(
            "Revoked by the issuer on %(day)s.", day=revoked_on.isoformat() if revoked_on else ""
        ),
    }


def _subject(kind: str, subject_id: int) -> Course | Certification | None:
    """The course or certification of a BadgeClass: one with an award, or with certificates
    issued while it had one."""
    if kind not in KINDS or not 0 < subject_id < 2**31:
        return None
    model, award_column, cert_column = (
        (Course, CertificateAward.course_id, Certificate.course_id)
        if kind == "course"
        else (Certification, CertificateAward.certification_id, Certificate.certification_id)
    )
    awarded = sa.or_(
        sa.exists().where(award_column == subject_id),
        sa.exists().where(cert_column == subject_id),
    )
    return db.session.scalar(sa.select(model).where(model.id == subject_id, awarded))


def badge_class(kind: str, subject_id: int) -> dict[str, Any] | None:
    subject = _subject(kind, subject_id)
    if subject is None:
        return None
    english = locale_code() == "en"
    if isinstance(subject, Course):
        version = subject.current_version
        title = subject.slug
        summary = ""
        if version is not None:
            title = (version.title_en if english and version.title_en else None) or version.title
            summary = (version.summary_en if english and version.summary_en else None) or (
                version.summary or ""
            )
        description = summary.strip() or _(
            "Awarded for completing the course “%(title)s”.", title=title
        )
        criteria = _("Complete every required lesson of the course “%(title)s”.", title=title)
    else:
        title = (subject.title_en if english and subject.title_en else None) or subject.title
        description = (subject.description or "").strip() or _(
            "Awarded for holding the certification “%(title)s”.", title=title
        )
        criteria = _(
            "Complete the courses of the certification “%(title)s”, and renew it before it "
            "expires.",
            title=title,
        )
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(kind, subject_id),
        "name": title,
        "description": description[:1000],
        "image": IMAGE,
        "criteria": {"narrative": criteria},
        "issuer": issuer_url(),
    }


def issuer_name() -> str:
    """``CERTIFICATE_ISSUER_NAME`` when configured, else the first design's issuer, else the
    academy's name."""
    configured = current_app.config.get("CERTIFICATE_ISSUER_NAME")
    if configured:
        return str(configured)
    design = db.session.execute(
        sa.select(CertificateDesign.issuer_name, CertificateDesign.issuer_name_en)
        .order_by(CertificateDesign.id)
        .limit(1)
    ).first()
    if design is not None:
        name, name_en = design
        return (name_en if locale_code() == "en" and name_en else None) or name
    return _("Service Academy")


def issuer() -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(),
        "name": issuer_name(),
        "url": current_app.config["PUBLIC_URL"].rstrip("/") + "/",
    }
    email = current_app.config.get("CERTIFICATE_ISSUER_EMAIL")
    if email:
        document["email"] = email
    return document
