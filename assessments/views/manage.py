"""Routes of the assessments blueprint (manage): HR's quiz list, quiz settings, slots,
publication, per-person overrides, everyone's attempts and the item analysis.

Every route is for HR and administrators; a quiz that does not exist is a 404. Services
raise ``QuizError``; its message is shown on the field it names, never as a server error.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from assessments import item_analysis, quizzes, reports
from assessments.bank import category_path
from assessments.forms.bank import TYPE_LABELS
from assessments.forms.manage import (
    ATTEMPT_STATE_LABELS,
    FLAG_LABELS,
    GRADER_LABELS,
    GRADING_LABELS,
    OVERDUE_LABELS,
    QUIZ_STATUS_LABELS,
    REVIEW_ITEM_LABELS,
    REVIEW_PHASE_LABELS,
    SETTINGS_FIELDS,
    FixedSlotForm,
    OverrideForm,
    QuizSettingsForm,
    RandomSlotForm,
    parse_placement,
    placement_value,
    review_value,
    to_utc,
    user_zone,
)
from assessments.models import (
    REVIEW_ITEMS,
    REVIEW_PHASES,
    Question,
    QuestionCategory,
    Quiz,
    QuizOverride,
    QuizSlot,
)
from assessments.quizzes import QuizError
from assessments.views import bp
from courses.models import Course
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.models import Employee

HR = ("hr", "admin")


def _actor() -> Employee:
    return current_user._get_current_object()


def _quiz_or_404(quiz_id: int) -> Quiz:
    return reports.quiz_with_slots(quiz_id) or abort(404)


def _labels() -> dict:
    return {
        "status_labels": QUIZ_STATUS_LABELS,
        "state_labels": ATTEMPT_STATE_LABELS,
        "overdue_labels": {str(k): v for k, v in OVERDUE_LABELS.items()},
        "grading_labels": {str(k): v for k, v in GRADING_LABELS.items()},
        "grader_labels": GRADER_LABELS,
        "type_labels": TYPE_LABELS,
    }


# --- the quiz list --------------------------------------------------------------------------


@bp.route("/manage/quizzes")
@access.roles(*HR)
def manage_quizzes():
    sort, status = request.args.get("sort", "created"), request.args.get("status") or None
    f = reports.QuizListFilter(
        q=request.args.get("q", "")[:100],
        status=status if status in QUIZ_STATUS_LABELS else None,
        sort=sort if sort in reports.QUIZ_SORTS else "created",
        descending=request.args.get("dir", "desc" if sort == "created" else "asc") == "desc",
    )
    page = db.paginate(
        reports.quiz_list_query(f),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    figures = reports.quiz_figures([quiz.id for quiz in page.items])
    return render_template(
        "assessments/manage/quizzes.html", page=page, f=f, figures=figures, **_labels()
    )


# --- settings -------------------------------------------------------------------------------


def _settings_form(quiz: Quiz | None) -> QuizSettingsForm:
    form = QuizSettingsForm()
    if quiz is not None and request.method == "GET":
        form.load(quiz)
    pairs = [("", _("Not at the end of a lesson"))]
    lessons = reports.lesson_choices(locale_code())
    seen: set[int] = set()
    for course_id, key, label in lessons:
        if course_id not in seen:
            seen.add(course_id)
            course_label = label.split(" — ", 1)[0]
            pairs.append(
                (
                    placement_value(course_id, None),
                    _("%(course)s — end of the course", course=course_label),
                )
            )
        pairs.append((placement_value(course_id, key), label))
    current = placement_value(quiz.course_id, quiz.lesson_key) if quiz else ""
    if current and current not in {value for value, _label in pairs}:
        pairs.append((current, f"{quiz.course.slug} — {quiz.lesson_key}"))
    form.placement.choices = choices(pairs)
    return form


def _save_settings(form: QuizSettingsForm, quiz: Quiz | None) -> Quiz | None:
    course_id, lesson_key = parse_placement(form.placement.data)
    course = db.session.get(Course, course_id) if course_id else None
    try:
        saved = quizzes.save_quiz(
            quiz, form.settings(course, lesson_key), actor=_actor(), now=clock.now()
        )
        db.session.commit()
        return saved
    except QuizError as error:
        db.session.rollback()
        field = getattr(form, SETTINGS_FIELDS.get(error.field or "", "title"))
        message = str(error)
    except IntegrityError:  # another quiz took the lesson meanwhile
        db.session.rollback()
        field, message = form.placement, _("That lesson has a quiz already.")
    field.errors = [*field.errors, message]
    return None


def _render_settings(form: QuizSettingsForm, quiz: Quiz | None):
    return render_template(
        "assessments/manage/settings.html",
        form=form,
        quiz=quiz,
        phases=REVIEW_PHASES,
        items=REVIEW_ITEMS,
        phase_labels=REVIEW_PHASE_LABELS,
        item_labels=REVIEW_ITEM_LABELS,
        review_value=review_value,
        zone=user_zone().key,
    )


@bp.route("/manage/quizzes/new", methods=["GET", "POST"])
@access.roles(*HR)
def manage_quiz_new():
    form = _settings_form(None)
    if form.validate_on_submit():
        quiz = _save_settings(form, None)
        if quiz is not None:
            flash(_("The quiz has been created. Now add its questions."), "success")
            return redirect(url_for(".manage_quiz", quiz_id=quiz.id))
    return _render_settings(form, None)


@bp.route("/manage/quizzes/<int:quiz_id>/settings", methods=["GET", "POST"])
@access.roles(*HR)
def manage_quiz_settings(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = _settings_form(quiz)
    if form.validate_on_submit() and _save_settings(form, quiz) is not None:
        flash(_("The settings have been saved."), "success")
        return redirect(url_for(".manage_quiz", quiz_id=quiz.id))
    return _render_settings(form, quiz)


# --- the quiz: slots, publication, overrides -----------------------------------------------


def _random_form(form: RandomSlotForm | None = None) -> RandomSlotForm:
    form = form or RandomSlotForm(formdata=None)
    form.category.choices = choices(reports.category_choices(locale_code()))
    return form


def _render_quiz(
    quiz: Quiz,
    *,
    random_form: RandomSlotForm | None = None,
    override_form: OverrideForm | None = None,
    status: int = 200,
):
    q = request.args.get("q", "")[:100]
    in_quiz = {slot.question_id for slot in quiz.slots if slot.question_id}
    return (
        render_template(
            "assessments/manage/quiz.html",
            quiz=quiz,
            figures=reports.quiz_figures([quiz.id])[quiz.id],
            q=q,
            results=reports.question_search(q, exclude=in_quiz) if q else [],
            fixed_form=FixedSlotForm(formdata=None),
            random_form=random_form or _random_form(),
            override_form=override_form or OverrideForm(formdata=None),
            overrides=reports.overrides_of(quiz),
            confirm_form=ConfirmForm(),
            slot_maximum=reports.slot_maximum,
            slot_label=_slot_label,
            **_labels(),
        ),
        status,
    )


@bp.route("/manage/quizzes/<int:quiz_id>")
@access.roles(*HR)
def manage_quiz(quiz_id: int):
    return _render_quiz(_quiz_or_404(quiz_id))


def _back(quiz: Quiz):
    return redirect(url_for(".manage_quiz", quiz_id=quiz.id, q=request.args.get("q") or None))


@bp.route("/manage/quizzes/<int:quiz_id>/slots/fixed", methods=["POST"])
@access.roles(*HR)
def manage_quiz_add_fixed(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = FixedSlotForm()
    question_id = form.question_id.data or ""
    question = db.session.get(Question, int(question_id)) if question_id.isdigit() else None
    if not form.validate_on_submit() or question is None:
        flash(_("Choose a question and give its marks (0 or more)."), "danger")
        return _back(quiz)
    try:
        quizzes.add_fixed(quiz, question, form.marks.data)
        db.session.commit()
        flash(_("The question has been added."), "success")
    except QuizError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return _back(quiz)


@bp.route("/manage/quizzes/<int:quiz_id>/slots/random", methods=["POST"])
@access.roles(*HR)
def manage_quiz_add_random(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = _random_form(RandomSlotForm())
    if form.validate_on_submit():
        category = db.session.get(QuestionCategory, form.category.data)
        try:
            quizzes.add_random(
                quiz,
                category,
                form.count.data,
                marks=form.marks.data,
                include_subcategories=form.include_subcategories.data,
            )
            db.session.commit()
            flash(_("The random draw has been added."), "success")
            return _back(quiz)
        except QuizError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or form.count
            field.errors = [*field.errors, str(error)]
            quiz = _quiz_or_404(quiz_id)
    return _render_quiz(quiz, random_form=form, status=422)


@bp.route("/manage/quizzes/<int:quiz_id>/slots/<int:slot_id>/remove", methods=["POST"])
@access.roles(*HR)
def manage_quiz_remove_slot(quiz_id: int, slot_id: int):
    quiz = _quiz_or_404(quiz_id)
    slot = next((s for s in quiz.slots if s.id == slot_id), None) or abort(404)
    if ConfirmForm().validate_on_submit():
        quizzes.remove_slot(slot)
        db.session.commit()
        flash(_("The slot has been removed."), "success")
    return _back(quiz)


@bp.route("/manage/quizzes/<int:quiz_id>/publish", methods=["POST"])
@access.roles(*HR)
def manage_quiz_publish(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if ConfirmForm().validate_on_submit():
        try:
            quizzes.publish(quiz)
            db.session.commit()
            flash(_("The quiz has been published."), "success")
        except QuizError as error:
            db.session.rollback()
            flash(str(error), "danger")
    return _back(quiz)


def _override_values(form: OverrideForm, quiz: Quiz) -> dict | None:
    extra = form.extra_minutes.data
    if extra and not quiz.time_limit_seconds:
        form.extra_minutes.errors.append(
            _("This quiz has no time limit: there is no time to extend.")
        )
        return None
    close_at = to_utc(form.close_at.data)
    if extra is None and form.attempts_allowed.data is None and close_at is None:
        form.employee_no.errors.append(_("Give extra time, attempts or a later close."))
        return None
    return {
        "time_limit_seconds": quiz.time_limit_seconds + extra * 60 if extra else None,
        "attempts_allowed": form.attempts_allowed.data,
        "close_at": close_at,
    }


@bp.route("/manage/quizzes/<int:quiz_id>/overrides", methods=["POST"])
@access.roles(*HR)
def manage_quiz_overrides(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = OverrideForm()
    if form.validate_on_submit():
        person = db.session.scalar(
            sa.select(Employee).where(Employee.employee_no == form.employee_no.data.strip())
        )
        if person is None:
            form.employee_no.errors.append(_("There is nobody with this employee number."))
        else:
            values = _override_values(form, quiz)
            if values is not None:
                quizzes.set_override(quiz, person, **values)
                db.session.commit()
                flash(_("The override for %(name)s has been saved.", name=person.name), "success")
                return _back(quiz)
    return _render_quiz(quiz, override_form=form, status=422)


@bp.route("/manage/quizzes/<int:quiz_id>/overrides/<int:employee_id>/remove", methods=["POST"])
@access.roles(*HR)
def manage_quiz_override_remove(quiz_id: int, employee_id: int):
    quiz = _quiz_or_404(quiz_id)
    override = db.session.get(QuizOverride, (quiz.id, employee_id)) or abort(404)
    if ConfirmForm().validate_on_submit():
        db.session.delete(override)
        db.session.commit()
        flash(_("The override has been removed."), "success")
    return _back(quiz)


# --- attempts and statistics ---------------------------------------------------------------


@bp.route("/manage/quizzes/<int:quiz_id>/attempts")
@access.roles(*HR)
def manage_quiz_attempts(quiz_id: int):
    quiz = db.session.get(Quiz, quiz_id) or abort(404)
    sort, state = request.args.get("sort", "started"), request.args.get("state") or None
    f = reports.AttemptFilter(
        state=state if state in ATTEMPT_STATE_LABELS else None,
        sort=sort if sort in reports.ATTEMPT_SORTS else "started",
        descending=request.args.get("dir", "desc" if sort == "started" else "asc") == "desc",
    )
    page = db.paginate(
        reports.attempt_list_query(quiz, f),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "assessments/manage/attempts.html", quiz=quiz, page=page, f=f, **_labels()
    )


@bp.route("/manage/quizzes/<int:quiz_id>/statistics")
@access.roles(*HR)
def manage_quiz_statistics(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    analysis = item_analysis.for_quiz(quiz, all_attempts=request.args.get("attempts") == "all")
    return render_template(
        "assessments/manage/statistics.html",
        quiz=quiz,
        analysis=analysis,
        flag_labels=FLAG_LABELS,
        slot_maximum=reports.slot_maximum,
        slot_label=_slot_label,
        **_labels(),
    )


def _slot_label(slot: QuizSlot) -> str:
    """A slot in words: its question's title, or the random draw."""
    if slot.question is not None and slot.question.current_version is not None:
        return slot.question.current_version.title
    if slot.category is not None:
        return _(
            "%(n)d random from “%(category)s”",
            n=slot.count,
            category=" / ".join(category_path(slot.category)),
        )
    return "—"
