"""Mentorship models: the rules HR edits, mentors' capacity, mentorships, check-ins, goals.

Invariants a race could break live in the database: one active and one proposed onboarding
mentorship per mentee (partial unique indexes) and a mentor's load never above their capacity
(a counter on ``MentorProfile`` with a CHECK, moved in the same transaction as the
mentorship it counts).
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
from lms.organisation.models import Employee

DEFAULT_CHECKIN_DAYS = [7, 30, 60, 90]
DEFAULT_WEIGHTS = {"team": 30, "post": 15, "shift": 20, "load": 20, "results": 15}


class MentorshipKind(enum.StrEnum):
    ONBOARDING = "onboarding"
    ROTATION = "rotation"
    DEVELOPMENT = "development"


class MentorshipStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED = "ended"  # ended early, with a reason


# Statuses that take one of the mentor's slots.
HOLDS_SLOT = (MentorshipStatus.PROPOSED, MentorshipStatus.ACTIVE)


class GoalStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class CheckInKind(enum.StrEnum):
    PLANNED = "planned"  # from the onboarding plan's template
    REQUESTED = "requested"  # the mentee asked for one
    EXTRA = "extra"  # logged without being planned


class MentorshipSettings(db.Model):
    """The single row of rules HR edits: eligibility, capacity, matching weights, the plan."""

    __tablename__ = "mentorship_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_tenure_months: Mapped[int] = mapped_column(default=12)
    default_capacity: Mapped[int] = mapped_column(default=3)
    required_course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course.id", ondelete="SET NULL")
    )
    auto_assign: Mapped[bool] = mapped_column(default=False)
    onboarding_days: Mapped[int] = mapped_column(default=90)
    checkin_days: Mapped[list[int]] = mapped_column(
        JSONType, default=lambda: list(DEFAULT_CHECKIN_DAYS)
    )
    weights: Mapped[dict[str, int]] = mapped_column(JSONType, default=lambda: dict(DEFAULT_WEIGHTS))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )

    required_course = relationship("Course")

    __table_args__ = (
        sa.CheckConstraint("min_tenure_months BETWEEN 0 AND 240", name="tenure_range"),
        sa.CheckConstraint("default_capacity BETWEEN 0 AND 50", name="capacity_range"),
        sa.CheckConstraint("onboarding_days BETWEEN 7 AND 730", name="days_range"),
    )


class MentorProfile(db.Model):
    """A mentor's capacity and current load (mentorships proposed or active). The CHECK keeps
    the load within the capacity whatever runs at the same time."""

    __tablename__ = "mentor_profile"

    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[int | None]  # None: the default from the settings
    load: Mapped[int] = mapped_column(default=0)
    capacity_limit: Mapped[int] = mapped_column(default=3)  # capacity, resolved

    employee: Mapped[Employee] = relationship()

    __table_args__ = (
        sa.CheckConstraint("load >= 0 AND load <= capacity_limit", name="load_within_capacity"),
        sa.CheckConstraint("capacity IS NULL OR capacity BETWEEN 0 AND 50", name="capacity_range"),
    )


class Mentorship(db.Model):
    __tablename__ = "mentorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    kind: Mapped[MentorshipKind] = mapped_column(
        value_enum(MentorshipKind), default=MentorshipKind.ONBOARDING
    )
    status: Mapped[MentorshipStatus] = mapped_column(
        value_enum(MentorshipStatus), default=MentorshipStatus.PROPOSED, index=True
    )
    score: Mapped[float | None]  # the matching score, for proposals
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    proposed_at: Mapped[dt.datetime] = mapped_column(default=now)
    started_on: Mapped[dt.date | None]
    planned_end_on: Mapped[dt.date | None]
    ended_on: Mapped[dt.date | None]
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mentorship.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    signed_off_at: Mapped[dt.datetime | None]
    # The mentee's rating of the mentorship: HR sees it, the mentor never does.
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(sa.Text)
    rated_at: Mapped[dt.datetime | None]

    mentor: Mapped[Employee] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Employee] = relationship(foreign_keys=[mentee_id])
    created_by: Mapped[Employee | None] = relationship(foreign_keys=[created_by_id])
    replaces: Mapped[Mentorship | None] = relationship(remote_side=[id])
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="mentorship",
        order_by="(CheckIn.due_on, CheckIn.id)",
        cascade="all, delete-orphan",
    )
    goals: Mapped[list[MentorshipGoal]] = relationship(
        back_populates="mentorship",
        order_by="(MentorshipGoal.due_on, MentorshipGoal.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_own_mentor"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        sa.Index(
            "uq_mentorship_one_active_onboarding",
            "mentee_id",
            unique=True,
            sqlite_where=sa.text("kind = 'onboarding' AND status = 'active'"),
            postgresql_where=sa.text("kind = 'onboarding' AND status = 'active'"),
        ),
        sa.Index(
            "uq_mentorship_one_proposed_onboarding",
            "mentee_id",
            unique=True,
            sqlite_where=sa.text("kind = 'onboarding' AND status = 'proposed'"),
            postgresql_where=sa.text("kind = 'onboarding' AND status = 'proposed'"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status in HOLDS_SLOT

    def is_visible_to(self, user: Employee) -> bool:
        """Mentor (current or past), mentee, HR and the mentee's team lead or supervisor."""
        if user.id in (self.mentor_id, self.mentee_id) or user.has_role("hr", "admin"):
            return True
        return user.has_role("supervisor") and _leads(user, self.mentee)

    def can_edit(self, user: Employee) -> bool:
        """Check-ins, goals and sign-off: the mentor while it is active, and HR."""
        if user.has_role("hr", "admin"):
            return True
        return user.id == self.mentor_id and self.status == MentorshipStatus.ACTIVE


def _leads(user: Employee, person: Employee) -> bool:
    return person.supervisor_id == user.id or (
        person.team is not None and person.team.lead_id == user.id
    )


class CheckIn(db.Model):
    """A planned, requested or extra check-in; ``held_on`` is set when it took place."""

    __tablename__ = "mentorship_check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentorship.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CheckInKind] = mapped_column(value_enum(CheckInKind))
    day: Mapped[int | None]  # the plan's day (7, 30, ...), planned check-ins only
    due_on: Mapped[dt.date]
    held_on: Mapped[dt.date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    actions: Mapped[str] = mapped_column(sa.Text, default="")
    request_note: Mapped[str | None] = mapped_column(sa.Text)
    pulse: Mapped[int | None]  # 1-5, the mentee's own answer
    pulse_at: Mapped[dt.datetime | None]
    logged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    mentorship: Mapped[Mentorship] = relationship(back_populates="check_ins")
    logged_by: Mapped[Employee | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("pulse IS NULL OR pulse BETWEEN 1 AND 5", name="pulse_range"),
        sa.UniqueConstraint("mentorship_id", "day"),
        sa.Index("ix_mentorship_check_in_held", "mentorship_id", "held_on"),
    )


class MentorshipGoal(db.Model):
    __tablename__ = "mentorship_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentorship.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date | None]
    status: Mapped[GoalStatus] = mapped_column(value_enum(GoalStatus), default=GoalStatus.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    completed_at: Mapped[dt.datetime | None]

    mentorship: Mapped[Mentorship] = relationship(back_populates="goals")
