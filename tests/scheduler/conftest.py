"""Scheduler fixtures: sweeps of the tests' own (the application's sweeps belong to other
capabilities), a frozen clock, and the job-run log read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.organisation.models import Department
from lms.scheduler import jobs
from lms.scheduler.jobs import Sweep
from lms.scheduler.models import JobRun

T = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai


class Calls:
    """Counts calls per sweep and what ``now`` each was given."""

    def __init__(self) -> None:
        self.seen: dict[str, list[dt.datetime]] = {}

    def counter(self, name: str, rows: int) -> Callable[[dt.datetime], int]:
        def sweep(now: dt.datetime) -> int:
            self.seen.setdefault(name, []).append(now)
            return rows

        return sweep


def add_department(now: dt.datetime) -> int:
    """Writes a row and leaves the commit to the runner."""
    db.session.add(Department(name=f"扫描{now:%H%M%S%f}"))
    return 1


def fail_after_writing(now: dt.datetime) -> int:
    db.session.add(Department(name="不应保存"))
    db.session.flush()
    raise RuntimeError("the mail server refused the connection")


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def test_sweeps(monkeypatch, calls) -> tuple[Sweep, ...]:
    sweeps = (
        Sweep("counter", calls.counter("counter", 3), every_seconds=900, label="Counter"),
        Sweep("writer", add_department, every_seconds=60, label="Writer"),
        Sweep("broken", fail_after_writing, every_seconds=60, label="Broken"),
        Sweep("digest", calls.counter("digest", 1), daily_at=dt.time(7, 30), label="Digest"),
    )
    monkeypatch.setattr(jobs, "SWEEPS", sweeps)
    return sweeps


def job_runs(name: str | None = None) -> list[JobRun]:
    """The log, oldest first, as the database has it now."""
    db.session.commit()  # a fresh snapshot: runs were committed by other sessions
    query = sa.select(JobRun).order_by(JobRun.id)
    if name:
        query = query.where(JobRun.name == name)
    return list(db.session.scalars(query))


def departments() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(sa.select(Department.name)))
