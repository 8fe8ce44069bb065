"""Running sweeps: the job-run log, failures, due-ness (tick), catch-up after downtime, the
APScheduler jobs, and the heartbeat's pruning."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from lms import clock
from lms.extensions import db
from lms.scheduler import jobs
from lms.scheduler.jobs import Sweep
from lms.scheduler.leader import LeaderLock
from lms.scheduler.models import JobRun, SweepRun, Trigger
from lms.scheduler.runner import (
    build_scheduler,
    catch_up,
    on_job_missed,
    run_all_once,
    run_forever,
    run_sweep,
    tick,
)
from lms.scheduler.schedule import Timing
from tests.scheduler.conftest import T, departments, job_runs

MIN = dt.timedelta(minutes=1)


def test_a_run_is_logged_with_its_rows_and_commits_the_work(app, test_sweeps):
    writer = jobs.sweep_by_name("writer")
    with clock.frozen(T):
        outcome = run_sweep(writer, trigger="cli")
    assert outcome.ok and outcome.rows == 1
    [run] = job_runs("writer")
    assert (run.trigger, run.rows, run.error, run.missed) == (Trigger.CLI, 1, None, 0)
    assert run.started_at == T and run.finished_at == T
    assert run.pid == os.getpid() and run.host and run.actor_id is None
    assert len(departments()) == 1
    record = db.session.get(SweepRun, "writer")
    assert record.runs == 1 and record.last_started_at == T and record.last_error is None


def test_a_failing_sweep_records_its_error_rolls_back_and_the_next_one_runs(
    app, test_sweeps, calls
):
    with clock.frozen(T):
        results = run_all_once(app, sweeps=test_sweeps)
    assert results == {"counter": 3, "writer": 1, "broken": 0, "digest": 1}
    [broken] = job_runs("broken")
    assert broken.error == "RuntimeError: the mail server refused the connection"
    assert broken.finished_at is not None and broken.rows is None
    assert "不应保存" not in departments() and len(departments()) == 1
    assert db.session.get(SweepRun, "broken").last_error.startswith("RuntimeError")
    assert db.session.get(SweepRun, "broken").runs == 0
    assert len(calls.seen["digest"]) == 1  # the sweep after the failing one ran
    assert {r.trigger for r in job_runs()} == {Trigger.CLI}


def test_the_start_of_a_run_is_committed_before_the_sweep_works(app):
    seen = {}

    def look(now: dt.datetime) -> int:
        # another session (as another process would) already sees the unfinished run
        with app.app_context():
            run = db.session.scalars(db.select(JobRun)).one()
            seen["finished"] = run.finished_at
            seen["name"] = run.name
            db.session.rollback()
        return 0

    with clock.frozen(T):
        run_sweep(Sweep("look", look), trigger="cli")
    assert seen == {"finished": None, "name": "look"}
    assert job_runs("look")[0].finished_at == T


def test_tick_runs_an_interval_sweep_only_when_due(app, test_sweeps, calls):
    counter = [s for s in test_sweeps if s.name == "counter"]
    with clock.frozen(T):
        assert tick(app, T, sweeps=counter) == {"counter": 3}  # never ran: due at once
    with clock.frozen(T + 10 * MIN):
        assert tick(app, T + 10 * MIN, sweeps=counter) == {}  # 15-minute interval
    with clock.frozen(T + 15 * MIN):
        assert tick(app, T + 15 * MIN, sweeps=counter) == {"counter": 3}
    assert calls.seen["counter"] == [T, T + 15 * MIN]
    assert [r.trigger for r in job_runs("counter")] == [Trigger.SCHEDULE] * 2


def test_tick_uses_the_configured_sweeps_by_default(app, test_sweeps):
    with clock.frozen(T):
        ran = tick(app, T)
    # the daily sweep's 07:30 (Asia/Shanghai) has passed at 10:00: it runs on its first day
    assert set(ran) == {"counter", "writer", "broken", "digest"}
    with clock.frozen(T + MIN):
        assert set(tick(app, T + MIN)) == {"writer", "broken"}


def test_a_daily_sweep_runs_once_a_day_after_its_time(app, test_sweeps, calls):
    digest = [s for s in test_sweeps if s.name == "digest"]
    day = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC)  # 07:00 on 2 March in Shanghai
    moments = [
        day,  # 07:00: not yet
        day + 31 * MIN,  # 07:31: runs
        day + 5 * 60 * MIN,  # 12:00: ran today already
        day + 24 * 60 * MIN + 29 * MIN,  # 07:29 next day: not yet
        day + 24 * 60 * MIN + 30 * MIN,  # 07:30 next day: runs
        day + 36 * 60 * MIN,  # 19:00 next day: ran today already
    ]
    ran = []
    for moment in moments:
        with clock.frozen(moment):
            ran.append(tick(app, moment, sweeps=digest) == {"digest": 1})
    assert ran == [False, True, False, False, True, False]
    assert calls.seen["digest"] == [moments[1], moments[4]]


def test_catch_up_runs_a_sweep_once_for_the_fire_times_missed(app, test_sweeps, calls, caplog):
    counter = [s for s in test_sweeps if s.name == "counter"]
    with clock.frozen(T):
        tick(app, T, sweeps=counter)
    # no scheduler ran for 50 minutes: fire times at +15, +30 and +45 passed unnoticed
    back = T + 50 * MIN
    with clock.frozen(back), caplog.at_level(logging.WARNING, logger="lms.scheduler"):
        assert catch_up(app, sweeps=counter) == {"counter": 3}
        assert catch_up(app, sweeps=counter) == {}  # caught up: nothing more
    runs = job_runs("counter")
    assert [(r.trigger, r.missed, r.started_at) for r in runs] == [
        (Trigger.SCHEDULE, 0, T),
        (Trigger.CATCH_UP, 3, back),
    ]
    assert calls.seen["counter"] == [T, back]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        f"sweep counter missed 3 fire time(s) since {T.isoformat()}; running once to catch up"
    ]


def test_catch_up_leaves_sweeps_that_never_ran_or_are_not_due(app, test_sweeps, calls):
    counter = [s for s in test_sweeps if s.name == "counter"]
    with clock.frozen(T):
        assert catch_up(app, sweeps=counter) == {}  # never ran: nothing was missed
        tick(app, T, sweeps=counter)
    with clock.frozen(T + 14 * MIN):
        assert catch_up(app, sweeps=counter) == {}
    assert len(job_runs("counter")) == 1


def test_missed_daily_fire_times_are_counted_in_the_local_time_zone():
    timing = Timing(tz=ZoneInfo("Asia/Shanghai"))
    digest = Sweep("digest", lambda now: 0, daily_at=dt.time(7, 30))
    last = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 07:30 on 2 March, local
    assert timing.missed(digest, last, last) == 0
    assert timing.missed(digest, last, last + 24 * 60 * MIN - MIN) == 0
    assert timing.missed(digest, last, last + 24 * 60 * MIN) == 1
    assert timing.missed(digest, last, last + 3 * 24 * 60 * MIN + 60 * MIN) == 3
    assert timing.missed(digest, None, last) == 0
    every = Sweep("every", lambda now: 0, every_seconds=600)
    assert timing.missed(every, last, last + 29 * MIN) == 2


def test_schedules_in_words(app):
    timing = Timing.from_app(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert timing.describe(Sweep("a", int, every_seconds=900)) == "Every 15 minutes"
        assert timing.describe(Sweep("b", int, every_seconds=30)) == "Every 30 seconds"
        assert timing.describe(Sweep("c", int)) == "Every minute"  # the default interval
        assert timing.describe(Sweep("d", int, daily_at=dt.time(7, 30))) == (
            "Daily at 07:30 (Asia/Shanghai)"
        )


def test_a_sweep_has_one_timetable():
    with pytest.raises(ValueError):
        Sweep("x", int, every_seconds=60, daily_at=dt.time(7, 30))
    with pytest.raises(ValueError):
        Sweep("x", int, every_seconds=0)


def test_the_application_defines_every_sweep_once():
    names = [s.name for s in jobs.SWEEPS]
    assert len(names) == len(set(names))
    assert set(names) >= {
        "heartbeat",
        "close-overdue-attempts",
        "open-certification-windows",
        "expire-certifications",
        "certify-completions",
        "certification-reminders",
        "certification-escalations",
        "deliver-email",
        "daily-digest",
    }
    assert jobs.sweep_by_name("daily-digest").daily_at == dt.time(7, 30)
    assert jobs.sweep_by_name("certify-completions").every_seconds == 300
    assert jobs.sweep_by_name("deliver-email").every_seconds == 60


def test_the_apscheduler_jobs_coalesce_and_fire_after_the_last_run(app, test_sweeps):
    with clock.frozen(T):
        tick(app, T, sweeps=[test_sweeps[0]])  # counter last ran at T
    scheduler = build_scheduler(app, now=T + 5 * MIN)
    jobs_by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs_by_id) == {"counter", "writer", "broken", "digest"}
    for job in jobs_by_id.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 300
    assert isinstance(jobs_by_id["counter"].trigger, IntervalTrigger)
    assert jobs_by_id["counter"].trigger.interval == dt.timedelta(minutes=15)
    assert jobs_by_id["counter"].next_run_time == T + 15 * MIN
    assert jobs_by_id["writer"].next_run_time == T + 5 * MIN  # never ran: at once
    digest = jobs_by_id["digest"].trigger
    assert isinstance(digest, CronTrigger) and str(digest.timezone) == "Asia/Shanghai"
    assert "hour='7', minute='30'" in str(digest)


def test_a_misfire_is_logged(caplog):
    event = SimpleNamespace(job_id="deliver-email", scheduled_run_time=T)
    with caplog.at_level(logging.WARNING, logger="lms.scheduler"):
        on_job_missed(event)
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(f"sweep deliver-email missed its fire time {T.isoformat()}")
    )


def test_the_heartbeat_prunes_runs_older_than_ninety_days(app):
    heartbeat = jobs.sweep_by_name("heartbeat")
    old, recent = T - dt.timedelta(days=91), T - dt.timedelta(days=89)
    with clock.frozen(old):
        run_sweep(Sweep("old", lambda now: 0), trigger="cli")
    with clock.frozen(recent):
        run_sweep(Sweep("recent", lambda now: 0), trigger="cli")
    with clock.frozen(T):
        assert run_sweep(heartbeat).rows == 1
    assert [(r.name, r.error) for r in job_runs()] == [("recent", None), ("heartbeat", None)]
    db.session.commit()
    assert db.session.get(SweepRun, "heartbeat").last_finished_at == T


class _Seen(logging.Handler):
    """Sets an event when a log message starts with a given text."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self.start, self.event = start, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self.start):
            self.event.set()


