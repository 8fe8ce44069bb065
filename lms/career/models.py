"""Career models: ladders of posts and the steps between them, the requirements on each step,
service KPIs, career plans with goals and a learning plan, career conversations, endorsements,
job rotations and promotions.

A post (``organisation.Post``) belongs to no ladder by itself; a ladder is the set of steps
drawn between posts, so a post can sit on two ladders (客服组长 on the management ladder and as
the start of a branch). Requirements are typed rows, one kind per row (``kind`` names an entry
of ``lms.career.requirements.REGISTRY``), so readiness is evaluated set-wise in SQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import now
from lms.db import value_enum
from lms.extensions import db
from lms.organisation.models import Employee, Post


class StepKind(enum.StrEnum):
    PROMOTION = "promotion"  # up the same ladder
    BRANCH = "branch"  # to another ladder (质检专员, 培训师)
    LATERAL = "lateral"  # same level, another job


class RequirementKind(enum.StrEnum):
    COURSE = "course"  # course completed
    CERTIFICATION = "certification"  # certification held and valid
    TENURE = "tenure"  # months in the current post
    KPI = "kpi"  # a KPI's average over the last N months at or past a threshold
    ENDORSEMENT = "endorsement"  # by the team lead or a mentor
    ROTATION = "rotation"  # N job rotations completed with a passing evaluation
    MENTORING = "mentoring"  # mentored N people to sign-off


class Endorser(enum.StrEnum):
    LEAD = "lead"
    MENTOR = "mentor"
    ANY = "any"


class KpiAggregate(enum.StrEnum):
    MEAN = "mean"
    SUM = "sum"


class GoalHorizon(enum.StrEnum):
    SHORT = "short"
    LONG = "long"


class RotationStatus(enum.StrEnum):
    PLANNED = "planned"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"


class PromotionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class CareerLadder(db.Model):
    __tablename__ = "career_ladder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    steps: Mapped[list[CareerStep]] = relationship(
        back_populates="ladder", order_by="CareerStep.position", cascade="all, delete-orphan"
    )

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name

    def display_description(self, locale: str) -> str | None:
        return (self.description_en if locale == "en" and self.description_en else None) or (
            self.description
        )


class CareerStep(db.Model):
    """A move from one post to another; its requirements say what it takes."""

    __tablename__ = "career_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("career_ladder.id", ondelete="CASCADE"), index=True
    )
    from_post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"), index=True)
    to_post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"), index=True)
    kind: Mapped[StepKind] = mapped_column(value_enum(StepKind), default=StepKind.PROMOTION)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    ladder: Mapped[CareerLadder] = relationship(back_populates="steps")
    from_post: Mapped[Post] = relationship(foreign_keys=[from_post_id])
    to_post: Mapped[Post] = relationship(foreign_keys=[to_post_id])
    requirements: Mapped[list[StepRequirement]] = relationship(
        back_populates="step",
        order_by="(StepRequirement.position, StepRequirement.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.UniqueConstraint("from_post_id", "to_post_id"),
        sa.CheckConstraint("from_post_id <> to_post_id", name="moves"),
    )


class KpiMetric(db.Model):
    """A service KPI definition (CSAT %, complaint rate, …); HR can add more."""

    __tablename__ = "kpi_metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # the import column name
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    unit: Mapped[str] = mapped_column(sa.String(16), default="")  # "%", "s", "min", "" …
    higher_is_better: Mapped[bool] = mapped_column(default=True)
    min_value: Mapped[float | None]  # values outside [min, max] are refused on import
    max_value: Mapped[float | None]
    decimals: Mapped[int] = mapped_column(default=1)
    aggregate: Mapped[KpiAggregate] = mapped_column(
        value_enum(KpiAggregate), default=KpiAggregate.MEAN
    )
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    __table_args__ = (
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range"
        ),
        sa.CheckConstraint("decimals BETWEEN 0 AND 4", name="decimals_range"),
    )

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name


class KpiValue(db.Model):
    """One person's figure for one metric and calendar month (``month`` is its first day)."""

    __tablename__ = "kpi_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(sa.ForeignKey("kpi_metric.id", ondelete="CASCADE"))
    month: Mapped[dt.date]
    value: Mapped[float]
    import_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kpi_import.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "metric_id", "month"),
        sa.Index("ix_kpi_value_metric_month", "metric_id", "month", "employee_id", "value"),
    )


class KpiImport(db.Model):
    """One accepted upload or API call: who, when, how many rows."""

    __tablename__ = "kpi_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # upload, api, cli
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    imported_at: Mapped[dt.datetime] = mapped_column(default=now)

    imported_by: Mapped[Employee | None] = relationship()


class StepRequirement(db.Model):
    """One requirement of a step. Which columns matter depends on ``kind``:

    course: ``course_id``; certification: ``certification_id``; tenure: ``months``;
    kpi: ``metric_id``, ``months`` (the period) and ``threshold``; endorsement: ``endorser``;
    rotation and mentoring: ``count``.
    """

    __tablename__ = "career_step_requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        sa.ForeignKey("career_step.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RequirementKind] = mapped_column(value_enum(RequirementKind))
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), index=True)
    certification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification.id"), index=True
    )
    metric_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kpi_metric.id"), index=True)
    months: Mapped[int | None]
    threshold: Mapped[float | None]
    count: Mapped[int | None]
    endorser: Mapped[Endorser | None] = mapped_column(value_enum(Endorser))
    position: Mapped[int] = mapped_column(default=0)

    step: Mapped[CareerStep] = relationship(back_populates="requirements")
    course: Mapped[Any] = relationship("Course")
    certification: Mapped[Any] = relationship("Certification")
    metric: Mapped[KpiMetric | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(kind <> 'course' OR course_id IS NOT NULL)"
            " AND (kind <> 'certification' OR certification_id IS NOT NULL)"
            " AND (kind <> 'tenure' OR months IS NOT NULL)"
            " AND (kind <> 'kpi' OR (metric_id IS NOT NULL AND months IS NOT NULL"
            " AND threshold IS NOT NULL))"
            " AND (kind <> 'endorsement' OR endorser IS NOT NULL)"
            " AND (kind NOT IN ('rotation', 'mentoring') OR count IS NOT NULL)",
            name="fields_for_kind",
        ),
        sa.CheckConstraint("months IS NULL OR months BETWEEN 1 AND 120", name="months_range"),
        sa.CheckConstraint("count IS NULL OR count BETWEEN 1 AND 50", name="count_range"),
    )


# The models about people live in their own module; they are part of this one's interface.
from lms.career.people_models import (  # noqa: E402, F401
    CareerConversation,
    CareerGoal,
    CareerPlan,
    Endorsement,
    LearningPlanItem,
    Promotion,
    Rotation,
)
