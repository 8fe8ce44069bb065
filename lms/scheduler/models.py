"""Bookkeeping for the scheduler: one row per sweep with its last run (``SweepRun``, read by
/healthz and by the catch-up on start) and one row per run (``JobRun``, the job-run log)."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import value_enum
from lms.extensions import db
from lms.organisation.models import Employee


class SweepRun(db.Model):
    __tablename__ = "sweep_run"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_started_at: Mapped[dt.datetime | None]
    last_finished_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    runs: Mapped[int] = mapped_column(default=0)


class Trigger(enum.StrEnum):
    SCHEDULE = "schedule"  # the scheduler's own timetable
    CATCH_UP = "catch-up"  # on start, for fire times missed while no scheduler ran
    MANUAL = "manual"  # "Run now" on the jobs page
    CLI = "cli"  # ``lms scheduler --once`` / ``--run``


class JobRun(db.Model):
    """One run of one sweep. The row is committed when the run starts and completed when it
    ends, so a run that was killed stays visible with no ``finished_at``."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    trigger: Mapped[Trigger] = mapped_column(value_enum(Trigger))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    rows: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    missed: Mapped[int] = mapped_column(default=0, server_default="0")
    host: Mapped[str] = mapped_column(sa.String(255), default="")
    pid: Mapped[int] = mapped_column(default=0)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )

    actor: Mapped[Employee | None] = relationship()

    __table_args__ = (
        sa.Index("ix_job_run_name_started_at", "name", "started_at"),
        sa.Index("ix_job_run_started_at", "started_at"),
        sa.CheckConstraint("missed >= 0", name="missed_not_negative"),
    )

    @property
    def duration(self) -> dt.timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at