def test_the_scheduler_stands_by_while_another_leads_then_takes_over(app, caplog):
    app.config["SCHEDULER_STANDBY_RETRY_SECONDS"] = 0.05
    stop, ran = threading.Event(), threading.Event()

    def work(now: dt.datetime) -> int:
        ran.set()
        stop.set()  # one scheduled run is enough: stop the process
        return 2

    holder = LeaderLock.for_app(app)
    assert holder.acquire()
    standby = _Seen("standby")
    scheduler_log = logging.getLogger("lms.scheduler")
    scheduler_log.addHandler(standby)
    thread = threading.Thread(
        target=run_forever, args=(app,), kwargs={"sweeps": [Sweep("work", work)], "stop": stop}
    )
    try:
        with caplog.at_level(logging.INFO, logger="lms.scheduler"):
            thread.start()
            assert standby.event.wait(30)
            assert not ran.is_set()  # a process on standby does no work
            holder.release()
            thread.join(30)
    finally:
        stop.set()
        holder.release()
        scheduler_log.removeHandler(standby)
        thread.join(30)
    assert ran.is_set() and not thread.is_alive()
    [run] = job_runs("work")
    assert (run.trigger, run.rows, run.finished_at is not None) == (Trigger.SCHEDULE, 2, True)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("leader: this process runs the sweeps") for m in messages)
    assert LeaderLock.for_app(app).acquire()  # released on the way out
