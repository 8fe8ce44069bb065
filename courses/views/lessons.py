"""Routes of the catalogue blueprint (authoring, continued): modules, lessons, the Markdown
preview and attachments of a course's draft. For HR and administrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from courses import attachments, services
from courses.forms.authoring import AttachmentForm, LessonForm, ModuleForm, MoveForm
from courses.markdown import render
from courses.models import Attachment, CourseVersion, Lesson, Module, VersionStatus
from courses.services import CatalogueError
from courses.views import bp
from courses.views.authoring import HR, course_or_404, draft_version, show_error, title_version
from lms import access
from lms.extensions import db
from lms.forms import ConfirmForm

MAX_PREVIEW_CHARS = 200_000


# --- modules ------------------------------------------------------------------------------


def _module_or_404(module_id: int) -> Module:
    module = db.session.scalar(
        sa.select(Module)
        .where(Module.id == module_id)
        .options(joinedload(Module.version).joinedload(CourseVersion.course))
    )
    return module or abort(404)


def _refused(error: CatalogueError, slug: str):
    flash(str(error), "danger")
    return redirect(url_for(".manage_course", slug=slug))


def _module_page(form: ModuleForm, version: CourseVersion, module: Module | None):
    course = version.course
    if form.validate_on_submit():
        try:
            services.save_module(version, module, form.title.data, form.title_en.data)
            db.session.commit()
        except CatalogueError as error:
            db.session.rollback()
            if error.field is None:
                return _refused(error, course.slug)
            show_error(form, error, "title")
        else:
            flash(_("The module has been saved."), "success")
            return redirect(url_for(".manage_course", slug=course.slug))
    return render_template(
        "courses/manage/module_form.html",
        form=form,
        course=course,
        title_version=title_version(course),
        module=module,
        editable=version.status == VersionStatus.DRAFT,
    )


@bp.route("/manage/courses/<slug>/modules/new", methods=["GET", "POST"])
@access.roles(*HR)
def manage_new_module(slug: str):
    course = course_or_404(slug)
    draft = draft_version(course)
    if draft is None:
        flash(_("Start a new version before changing the course."), "warning")
        return redirect(url_for(".manage_course", slug=course.slug))
    return _module_page(ModuleForm(), draft, None)


@bp.route("/manage/modules/<int:module_id>", methods=["GET", "POST"])
@access.roles(*HR)
def manage_edit_module(module_id: int):
    module = _module_or_404(module_id)
    return _module_page(ModuleForm(obj=module), module.version, module)


@bp.route("/manage/modules/<int:module_id>/delete", methods=["POST"])
@access.roles(*HR)
def manage_delete_module(module_id: int):
    module = _module_or_404(module_id)
    slug = module.version.course.slug
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_module(module)
        db.session.commit()
    except CatalogueError as error:
        db.session.rollback()
        return _refused(error, slug)
    flash(_("The module and its lessons have been removed from the draft."), "success")
    return redirect(url_for(".manage_course", slug=slug))


# --- lessons, the Markdown preview and attachments ----------------------------------------------


def _lesson_or_404(lesson_id: int) -> Lesson:
    lesson = db.session.scalar(
        sa.select(Lesson)
        .where(Lesson.id == lesson_id)
        .options(
            joinedload(Lesson.module).joinedload(Module.version).joinedload(CourseVersion.course),
            selectinload(Lesson.attachments),
        )
    )
    return lesson or abort(404)


def _lesson_fields(form: LessonForm) -> services.LessonFields:
    return services.LessonFields(
        key=form.key.data or "",
        title=form.title.data or "",
        title_en=form.title_en.data,
        body=form.body.data or "",
        minutes=form.minutes.data,
        required=form.required.data,
        video_url=form.video_url.data,
    )


def _lesson_page(form: LessonForm, module: Module, lesson: Lesson | None, upload=None):
    version = module.version
    return render_template(
        "courses/manage/lesson_form.html",
        form=form,
        module=module,
        version=version,
        course=version.course,
        title_version=title_version(version.course),
        lesson=lesson,
        editable=version.status == VersionStatus.DRAFT,
        preview=render(form.body.data or ""),
        upload_form=upload or AttachmentForm(formdata=None),
    )


def _save_lesson(form: LessonForm, module: Module, lesson: Lesson | None):
    slug = module.version.course.slug
    if form.validate_on_submit():
        try:
            saved = services.save_lesson(module, lesson, _lesson_fields(form))
            db.session.commit()
        except CatalogueError as error:
            db.session.rollback()
            if error.field is None:
                return _refused(error, slug)
            show_error(form, error, "title")
        else:
            flash(_("The lesson has been saved."), "success")
            return redirect(url_for(".manage_edit_lesson", lesson_id=saved.id))
    return _lesson_page(form, module, lesson)


@bp.route("/manage/modules/<int:module_id>/lessons/new", methods=["GET", "POST"])
@access.roles(*HR)
def manage_new_lesson(module_id: int):
    module = _module_or_404(module_id)
    return _save_lesson(LessonForm(), module, None)


@bp.route("/manage/lessons/<int:lesson_id>", methods=["GET", "POST"])
@access.roles(*HR)
def manage_edit_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    return _save_lesson(LessonForm(obj=lesson), lesson.module, lesson)


@bp.route("/manage/lessons/<int:lesson_id>/move", methods=["POST"])
@access.roles(*HR)
def manage_move_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    slug = lesson.module.version.course.slug
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.move_lesson(lesson, -1 if form.direction.data == "up" else 1)
        db.session.commit()
    except CatalogueError as error:
        db.session.rollback()
        return _refused(error, slug)
    return redirect(url_for(".manage_course", slug=slug, _anchor=f"module-{lesson.module_id}"))


@bp.route("/manage/lessons/<int:lesson_id>/delete", methods=["POST"])
@access.roles(*HR)
def manage_delete_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    slug = lesson.module.version.course.slug
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_lesson(lesson)
        db.session.commit()
    except CatalogueError as error:
        db.session.rollback()
        return _refused(error, slug)
    flash(_("The lesson has been removed from the draft."), "success")
    return redirect(url_for(".manage_course", slug=slug))


@bp.route("/manage/preview", methods=["POST"])
@access.roles(*HR)
def manage_preview():
    """The sanitised HTML of some lesson Markdown, for the editor's live preview."""
    data = request.get_json(silent=True)
    text = data.get("markdown") if isinstance(data, dict) else request.form.get("markdown")
    if not isinstance(text, str) or len(text) > MAX_PREVIEW_CHARS:
        abort(400)
    return jsonify(html=str(render(text)))


