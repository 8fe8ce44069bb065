"""Images in questions: serving them to the people who may see the question version, and
uploading or removing them on the bank's edit page (HR and administrators)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import joinedload

from assessments import images
from assessments.bank import BankError
from assessments.models import Question, QuestionImage, QuestionVersion
from assessments.views import bp
from lms import access
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.storage import storage

HR = ("hr", "admin")


class ImageForm(FlaskForm):
    file = FileField(_l("Image"), validators=[FileRequired()])


@bp.app_template_global("render_stem")
def _render_stem(text, version_id):
    return images.render_stem(text, version_id)


@bp.app_template_global("render_option")
def _render_option(text, version_id):
    return images.render_option(text, version_id)


@bp.app_template_global("question_images")
def _question_images(version_id: int) -> list[QuestionImage]:
    return images.images_of(version_id)


def _edit_url(question_id: int) -> str:
    return url_for(".bank_question_edit", question_id=question_id, _anchor="images")


@bp.route("/questions/images/<int:image_id>/<path:filename>")
@access.signed_in
def question_image(image_id: int, filename: str):
    image = db.session.get(QuestionImage, image_id)
    if (
        image is None
        or image.filename != filename
        or not images.may_see(current_user, image.question_version_id)
    ):
        abort(404)
    response = send_file(
        storage().local_path(image.sha256),
        mimetype=image.content_type,
        download_name=image.filename,
        max_age=0,
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/bank/questions/<int:question_id>/images", methods=["POST"])
@access.roles(*HR)
def question_image_upload(question_id: int):
    question = db.session.scalar(
        sa.select(Question)
        .where(Question.id == question_id)
        .options(joinedload(Question.current_version))
    )
    if question is None or question.current_version is None:
        abort(404)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.file.errors) or _("Choose an image."), "danger")
        return redirect(_edit_url(question_id))
    upload = form.file.data
    try:
        image = images.add_image(question.current_version, upload.filename or "", upload.read())
        db.session.commit()
    except BankError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        flash(_("%(name)s has been uploaded.", name=image.filename), "success")
    return redirect(_edit_url(question_id))


@bp.route("/bank/images/<int:image_id>/delete", methods=["POST"])
@access.roles(*HR)
def question_image_delete(image_id: int):
    image = db.session.scalar(
        sa.select(QuestionImage)
        .where(QuestionImage.id == image_id)
        .options(joinedload(QuestionImage.question_version).joinedload(QuestionVersion.question))
    ) or abort(404)
    question = image.question_version.question
    if question.current_version_id != image.question_version_id:
        abort(404)  # older versions keep their images for the attempts that used them
    if not ConfirmForm().validate_on_submit():
        abort(400)
    question_id = question.id
    images.remove_image(image)
    db.session.commit()
    flash(_("The image has been removed."), "success")
    return redirect(_edit_url(question_id))
