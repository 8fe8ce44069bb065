"""The question bank, quizzes, attempts and grading.

Integrity lives in the database: one open attempt per person and quiz (a partial unique
index), attempt numbers unique per person and quiz, one answer row per attempt and slot.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course, Track
from lms.clock import now
from lms.db import JSONType, value_enum
from lms.extensions import db
from lms.organisation.models import Employee


class QuestionCategory(db.Model):
    __tablename__ = "question_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question_category.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("track.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    parent: Mapped[QuestionCategory | None] = relationship(remote_side=[id])
    track: Mapped[Track | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("parent_id", "name"),)

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name


class Question(db.Model):
    """A question's lasting identity; its content lives in versions."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("question_category.id"), index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question_version.id", use_alter=True, ondelete="SET NULL")
    )
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    category: Mapped[QuestionCategory] = relationship()
    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    tags: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionTag.tag"
    )


class QuestionVersion(db.Model):
    """One version of a question. Never changes once an attempt used it: editing a question
    makes a new version; attempts keep the one they were given."""

    __tablename__ = "question_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(32))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )

    question: Mapped[Question] = relationship(foreign_keys=[question_id])

    __table_args__ = (sa.UniqueConstraint("question_id", "number"),)

    @property
    def title(self) -> str:
        return self.definition.get("title") or (self.definition.get("stem") or "")[:60]


class QuestionTag(db.Model):
    __tablename__ = "question_tag"

    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(50), primary_key=True, index=True)


class OverduePolicy(enum.StrEnum):
    AUTOSUBMIT = "autosubmit"
    GRACE = "grace"  # only submission during the grace period, then abandoned
    ABANDON = "abandon"


class GradingMethod(enum.StrEnum):
    HIGHEST = "highest"
    AVERAGE = "average"
    FIRST = "first"
    LAST = "last"


class QuizStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


REVIEW_PHASES = ("during", "immediately", "open", "closed")
REVIEW_ITEMS = ("marks", "right_answers", "feedback")
DEFAULT_REVIEW = {
    "during": [],
    "immediately": ["marks", "feedback"],
    "open": ["marks", "feedback"],
    "closed": ["marks", "right_answers", "feedback"],
}


class Quiz(db.Model):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    intro: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[QuizStatus] = mapped_column(value_enum(QuizStatus), default=QuizStatus.DRAFT)
    # where it sits: at the end of a lesson (course + lesson key, stable across versions)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), index=True)
    lesson_key: Mapped[str | None] = mapped_column(sa.String(64))
    pass_percent: Mapped[float] = mapped_column(default=80.0)
    time_limit_seconds: Mapped[int | None]
    overdue_policy: Mapped[OverduePolicy] = mapped_column(
        value_enum(OverduePolicy), default=OverduePolicy.AUTOSUBMIT
    )
    grace_seconds: Mapped[int] = mapped_column(default=0)
    open_at: Mapped[dt.datetime | None]
    close_at: Mapped[dt.datetime | None]
    attempts_allowed: Mapped[int] = mapped_column(default=0)  # 0: unlimited
    min_delay_seconds: Mapped[int] = mapped_column(default=0)
    grading_method: Mapped[GradingMethod] = mapped_column(
        value_enum(GradingMethod), default=GradingMethod.HIGHEST
    )
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    review: Mapped[dict[str, Any]] = mapped_column(JSONType, default=lambda: dict(DEFAULT_REVIEW))
    grader_role: Mapped[str] = mapped_column(sa.String(16), default="mentor")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    course: Mapped[Course | None] = relationship()
    slots: Mapped[list[QuizSlot]] = relationship(
        order_by="QuizSlot.position", cascade="all, delete-orphan", back_populates="quiz"
    )

    __table_args__ = (
        sa.UniqueConstraint("course_id", "lesson_key"),
        sa.CheckConstraint("pass_percent BETWEEN 0 AND 100", name="pass_percent_range"),
        sa.CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_positive"),
        sa.CheckConstraint("grader_role IN ('mentor', 'supervisor', 'hr')", name="grader_known"),
    )

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title


