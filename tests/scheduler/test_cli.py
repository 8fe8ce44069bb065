"""``lms scheduler --once | --run NAME | --log``."""

from __future__ import annotations

from lms import clock
from lms.scheduler.models import Trigger
from tests.scheduler.conftest import T, job_runs


def test_run_one_sweep(runner, test_sweeps, calls):
    with clock.frozen(T):
        result = runner.invoke(args=["scheduler", "--run", "counter"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "counter: 3"
    assert [(r.name, r.trigger) for r in job_runs()] == [("counter", Trigger.CLI)]
    assert list(calls.seen) == ["counter"]


def test_a_failing_sweep_fails_the_command(runner, test_sweeps):
    result = runner.invoke(args=["scheduler", "--run", "broken"])
    assert result.exit_code == 1
    assert "broken: RuntimeError: the mail server refused the connection" in result.output


def test_an_unknown_sweep_is_a_usage_error(runner, test_sweeps):
    result = runner.invoke(args=["scheduler", "--run", "nope"])
    assert result.exit_code == 2
    assert "no sweep 'nope'" in result.output and "counter, writer" in result.output
    assert job_runs() == []


def test_once_runs_every_sweep_and_reports_failures(runner, test_sweeps):
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 1
    assert "counter: 3" in result.output and "writer: 1" in result.output
    assert "broken: failed" in result.output and "digest: 1" in result.output
    assert {r.name for r in job_runs()} == {"counter", "writer", "broken", "digest"}


def test_log_prints_the_latest_runs(runner, test_sweeps):
    assert runner.invoke(args=["scheduler", "--log"]).output.strip() == "No job runs recorded."
    with clock.frozen(T):
        runner.invoke(args=["scheduler", "--run", "counter"])
        runner.invoke(args=["scheduler", "--run", "broken"])
    result = runner.invoke(args=["scheduler", "--log", "--limit", "1"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "broken" in lines[0] and "cli" in lines[0]
    assert "error: RuntimeError" in lines[0] and lines[0].startswith("2026-03-02T10:00:00+08:00")
    result = runner.invoke(args=["scheduler", "--log"])
    assert "counter" in result.output and "rows=3" in result.output


def test_options_exclude_each_other(runner, test_sweeps):
    result = runner.invoke(args=["scheduler", "--once", "--log"])
    assert result.exit_code == 2 and job_runs() == []
