"""Every periodic sweep of the application, defined in one place.

A sweep is a function ``sweep(now) -> int`` that selects due rows (``next_due_at <= now``),
acts on them set-wise and is idempotent through unique keys, so a second scheduler, a restart
or a re-run never duplicates work. It returns how many rows it acted on. It may commit its
own batches; whatever it leaves pending is committed by the runner when it returns.

A sweep fires every ``every_seconds`` (None: the scheduler's default interval) or once a day
at ``daily_at``, a local time in the deployment's time zone (``LMS_DEFAULT_TIMEZONE``).
Capabilities add their sweeps to ``SWEEPS`` as they land; the wrappers import lazily so the
scheduler starts without importing every capability up front.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

# Runs in the log are kept this long; the heartbeat prunes older ones.
JOB_RUN_RETENTION = dt.timedelta(days=90)


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[dt.datetime], int]
    every_seconds: int | None = None  # None (and no daily_at): the scheduler's default interval
    daily_at: dt.time | None = None  # local time of day, in the configured time zone
    label: Any = None  # a (lazy) translated name for people; defaults to the name

    def __post_init__(self) -> None:
        if self.every_seconds is not None and self.daily_at is not None:
            raise ValueError(f"sweep {self.name!r}: give every_seconds or daily_at, not both")
        if self.every_seconds is not None and self.every_seconds <= 0:
            raise ValueError(f"sweep {self.name!r}: every_seconds must be positive")

    @property
    def title(self) -> str:
        return str(self.label) if self.label is not None else self.name


def heartbeat(now: dt.datetime) -> int:
    """Records that the scheduler is alive (/healthz reports it) and prunes the job-run log
    of runs older than JOB_RUN_RETENTION; returns how many it pruned."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.scheduler.models import JobRun

    result = db.session.execute(
        sa.delete(JobRun).where(JobRun.started_at < now - JOB_RUN_RETENTION)
    )
    return result.rowcount or 0


def _lazy(module: str, name: str) -> Callable[[dt.datetime], int]:
    """A sweep function imported when it first runs, so this list loads without the
    capabilities it names."""

    def sweep(now: dt.datetime) -> int:
        return getattr(importlib.import_module(module), name)(now)

    sweep.__name__ = name
    return sweep


MINUTE = 60

SWEEPS: tuple[Sweep, ...] = (
    Sweep("heartbeat", heartbeat, label=_l("Heartbeat and log pruning")),
    Sweep(
        "close-overdue-attempts",
        _lazy("assessments.jobs", "close_overdue_attempts"),
        every_seconds=30,
        label=_l("Close overdue quiz attempts"),
    ),
    Sweep(
        "open-certification-windows",
        _lazy("lms.certification.sweeps", "open_windows"),
        every_seconds=15 * MINUTE,
        label=_l("Open certification windows"),
    ),
    Sweep(
        "expire-certifications",
        _lazy("lms.certification.sweeps", "expire"),
        every_seconds=15 * MINUTE,
        label=_l("Expire certifications"),
    ),
    Sweep(
        "certify-completions",
        _lazy("lms.certification.sweeps", "certify_completed"),
        every_seconds=5 * MINUTE,
        label=_l("Certify completed training"),
    ),
    Sweep(
        "certification-reminders",
        _lazy("lms.certification.sweeps", "send_reminders"),
        every_seconds=15 * MINUTE,
        label=_l("Certification reminders"),
    ),
    Sweep(
        "certification-escalations",
        _lazy("lms.certification.sweeps", "escalate"),
        every_seconds=15 * MINUTE,
        label=_l("Certification escalations"),
    ),
    Sweep(
        "issue-certificates",
        _lazy("lms.certificates.issuing", "issue_missing"),
        every_seconds=10 * MINUTE,
        label=_l("Issue missing certificates"),
    ),
    Sweep(
        "certificate-batches",
        _lazy("lms.certificates.batches", "run_pending_batches"),
        every_seconds=10,
        label=_l("Render certificate downloads"),
    ),
    Sweep(
        "deliver-email",
        _lazy("lms.notifications.delivery", "deliver_email"),
        every_seconds=60,
        label=_l("Deliver email"),
    ),
    Sweep(
        "daily-digest",
        _lazy("lms.notifications.delivery", "send_daily_digests"),
        daily_at=dt.time(7, 30),
        label=_l("Daily digest email"),
    ),
)


def all_sweeps() -> tuple[Sweep, ...]:
    """The sweeps in force (read at call time, so tests may replace ``SWEEPS``)."""
    return SWEEPS


def sweep_by_name(name: str, sweeps: tuple[Sweep, ...] | None = None) -> Sweep | None:
    for sweep in all_sweeps() if sweeps is None else sweeps:
        if sweep.name == name:
            return sweep
    return None
