"""Certification models: what a certification asks for and how long it lasts, who must hold
it (rules), each person's standing and the history of every cycle.

A person's standing (``PersonCertification``) stores the dates that drive everything —
``window_opens_on`` and ``expires_on`` — and a status the sweeps move forward set-wise. What
a page shows is derived from the dates at query time, so a stopped scheduler never shows a
wrong state. Cycles are never deleted: each one records when it opened, when it was completed,
the expiry it granted, when that lapsed, and which course completions (versions, attempts)
counted.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import now
from lms.db import JSONType, value_enum
from lms.extensions import db
from lms.organisation.models import Department, Employee, Post, Team

DEFAULT_REMINDERS = [-14, -7, -1, 1]  # days relative to expiry: before (<0) and after (>0)
DEFAULT_ESCALATION = [
    {"to": "mentor", "days": -3},
    {"to": "supervisor", "days": 1},
    {"to": "hr", "days": 7},
]
ESCALATION_TARGETS = ("mentor", "supervisor", "hr")


class ExpiryBase(enum.StrEnum):
    COMPLETION = "completion"  # the completion date + the active period
    EXPIRY = "expiry"  # the previous expiry + the active period, when renewed in time
    FIXED = "fixed"  # aligned to fixed calendar dates (e.g. each quarter's first day)


class Standing(enum.StrEnum):
    """Stored status, moved forward by the sweeps (pages derive theirs from the dates)."""

    ASSIGNED = "assigned"  # never certified yet
    CERTIFIED = "certified"
    DUE = "due"  # the recertification window is open
    EXPIRED = "expired"


class CycleKind(enum.StrEnum):
    INITIAL = "initial"
    RENEWAL = "renewal"


class CourseRole(enum.StrEnum):
    INITIAL = "initial"  # needed to be certified the first time
    RENEWAL = "renewal"  # needed to recertify (none: the initial courses again)


class Certification(db.Model):
    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active_months: Mapped[int] = mapped_column(default=12)
    window_days: Mapped[int] = mapped_column(default=30)
    expiry_base: Mapped[ExpiryBase] = mapped_column(
        value_enum(ExpiryBase), default=ExpiryBase.EXPIRY
    )
    fixed_dates: Mapped[list[str]] = mapped_column(JSONType, default=list)  # "MM-DD"
    min_active_days: Mapped[int] = mapped_column(default=0)
    initial_due_days: Mapped[int] = mapped_column(default=30)  # first time, from assignment
    reminder_days: Mapped[list[int]] = mapped_column(
        JSONType, default=lambda: list(DEFAULT_REMINDERS)
    )
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=lambda: [dict(step) for step in DEFAULT_ESCALATION]
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    courses: Mapped[list[CertificationCourse]] = relationship(
        order_by="CertificationCourse.position",
        cascade="all, delete-orphan",
        back_populates="certification",
    )

    __table_args__ = (
        sa.CheckConstraint("active_months BETWEEN 1 AND 120", name="active_months_range"),
        sa.CheckConstraint("window_days BETWEEN 0 AND 365", name="window_days_range"),
        sa.CheckConstraint("min_active_days BETWEEN 0 AND 730", name="min_active_days_range"),
        sa.CheckConstraint("initial_due_days BETWEEN 0 AND 3650", name="initial_due_days_range"),
    )

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title

    def course_ids(self, role: CourseRole) -> list[int]:
        ids = [c.course_id for c in self.courses if c.role == role]
        if role == CourseRole.RENEWAL and not ids:
            return self.course_ids(CourseRole.INITIAL)
        return ids


class CertificationCourse(db.Model):
    __tablename__ = "certification_course"

    certification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True, index=True)
    role: Mapped[CourseRole] = mapped_column(value_enum(CourseRole), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    certification: Mapped[Certification] = relationship(back_populates="courses")
    course = relationship("Course")


class CourseCertificationPrerequisite(db.Model):
    """A course that may only be taken by holders of a valid certification."""

    __tablename__ = "course_certification_prerequisite"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    certification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CertificationRule(db.Model):
    """Who must hold a certification: a post, a team, a department, or everyone."""

    __tablename__ = "certification_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    certification: Mapped[Certification] = relationship()
    post: Mapped[Post | None] = relationship()
    team: Mapped[Team | None] = relationship()
    department: Mapped[Department | None] = relationship()


class PersonCertification(db.Model):
    __tablename__ = "person_certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    certification_id: Mapped[int] = mapped_column(sa.ForeignKey("certification.id"))
    status: Mapped[Standing] = mapped_column(value_enum(Standing), default=Standing.ASSIGNED)
    cycle_number: Mapped[int] = mapped_column(default=1)  # the current (latest) cycle
    rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification_rule.id", ondelete="SET NULL")
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[dt.datetime] = mapped_column(default=now)
    due_on: Mapped[dt.date | None]  # the first certification's due date
    certified_on: Mapped[dt.date | None]  # the latest completion
    expires_on: Mapped[dt.date | None]  # no longer valid from this day
    window_opens_on: Mapped[dt.date | None]
    required_by: Mapped[dt.date | None]  # HR asked for recertification by this date

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    certification: Mapped[Certification] = relationship()
    cycles: Mapped[list[CertificationCycle]] = relationship(
        order_by="CertificationCycle.number", back_populates="holder"
    )

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "certification_id"),
        sa.Index("ix_person_certification_window", "certification_id", "status", "window_opens_on"),
        sa.Index("ix_person_certification_expiry", "certification_id", "status", "expires_on"),
        sa.CheckConstraint("cycle_number >= 1", name="cycle_number_positive"),
        sa.CheckConstraint(
            "window_opens_on IS NULL OR expires_on IS NULL OR window_opens_on <= expires_on",
            name="window_before_expiry",
        ),
    )

    def state(self, today: dt.date, *, started: bool = False) -> str:
        """assigned, in_progress, certified, due or expired — from the dates."""
        if self.expires_on is not None and today >= self.expires_on:
            return "expired"
        if self.window_opens_on is not None and today >= self.window_opens_on:
            return "due"
        if self.certified_on is not None:
            return "certified"
        return "in_progress" if started else "assigned"

    def days_left(self, today: dt.date) -> int | None:
        return None if self.expires_on is None else (self.expires_on - today).days


class CertificationCycle(db.Model):
    """One turn of a person's certification: opened, completed (or not), the expiry it granted
    and when that lapsed. Never deleted."""

    __tablename__ = "certification_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person_certification.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    kind: Mapped[CycleKind] = mapped_column(value_enum(CycleKind))
    reason: Mapped[str] = mapped_column(sa.String(24), default="assigned")
    opened_at: Mapped[dt.datetime]
    due_on: Mapped[dt.date | None]
    completed_on: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]  # granted by this completion
    lapsed_on: Mapped[dt.date | None]  # the expiry passed without a renewal

    holder: Mapped[PersonCertification] = relationship(back_populates="cycles")
    courses: Mapped[list[CycleCourse]] = relationship(order_by="CycleCourse.course_id")

    __table_args__ = (
        sa.UniqueConstraint("holder_id", "number"),
        sa.Index("ix_certification_cycle_open", "holder_id", "completed_on"),
    )


class CycleCourse(db.Model):
    """A course completion that counted towards a cycle: which version, when, which attempts."""

    __tablename__ = "certification_cycle_course"

    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="SET NULL")
    )
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_version.id"))
    completed_at: Mapped[dt.datetime | None]
    attempt_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)

    course = relationship("Course")
    version = relationship("CourseVersion")


class EnrolmentHistory(db.Model):
    """An enrolment as it stood before a new cycle reopened its course."""

    __tablename__ = "enrolment_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification_cycle.id", ondelete="CASCADE")
    )
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_version.id"))
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    archived_at: Mapped[dt.datetime]

    course = relationship("Course")
    version = relationship("CourseVersion")

    __table_args__ = (sa.UniqueConstraint("enrolment_id", "cycle_id"),)


class LessonCompletionHistory(db.Model):
    __tablename__ = "lesson_completion_history"

    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certification_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), primary_key=True)
    completed_at: Mapped[dt.datetime]
