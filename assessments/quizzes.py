"""Quizzes: settings, slots (fixed questions and random draws), per-person overrides,
publication, where a quiz sits (the end of a lesson), and what a learner may see when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from assessments.models import (
    DEFAULT_REVIEW,
    REVIEW_ITEMS,
    REVIEW_PHASES,
    Attempt,
    AttemptState,
    GradingMethod,
    OverduePolicy,
    Question,
    QuestionCategory,
    Quiz,
    QuizOverride,
    QuizSlot,
    QuizStatus,
)
from courses.models import Course, Enrolment
from lms.extensions import db
from lms.organisation.models import Employee

# How long after submission the "immediately" review phase lasts (as in Moodle).
IMMEDIATELY = dt.timedelta(minutes=2)


class QuizError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class QuizSettings:
    title: str
    title_en: str | None = None
    intro: str = ""
    pass_percent: float = 80.0
    time_limit_seconds: int | None = None
    overdue_policy: OverduePolicy = OverduePolicy.AUTOSUBMIT
    grace_seconds: int = 0
    open_at: dt.datetime | None = None
    close_at: dt.datetime | None = None
    attempts_allowed: int = 0
    min_delay_seconds: int = 0
    grading_method: GradingMethod = GradingMethod.HIGHEST
    shuffle_questions: bool = False
    shuffle_options: bool = True
    review: dict[str, list[str]] | None = None
    grader_role: str = "mentor"
    course: Course | None = None
    lesson_key: str | None = None


def _check(settings: QuizSettings, quiz: Quiz | None) -> None:
    if not (settings.title or "").strip():
        raise QuizError(_("A title is required."), "title")
    if not 0 <= settings.pass_percent <= 100:
        raise QuizError(_("The pass mark is a percentage between 0 and 100."), "pass_percent")
    if settings.time_limit_seconds is not None and settings.time_limit_seconds < 60:
        raise QuizError(_("A time limit is at least one minute."), "time_limit")
    if (
        settings.attempts_allowed < 0
        or settings.min_delay_seconds < 0
        or settings.grace_seconds < 0
    ):
        raise QuizError(_("Numbers of attempts and seconds cannot be negative."), "attempts")
    if settings.overdue_policy == OverduePolicy.GRACE and not settings.grace_seconds:
        raise QuizError(_("Give the grace period in minutes."), "grace")
    if settings.open_at and settings.close_at and settings.close_at <= settings.open_at:
        raise QuizError(_("The quiz must close after it opens."), "close_at")
    if settings.grader_role not in ("mentor", "supervisor", "hr"):
        raise QuizError(_("Choose who grades essays."), "grader_role")
    review = settings.review or DEFAULT_REVIEW
    if set(review) - set(REVIEW_PHASES) or any(set(v) - set(REVIEW_ITEMS) for v in review.values()):
        raise QuizError(_("Unknown review option."), "review")
    if settings.lesson_key is not None and settings.course is None:
        raise QuizError(_("Choose the course of the lesson."), "lesson_key")
    if settings.course is not None:
        # at the end of a lesson, or (no lesson) at the end of the course: one quiz per place
        place = (
            Quiz.lesson_key == settings.lesson_key
            if settings.lesson_key is not None
            else Quiz.lesson_key.is_(None)
        )
        clash = db.session.scalar(
            sa.select(Quiz.id).where(Quiz.course_id == settings.course.id, place)
        )
        if clash is not None and (quiz is None or clash != quiz.id):
            raise QuizError(
                _("That lesson has a quiz already.")
                if settings.lesson_key
                else _("That course has a final quiz already."),
                "lesson_key",
            )


def save_quiz(
    quiz: Quiz | None, settings: QuizSettings, *, actor: Employee | None, now: dt.datetime
) -> Quiz:
    _check(settings, quiz)
    quiz = quiz or Quiz(created_by_id=actor.id if actor else None, created_at=now)
    for name in (
        "title",
        "title_en",
        "intro",
        "pass_percent",
        "time_limit_seconds",
        "overdue_policy",
        "grace_seconds",
        "open_at",
        "close_at",
        "attempts_allowed",
        "min_delay_seconds",
        "grading_method",
        "shuffle_questions",
        "shuffle_options",
        "grader_role",
        "lesson_key",
    ):
        setattr(quiz, name, getattr(settings, name))
    quiz.title = quiz.title.strip()
    quiz.review = {
        phase: list((settings.review or DEFAULT_REVIEW).get(phase, [])) for phase in REVIEW_PHASES
    }
    quiz.course = settings.course
    db.session.add(quiz)
    db.session.flush()
    return quiz


def add_fixed(quiz: Quiz, question: Question, marks: float = 1.0) -> QuizSlot:
    if any(s.question_id == question.id for s in quiz.slots):
        raise QuizError(_("This question is in the quiz already."), "question")
    if marks < 0:
        raise QuizError(_("Marks cannot be negative."), "marks")
    slot = QuizSlot(position=len(quiz.slots) + 1, question_id=question.id, marks=marks)
    quiz.slots.append(slot)
    db.session.flush()
    return slot


def add_random(
    quiz: Quiz,
    category: QuestionCategory,
    count: int,
    *,
    marks: float = 1.0,
    include_subcategories: bool = True,
) -> QuizSlot:
    if count < 1:
        raise QuizError(_("Draw at least one question."), "count")
    slot = QuizSlot(
        position=len(quiz.slots) + 1,
        category_id=category.id,
        count=count,
        include_subcategories=include_subcategories,
        marks=marks,
    )
    quiz.slots.append(slot)
    db.session.flush()
    return slot


def remove_slot(slot: QuizSlot) -> None:
    quiz = slot.quiz
    quiz.slots.remove(slot)
    for position, other in enumerate(quiz.slots, 1):
        other.position = position
    db.session.flush()


def set_override(
    quiz: Quiz,
    person: Employee,
    *,
    time_limit_seconds: int | None,
    attempts_allowed: int | None,
    close_at: dt.datetime | None,
) -> QuizOverride:
    override = db.session.get(QuizOverride, (quiz.id, person.id)) or QuizOverride(
        quiz_id=quiz.id, employee_id=person.id
    )
    override.time_limit_seconds, override.attempts_allowed, override.close_at = (
        time_limit_seconds,
        attempts_allowed,
        close_at,
    )
    db.session.add(override)
    db.session.flush()
    return override


def publish(quiz: Quiz) -> None:
    if not quiz.slots:
        raise QuizError(_("Add at least one question before publishing."))
    quiz.status = QuizStatus.PUBLISHED
    db.session.flush()


# --- what a learner may see ------------------------------------------------------------------


def review_phase(quiz: Quiz, attempt: Attempt, now: dt.datetime) -> str:
    if attempt.state == AttemptState.IN_PROGRESS:
        return "during"
    if attempt.finished_at and now <= attempt.finished_at + IMMEDIATELY:
        return "immediately"
    if quiz.close_at is None or now < quiz.close_at:
        return "open"
    return "closed"


def review_allows(quiz: Quiz, attempt: Attempt, now: dt.datetime) -> frozenset[str]:
    """Which of marks, right answers and feedback the learner may see now."""
    allowed = frozenset((quiz.review or {}).get(review_phase(quiz, attempt, now), []))
    if attempt.state in (
        AttemptState.NEEDS_GRADING,
        AttemptState.ABANDONED,
        AttemptState.SUBMITTED,
    ):
        allowed = allowed - {"marks"}
    return allowed


def final_grade(quiz: Quiz, attempts: list[Attempt]) -> float | None:
    """The person's grade for the quiz by its grading method, over graded attempts."""
    graded = sorted((a for a in attempts if a.state == AttemptState.GRADED), key=lambda a: a.number)
    if not graded:
        return None
    percents = [a.percent or 0.0 for a in graded]
    method = quiz.grading_method
    if method == GradingMethod.FIRST:
        return percents[0]
    if method == GradingMethod.LAST:
        return percents[-1]
    if method == GradingMethod.AVERAGE:
        return round(sum(percents) / len(percents), 2)
    return max(percents)


