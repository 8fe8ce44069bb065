"""HR's certificate designs and awards: the list of designs, the editor with logo and
signature uploads and a PDF preview, re-rendering certificates a design change left stale,
and which courses and certifications grant a certificate in which design."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from courses.models import Course
from lms import access, clock
from lms.certificates import documents, presenters, queries, render
from lms.certificates.forms import AwardForm, DesignForm
from lms.certificates.models import (
    TEMPLATES,
    Certificate,
    CertificateAward,
    CertificateDesign,
)
from lms.certificates.views import bp
from lms.certification.models import Certification
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.storage import storage

HR = ("hr", "admin")
RERENDER_LIMIT = 40  # certificates rendered again per request, to keep it short
PRINTED = (
    "template",
    "issuer_name",
    "issuer_name_en",
    "signatory_name",
    "signatory_title",
    "signatory_title_en",
    "bilingual",
    "logo_key",
    "logo_type",
    "signature_key",
    "signature_type",
)
IMAGES = ("logo", "signature")


@bp.route("/certificates/designs")
@access.roles(*HR)
def designs():
    return render_template(
        "certificates/pages/designs.html",
        rows=queries.design_rows(),
        template_labels=presenters.TEMPLATE_LABELS,
    )


# --- the editor ------------------------------------------------------------------------------


def _printed(design: CertificateDesign) -> tuple:
    return tuple(getattr(design, name) for name in PRINTED)


def _apply(design: CertificateDesign, form: DesignForm) -> None:
    """The form's values and checked uploads onto the design (uploads go to the storage)."""
    design.name = form.name.data.strip()
    design.template = form.template.data
    design.issuer_name = form.issuer_name.data.strip()
    design.issuer_name_en = (form.issuer_name_en.data or "").strip() or None
    design.signatory_name = (form.signatory_name.data or "").strip()
    design.signatory_title = (form.signatory_title.data or "").strip()
    design.signatory_title_en = (form.signatory_title_en.data or "").strip() or None
    design.bilingual = bool(form.bilingual.data)
    for name in IMAGES:
        image = form.image(name)
        if image is not None:
            setattr(design, f"{name}_key", storage().put(image.data))
            setattr(design, f"{name}_type", image.mime_type)
        elif form[f"remove_{name}"].data:
            setattr(design, f"{name}_key", None)
            setattr(design, f"{name}_type", None)


def _name_taken(name: str, design: CertificateDesign | None) -> bool:
    query = db.select(CertificateDesign.id).where(CertificateDesign.name == name)
    if design is not None:
        query = query.where(CertificateDesign.id != design.id)
    return db.session.scalar(query) is not None


def _images(design: CertificateDesign | None) -> dict[str, str]:
    """The design's current logo and signature as data: URLs, for the editor."""
    found = {}
    for name in IMAGES:
        key = getattr(design, f"{name}_key", None) if design else None
        if key and storage().exists(key):
            found[name] = presenters.image_data_url(
                storage().get(key), getattr(design, f"{name}_type") or "image/png"
            )
    return found


def _design_page(design: CertificateDesign | None):
    form = DesignForm(data=DesignForm.initial(design))
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _name_taken(name, design):
            form.name.errors = [*form.name.errors, _("Another design has this name.")]
        else:
            target = design or CertificateDesign()
            before = _printed(target) if design else None
            _apply(target, form)
            if design is not None and _printed(target) != before:
                target.version = (target.version or 1) + 1
            db.session.add(target)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.name.errors = [*form.name.errors, _("Another design has this name.")]
            else:
                flash(_("The design %(name)s has been saved.", name=target.name), "success")
                return redirect(url_for(".design_edit", design_id=target.id))
    lang = locale_code()
    return render_template(
        "certificates/pages/design_form.html",
        design=design,
        form=form,
        templates=TEMPLATES,
        template_labels=presenters.TEMPLATE_LABELS,
        template_help=presenters.TEMPLATE_HELP,
        images=_images(design),
        stale=queries.stale_count(design) if design else 0,
        usage=queries.design_usage(design, lang) if design else [],
        confirm_form=ConfirmForm(),
    )


def _design_or_404(design_id: int) -> CertificateDesign:
    design = db.session.get(CertificateDesign, design_id)
    if design is None:
        abort(404)
    return design


@bp.route("/certificates/designs/new", methods=["GET", "POST"])
@access.roles(*HR)
def design_new():
    return _design_page(None)


