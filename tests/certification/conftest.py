"""Certification fixtures: a quarterly product-knowledge certification over one course with
a lesson quiz, and helpers to complete courses and run sweeps at a given moment."""

from __future__ import annotations

import datetime as dt

import pytest

from courses import enrolment
from courses.models import Enrolment
from lms import clock
from lms.certification import services, sweeps
from lms.extensions import db
from tests.courses.conftest import CatalogueFactory

T0 = dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC)
QUARTERS = ["01-01", "04-01", "07-01", "10-01"]


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


class CertificationFactory:
    def __init__(self) -> None:
        self.catalogue = CatalogueFactory()
        self.n = 0

    def certification(self, *, courses=None, renewal=None, **fields):
        self.n += 1
        courses = courses or [self.catalogue.course(f"cert-course-{self.n}", lessons=1)]
        data = services.CertificationData(
            slug=fields.pop("slug", f"cert-{self.n}"),
            title=fields.pop("title", f"认证{self.n}"),
            title_en=fields.pop("title_en", f"Certification {self.n}"),
            initial_course_ids=[c.id for c in courses],
            renewal_course_ids=[c.id for c in (renewal or [])],
            escalation=fields.pop("escalation", []),
            **fields,
        )
        certification = services.save(data, certification=None, now=clock.now())
        db.session.flush()
        return certification


@pytest.fixture
def certs(app) -> CertificationFactory:
    return CertificationFactory()


def complete(person, course, now: dt.datetime) -> Enrolment:
    """The person completes every lesson of the course (enrolling if needed)."""
    mine = db.session.scalar(
        db.select(Enrolment).where(
            Enrolment.employee_id == person.id, Enrolment.course_id == course.id
        )
    ) or enrolment.enrol(person, course, now=now)
    for lesson in db.session.get(type(course), course.id).current_version.lessons:
        enrolment.complete_lesson(mine, lesson, now=now)
    db.session.commit()
    return mine


def run(now: dt.datetime) -> dict[str, int]:
    """Every certification sweep once, in the scheduler's order, committed."""
    results = {}
    with clock.frozen(now):
        for name, sweep in (
            ("certify", sweeps.certify_completed),
            ("windows", sweeps.open_windows),
            ("expire", sweeps.expire),
            ("remind", sweeps.send_reminders),
            ("escalate", sweeps.escalate),
        ):
            results[name] = sweep(now)
            db.session.commit()
    return results


@pytest.fixture
def quizzes_factory(app):
    from tests.assessments.conftest import QuizFactory

    return QuizFactory()