def quiz_for_course(course_id: int) -> Quiz | None:
    """The published quiz at the end of the course (not of one of its lessons)."""
    return db.session.scalar(
        sa.select(Quiz).where(
            Quiz.course_id == course_id,
            Quiz.lesson_key.is_(None),
            Quiz.status == QuizStatus.PUBLISHED,
        )
    )


def quiz_for_lesson(course_id: int, lesson_key: str) -> Quiz | None:
    return db.session.scalar(
        sa.select(Quiz).where(
            Quiz.course_id == course_id,
            Quiz.lesson_key == lesson_key,
            Quiz.status == QuizStatus.PUBLISHED,
        )
    )


def counts_in_cycle(quiz: Quiz, person: Employee) -> sa.ColumnElement[bool]:
    """Attempts that count now: all of them, or — once a certification's new cycle reopened
    the quiz's course for this person — those started since (the earlier ones stay in
    history)."""
    reopened = (
        sa.select(Enrolment.reopened_at)
        .where(Enrolment.employee_id == person.id, Enrolment.course_id == quiz.course_id)
        .scalar_subquery()
    )
    return sa.or_(reopened.is_(None), Attempt.started_at >= reopened)


def has_passed(quiz: Quiz, person: Employee) -> bool:
    return (
        db.session.scalar(
            sa.select(Attempt.id)
            .where(
                Attempt.quiz_id == quiz.id,
                Attempt.employee_id == person.id,
                Attempt.passed.is_(True),
                counts_in_cycle(quiz, person),
            )
            .limit(1)
        )
        is not None
    )


def public_settings(quiz: Quiz) -> dict[str, Any]:
    return {
        "id": quiz.id,
        "title": quiz.title,
        "title_en": quiz.title_en,
        "intro": quiz.intro,
        "pass_percent": quiz.pass_percent,
        "time_limit_seconds": quiz.time_limit_seconds,
        "attempts_allowed": quiz.attempts_allowed,
        "grading_method": str(quiz.grading_method),
        "open_at": quiz.open_at.isoformat() if quiz.open_at else None,
        "close_at": quiz.close_at.isoformat() if quiz.close_at else None,
        "questions": sum(s.count if s.question_id is None else 1 for s in quiz.slots),
    }
