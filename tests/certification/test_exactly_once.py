"""Exactly once, with real processes: two schedulers running every sweep for 100 simulated
days against one database (learners renewing meanwhile) leave exactly what one scheduler
leaves — the same cycles, standings, history and notifications, and each email once at a
real SMTP server; a scheduler killed with SIGKILL in the middle of a sweep loses nothing and
duplicates nothing when the sweep runs again. On SQLite, and on PostgreSQL when the suite runs
there."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from courses.models import Enrolment
from lms import clock
from lms.certification import services
from lms.certification.models import (
    CertificationCycle,
    EnrolmentHistory,
    PersonCertification,
)
from lms.extensions import db
from lms.notifications.models import (
    EmailPreference,
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from lms.organisation.models import Employee
from lms.scheduler.models import JobRun
from tests.certification.conftest import CertificationFactory, at, complete
from tests.conftest import Factory, _throwaway_postgres, make_app
from tests.notifications.conftest import MailServer

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC)
TICKS = 100
PEOPLE = 12
D = dt.date


@pytest.fixture
def databases(tmp_path, request):
    """Fresh databases on the suite's engine, each with the schema and nothing else."""
    server = os.environ.get("LMS_TEST_DATABASE_URL")
    made = []

    def new(name: str) -> str:
        if server:
            url, db_name, admin = _throwaway_postgres(server)
            made.append((admin, db_name))
        else:
            url = f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        app = make_app(url)
        with app.app_context():
            db.create_all()
            db.session.remove()
            db.engine.dispose()
        return url

    yield new
    for admin, db_name in made:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.dispose()


def seed(url: str) -> None:
    """A quarterly certification (from the previous expiry, window 30 days, reminders and an
    escalation to the team lead and HR), twelve agents certified at staggered dates in the
    autumn, all with email addresses and email at once."""
    app = make_app(url)
    with app.app_context():
        make = Factory()
        lead = make.employee(roles={"supervisor"}, email="lead@example.test", employee_no="L0001")
        hr = make.employee(roles={"hr"}, email="hr@example.test", employee_no="H0001")
        team = make.team(lead=lead)
        people = [
            make.employee(
                team=team, supervisor=lead, email=f"a{i}@example.test", employee_no=f"A{i:04d}"
            )
            for i in range(PEOPLE)
        ]
        for person in [lead, hr, *people]:
            db.session.add(
                NotificationPreference(employee_id=person.id, email=EmailPreference.IMMEDIATE)
            )
        with clock.frozen(at(D(2026, 10, 1))):
            certification = CertificationFactory().certification(
                active_months=3,
                window_days=30,
                expiry_base="expiry",
                reminder_days=[-14, -7, -1, 1],
                escalation=[{"to": "supervisor", "days": 0}, {"to": "hr", "days": 3}],
            )
            course = certification.courses[0].course
            services.assign(certification, team_id=team.id, actor=None, now=clock.now())
            db.session.commit()
        for i, person in enumerate(people):
            day = at(D(2026, 10, 10) + dt.timedelta(days=7 * i))
            with clock.frozen(day):
                complete(person, course, day)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def snapshot(url: str) -> dict:
    app = make_app(url)
    with app.app_context():
        notes = collections.Counter(
            db.session.execute(
                sa.select(Employee.employee_no, Notification.kind, Notification.key).join(
                    Employee, Employee.id == Notification.employee_id
                )
            ).all()
        )
        result = {
            "notifications": notes,
            "cycles": sorted(
                db.session.execute(
                    sa.select(
                        Employee.employee_no,
                        CertificationCycle.number,
                        CertificationCycle.kind,
                        CertificationCycle.reason,
                        CertificationCycle.completed_on,
                        CertificationCycle.expires_on,
                        CertificationCycle.lapsed_on,
                    )
                    .join(
                        PersonCertification, PersonCertification.id == CertificationCycle.holder_id
                    )
                    .join(Employee, Employee.id == PersonCertification.employee_id)
                ).all()
            ),
            "holders": sorted(
                db.session.execute(
                    sa.select(
                        Employee.employee_no,
                        PersonCertification.status,
                        PersonCertification.expires_on,
                        PersonCertification.cycle_number,
                    ).join(Employee, Employee.id == PersonCertification.employee_id)
                ).all()
            ),
            "history": db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentHistory)),
            "enrolments": db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)),
            "emails_sent": db.session.scalar(
                sa.select(sa.func.count())
                .select_from(NotificationDelivery)
                .where(NotificationDelivery.status == "sent")
            ),
            "errors": db.session.scalars(
                sa.select(JobRun.error).where(JobRun.error.is_not(None))
            ).all(),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def worker(url: str, smtp_port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.certification.scheduler_worker",
            url,
            START.isoformat(),
            str(TICKS),
            str(smtp_port),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> None:
    _out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]


