"""Assessments: question bank, question types, quizzes, attempts, grading, formats."""

from __future__ import annotations

import datetime as dt

from flask import Flask


def _complete_lesson_on_pass(attempt, now: dt.datetime) -> None:
    """Passing a lesson's quiz completes the lesson (and maybe the course)."""
    import sqlalchemy as sa

    from courses import enrolment, queries
    from courses.models import Enrolment
    from lms.extensions import db

    quiz = attempt.quiz
    if quiz.course_id is None:
        return
    mine = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == attempt.employee_id, Enrolment.course_id == quiz.course_id
        )
    )
    if mine is None or mine.version_id is None:
        return
    if quiz.lesson_key is None:  # the course's final quiz
        enrolment.refresh_completion(mine, now=now)
        return
    lessons = queries.version_outline(mine.version_id).lessons
    lesson = next((item for item in lessons if item.key == quiz.lesson_key), None)
    if lesson is not None:
        enrolment.complete_lesson(mine, lesson, now=now)


def _quiz_guard(enrolment, lesson) -> str | None:
    from flask_babel import gettext as _

    from assessments.quizzes import has_passed, quiz_for_lesson

    quiz = quiz_for_lesson(enrolment.course_id, lesson.key)
    if quiz is not None and not has_passed(quiz, enrolment.employee):
        return _("This lesson ends with a quiz: pass it to complete the lesson.")
    return None


def _final_quiz_hold(enrolment) -> bool:
    """A course with a final quiz is complete only once the quiz is passed."""
    from assessments.quizzes import has_passed, quiz_for_course

    quiz = quiz_for_course(enrolment.course_id)
    return quiz is not None and not has_passed(quiz, enrolment.employee)


def init_app(app: Flask) -> None:
    from assessments import attempts
    from assessments.views import bp
    from courses import enrolment

    app.register_blueprint(bp)

    if _complete_lesson_on_pass not in attempts.on_passed:
        attempts.on_passed.append(_complete_lesson_on_pass)
    if _quiz_guard not in enrolment.completion_guards:
        enrolment.completion_guards.append(_quiz_guard)
    if _final_quiz_hold not in enrolment.course_completion_holds:
        enrolment.course_completion_holds.append(_final_quiz_hold)
