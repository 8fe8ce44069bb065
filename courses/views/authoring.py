"""Routes of the catalogue blueprint (authoring): HR's course list, the course and lesson
editors, publication and version history, and who is enrolled in a course.

Every route is for HR and administrators. Views stay thin: they load the object (404 when it
does not exist), validate a form, call one service, then flash and redirect or re-render with
the service's message on the field it names. The services refuse changes to published
versions with a ``CatalogueError``; that is shown as a message, never a server error."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from courses import admin_queries, changelog, prerequisites, queries, services
from courses.forms.authoring import (
    COURSE_STATUS_LABELS,
    ENROLMENT_STATUS_LABELS,
    TIER_LABELS,
    VERSION_STATUS_LABELS,
    CourseForm,
    PublishForm,
)
from courses.models import (
    Course,
    CourseVersion,
    Enrolment,
    Tier,
    Track,
    VersionStatus,
)
from courses.services import CatalogueError
from courses.views import bp
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.models import Employee

HR = ("hr", "admin")


def acting_user():
    return current_user._get_current_object()


def show_error(form, error: CatalogueError, default: str) -> None:
    """Put a service's message on the field it names (or on ``default``)."""
    field = getattr(form, error.field or "", None) or getattr(form, default)
    field.errors = [*field.errors, str(error)]


def _labels() -> dict:
    return {
        "tier_labels": {int(k): v for k, v in TIER_LABELS.items()},
        "course_status_labels": COURSE_STATUS_LABELS,
        "version_status_labels": VERSION_STATUS_LABELS,
        "enrolment_status_labels": ENROLMENT_STATUS_LABELS,
    }


def course_or_404(slug: str) -> Course:
    course = db.session.scalar(
        sa.select(Course)
        .where(Course.slug == slug)
        .options(joinedload(Course.track), joinedload(Course.current_version))
    )
    return course or abort(404)


def draft_version(course: Course) -> CourseVersion | None:
    return db.session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.status == VersionStatus.DRAFT
        )
    )


def title_version(course: Course) -> CourseVersion | None:
    """The version whose title names the course on HR's pages: the draft, else the one
    published (one statement)."""
    return draft_version(course) or course.current_version


def _tracks() -> list[Track]:
    tracks = queries.tracks()
    if not tracks:  # a fresh installation: seed the standard tracks once
        tracks = services.ensure_tracks()
        db.session.commit()
    return tracks


# --- the course list ------------------------------------------------------------------------


@bp.route("/manage/courses")
@access.roles(*HR)
def manage_courses():
    tier = request.args.get("tier", "")
    sort = request.args.get("sort", "title")
    status = request.args.get("status") or None
    f = admin_queries.CourseListFilter(
        q=request.args.get("q", "")[:100],
        track=request.args.get("track") or None,
        tier=int(tier) if tier in ("1", "2", "3") else None,
        status=status if status in COURSE_STATUS_LABELS else None,
        sort=sort if sort in ("title", "slug", "track", "tier", "status", "enrolled") else "title",
        descending=request.args.get("dir") == "desc",
    )
    page = db.paginate(
        admin_queries.course_list_query(f),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    drafts, counts = admin_queries.course_list_figures(page.items)
    return render_template(
        "courses/manage/courses.html",
        page=page,
        f=f,
        drafts=drafts,
        counts=counts,
        tracks=queries.tracks(),
        **_labels(),
    )


# --- creating and editing a course ----------------------------------------------------------


def _course_form(course: Course | None) -> CourseForm:
    form = CourseForm()
    lang = locale_code()
    form.track.choices = choices((t.id, t.display_name(lang)) for t in _tracks())
    form.prerequisites.choices = choices(
        admin_queries.course_options(locale_code(), course.id if course else None)
    )
    if course is not None and request.method == "GET":
        version = draft_version(course) or course.current_version
        form.slug.data, form.track.data, form.tier.data = course.slug, course.track_id, course.tier
        form.self_enrolment.data = course.self_enrolment
        form.default_prerequisites.data = course.default_prerequisites
        form.prerequisites.data = [c.id for c in course.prerequisites]
        if version is not None:
            for name in ("title", "title_en", "summary", "summary_en", "estimated_minutes"):
                getattr(form, name).data = getattr(version, name)
    return form


def _save_course(form: CourseForm, course: Course | None) -> Course | None:
    """Create or update the course and its prerequisites; None (with the message on the
    form) when a rule refuses it."""
    fields = services.CourseFields(
        slug=(form.slug.data or "").strip().lower(),
        title=form.title.data or "",
        title_en=form.title_en.data,
        summary=form.summary.data or "",
        summary_en=form.summary_en.data,
        track=db.session.get(Track, form.track.data),
        tier=Tier(form.tier.data),
        estimated_minutes=form.estimated_minutes.data,
        self_enrolment=form.self_enrolment.data,
    )
    try:
        if course is None:
            course = services.create_course(fields, actor=acting_user(), now=clock.now())
        else:
            services.update_course(course, fields, actor=acting_user(), now=clock.now())
        required = list(
            db.session.scalars(sa.select(Course).where(Course.id.in_(form.prerequisites.data)))
        )
        prerequisites.set_prerequisites(
            course, required, use_default=form.default_prerequisites.data
        )
        db.session.commit()
    except CatalogueError as error:
        db.session.rollback()
        show_error(form, error, "slug")
        return None
    except IntegrityError:  # a concurrent request took the slug
        db.session.rollback()
        form.slug.errors = [*form.slug.errors, _("The slug %(v)s is taken.", v=fields.slug)]
        return None
    return course


@bp.route("/manage/courses/new", methods=["GET", "POST"])
@access.roles(*HR)
def manage_new_course():
    form = _course_form(None)
    if form.validate_on_submit():
        course = _save_course(form, None)
        if course is not None:
            flash(_("The course has been created. Now add its modules and lessons."), "success")
            return redirect(url_for(".manage_course", slug=course.slug))
    return render_template("courses/manage/course_form.html", form=form, course=None)


@bp.route("/manage/courses/<slug>/edit", methods=["GET", "POST"])
@access.roles(*HR)
def manage_edit_course(slug: str):
    course = course_or_404(slug)
    form = _course_form(course)
    if form.validate_on_submit():
        saved = _save_course(form, course)
        if saved is not None:
            flash(_("Saved. Titles and summaries go live when you publish."), "success")
            return redirect(url_for(".manage_course", slug=saved.slug))
    return render_template(
        "courses/manage/course_form.html",
        form=form,
        course=course,
        title_version=title_version(course),
    )


# --- the structure editor, publication and history ------------------------------------------


@bp.route("/manage/courses/<slug>")
@access.roles(*HR)
def manage_course(slug: str):
    course = course_or_404(slug)
    versions = list(
        db.session.scalars(
            sa.select(CourseVersion)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc())
        )
    )
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    shown_id = draft.id if draft else course.current_version_id
    enrolled, completed = db.session.execute(
        sa.select(sa.func.count(Enrolment.id), sa.func.count(Enrolment.completed_at)).where(
            Enrolment.course_id == course.id
        )
    ).one()
    return render_template(
        "courses/manage/course.html",
        course=course,
        versions=versions,
        draft=draft,
        shown=queries.version_outline(shown_id) if shown_id else None,
        prerequisites=prerequisites.effective_prerequisites([course])[course.id],
        enrolled=enrolled,
        completed=completed,
        publish_form=PublishForm(),
        change_log_lines=changelog.lines,
        **_labels(),
    )