def message_ids(server: MailServer) -> collections.Counter:
    return collections.Counter(str(m["Message-ID"]) for m in server.messages)


def test_two_schedulers_for_100_days_leave_what_one_leaves(databases, tmp_path):
    reference_url, concurrent_url = databases("reference"), databases("concurrent")
    seed(reference_url)
    seed(concurrent_url)

    # the reference (one scheduler) and the pair (two) run side by side, each with its mail
    alone, together = MailServer(), MailServer()
    alone.start()
    together.start()
    sync = tmp_path / "sync"
    sync.mkdir()
    try:
        single = worker(reference_url, alone.port)
        first = worker(concurrent_url, together.port, "--sync", str(sync), "a", "b")
        second = worker(concurrent_url, together.port, "--sync", str(sync), "b", "a")
        for process in (single, first, second):
            finish(process)
    finally:
        alone.stop()
        together.stop()
    reference = snapshot(reference_url)
    concurrent = snapshot(concurrent_url)

    # the scenario exercised every kind of side effect
    kinds = collections.Counter(kind for (_no, kind, _key) in reference["notifications"])
    for kind in (
        "certification_due",
        "certification_reminder",
        "certification_overdue",
        "certification_expired",
        "certification_certified",
        "certification_escalation",
    ):
        assert kinds[kind] > 0, kind
    assert any(cycle[1] >= 3 for cycle in reference["cycles"])  # renewed twice
    assert reference["history"] > 0 and reference["errors"] == []

    assert max(concurrent["notifications"].values()) == 1
    assert concurrent["notifications"] == reference["notifications"]
    differing = set(concurrent["cycles"]) ^ set(reference["cycles"])
    assert concurrent["cycles"] == reference["cycles"], sorted(differing)
    assert concurrent["holders"] == reference["holders"]
    assert concurrent["history"] == reference["history"]
    assert concurrent["enrolments"] == reference["enrolments"]
    assert concurrent["errors"] == []

    # every email once at the SMTP server, as many as one scheduler sends
    assert max(message_ids(together).values()) == 1
    assert len(together.messages) == len(alone.messages) == reference["emails_sent"] > 0
    assert concurrent["emails_sent"] == reference["emails_sent"]


def test_a_scheduler_killed_mid_sweep_loses_and_duplicates_nothing(databases, tmp_path):
    url = databases("killed")
    seed(url)
    marker = tmp_path / "paused"
    day = START + dt.timedelta(days=40)  # several windows have opened by then
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.certification.scheduler_worker",
            url,
            day.isoformat(),
            "1",
            "0",
            "--pause-in-open-windows",
            str(marker),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), process.stderr.read() if process.poll() is not None else "no marker"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()

    app = make_app(url)
    from lms.scheduler import jobs, runner

    with app.app_context():
        unfinished = db.session.scalars(
            sa.select(JobRun).where(JobRun.name == "open-certification-windows")
        ).all()
        assert [r.finished_at for r in unfinished] == [None]  # visible as unfinished
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(CertificationCycle)) == PEOPLE
        )
        with clock.frozen(day):
            first = runner.run_sweep(jobs.sweep_by_name("open-certification-windows"), now=day)
            again = runner.run_sweep(jobs.sweep_by_name("open-certification-windows"), now=day)
        assert first.ok and first.rows > 0 and again.rows == 0
        renewals = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CertificationCycle)
            .where(CertificationCycle.kind == "renewal")
        )
        assert renewals == first.rows
        due_notes = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.kind == "certification_due")
        )
        recent = db.session.scalar(  # older windows are past telling (sweeps.NOTICE_DAYS)
            sa.select(sa.func.count())
            .select_from(PersonCertification)
            .where(
                PersonCertification.window_opens_on > day.date() - dt.timedelta(days=14),
                PersonCertification.window_opens_on <= day.date(),
            )
        )
        assert 0 < due_notes == recent
        history = db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentHistory))
        assert history == first.rows
        db.session.remove()
        db.engine.dispose()
