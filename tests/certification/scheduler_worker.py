"""A scheduler process for the exactly-once tests: ``python -m tests.certification.scheduler_worker
URL START TICKS SMTP_PORT [--sync DIR ME OTHER | --pause-in-open-windows MARKER]``.

Each tick is one simulated day (the clock frozen at START + n days, 02:00 UTC). On each
tick the learners due for renewal whose number comes up complete their renewal course (the
page and the scheduler racing), then every sweep of the scheduler runs through the same code
path as in production (``runner.run_sweep``). Two of these processes against one database must
leave exactly what one leaves. With ``--sync`` the two processes keep step: neither starts
day n+1 before the other has finished day n (each writes ``DIR/ME-n`` when done).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from courses import enrolment
from courses.models import Course, Enrolment
from lms import clock
from lms.certification import cycles
from lms.certification.models import CertificationCycle, PersonCertification, Standing
from lms.extensions import db
from lms.organisation.models import Employee
from lms.scheduler import jobs, runner
from tests.conftest import make_app

RENEW_AFTER_DAYS = 2  # a learner renews two days after a sweep opened their renewal cycle
NEVER_RENEW = 4  # (both processes see it by then), unless their number is a multiple of 4


def renew_some(now: dt.datetime) -> None:
    rows = db.session.execute(
        sa.select(Employee.id, Employee.employee_no, Enrolment.id)
        .join(PersonCertification, PersonCertification.employee_id == Employee.id)
        .join(
            CertificationCycle,
            sa.and_(
                CertificationCycle.holder_id == PersonCertification.id,
                CertificationCycle.number == PersonCertification.cycle_number,
            ),
        )
        .join(Enrolment, Enrolment.employee_id == Employee.id)
        .where(
            PersonCertification.status.in_([Standing.DUE, Standing.EXPIRED]),
            CertificationCycle.opened_at <= now - dt.timedelta(days=RENEW_AFTER_DAYS),
            Enrolment.completed_at.is_(None),
        )
        .order_by(Employee.employee_no)
    ).all()
    for _person_id, number, enrolment_id in rows:
        if int(number[1:]) % NEVER_RENEW == 0:
            continue
        for _attempt in range(5):
            try:
                mine = db.session.get(Enrolment, enrolment_id)
                course = db.session.get(Course, mine.course_id)
                if mine.version_id is None:
                    mine.version_id = course.current_version_id
                for lesson in mine.version.lessons:
                    enrolment.complete_lesson(mine, lesson, now=now)
                db.session.commit()
                break
            except DBAPIError:  # a deadlock or a lock timeout with the other process: again
                db.session.rollback()
                time.sleep(0.05)


def main(argv: list[str]) -> None:
    url, start, ticks, smtp_port = argv[:4]
    pause_marker = argv[5] if len(argv) > 5 and argv[4] == "--pause-in-open-windows" else None
    app = make_app(url, SMTP_HOST="127.0.0.1" if int(smtp_port) else "", SMTP_PORT=int(smtp_port))
    first = dt.datetime.fromisoformat(start)
    if pause_marker:
        real = cycles.enrol_open_cycles

        def pausing(*args, **kwargs):
            result = real(*args, **kwargs)
            db.session.flush()
            Path(pause_marker).write_text("in the middle of the sweep")
            time.sleep(120)  # killed here, the transaction uncommitted
            return result

        cycles.enrol_open_cycles = pausing
        with app.app_context(), clock.frozen(first):
            runner.run_sweep(jobs.sweep_by_name("open-certification-windows"))
        return
    sync = argv[5:8] if len(argv) > 7 and argv[4] == "--sync" else None
    for day in range(int(ticks)):
        if sync and day:
            waiting = Path(sync[0]) / f"{sync[2]}-{day - 1}"
            deadline = time.monotonic() + 120
            while not waiting.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        now = first + dt.timedelta(days=day)
        with clock.frozen(now), app.app_context():
            renew_some(now)
            for sweep in jobs.all_sweeps():
                runner.run_sweep(sweep, now=now)
            db.session.remove()
        if sync:
            (Path(sync[0]) / f"{sync[1]}-{day}").write_text("done")


if __name__ == "__main__":
    main(sys.argv[1:])
