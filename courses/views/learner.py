"""What learners see: the catalogue, course pages, the lesson reader, attachments."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from assessments import presenters as quiz_presenters
from assessments import quizzes
from courses import enrolment as enrolment_service
from courses import queries
from courses.markdown import render
from courses.models import Attachment, Course, CourseStatus, Tier
from courses.prerequisites import missing_prerequisites, unmet_requirements
from courses.services import course_by_slug
from courses.views import bp
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.security import CONTENT_SECURITY_POLICY
from lms.storage import storage


def _visible_course(slug: str) -> tuple[Course, object]:
    """The course and the person's enrolment; 404 for courses they may not see."""
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    mine = queries.enrolment_of(current_user, course)
    if mine is None and course.status != CourseStatus.PUBLISHED:
        abort(404)
    return course, mine


@bp.route("/courses")
@access.signed_in
def catalogue():
    tier = request.args.get("tier", "")
    f = queries.CatalogueFilter(
        q=request.args.get("q", "")[:100],
        track=request.args.get("track") or None,
        tier=int(tier) if tier in ("1", "2", "3") else None,
    )
    courses = queries.catalogue(f)
    mine = {e.course_id: e for e in queries.enrolments_of(current_user)}
    return render_template(
        "courses/catalogue.html",
        f=f,
        courses=courses,
        tracks=queries.tracks(),
        tiers=Tier,
        mine=mine,
        progress=queries.progress_for(list(mine.values())),
        locked=missing_prerequisites(current_user, courses),
        today=clock.today(),
    )


@bp.route("/courses/<slug>")
@access.signed_in
def course(slug: str):
    course, mine = _visible_course(slug)
    version = queries.version_outline(mine.version_id if mine else course.current_version_id)
    if version is None:
        abort(404)
    final_quiz = quizzes.quiz_for_course(course.id)
    return render_template(
        "courses/course.html",
        course=course,
        version=version,
        final_quiz=final_quiz,
        final_quiz_passed=final_quiz is not None and quizzes.has_passed(final_quiz, current_user),
        enrolment=mine,
        progress=queries.progress_for([mine]).get(mine.id) if mine else None,
        done=queries.completed_lesson_ids(mine),
        next_key=queries.next_lesson_keys([mine]).get(mine.id) if mine else None,
        missing=missing_prerequisites(current_user, [course])[course.id],
        unmet=unmet_requirements(current_user, [course])[course.id],
        confirm_form=ConfirmForm(),
        today=clock.today(),
        render=render,
    )


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@access.signed_in
def enrol(slug: str):
    course, mine = _visible_course(slug)
    if mine is None and ConfirmForm().validate_on_submit():
        try:
            enrolment_service.self_enrol(current_user, course, now=clock.now())
        except enrolment_service.EnrolmentError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for(".course", slug=course.slug))


def _lesson_context(slug: str, key: str):
    course, mine = _visible_course(slug)
    if mine is None:
        flash(_("Enrol in the course to open its lessons."), "info")
        return None, redirect(url_for(".course", slug=slug))
    version = queries.version_outline(mine.version_id)
    lessons = version.lessons
    index = next((i for i, lesson in enumerate(lessons) if lesson.key == key), None)
    if index is None:
        abort(404)
    return (course, mine, version, lessons, index), None


def _frame_policy() -> str:
    hosts = " ".join(f"https://{host}" for host in current_app.config["VIDEO_HOSTS"])
    return f"{CONTENT_SECURITY_POLICY}; frame-src {hosts}" if hosts else CONTENT_SECURITY_POLICY


@bp.route("/courses/<slug>/lessons/<key>")
@access.signed_in
def lesson(slug: str, key: str):
    context, response = _lesson_context(slug, key)
    if response is not None:
        return response
    course, mine, version, lessons, index = context
    try:  # opening a lesson is progress; recording it must never fail the page
        enrolment_service.start(mine, now=clock.now())
        db.session.commit()
    except OperationalError:
        db.session.rollback()
    quiz = quizzes.quiz_for_lesson(course.id, lessons[index].key)  # the lesson ends with it
    page = render_template(
        "courses/lesson.html",
        course=course,
        version=version,
        enrolment=mine,
        lesson=lessons[index],
        previous=lessons[index - 1] if index else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1,
        count=len(lessons),
        done=queries.completed_lesson_ids(mine),
        progress=queries.progress_for([mine])[mine.id],
        body=render(
            lessons[index].body, drop_title=(lessons[index].title, lessons[index].title_en)
        ),
        confirm_form=ConfirmForm(),
        quiz=quiz,
        quiz_passed=quiz is not None and quizzes.has_passed(quiz, current_user),
        quiz_best=quiz and quiz_presenters.best_percent(quiz, current_user, clock.now()),
    )
    return page, 200, {"Content-Security-Policy": _frame_policy()}


@bp.route("/courses/<slug>/lessons/<key>/complete", methods=["POST"])
@access.signed_in
def complete_lesson(slug: str, key: str):
    context, response = _lesson_context(slug, key)
    if response is not None:
        return response
    course, mine, _version, lessons, index = context
    if not ConfirmForm().validate_on_submit():
        abort(400)
    was_complete = mine.completed_at is not None
    try:
        finished = enrolment_service.complete_lesson(
            mine, lessons[index], now=clock.now(), by_learner=True
        )
    except enrolment_service.EnrolmentError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".lesson", slug=course.slug, key=key))
    db.session.commit()
    if finished and not was_complete:
        flash(
            _(
                "Congratulations! You have completed “%(title)s”.",
                title=mine.version.display_title(current_user.locale),
            ),
            "success",
        )
        return redirect(url_for(".course", slug=course.slug))
    if index + 1 < len(lessons):
        return redirect(url_for(".lesson", slug=course.slug, key=lessons[index + 1].key))
    return redirect(url_for(".course", slug=course.slug))


@bp.route("/attachments/<int:attachment_id>/<path:filename>")
@access.signed_in
def attachment(attachment_id: int, filename: str):
    item = db.session.get(Attachment, attachment_id)
    if (
        item is None
        or item.filename != filename
        or not queries.may_open_attachment(current_user, item)
    ):
        abort(404)
    is_image = item.content_type.startswith("image/")
    response = send_file(
        storage().local_path(item.sha256),
        mimetype=item.content_type,
        as_attachment=not is_image,
        download_name=item.filename,
        max_age=0,
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
