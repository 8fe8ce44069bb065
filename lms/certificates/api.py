"""API resources of certificates: a person's certificates, one certificate with its revocation
and audit trail (HR and admin), and revocation.

People are named by their employee numbers and certificates by their serials. A person's
certificates are visible to the person, their supervisor or team lead, HR and admins; anyone
else gets 404, as for the other per-person resources, so employee numbers cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body
from lms.certificates import badges, services
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.organisation import queries as org_queries

HR = ("hr", "admin")


def _day(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _subject(certificate: Certificate) -> dict[str, Any]:
    if certificate.course_id is not None:
        course = certificate.course
        return {"kind": "course", "id": course.id, "slug": course.slug}
    certification = certificate.certification
    return {"kind": "certification", "id": certification.id, "slug": certification.slug}


def certificate_json(certificate: Certificate, today: dt.date) -> dict[str, Any]:
    return {
        "serial": certificate.serial,
        "status": str(certificate.status(today)),
        "holder_name": certificate.holder_name,
        "title": certificate.title,
        "title_en": certificate.title_en,
        "subject": _subject(certificate),
        "issued_on": _day(certificate.issued_on),
        "expires_on": _day(certificate.expires_on),
        "revoked_on": _day(certificate.revoked_at.date() if certificate.revoked_at else None),
        "code": certificate.grouped_code,
        "verification_url": badges.verification_page_url(certificate),
        "badge_url": badges.assertion_url(certificate),
    }


def _person(employee) -> dict[str, Any] | None:
    if employee is None:
        return None
    return {"employee_no": employee.employee_no, "name": employee.name}


def detail_json(certificate: Certificate, today: dt.date) -> dict[str, Any]:
    body = certificate_json(certificate, today)
    body["employee"] = _person(certificate.employee)
    body["locale"] = certificate.locale
    body["issued_at"] = _day(certificate.issued_at)
    body["rendered_at"] = _day(certificate.rendered_at)
    body["revocation"] = (
        {
            "revoked_at": _day(certificate.revoked_at),
            "revoked_by": _person(certificate.revoked_by),
            "reason": certificate.revocation_reason,
        }
        if certificate.revoked_at is not None
        else None
    )
    body["events"] = [
        {
            "action": event.action,
            "at": _day(event.at),
            "actor": _person(event.actor),
            "detail": event.detail,
        }
        for event in services.events(certificate)
    ]
    return body


def _with_subject():
    return (joinedload(Certificate.course), joinedload(Certificate.certification))


def _by_serial(serial: str) -> Certificate:
    certificate = services.by_serial(serial)
    if certificate is None:
        raise ApiError(404, _("No certificate has the serial %(v)s.", v=serial[:32]))
    return certificate


# --- routes ---------------------------------------------------------------------------


@bp.get("/employees/<employee_no>/certificates")
@access.api()
def employee_certificates(employee_no: str):
    person = org_queries.employee_by_no(employee_no)
    if person is None or not services.may_view(authenticate_bearer(), person):
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    today = clock.today()
    mine = db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.employee_id == person.id)
        .options(*_with_subject())
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
    items = [certificate_json(certificate, today) for certificate in mine]
    return jsonify(
        {
            "employee": {"employee_no": person.employee_no, "name": person.name},
            "items": items,
            "total": len(items),
        }
    )


@bp.get("/certificates/<serial>")
@access.api(*HR)
def certificate_detail(serial: str):
    return jsonify(detail_json(_by_serial(serial), clock.today()))


@bp.post("/certificates/<serial>/revoke")
@access.api(*HR)
def revoke_certificate(serial: str):
    certificate = _by_serial(serial)
    body = json_body()
    unknown = sorted(set(body) - {"reason"})
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))
    reason = body.get("reason")
    if not isinstance(reason, str):
        message = _("Give the reason for revoking this certificate.")
        raise ApiError(422, message, fields={"reason": message})
    try:
        services.revoke(certificate, reason=reason, actor=authenticate_bearer(), now=clock.now())
    except services.CertificateError as error:
        db.session.rollback()
        if error.field is None:
            raise ApiError(409, error.message) from None
        raise ApiError(422, error.message, fields={error.field: error.message}) from None
    db.session.commit()
    return jsonify(detail_json(certificate, clock.today()))


from lms.certificates import api_docs  # noqa: E402,F401 - documents the routes above
