"""The learner's certificates: the list with status, QR code and share link, a page per
certificate (with HR's audit trail and actions when HR looks), and the PDF download for the
holder, their lead, HR and administrators."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import access, clock
from lms.certificates import documents, presenters, queries, render, services
from lms.certificates.forms import RevokeForm
from lms.certificates.models import Certificate
from lms.certificates.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code

HR = ("hr", "admin")


def labels() -> dict:
    return {
        "status_labels": presenters.STATUS_LABELS,
        "status_badges": presenters.STATUS_BADGES,
        "sized_svg": presenters.sized_svg,
    }


def shares(certificates: list[Certificate]) -> dict[int, tuple[str, str]]:
    """Certificate id → (verification URL, its QR code as SVG markup)."""
    result = {}
    for certificate in certificates:
        url = render.verification_url(certificate.code)
        result[certificate.id] = (url, render.qr_svg(url))
    return result


def visible_certificate(serial: str) -> Certificate:
    """The certificate if the signed-in person may see it; 404 otherwise."""
    certificate = services.by_serial(serial)
    if certificate is None or not services.may_view(current_user, certificate.employee):
        abort(404)
    return certificate


@bp.route("/certificates")
@access.signed_in
def mine():
    certificates = queries.certificates_of(current_user)
    today = clock.today()
    return render_template(
        "certificates/pages/mine.html",
        certificates=certificates,
        statuses={c.id: str(c.status(today)) for c in certificates},
        shares=shares(certificates),
        granting=[] if certificates else queries.courses_with_certificates(locale_code()),
        **labels(),
    )


def detail_page(certificate: Certificate, revoke_form: RevokeForm | None = None):
    """A certificate's page; HR also see the audit trail and the actions."""
    today = clock.today()
    is_hr = current_user.has_role(*HR)
    context: dict = {}
    if is_hr:
        context = {
            "events": services.events(certificate),
            "stale": documents.is_stale(certificate),
            "revoke_form": revoke_form or RevokeForm(formdata=None),
            "confirm_form": ConfirmForm(),
            "event_label": presenters.event_label,
        }
    return render_template(
        "certificates/pages/detail.html",
        certificate=certificate,
        status=str(certificate.status(today)),
        share=shares([certificate])[certificate.id],
        own=certificate.employee_id == current_user.id,
        is_hr=is_hr,
        **context,
        **labels(),
    )


@bp.route("/certificates/<serial>")
@access.signed_in
def detail(serial: str):
    return detail_page(visible_certificate(serial))


@bp.route("/certificates/<serial>.pdf")
@access.signed_in
def download(serial: str):
    certificate = visible_certificate(serial)
    try:
        pdf = documents.pdf_bytes(certificate, now=clock.now())
    except render.RenderError as error:
        db.session.rollback()
        current_app.logger.error("certificate %s could not be rendered: %s", serial, error)
        flash(_("The PDF could not be made just now. Please try again later."), "danger")
        return redirect(url_for(".detail", serial=serial))
    filename = presenters.pdf_filename(certificate)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