@bp.route("/manage/lessons/<int:lesson_id>/attachments", methods=["POST"])
@access.roles(*HR)
def manage_add_attachment(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    slug = lesson.module.version.course.slug
    upload = AttachmentForm()
    if upload.validate_on_submit():
        file = upload.file.data
        try:
            attachment = attachments.add_attachment(lesson, file.filename or "", file.read())
            db.session.commit()
        except CatalogueError as error:
            db.session.rollback()
            if error.field is None:
                return _refused(error, slug)
            show_error(upload, error, "file")
        else:
            flash(_("%(name)s has been attached.", name=attachment.filename), "success")
            return redirect(url_for(".manage_edit_lesson", lesson_id=lesson.id))
    return _lesson_page(LessonForm(formdata=None, obj=lesson), lesson.module, lesson, upload)


@bp.route("/manage/attachments/<int:attachment_id>/delete", methods=["POST"])
@access.roles(*HR)
def manage_delete_attachment(attachment_id: int):
    attachment = db.session.scalar(
        sa.select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(
            joinedload(Attachment.lesson)
            .joinedload(Lesson.module)
            .joinedload(Module.version)
            .joinedload(CourseVersion.course)
        )
    ) or abort(404)
    lesson = attachment.lesson
    lesson_id, slug = lesson.id, lesson.module.version.course.slug
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attachments.remove_attachment(attachment)
        db.session.commit()
    except CatalogueError as error:
        db.session.rollback()
        return _refused(error, slug)
    flash(_("The file has been removed."), "success")
    return redirect(url_for(".manage_edit_lesson", lesson_id=lesson_id))
