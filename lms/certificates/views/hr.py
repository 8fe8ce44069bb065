"""HR's certificate pages: the issued list with search, filters, sorting and paging;
revoking and re-rendering one certificate; bulk downloads as zips the scheduler renders, with
a page that follows their progress."""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from courses.models import Course
from lms import access, clock
from lms.certificates import batches, bulk, documents, presenters, queries, render, services
from lms.certificates.forms import BulkForm, RevokeForm
from lms.certificates.models import CertificateBatch
from lms.certificates.services import CertificateError
from lms.certificates.views import bp
from lms.certificates.views.learner import detail_page, labels, visible_certificate
from lms.certification.models import Certification
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code
from lms.organisation.models import Team
from lms.security import is_safe_redirect

HR = ("hr", "admin")


def _id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


def _filter() -> queries.IssuedFilter:
    status = request.args.get("status", "")
    sort = request.args.get("sort", "issued")
    sort = sort if sort in queries.SORTS else "issued"
    default_dir = "desc" if sort == "issued" else "asc"
    return queries.IssuedFilter(
        q=request.args.get("q", "")[:100],
        status=status if status in presenters.STATUSES else None,
        course_id=_id("course"),
        certification_id=_id("certification"),
        team_id=_id("team"),
        issued_from=_date("from"),
        issued_to=_date("to"),
        sort=sort,
        descending=request.args.get("dir", default_dir) == "desc",
    )


def _bulk_form(choices: queries.FilterChoices, f: queries.IssuedFilter | None = None):
    if f is None:
        form = BulkForm()
    else:
        form = BulkForm(
            formdata=None,
            data={
                "team": str(f.team_id or ""),
                "course": str(f.course_id or ""),
                "certification": str(f.certification_id or ""),
                "issued_from": f.issued_from,
                "issued_to": f.issued_to,
            },
        )
    form.set_choices(choices.teams, choices.courses, choices.certifications, _("Any"))
    return form


def _issued_page(f: queries.IssuedFilter):
    today, lang = clock.today(), locale_code()
    choices = queries.filter_choices(lang)
    page = db.paginate(
        queries.issued_query(f, today),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    items = list(page.items)
    return render_template(
        "certificates/pages/issued.html",
        f=f,
        page=page,
        statuses={c.id: str(c.status(today)) for c in items},
        stale=queries.stale_ids([c.id for c in items]),
        counts=queries.status_counts(today),
        choices=choices,
        bulk_form=_bulk_form(choices, f),
        batches=queries.recent_batches(current_user),
        all_statuses=presenters.STATUSES,
        batch_labels=presenters.BATCH_LABELS,
        batch_badges=presenters.BATCH_BADGES,
        **labels(),
    )


@bp.route("/certificates/issued")
@access.roles(*HR)
def issued():
    return _issued_page(_filter())


def _back(certificate, target: str | None):
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for(".detail", serial=certificate.serial))


@bp.route("/certificates/<serial>/revoke", methods=["POST"])
@access.roles(*HR)
def revoke(serial: str):
    certificate = visible_certificate(serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        return detail_page(certificate, revoke_form=form)
    try:
        services.revoke(
            certificate, reason=form.reason.data.strip(), actor=current_user, now=clock.now()
        )
    except CertificateError as error:
        db.session.rollback()
        if error.field == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
            return detail_page(certificate, revoke_form=form)
        flash(error.message, "warning")
        return redirect(url_for(".detail", serial=certificate.serial))
    db.session.commit()
    flash(_("Certificate %(serial)s has been revoked.", serial=certificate.serial), "success")
    return _back(certificate, form.next.data)


@bp.route("/certificates/<serial>/rerender", methods=["POST"])
@access.roles(*HR)
def rerender(serial: str):
    certificate = visible_certificate(serial)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        documents.rerender([certificate], now=clock.now(), actor=current_user)
    except render.RenderError as error:
        db.session.rollback()
        current_app.logger.error("certificate %s could not be rendered: %s", serial, error)
        flash(_("The PDF could not be made just now. Please try again later."), "danger")
        return _back(certificate, request.form.get("next"))
    db.session.commit()
    flash(
        _("Certificate %(serial)s has been rendered again.", serial=certificate.serial),
        "success",
    )
    return _back(certificate, request.form.get("next"))


# --- bulk downloads --------------------------------------------------------------------------


@bp.route("/certificates/batches", methods=["POST"])
@access.roles(*HR)
def create_batch():
    form = _bulk_form(queries.filter_choices(locale_code()))
    if not form.validate_on_submit():
        return render_template("certificates/pages/bulk.html", bulk_form=form)
    try:
        batch = batches.create_batch(form.filters(), actor=current_user, now=clock.now())
    except bulk.FilterError as error:
        db.session.rollback()
        form.team.errors = [*form.team.errors, error.message]
        return render_template("certificates/pages/bulk.html", bulk_form=form)
    db.session.commit()
    return redirect(url_for(".batch", batch_id=batch.id))


def _batch_or_404(batch_id: int) -> CertificateBatch:
    found = queries.batch_of(batch_id, current_user)
    if found is None:
        abort(404)
    return found


def _described(filters: dict, lang: str) -> list[tuple[str, str]]:
    """A batch's filters in words, as (label, value)."""
    described = []
    if filters.get("team_id") and (team := db.session.get(Team, filters["team_id"])):
        described.append((_("Team"), team.display_name(lang)))
    if filters.get("course_id") and (course := db.session.get(Course, filters["course_id"])):
        version = course.current_version
        described.append((_("Course"), version.display_title(lang) if version else course.slug))
    if filters.get("certification_id") and (
        certification := db.session.get(Certification, filters["certification_id"])
    ):
        described.append((_("Certification"), certification.display_title(lang)))
    if filters.get("issued_from"):
        described.append((_("Issued from"), filters["issued_from"]))
    if filters.get("issued_to"):
        described.append((_("Issued until"), filters["issued_to"]))
    if filters.get("status"):
        described.append((_("Status"), str(presenters.STATUS_LABELS[filters["status"]])))
    return described


def _status_json(batch: CertificateBatch) -> dict:
    data = batches.batch_json(batch)
    data["percent_class"] = presenters.percent_step(data["percent"])
    data["label"] = str(presenters.BATCH_LABELS.get(str(batch.status), batch.status))
    if data["ready"] and batch.total:
        data["download_url"] = url_for(".batch_download", batch_id=batch.id)
    return data


@bp.route("/certificates/batches/<int:batch_id>")
@access.roles(*HR)
def batch(batch_id: int):
    found = _batch_or_404(batch_id)
    return render_template(
        "certificates/pages/batch.html",
        batch=found,
        status=str(found.status),
        described=_described(found.filters or {}, locale_code()),
        percent=presenters.percent_step(batches.batch_json(found)["percent"]),
        batch_labels=presenters.BATCH_LABELS,
        batch_badges=presenters.BATCH_BADGES,
    )


@bp.route("/certificates/batches/<int:batch_id>.json")
@access.roles(*HR)
def batch_status(batch_id: int):
    response = jsonify(_status_json(_batch_or_404(batch_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/certificates/batches/<int:batch_id>.zip")
@access.roles(*HR)
def batch_download(batch_id: int):
    found = _batch_or_404(batch_id)
    try:
        path = batches.zip_path(found)
    except (LookupError, FileNotFoundError):
        abort(404)
    stamp = (found.finished_at or found.created_at).date().isoformat()
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"certificates-{found.id}-{stamp}.zip",
        conditional=True,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