class QuizSlot(db.Model):
    """A fixed question, or a random draw of ``count`` questions from a category."""

    __tablename__ = "quiz_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_category.id"))
    include_subcategories: Mapped[bool] = mapped_column(default=True)
    count: Mapped[int] = mapped_column(default=1)
    marks: Mapped[float] = mapped_column(default=1.0)

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()
    category: Mapped[QuestionCategory | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(question_id IS NULL) <> (category_id IS NULL)", name="one_source"),
        sa.CheckConstraint("count >= 1 AND marks >= 0", name="count_marks_positive"),
    )


class QuizOverride(db.Model):
    """Accommodations for one person: more time, more attempts, a later close."""

    __tablename__ = "quiz_override"

    quiz_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), primary_key=True)
    time_limit_seconds: Mapped[int | None]
    attempts_allowed: Mapped[int | None]
    close_at: Mapped[dt.datetime | None]


class AttemptState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # finished; grading under way
    NEEDS_GRADING = "needs_grading"
    GRADED = "graded"
    ABANDONED = "abandoned"


class Attempt(db.Model):
    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"), index=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    number: Mapped[int]
    state: Mapped[AttemptState] = mapped_column(
        value_enum(AttemptState), default=AttemptState.IN_PROGRESS, index=True
    )
    started_at: Mapped[dt.datetime]
    deadline_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    finished_at: Mapped[dt.datetime | None]
    graded_at: Mapped[dt.datetime | None]
    marks: Mapped[float | None]
    max_marks: Mapped[float] = mapped_column(default=0.0)
    percent: Mapped[float | None]
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()
    employee: Mapped[Employee] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        order_by="AttemptAnswer.slot", back_populates="attempt", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "employee_id", "number"),
        sa.Index(
            "uq_attempt_one_open",
            "quiz_id",
            "employee_id",
            unique=True,
            sqlite_where=sa.text("state = 'in_progress'"),
            postgresql_where=sa.text("state = 'in_progress'"),
        ),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )


class AttemptAnswer(db.Model):
    """One question of an attempt: the version given, the per-attempt state (e.g. option
    order), the saved response with its sequence number, and the grade."""

    __tablename__ = "attempt_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attempt.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int]  # 1..n in the order shown
    question_version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_version.id"))
    max_marks: Mapped[float]
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    response: Mapped[Any | None] = mapped_column(JSONType)
    sequence: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[dt.datetime | None]
    fraction: Mapped[float | None]
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    needs_manual: Mapped[bool] = mapped_column(default=False)
    rubric_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    grader_comment: Mapped[str | None] = mapped_column(sa.Text)
    graded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    graded_at: Mapped[dt.datetime | None]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question_version: Mapped[QuestionVersion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "slot"),
        sa.CheckConstraint(
            "fraction IS NULL OR (fraction >= 0 AND fraction <= 1)", name="fraction_range"
        ),
    )

    @property
    def marks(self) -> float | None:
        return None if self.fraction is None else self.fraction * self.max_marks


class GradeChange(db.Model):
    """Audit of every manual grade and regrade: old and new marks, who, when, why."""

    __tablename__ = "grade_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attempt_answer.id", ondelete="CASCADE"), index=True
    )
    old_fraction: Mapped[float | None]
    new_fraction: Mapped[float | None]
    reason: Mapped[str] = mapped_column(sa.String(32))  # manual, regrade
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    changed_at: Mapped[dt.datetime] = mapped_column(default=now)


class QuestionImage(db.Model):
    """An image of one question version, referenced in its Markdown as ``image:filename``.
    The bytes live in storage by their SHA-256; a new version carries the rows over."""

    __tablename__ = "question_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_version.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))

    question_version: Mapped[QuestionVersion] = relationship()

    __table_args__ = (sa.UniqueConstraint("question_version_id", "filename"),)


class QuizStatisticsCache(db.Model):
    """The last item analysis of a quiz, shared by every process. ``fingerprint`` names the
    graded attempts and slots it was computed from; when they change it is computed again."""

    __tablename__ = "quiz_statistics_cache"

    quiz_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True
    )
    all_attempts: Mapped[bool] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[dt.datetime] = mapped_column(default=now)
