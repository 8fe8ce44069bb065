"""What the jobs page and ``lms scheduler --log`` show: each sweep's state and the job-run
log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.scheduler.jobs import Sweep
from lms.scheduler.models import JobRun, SweepRun


@dataclass(frozen=True)
class SweepState:
    sweep: Sweep
    record: SweepRun | None  # None: never ran
    latest: JobRun | None  # its newest run in the log

    @property
    def running(self) -> bool:
        return self.latest is not None and self.latest.finished_at is None


def sweep_states(sweeps: Sequence[Sweep]) -> list[SweepState]:
    names = [s.name for s in sweeps]
    records = {
        r.name: r for r in db.session.scalars(sa.select(SweepRun).where(SweepRun.name.in_(names)))
    }
    newest = sa.select(sa.func.max(JobRun.id)).where(JobRun.name.in_(names)).group_by(JobRun.name)
    latest = {
        run.name: run
        for run in db.session.scalars(
            sa.select(JobRun).where(JobRun.id.in_(newest)).options(joinedload(JobRun.actor))
        )
    }
    return [SweepState(s, records.get(s.name), latest.get(s.name)) for s in sweeps]


def job_log_query(name: str | None = None) -> sa.Select:
    """The job-run log, newest first, optionally of one sweep."""
    query = sa.select(JobRun).options(joinedload(JobRun.actor))
    if name:
        query = query.where(JobRun.name == name)
    return query.order_by(JobRun.started_at.desc(), JobRun.id.desc())


def recent_runs(limit: int, name: str | None = None) -> list[JobRun]:
    return list(db.session.scalars(job_log_query(name).limit(limit)))
