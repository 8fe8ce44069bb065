"""Runs the sweeps: one (``run_sweep``), the due ones (``tick``), every one once
(``lms scheduler --once``), the missed ones on start (``catch_up``) and forever on an
APScheduler while this process holds the leader lock (``run_forever``).

Every run writes a ``JobRun`` row, committed when the run starts and completed when it ends,
and keeps the sweep's ``SweepRun`` row current.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from lms import clock
from lms.db import dialect_insert, serialise
from lms.extensions import db
from lms.scheduler import jobs
from lms.scheduler.jobs import Sweep
from lms.scheduler.models import JobRun, SweepRun, Trigger
from lms.scheduler.schedule import Timing

log = logging.getLogger("lms.scheduler")

DEFAULT_MISFIRE_GRACE_SECONDS = 300
DEFAULT_STANDBY_RETRY_SECONDS = 5


@dataclass(frozen=True)
class Outcome:
    """What one run of a sweep did: the rows it acted on, or the error that stopped it."""

    name: str
    job_run_id: int
    rows: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _sweeps(sweeps: Sequence[Sweep] | None) -> Sequence[Sweep]:
    return jobs.all_sweeps() if sweeps is None else sweeps


def run_sweep(
    sweep: Sweep,
    *,
    trigger: Trigger | str = Trigger.SCHEDULE,
    actor: Any = None,
    missed: int = 0,
    now: dt.datetime | None = None,
) -> Outcome:
    """Run one sweep and log the run. Its work and the end of its log row commit together;
    a failure rolls the work back and records the error (the caller's loop goes on).

    The run holds the lock ``sweep:<name>`` (``lms.db.serialise``) in its transaction, so a
    "Run now" and the scheduler never run the same sweep at the same moment.
    """
    trigger = Trigger(trigger)
    started = now or clock.now()
    run = JobRun(
        name=sweep.name,
        trigger=trigger,
        started_at=started,
        missed=missed,
        host=socket.gethostname()[:255],
        pid=os.getpid(),
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(run)
    db.session.execute(
        dialect_insert(SweepRun.__table__)
        .values(name=sweep.name, runs=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    db.session.execute(
        sa.update(SweepRun).where(SweepRun.name == sweep.name).values(last_started_at=started)
    )
    db.session.flush()
    run_id = run.id
    db.session.commit()  # the start is visible even if the run is killed

    try:
        serialise(db.session, f"sweep:{sweep.name}")
        rows = int(sweep.func(started) or 0)
        finished = clock.now()
        db.session.execute(
            sa.update(JobRun).where(JobRun.id == run_id).values(finished_at=finished, rows=rows)
        )
        db.session.execute(
            sa.update(SweepRun)
            .where(SweepRun.name == sweep.name)
            .values(last_finished_at=finished, last_error=None, runs=SweepRun.runs + 1)
        )
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("sweep %s failed", sweep.name)
        db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=clock.now(), error=error)
        )
        db.session.execute(
            sa.update(SweepRun).where(SweepRun.name == sweep.name).values(last_error=error)
        )
        db.session.commit()
        return Outcome(sweep.name, run_id, 0, error)
    log.info("sweep %s (%s) done: %d row(s)", sweep.name, trigger.value, rows)
    return Outcome(sweep.name, run_id, rows)


def last_starts(names: Sequence[str]) -> dict[str, dt.datetime]:
    """When each named sweep last started (sweeps that never ran are absent)."""
    rows = db.session.execute(
        sa.select(SweepRun.name, SweepRun.last_started_at).where(
            SweepRun.name.in_(list(names)), SweepRun.last_started_at.is_not(None)
        )
    ).all()
    return {row.name: row.last_started_at for row in rows}


def _in_context(app: Flask, sweep: Sweep, **kwargs: Any) -> Outcome:
    with app.app_context():
        return run_sweep(sweep, **kwargs)


def _starts(app: Flask, sweeps: Sequence[Sweep]) -> dict[str, dt.datetime]:
    with app.app_context():
        starts = last_starts([s.name for s in sweeps])
        db.session.rollback()
    return starts


def run_all_once(
    app: Flask, *, sweeps: Sequence[Sweep] | None = None, trigger: Trigger | str = Trigger.CLI
) -> dict[str, int]:
    """Run every sweep once, whether due or not; rows acted on per sweep (0 when it failed)."""
    return {s.name: _in_context(app, s, trigger=trigger).rows for s in _sweeps(sweeps)}


def run_all_once_outcomes(
    app: Flask, *, sweeps: Sequence[Sweep] | None = None, trigger: Trigger | str = Trigger.CLI
) -> list[Outcome]:
    return [_in_context(app, s, trigger=trigger) for s in _sweeps(sweeps)]


def tick(
    app: Flask,
    now: dt.datetime,
    *,
    sweeps: Sequence[Sweep] | None = None,
    trigger: Trigger | str = Trigger.SCHEDULE,
) -> dict[str, int]:
    """Run every sweep due at ``now`` according to its last run; rows acted on per sweep
    that ran (sweeps not due are absent)."""
    sweeps = _sweeps(sweeps)
    timing = Timing.from_app(app)
    starts = _starts(app, sweeps)
    results = {}
    for sweep in sweeps:
        if timing.is_due(sweep, starts.get(sweep.name), now):
            results[sweep.name] = _in_context(app, sweep, trigger=trigger, now=now).rows
    return results


def catch_up(
    app: Flask, now: dt.datetime | None = None, *, sweeps: Sequence[Sweep] | None = None
) -> dict[str, int]:
    """Run once each sweep whose fire times passed while no scheduler ran, logging how many
    it missed; rows acted on per sweep that ran."""
    now = now or clock.now()
    sweeps = _sweeps(sweeps)
    timing = Timing.from_app(app)
    starts = _starts(app, sweeps)
    results = {}
    for sweep in sweeps:
        last = starts.get(sweep.name)
        missed = timing.missed(sweep, last, now)
        if missed < 1:
            continue
        assert last is not None
        log.warning(
            "sweep %s missed %d fire time(s) since %s; running once to catch up",
            sweep.name,
            missed,
            last.isoformat(),
        )
        results[sweep.name] = _in_context(
            app, sweep, trigger=Trigger.CATCH_UP, missed=missed, now=now
        ).rows
    return results


def on_job_missed(event: JobExecutionEvent) -> None:
    """APScheduler listener: a fire time passed beyond the misfire grace time."""
    log.warning(
        "sweep %s missed its fire time %s (beyond the misfire grace time); skipped",
        event.job_id,
        event.scheduled_run_time.isoformat() if event.scheduled_run_time else "?",
    )


def build_scheduler(
    app: Flask, *, sweeps: Sequence[Sweep] | None = None, now: dt.datetime | None = None
) -> BackgroundScheduler:
    """An APScheduler (not started) with one job per sweep: interval sweeps next fire one
    interval after their last run, daily ones at their local time."""
    sweeps = _sweeps(sweeps)
    now = now or clock.now()
    timing = Timing.from_app(app)
    grace = int(app.config.get("SCHEDULER_MISFIRE_GRACE_SECONDS", DEFAULT_MISFIRE_GRACE_SECONDS))
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    scheduler.add_listener(on_job_missed, EVENT_JOB_MISSED)
    starts = _starts(app, sweeps)
    for sweep in sweeps:
        extra: dict[str, Any] = {}
        if sweep.daily_at is None:
            interval = timing.interval(sweep)
            assert interval is not None
            trigger: Any = IntervalTrigger(seconds=int(interval.total_seconds()), timezone=dt.UTC)
            extra["next_run_time"] = timing.next_interval_run(sweep, starts.get(sweep.name), now)
        else:
            trigger = CronTrigger(
                hour=sweep.daily_at.hour,
                minute=sweep.daily_at.minute,
                second=sweep.daily_at.second,
                timezone=timing.tz,
            )
        scheduler.add_job(
            _in_context,
            trigger,
            args=(app, sweep),
            kwargs={"trigger": Trigger.SCHEDULE},
            id=sweep.name,
            name=sweep.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
            **extra,
        )
    return scheduler


def run_forever(
    app: Flask,
    *,
    sweeps: Sequence[Sweep] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Lead or stand by until stopped (SIGTERM, SIGINT or ``stop``). A leader catches up on
    missed fire times, then runs the timetable while it still holds the lock; a process
    that is not the leader retries every few seconds."""
    from lms.scheduler.leader import LeaderLock

    stop = stop or threading.Event()
    retry = float(app.config.get("SCHEDULER_STANDBY_RETRY_SECONDS", DEFAULT_STANDBY_RETRY_SECONDS))
    if threading.current_thread() is threading.main_thread():

        def _stop(signum: int, _frame: Any) -> None:
            log.info("scheduler stopping (signal %s)", signum)
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    leader = LeaderLock.for_app(app)
    standing_by = False
    try:
        while not stop.is_set():
            try:
                if not leader.acquire():
                    if not standing_by:
                        log.info("standby: another scheduler process is the leader")
                        standing_by = True
                    log.debug("standby: retrying the leader lock in %g s", retry)
                    stop.wait(retry)
                    continue
                standing_by = False
                log.info("leader: this process runs the sweeps (pid %d)", os.getpid())
                _lead(app, sweeps, leader, stop, retry)
            except Exception:
                # e.g. the database is unreachable: keep the process, try again shortly
                log.exception("scheduler error; retrying in %g s", retry)
                leader.release()
                stop.wait(retry)
    finally:
        leader.release()
        log.info("scheduler stopped")


def _lead(
    app: Flask,
    sweeps: Sequence[Sweep] | None,
    leader: Any,
    stop: threading.Event,
    check_every: float,
) -> None:
    catch_up(app, clock.now(), sweeps=sweeps)
    scheduler = build_scheduler(app, sweeps=sweeps)
    scheduler.start()
    log.info("scheduler started with %d sweep(s)", len(scheduler.get_jobs()))
    try:
        while not stop.wait(check_every):
            if not leader.still_held():
                log.warning("leadership lost; standing by")
                break
    finally:
        scheduler.shutdown(wait=True)
