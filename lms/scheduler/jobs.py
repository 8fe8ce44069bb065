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


def _close_overdue_attempts(now: dt.datetime) -> int:
    from assessments.jobs import close_overdue_attempts

    return close_overdue_attempts(now)


def _open_certification_windows(now: dt.datetime) -> int:
    from lms.certification.sweeps import open_windows

    return open_windows(now)


def _expire_certifications(now: dt.datetime) -> int:
    from lms.certification.sweeps import expire

    return expire(now)


def _certify_completions(now: dt.datetime) -> int:
    from lms.certification.sweeps import certify_completed

    return certify_completed(now)


def _certification_reminders(now: dt.datetime) -> int:
    from lms.certification.sweeps import send_reminders

    return send_reminders(now)


def _certification_escalations(now: dt.datetime) -> int:
    from lms.certification.sweeps import escalate

    return escalate(now)


def _deliver_email(now: dt.datetime) -> int:
    from lms.notifications.delivery import deliver_email

    return deliver_email(now)


def _daily_digest(now: dt.datetime) -> int:
    from lms.notifications.delivery import send_daily_digests

    return send_daily_digests(now)


MINUTE = 60

SWEEPS: tuple[Sweep, ...] = (
    Sweep("heartbeat", heartbeat, label=_l("Heartbeat and log pruning")),
    Sweep(
        "close-overdue-attempts",
        _close_overdue_attempts,
        every_seconds=30,
        label=_l("Close overdue quiz attempts"),
    ),
    Sweep(
        "open-certification-windows",
        _open_certification_windows,
        every_seconds=15 * MINUTE,
        label=_l("Open certification windows"),
    ),
    Sweep(
        "expire-certifications",
        _expire_certifications,
        every_seconds=15 * MINUTE,
        label=_l("Expire certifications"),
    ),
    Sweep(
        "certify-completions",
        _certify_completions,
        every_seconds=5 * MINUTE,
        label=_l("Certify completed training"),
    ),
    Sweep(
        "certification-reminders",
        _certification_reminders,
        every_seconds=15 * MINUTE,
        label=_l("Certification reminders"),
    ),
    Sweep(
        "certification-escalations",
        _certification_escalations,
        every_seconds=15 * MINUTE,
        label=_l("Certification escalations"),
    ),
    Sweep("deliver-email", _deliver_email, every_seconds=60, label=_l("Deliver email")),
    Sweep(
        "daily-digest",
        _daily_digest,
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
