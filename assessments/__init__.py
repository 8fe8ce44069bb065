"""Assessments: question bank, question types, quizzes, attempts, grading, formats."""

from __future__ import annotations

import datetime as dt

from flask import Flask


def _complete_lesson_on_pass(attempt, now: dt.datetime) -> None:
    """Passing a lesson's quiz completes the lesson (and maybe the course)."""
    from courses import enrolment, queries
    from courses.models import Enrolment

    quiz = attempt.quiz
    if quiz.course_id is None:
        return
    from lms.extensions import db

    mine = (
        db.session.query(Enrolment)
        .filter_by(employee_id=attempt.employee_id, course_id=quiz.course_id)
        .one_or_none()
    )
    if mine is None or mine.version_id is None:
        return
    lesson = next(
        (
            lesson
            for lesson in queries.version_outline(mine.version_id).lessons
            if lesson.key == quiz.lesson_key
        ),
        None,
    )
    if lesson is not None:
        enrolment.complete_lesson(mine, lesson, now=now)


def _quiz_guard(enrolment, lesson) -> str | None:
    from flask_babel import gettext as _

    from assessments.quizzes import has_passed, quiz_for_lesson

    quiz = quiz_for_lesson(enrolment.course_id, lesson.key)
    if quiz is not None and not has_passed(quiz, enrolment.employee):
        return _("This lesson ends with a quiz: pass it to complete the lesson.")
    return None


def init_app(app: Flask) -> None:
    from assessments import attempts
    from assessments.views import bp
    from courses import enrolment

    app.register_blueprint(bp)

    if _complete_lesson_on_pass not in attempts.on_passed:
        attempts.on_passed.append(_complete_lesson_on_pass)
    if _quiz_guard not in enrolment.completion_guards:
        enrolment.completion_guards.append(_quiz_guard)