@bp.route("/certificates/designs/<int:design_id>", methods=["GET", "POST"])
@access.roles(*HR)
def design_edit(design_id: int):
    return _design_page(_design_or_404(design_id))


@bp.route("/certificates/designs/<int:design_id>/preview.pdf")
@access.roles(*HR)
def design_preview(design_id: int):
    design = _design_or_404(design_id)
    locale = request.args.get("locale", "")
    locale = locale if locale in ("zh_CN", "en") else locale_code()
    try:
        pdf = render.preview_pdf(design, locale)
    except render.RenderError as error:
        current_app.logger.warning("preview of design %s failed: %s", design.id, error)
        flash(_("The preview could not be made. Check the logo and signature."), "danger")
        return redirect(url_for(".design_edit", design_id=design.id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="preview-{design.id}-{locale}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/certificates/designs/<int:design_id>/rerender", methods=["POST"])
@access.roles(*HR)
def design_rerender(design_id: int):
    design = _design_or_404(design_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = list(db.session.scalars(documents.stale_ids(design.id).limit(RERENDER_LIMIT + 1)))
    certificates = list(
        db.session.scalars(sa.select(Certificate).where(Certificate.id.in_(ids[:RERENDER_LIMIT])))
    )
    try:
        done = documents.rerender(certificates, now=clock.now(), actor=current_user)
    except render.RenderError as error:
        db.session.rollback()
        current_app.logger.error("re-rendering design %s failed: %s", design.id, error)
        flash(_("The PDFs could not be made just now. Please try again later."), "danger")
        return redirect(url_for(".design_edit", design_id=design.id, _anchor="stale"))
    db.session.commit()
    flash(
        ngettext(
            "%(num)d certificate has been rendered again.",
            "%(num)d certificates have been rendered again.",
            done,
        ),
        "success",
    )
    if len(ids) > RERENDER_LIMIT:
        flash(_("More are left: press the button again to render the next ones."), "info")
    return redirect(url_for(".design_edit", design_id=design.id))


# --- awards ----------------------------------------------------------------------------------


def _award_form(design_choices) -> AwardForm:
    form = AwardForm()
    form.design.choices = design_choices
    return form


def _subject_exists(kind: str, subject_id: int) -> bool:
    model = Course if kind == "course" else Certification
    return db.session.get(model, subject_id) is not None


def _set_award(kind: str, subject_id: int, design_id: int | None) -> str:
    """Create, change or remove the award; says which it did."""
    column = CertificateAward.course_id if kind == "course" else CertificateAward.certification_id
    award = db.session.scalar(db.select(CertificateAward).where(column == subject_id))
    if design_id is None:
        if award is None:
            return "unchanged"
        db.session.delete(award)
        return "removed"
    if award is None:
        db.session.add(CertificateAward(**{column.key: subject_id, "design_id": design_id}))
        return "created"
    if award.design_id == design_id:
        return "unchanged"
    award.design_id = design_id
    return "changed"


@bp.route("/certificates/awards", methods=["GET", "POST"])
@access.roles(*HR)
def awards():
    all_designs = queries.designs()
    design_choices = choices(
        [("", _("No certificate")), *((str(d.id), d.name) for d in all_designs)]
    )
    if request.method == "POST":
        form = _award_form(design_choices)
        if not form.validate_on_submit() or not _subject_exists(
            form.kind.data, int(form.subject.data)
        ):
            flash(_("The award could not be saved: reload the page and try again."), "danger")
            return redirect(url_for(".awards"))
        design_id = int(form.design.data) if form.design.data else None
        outcome = _set_award(form.kind.data, int(form.subject.data), design_id)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            flash(
                _("Someone else changed this award at the same time; check it and try again."),
                "warning",
            )
            return redirect(url_for(".awards", _anchor=f"{form.kind.data}-{form.subject.data}"))
        messages = {
            "created": _("The certificate is now granted."),
            "changed": _("The certificate's design has been changed."),
            "removed": _("No certificate is granted any more."),
            "unchanged": _("Nothing changed."),
        }
        flash(messages[outcome], "success" if outcome != "unchanged" else "info")
        return redirect(url_for(".awards", _anchor=f"{form.kind.data}-{form.subject.data}"))
    courses, certifications = queries.award_rows(locale_code())
    return render_template(
        "certificates/pages/awards.html",
        courses=courses,
        certifications=certifications,
        designs=all_designs,
    )