def _confirmed_course(slug: str) -> Course:
    course = course_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return course


@bp.route("/manage/courses/<slug>/draft", methods=["POST"])
@access.roles(*HR)
def manage_start_draft(slug: str):
    course = _confirmed_course(slug)
    try:
        draft = services.draft_of(course, now=clock.now())
        db.session.commit()
        flash(
            _("Version %(n)d is a draft now; change it, then publish.", n=draft.number), "success"
        )
    except IntegrityError:  # a concurrent request started the draft first
        db.session.rollback()
    return redirect(url_for(".manage_course", slug=course.slug))


@bp.route("/manage/courses/<slug>/publish", methods=["POST"])
@access.roles(*HR)
def manage_publish(slug: str):
    course = course_or_404(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for errors in form.errors.values():
            flash(errors[0], "danger")
    else:
        try:
            version = services.publish(
                course, actor=acting_user(), now=clock.now(), note=form.change_note.data
            )
            db.session.commit()
            flash(_("Version %(n)d is published.", n=version.number), "success")
        except CatalogueError as error:
            db.session.rollback()
            flash(str(error), "danger")
    return redirect(url_for(".manage_course", slug=course.slug))


@bp.route("/manage/courses/<slug>/archive", methods=["POST"])
@access.roles(*HR)
def manage_archive_course(slug: str):
    course = _confirmed_course(slug)
    services.archive(course)
    db.session.commit()
    flash(_("The course is archived: nobody new can enrol; history is kept."), "success")
    return redirect(url_for(".manage_course", slug=course.slug))


@bp.route("/manage/courses/<slug>/restore", methods=["POST"])
@access.roles(*HR)
def manage_restore_course(slug: str):
    course = _confirmed_course(slug)
    services.restore(course)
    db.session.commit()
    flash(_("The course has been restored."), "success")
    return redirect(url_for(".manage_course", slug=course.slug))


# --- who is enrolled ------------------------------------------------------------------------

ENROLMENT_SORTS = ("due", "name", "employee_no", "completed", "enrolled")


@dataclass
class EnrolmentListFilter:
    status: str | None = None
    sort: str = "due"
    descending: bool = False


def _reversed_order(sort: str) -> tuple:
    """The opposite of ``queries.enrolment_list_query``'s order for ``sort``."""
    return {
        "due": (Enrolment.due_on.is_(None), Enrolment.due_on.desc(), Enrolment.id.desc()),
        "name": (Employee.name.desc(), Enrolment.id.desc()),
        "employee_no": (Employee.employee_no.desc(), Enrolment.id.desc()),
        "completed": (Enrolment.completed_at.asc().nulls_last(), Enrolment.id.desc()),
        "enrolled": (Enrolment.created_at.asc(), Enrolment.id.desc()),
    }[sort]


@bp.route("/manage/courses/<slug>/enrolments")
@access.roles(*HR)
def manage_course_enrolments(slug: str):
    course = course_or_404(slug)
    status, sort = request.args.get("status"), request.args.get("sort", "due")
    f = EnrolmentListFilter(
        status=status if status in ENROLMENT_STATUS_LABELS else None,
        sort=sort if sort in ENROLMENT_SORTS else "due",
        descending=request.args.get("dir") == "desc",
    )
    today = clock.today()
    query = queries.enrolment_list_query(
        course_id=course.id, status=f.status, today=today, sort=f.sort
    ).options(joinedload(Enrolment.curriculum))
    if f.descending:
        query = query.order_by(None).order_by(*_reversed_order(f.sort))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    return render_template(
        "courses/manage/enrolments.html",
        course=course,
        title_version=title_version(course),
        page=page,
        f=f,
        today=today,
        progress=queries.progress_for(page.items),
        **_labels(),
    )
