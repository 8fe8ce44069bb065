"""Career models about people: career plans with goals and the learning plan, career
conversations, endorsements, job rotations and promotions. ``lms.career.models`` exports them
too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.career.models import (
    CareerStep,
    Endorser,
    GoalHorizon,
    PromotionStatus,
    RotationStatus,
)
from lms.clock import now
from lms.db import JSONType, value_enum
from lms.extensions import db
from lms.organisation.models import Employee, Post, Team


class CareerPlan(db.Model):
    """One per employee: the post they aim for next."""

    __tablename__ = "career_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), unique=True
    )
    target_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    target_post: Mapped[Post | None] = relationship()
    goals: Mapped[list[CareerGoal]] = relationship(
        back_populates="plan",
        order_by="(CareerGoal.horizon.desc(), CareerGoal.due_on, CareerGoal.id)",
        cascade="all, delete-orphan",
    )
    items: Mapped[list[LearningPlanItem]] = relationship(
        back_populates="plan",
        order_by="(LearningPlanItem.suggested_by, LearningPlanItem.id)",
        cascade="all, delete-orphan",
    )


class CareerGoal(db.Model):
    __tablename__ = "career_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("career_plan.id", ondelete="CASCADE"), index=True
    )
    horizon: Mapped[GoalHorizon] = mapped_column(value_enum(GoalHorizon))
    text: Mapped[str] = mapped_column(sa.String(500))
    due_on: Mapped[dt.date | None]
    done_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    plan: Mapped[CareerPlan] = relationship(back_populates="goals")


class LearningPlanItem(db.Model):
    """A course or certification the learning plan enrolled the person in, once."""

    __tablename__ = "career_learning_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("career_plan.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"))
    certification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certification.id"))
    target_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    suggested_by: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    plan: Mapped[CareerPlan] = relationship(back_populates="items")
    course: Mapped[Any] = relationship("Course")
    certification: Mapped[Any] = relationship("Certification")

    __table_args__ = (
        sa.CheckConstraint(
            "(course_id IS NULL) <> (certification_id IS NULL)", name="course_xor_certification"
        ),
        sa.Index(
            "uq_career_learning_item_course",
            "plan_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text("course_id IS NOT NULL"),
            postgresql_where=sa.text("course_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_career_learning_item_certification",
            "plan_id",
            "certification_id",
            unique=True,
            sqlite_where=sa.text("certification_id IS NOT NULL"),
            postgresql_where=sa.text("certification_id IS NOT NULL"),
        ),
    )


class CareerConversation(db.Model):
    """A career conversation logged by the team lead or a mentor (or HR)."""

    __tablename__ = "career_conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employee.id", ondelete="SET NULL"))
    held_on: Mapped[dt.date]
    notes: Mapped[str] = mapped_column(sa.Text)
    next_steps: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    author: Mapped[Employee | None] = relationship(foreign_keys=[author_id])


class Endorsement(db.Model):
    """A team lead's or mentor's endorsement of a person for a step; withdrawable."""

    __tablename__ = "career_endorsement"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("career_step.id", ondelete="CASCADE"))
    endorser_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    endorser_role: Mapped[Endorser] = mapped_column(value_enum(Endorser))  # lead or mentor
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    withdrawn_at: Mapped[dt.datetime | None]

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    endorser: Mapped[Employee] = relationship(foreign_keys=[endorser_id])
    step: Mapped[CareerStep] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "step_id", "endorser_id"),
        sa.CheckConstraint("employee_id <> endorser_id", name="not_self"),
        sa.CheckConstraint("endorser_role IN ('lead', 'mentor')", name="role_known"),
    )


class Rotation(db.Model):
    """A job rotation (轮岗): time in a host team or post, evaluated by the host at the end."""

    __tablename__ = "career_rotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    host_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    host_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    host_supervisor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    objectives: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RotationStatus] = mapped_column(
        value_enum(RotationStatus), default=RotationStatus.PLANNED, index=True
    )
    # the host's evaluation
    rating: Mapped[int | None]  # 1–5
    passed: Mapped[bool | None]
    evaluation: Mapped[str | None] = mapped_column(sa.Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    evaluated_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    host_team: Mapped[Team | None] = relationship()
    host_post: Mapped[Post | None] = relationship()
    host_supervisor: Mapped[Employee | None] = relationship(foreign_keys=[host_supervisor_id])
    evaluated_by: Mapped[Employee | None] = relationship(foreign_keys=[evaluated_by_id])

    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="dates_ordered"),
        sa.CheckConstraint("host_team_id IS NOT NULL OR host_post_id IS NOT NULL", name="has_host"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint(
            "status <> 'evaluated' OR (passed IS NOT NULL AND evaluated_at IS NOT NULL)",
            name="evaluation_complete",
        ),
        sa.CheckConstraint(
            "host_supervisor_id IS NULL OR host_supervisor_id <> employee_id",
            name="not_own_host",
        ),
    )


class Promotion(db.Model):
    """A team lead's proposal to move a person up a step, decided by HR."""

    __tablename__ = "career_promotion"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("career_step.id", ondelete="SET NULL")
    )
    from_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    to_post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"))
    status: Mapped[PromotionStatus] = mapped_column(
        value_enum(PromotionStatus), default=PromotionStatus.PROPOSED, index=True
    )
    rationale: Mapped[str] = mapped_column(sa.Text)
    readiness: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # snapshot when proposed
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[dt.datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    effective_on: Mapped[dt.date | None]
    post_change_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("post_change.id", ondelete="SET NULL")
    )

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    step: Mapped[CareerStep | None] = relationship()
    from_post: Mapped[Post | None] = relationship(foreign_keys=[from_post_id])
    to_post: Mapped[Post] = relationship(foreign_keys=[to_post_id])
    proposed_by: Mapped[Employee | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[Employee | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.Index(
            "uq_career_promotion_one_open",
            "employee_id",
            unique=True,
            sqlite_where=sa.text("status = 'proposed'"),
            postgresql_where=sa.text("status = 'proposed'"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'rejected') OR decided_at IS NOT NULL",
            name="decision_dated",
        ),
        sa.CheckConstraint(
            "status <> 'approved' OR effective_on IS NOT NULL", name="approval_effective"
        ),
    )
