"""Exactly one certificate under real concurrency: threads, each in its own app context with
its own session and connection, on the suite's database (SQLite file or PostgreSQL server),
race the completion page, the completion hook, the certification hook and the backfill sweep;
serial blocks taken at once never overlap."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from courses import enrolment
from courses.models import Enrolment, Lesson
from lms import clock
from lms.certificates import issuing
from lms.certificates.models import Certificate, CertificateEvent, CertificateSerial
from lms.certification import services as certification_services
from lms.certification.models import CertificationCycle
from lms.extensions import db
from lms.notifications.models import Notification
from tests.certification.conftest import CertificationFactory, at, complete
from tests.conftest import csrf_token, login
from tests.mentorship.test_concurrency import _fresh, _isolated
from tests.test_concurrency import WORKERS, _race

pytestmark = pytest.mark.concurrency
D = dt.date
NOW = at(D(2027, 5, 10))


def counts() -> tuple[int, int, int]:
    """Certificates, their audit events and their notifications."""
    _fresh()
    return (
        db.session.scalar(sa.select(sa.func.count(Certificate.id))),
        db.session.scalar(
            sa.select(sa.func.count(CertificateEvent.id)).where(CertificateEvent.action == "issued")
        ),
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.kind == "certificate_issued"
            )
        ),
    )


def serial_numbers() -> list[int]:
    serials = db.session.scalars(sa.select(Certificate.serial)).all()
    return sorted(int(serial.split("-")[1]) for serial in serials)


def test_pages_hook_and_sweep_racing_one_completion_issue_one_certificate(app, make, certificates):
    course = certificates.catalogue.course("race-course", lessons=2)
    certificates.award(course=course)
    person = make.employee("racer")
    mine = enrolment.enrol(person, course, now=NOW)
    first, last = course.current_version.lessons
    enrolment.complete_lesson(mine, first, now=NOW)
    db.session.commit()
    course_id, enrolment_id, last_id = course.id, mine.id, last.id
    lesson_page = f"/courses/race-course/lessons/{last.key}"
    pages = []
    for _ in range(2):
        client = app.test_client()
        login(client, "racer")
        pages.append((client, csrf_token(client, lesson_page)))

    def work(i: int) -> str:
        if i < 2:  # the learner's "mark as done", twice (two tabs)
            client, token = pages[i]
            status = client.post(lesson_page + "/complete", data={"csrf_token": token})
            return f"page {status.status_code}"
        if i < 4:  # the same completion through the service (another device, the API)
            mine = db.session.get(Enrolment, enrolment_id)
            enrolment.complete_lesson(mine, db.session.get(Lesson, last_id), now=NOW)
            db.session.commit()
            return "hook"
        return f"sweep {issuing.issue_missing(NOW)}"

    with clock.frozen(NOW):  # the pages' clock too
        outcomes = _race(_isolated(app, work), WORKERS)
    assert outcomes[:2] == ["page 302", "page 302"]

    assert counts() == (1, 1, 1)
    [certificate] = db.session.scalars(sa.select(Certificate)).all()
    assert (certificate.employee_id, certificate.course_id) == (person.id, course_id)
    assert certificate.enrolment_id == enrolment_id
    # a racing issuer that lost may have skipped a number, never reused one
    assert 1 <= serial_numbers()[0] <= db.session.get(CertificateSerial, 2027).last


def test_backfill_sweeps_racing_hooks_issue_each_certificate_once(app, make, certificates):
    course = certificates.catalogue.course(lessons=1)
    people = [make.employee() for _ in range(20)]
    for person in people:
        complete(person, course, NOW)
    certificates.award(course=course)  # awarded after the completions: the hooks did nothing
    db.session.commit()
    enrolment_ids = list(db.session.scalars(sa.select(Enrolment.id)))

    def work(i: int) -> int:
        if i % 2:
            return issuing.issue_for_enrolments(enrolment_ids, NOW)
        return issuing.issue_missing(NOW)

    issued = _race(_isolated(app, work), WORKERS)
    assert sum(issued) == 20
    assert counts() == (20, 20, 20)
    holders = db.session.scalars(sa.select(Certificate.employee_id)).all()
    assert sorted(holders) == sorted(p.id for p in people)
    numbers = serial_numbers()
    assert len(set(numbers)) == 20 and numbers[-1] <= db.session.get(CertificateSerial, 2027).last


def test_certification_hooks_racing_the_sweep_issue_one_per_cycle(app, make, certificates):
    certification = CertificationFactory().certification(active_months=6)
    crew = [make.employee() for _ in range(10)]
    certification_services.assign(
        certification, employee_ids=[p.id for p in crew], actor=None, now=NOW
    )
    for person in crew:
        complete(person, certification.courses[0].course, NOW)
    certificates.award(certification=certification)
    db.session.commit()
    cycle_ids = list(db.session.scalars(sa.select(CertificationCycle.id)))
    assert len(cycle_ids) == 10

    def work(i: int) -> int:
        if i % 2:
            return issuing.issue_for_cycles(cycle_ids, NOW)  # what the hook runs
        return issuing.issue_missing(NOW)

    assert sum(_race(_isolated(app, work), WORKERS)) == 10
    assert counts() == (10, 10, 10)
    cycles = db.session.scalars(sa.select(Certificate.cycle_id)).all()
    assert sorted(cycles) == sorted(cycle_ids)
    assert {c.expires_on for c in db.session.scalars(sa.select(Certificate))} == {D(2027, 11, 10)}


def test_serial_blocks_taken_at_once_never_overlap(app):
    def take(i: int) -> list[str]:
        return issuing.take_serials(2031, i + 1)

    blocks = _race(_isolated(app, take), WORKERS)
    taken = [serial for block in blocks for serial in block]
    total = WORKERS * (WORKERS + 1) // 2
    assert sorted(taken) == [f"2031-{n:06d}" for n in range(1, total + 1)]
    for i, block in enumerate(blocks):  # each block is consecutive
        numbers = [int(serial[5:]) for serial in block]
        assert numbers == list(range(numbers[0], numbers[0] + i + 1))
    _fresh()
    assert db.session.get(CertificateSerial, 2031).last == total
