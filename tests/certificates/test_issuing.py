"""Issuing: a course completion or a certified cycle issues one certificate with what the
document must say (copied at issue), a per-year serial and a verification code, an audit
event and one notification; the sweep backfills what the hooks could not (an award added
later), in a fixed number of statements whatever the number of people."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from courses import enrolment
from courses import services as course_services
from courses.models import Enrolment
from lms import clock
from lms.certificates import codes, issuing
from lms.certificates.models import Certificate, CertificateEvent, CertificateSerial
from lms.certification import renewal
from lms.certification import services as certification_services
from lms.certification.models import CertificationCycle, PersonCertification
from lms.extensions import db
from lms.notifications.models import Notification
from tests.certification.conftest import QUARTERS, CertificationFactory, at, complete, run
from tests.test_query_counts import count_statements

D = dt.date


@pytest.fixture
def certs(app) -> CertificationFactory:
    return CertificationFactory()


def all_certificates() -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Certificate).order_by(Certificate.id)))


def issued_notes(person) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.employee_id == person.id, Notification.kind == "certificate_issued"
            )
        )
    )


def actions(certificate: Certificate) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(CertificateEvent.action)
            .where(CertificateEvent.certificate_id == certificate.id)
            .order_by(CertificateEvent.id)
        )
    )


def test_course_completion_issues_one_certificate_with_the_fields_copied(make, certificates):
    course = certificates.catalogue.course("returns-basics", lessons=2)
    design = certificates.design(name="经典")
    certificates.award(course=course, design=design)
    person = make.employee(name="李娜", locale="en", email="lina@example.com")
    db.session.commit()
    # started on version 1, which is then renamed and republished: the certificate names
    # the version the person completed
    mine = enrolment.enrol(person, course, now=at(D(2027, 3, 1)))
    first, second = course.current_version.lessons
    enrolment.complete_lesson(mine, first, now=at(D(2027, 3, 1)))
    old_title, old_title_en = course.current_version.title, course.current_version.title_en
    draft = course_services.draft_of(course, now=at(D(2027, 3, 1)))
    draft.title, draft.title_en = "退货基础（新版）", "Returns basics, new edition"
    course_services.publish(course, actor=None, now=at(D(2027, 3, 1)))
    db.session.commit()

    finished_at = dt.datetime(2027, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March in Shanghai
    enrolment.complete_lesson(mine, second, now=finished_at)
    db.session.commit()

    [certificate] = all_certificates()
    assert certificate.serial == "2027-000001"
    assert (certificate.employee_id, certificate.course_id) == (person.id, course.id)
    assert certificate.enrolment_id == mine.id and certificate.cycle_id is None
    assert (certificate.title, certificate.title_en) == (old_title, old_title_en)
    assert certificate.holder_name == "李娜" and certificate.locale == "en"
    assert certificate.issued_on == D(2027, 3, 2) and certificate.expires_on is None
    assert certificate.design_id == design.id and certificate.issued_at == finished_at
    assert codes.canonical(certificate.code) == certificate.code
    assert certificate.code_digest == codes.digest(certificate.code)
    assert certificate.revoked_at is None and certificate.pdf_key is None
    assert actions(certificate) == ["issued"]
    [note] = issued_notes(person)
    assert note.key == f"certificate:{certificate.id}"
    assert note.params["serial"] == "2027-000001"
    assert note.params["title"] == old_title_en  # the holder reads English

    # completing again (idempotent) issues nothing more; the next person gets -000002
    issuing.on_course_completed(db.session.get(Enrolment, mine.id), at(D(2027, 3, 5)))
    other = make.employee(name="周杰", locale="zh_CN")
    complete(other, course, at(D(2027, 3, 6)))
    first_cert, second_cert = all_certificates()
    assert first_cert.id == certificate.id
    assert second_cert.serial == "2027-000002" and second_cert.holder_name == "周杰"
    assert second_cert.title == "退货基础（新版）"  # started on the new version
    assert second_cert.locale == "zh_CN" and second_cert.issued_on == D(2027, 3, 6)
    assert len(issued_notes(person)) == 1 and len(issued_notes(other)) == 1
    assert db.session.get(CertificateSerial, 2027).last == 2


def test_a_course_without_an_award_issues_nothing(make, certificates):
    course = certificates.catalogue.course(lessons=1)
    person = make.employee()
    complete(person, course, at(D(2027, 3, 1)))
    assert all_certificates() == []
    assert db.session.get(CertificateSerial, 2027) is None  # no serial taken for nothing


def test_serials_are_per_year_of_issue(make, certificates):
    course = certificates.catalogue.course(lessons=1)
    certificates.award(course=course)
    people = [make.employee() for _ in range(3)]
    complete(people[0], course, at(D(2027, 12, 31), 15))
    complete(people[1], course, at(D(2028, 1, 1), 1))
    complete(people[2], course, at(D(2028, 1, 2)))
    assert [c.serial for c in all_certificates()] == ["2027-000001", "2028-000001", "2028-000002"]
    assert issuing.take_serials(2028, 3) == ["2028-000003", "2028-000004", "2028-000005"]
    assert issuing.take_serials(2028, 0) == []


def test_each_certified_cycle_issues_one_certificate_with_its_expiry(make, certificates, certs):
    certification = certs.certification(
        title="产品知识季度复训",
        title_en="Product knowledge, quarterly",
        active_months=3,
        window_days=30,
        expiry_base="fixed",
        fixed_dates=QUARTERS,
    )
    course = certification.courses[0].course
    certificates.award(certification=certification)
    person = make.employee(name="王小明", locale="zh_CN")
    certification_services.assign(
        certification, employee_ids=[person.id], actor=None, now=at(D(2027, 1, 5))
    )
    db.session.commit()

    complete(person, course, at(D(2027, 1, 10)))  # certified at once by the completion hook
    [first] = all_certificates()
    cycle = db.session.scalar(sa.select(CertificationCycle).where(CertificationCycle.number == 1))
    assert first.cycle_id == cycle.id and first.certification_id == certification.id
    assert first.course_id is None and first.enrolment_id is None
    assert (first.issued_on, first.expires_on) == (D(2027, 1, 10), D(2027, 4, 1))
    assert (first.title, first.title_en) == ("产品知识季度复训", "Product knowledge, quarterly")
    assert first.serial == "2027-000001" and first.holder_name == "王小明"
    [note] = issued_notes(person)
    assert note.params["title"] == "产品知识季度复训"

    run(at(D(2027, 3, 2)))  # the renewal window opens a second cycle
    complete(person, course, at(D(2027, 3, 10)))  # renewed
    first_again, renewal = all_certificates()
    assert first_again.id == first.id
    holder = db.session.scalar(sa.select(PersonCertification))
    assert holder.cycle_number == 2
    assert (renewal.issued_on, renewal.expires_on) == (D(2027, 3, 10), D(2027, 7, 1))
    assert renewal.serial == "2027-000002"
    assert len(issued_notes(person)) == 2

    # the hook told again about the same cycles issues nothing more
    issuing.on_cycles_certified([first.cycle_id, renewal.cycle_id], at(D(2027, 3, 11)))
    assert len(all_certificates()) == 2


def test_issue_missing_backfills_courses_and_cycles_awarded_later(make, certificates, certs):
    course = certificates.catalogue.course(lessons=1)
    certification = certs.certification(active_months=12)
    certified_course = certification.courses[0].course
    people = [make.employee(name=f"员工{i}") for i in range(3)]
    certification_services.assign(
        certification, employee_ids=[p.id for p in people[:2]], actor=None, now=at(D(2027, 1, 2))
    )
    for i, person in enumerate(people):
        complete(person, course, at(D(2027, 1, 3 + i)))
    for person in people[:2]:
        complete(person, certified_course, at(D(2027, 1, 8)))
    unfinished = make.employee()
    enrolment.enrol(unfinished, course, now=at(D(2027, 1, 3)))
    db.session.commit()
    assert all_certificates() == [] and issuing.issue_missing(at(D(2027, 2, 1))) == 0

    certificates.award(course=course)
    certificates.award(certification=certification)
    db.session.commit()
    assert issuing.issue_missing(at(D(2027, 2, 1))) == 5
    made = all_certificates()
    by_course = sorted((c.holder_name, c.issued_on) for c in made if c.course_id == course.id)
    assert by_course == [
        ("员工0", D(2027, 1, 3)),
        ("员工1", D(2027, 1, 4)),
        ("员工2", D(2027, 1, 5)),
    ]
    cycles = [c for c in made if c.cycle_id is not None]
    assert sorted(c.holder_name for c in cycles) == ["员工0", "员工1"]
    assert {(c.issued_on, c.expires_on) for c in cycles} == {(D(2027, 1, 8), D(2028, 1, 8))}
    assert sorted(c.serial for c in made) == [f"2027-00000{i}" for i in range(1, 6)]
    assert all(c.issued_at == at(D(2027, 2, 1)) for c in made)
    assert all(actions(c) == ["issued"] for c in made)
    assert sum(len(issued_notes(p)) for p in people) == 5
    # a second run finds nothing, takes no serials
    assert issuing.issue_missing(at(D(2027, 2, 2))) == 0
    assert db.session.get(CertificateSerial, 2027).last == 5


def _backfill_statements(make, certificates, certs, people: int) -> tuple[int, int]:
    course = certificates.catalogue.course(lessons=1)
    certification = certs.certification()
    crew = [make.employee() for _ in range(people)]
    certification_services.assign(
        certification, employee_ids=[p.id for p in crew], actor=None, now=at(D(2027, 1, 2))
    )
    for person in crew:
        complete(person, course, at(D(2027, 1, 3)))
        complete(person, certification.courses[0].course, at(D(2027, 1, 4)))
    certificates.award(course=course)
    certificates.award(certification=certification)
    db.session.commit()
    with count_statements() as statements:
        issued = issuing.issue_missing(at(D(2027, 2, 1)))
    return issued, len(statements)


def test_backfill_is_set_wise(make, certificates, certs):
    few = _backfill_statements(make, certificates, certs, 2)
    many = _backfill_statements(make, certificates, certs, 9)
    assert (few[0], many[0]) == (4, 18)
    assert few[1] == many[1]


def test_hooks_for_many_cycles_take_a_fixed_number_of_statements(make, certificates, certs):
    certification = certs.certification()
    crew = [make.employee() for _ in range(12)]
    certification_services.assign(
        certification, employee_ids=[p.id for p in crew], actor=None, now=at(D(2027, 1, 2))
    )
    for person in crew:
        complete(person, certification.courses[0].course, at(D(2027, 1, 4)))
    certificates.award(certification=certification)
    db.session.commit()
    ids = list(db.session.scalars(sa.select(CertificationCycle.id).order_by(CertificationCycle.id)))
    with count_statements() as two:
        issuing.on_cycles_certified(ids[:2], clock.now())
    with count_statements() as ten:
        issuing.on_cycles_certified(ids[2:], clock.now())
    assert len(two) == len(ten)
    assert len(all_certificates()) == 12


def test_a_material_change_brings_the_certificates_expiry_forward(make, certificates, certs):
    certification = certs.certification(active_months=12, window_days=30, expiry_base="completion")
    course = certification.courses[0].course
    certificates.award(certification=certification)
    person, other = make.employee(name="赵敏"), make.employee(name="钱进")
    certification_services.assign(
        certification, employee_ids=[person.id, other.id], actor=None, now=at(D(2027, 1, 5))
    )
    db.session.commit()
    complete(person, course, at(D(2027, 1, 10)))
    [certificate] = all_certificates()
    assert certificate.expires_on == D(2028, 1, 10)
    certificate.pdf_key, certificate.rendered_version = "0" * 64, 1  # as if downloaded once
    db.session.commit()

    with clock.frozen(at(D(2027, 2, 1))):
        course_services.draft_of(course, now=clock.now()).change_note = "新退货政策"
        course_services.publish(course, actor=None, now=clock.now())
    renewal.require_recertification(certification, course, by=D(2027, 3, 31), now=at(D(2027, 2, 2)))
    db.session.commit()

    [certificate] = all_certificates()
    assert certificate.expires_on == D(2027, 3, 31)  # the verification page says so at once
    assert certificate.pdf_key is None  # and the next download prints the new date
    assert actions(certificate)[-1] == "expiry"
    assert certificate.status(D(2027, 3, 31)).value == "expired"
