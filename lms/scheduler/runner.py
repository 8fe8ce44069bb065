"""Runs the sweeps: once (``lms scheduler --once``) or forever on an APScheduler."""

from __future__ import annotations

import logging
import signal
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from lms import clock
from lms.extensions import db
from lms.scheduler.jobs import SWEEPS, Sweep
from lms.scheduler.models import SweepRun

log = logging.getLogger("lms.scheduler")


def run_sweep(sweep: Sweep) -> int:
    """Run one sweep in its own transaction and record the run."""
    started = clock.now()
    record = db.session.get(SweepRun, sweep.name) or SweepRun(name=sweep.name, runs=0)
    db.session.add(record)
    try:
        count = sweep.func(started)
    except Exception as exc:
        db.session.rollback()
        record = db.session.get(SweepRun, sweep.name) or SweepRun(name=sweep.name, runs=0)
        db.session.add(record)
        record.last_started_at = started
        record.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        log.exception("sweep %s failed", sweep.name)
        return 0
    record.last_started_at = started
    record.last_finished_at = clock.now()
    record.last_error = None
    record.runs = (record.runs or 0) + 1
    db.session.commit()
    return count


def run_all_once(app: Flask) -> dict[str, int]:
    results = {}
    for sweep in SWEEPS:
        with app.app_context():
            results[sweep.name] = run_sweep(sweep)
    return results


def run_forever(app: Flask) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    default = app.config["SCHEDULER_INTERVAL_SECONDS"]
    for sweep in SWEEPS:

        def job(sweep: Sweep = sweep) -> None:
            with app.app_context():
                run_sweep(sweep)

        scheduler.add_job(
            job,
            "interval",
            seconds=sweep.every_seconds or default,
            id=sweep.name,
            max_instances=1,
            coalesce=True,
            next_run_time=clock.now(),
        )

    def _stop(signum: int, _frame: Any) -> None:
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("scheduler started with %d sweep(s)", len(SWEEPS))
    scheduler.start()
