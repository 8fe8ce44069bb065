"""Routes of the assessments blueprint (bank, continued): GIFT/Aiken import of questions
(a preview first, then all or nothing) and the GIFT export of a category. For HR and
administrators; a category that does not exist is a 404."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from assessments import bank, transfer
from assessments.forms.bank import TYPE_LABELS, ImportForm
from assessments.models import QuestionCategory
from assessments.views import bp
from assessments.views.bank import HR, acting, category_choices, category_from, category_tree
from lms import access, clock
from lms.extensions import db

# --- export ---------------------------------------------------------------------------------


@bp.route("/bank/categories/<int:category_id>/export.gift")
@access.roles(*HR)
def bank_export(category_id: int):
    category = db.session.get(QuestionCategory, category_id) or abort(404)
    archived = request.args.get("archived") == "1"
    exported = transfer.export_category(category, include_archived=archived)
    return send_file(
        io.BytesIO(exported.text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{category.name}.gift.txt",
    )


# --- import ---------------------------------------------------------------------------------


def _import_text(form: ImportForm) -> str | None:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            return transfer.decode(upload.read())
        except transfer.TransferError as error:
            form.file.errors = [*form.file.errors, str(error)]
            return None
    if not (form.text.data or "").strip():
        form.text.errors = [*form.text.errors, _("Upload a file or paste the questions.")]
        return None
    return form.text.data


@bp.route("/bank/import", methods=["GET", "POST"])
@access.roles(*HR)
def bank_import():
    tree = category_tree()
    form = ImportForm()
    form.category.choices = category_choices(tree, blank=_("— top level —"))
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
    result = text = None
    if form.validate_on_submit():
        text = _import_text(form)
        target = category_from(form.category.data)
        base = bank.category_path(target) if target else []
        if text is not None and form.action.data == "import":
            try:
                result = transfer.import_questions(
                    text, form.format.data, base=base, actor=acting(), now=clock.now()
                )
            except (bank.BankError, IntegrityError) as error:
                db.session.rollback()
                message = str(error) if isinstance(error, bank.BankError) else None
                result = transfer.ImportResult(
                    problems=[transfer.Problem(None, None, message or _("Please try again."))]
                )
            if result.ok:
                db.session.commit()
                message = ngettext(
                    "%(num)d question imported.", "%(num)d questions imported.", result.created
                )
                flash(message, "success")
                return redirect(url_for(".bank_index", category=target.id if target else None))
            db.session.rollback()
        elif text is not None:
            result = transfer.check(text, form.format.data, base)
    return render_template(
        "assessments/bank/import.html",
        form=form,
        result=result,
        text=text,
        type_labels=TYPE_LABELS,
    )
