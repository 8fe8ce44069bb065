"""A certification's life: assigned, certified, window open, renewed (courses reopened,
history kept), expired, renewed late."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from courses.models import Enrolment, LessonCompletion
from lms.certification import renewal, services
from lms.certification.models import (
    EnrolmentHistory,
    LessonCompletionHistory,
    PersonCertification,
    Standing,
)
from lms.extensions import db
from lms.notifications.models import Notification
from tests.certification.conftest import QUARTERS, T0, at, complete, run

D = dt.date


def holder_of(person, certification) -> PersonCertification:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(PersonCertification).where(
            PersonCertification.employee_id == person.id,
            PersonCertification.certification_id == certification.id,
        )
    )


def kinds(person) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.employee_id == person.id)
            .order_by(Notification.id)
        )
    )


def test_quarterly_certification_from_assignment_to_late_renewal(app, make, certs):
    certification = certs.certification(
        active_months=3, window_days=30, expiry_base="fixed", fixed_dates=QUARTERS
    )
    course = certification.courses[0].course
    team = make.team()
    person = make.employee(team=team)
    count = services.assign(certification, team_id=team.id, actor=None, now=T0)
    db.session.commit()
    assert count == 1
    holder = holder_of(person, certification)
    assert holder.status == Standing.ASSIGNED and holder.cycle_number == 1
    assert holder.cycles[0].kind == "initial" and holder.cycles[0].completed_on is None
    mine = db.session.scalar(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    assert mine.course_id == course.id and mine.source == "certification"

    complete(person, course, at(D(2027, 1, 10)))  # the completion hook certifies at once
    holder = holder_of(person, certification)
    assert holder.status == Standing.CERTIFIED
    assert (holder.certified_on, holder.expires_on) == (D(2027, 1, 10), D(2027, 4, 1))
    assert holder.window_opens_on == D(2027, 3, 2)
    assert holder.cycles[0].completed_on == D(2027, 1, 10)
    assert [c.course_id for c in holder.cycles[0].courses] == [course.id]

    assert run(at(D(2027, 3, 1)))["windows"] == 0  # the day before the window
    assert run(at(D(2027, 3, 2)))["windows"] == 1
    holder = holder_of(person, certification)
    assert holder.status == Standing.DUE and holder.cycle_number == 2
    renewal = holder.cycles[1]
    assert (renewal.kind, renewal.reason, renewal.due_on) == ("renewal", "window", D(2027, 4, 1))
    mine = db.session.get(Enrolment, mine.id)
    assert mine.completed_at is None and mine.due_on == D(2027, 4, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonCompletion)) == 0
    history = db.session.scalars(sa.select(EnrolmentHistory)).all()
    assert [(h.cycle_id, h.completed_at is not None) for h in history] == [(renewal.id, True)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonCompletionHistory)) == 1
    assert run(at(D(2027, 3, 2), 8))["windows"] == 0  # again the same day: nothing more
    assert len(holder_of(person, certification).cycles) == 2

    complete(person, course, at(D(2027, 3, 20)))  # early renewal: next quarter after expiry
    holder = holder_of(person, certification)
    assert holder.status == Standing.CERTIFIED
    assert (holder.certified_on, holder.expires_on) == (D(2027, 3, 20), D(2027, 7, 1))

    run(at(D(2027, 6, 1)))  # window of the third cycle
    run(at(D(2027, 7, 1)))  # not renewed: expired on the day
    holder = holder_of(person, certification)
    assert holder.status == Standing.EXPIRED and holder.cycle_number == 3
    assert holder.cycles[1].lapsed_on == D(2027, 7, 1)
    assert holder.cycles[0].lapsed_on is None  # renewed in time
    assert holder.state(D(2027, 7, 1)) == "expired"

    complete(person, course, at(D(2027, 7, 20)))  # late: from completion, aligned down
    holder = holder_of(person, certification)
    assert (holder.status, holder.expires_on) == (Standing.CERTIFIED, D(2027, 10, 1))
    assert [c.completed_on for c in holder.cycles] == [
        D(2027, 1, 10),
        D(2027, 3, 20),
        D(2027, 7, 20),
    ]
    assert kinds(person).count("certification_certified") == 3
    assert kinds(person).count("certification_due") == 2
    assert kinds(person).count("certification_expired") == 1


def test_reminders_once_per_band_and_only_the_latest_after_downtime(app, make, certs):
    certification = certs.certification(active_months=3, window_days=30, expiry_base="expiry")
    course = certification.courses[0].course
    person = make.employee()
    services.assign(certification, employee_ids=[person.id], actor=None, now=T0)
    complete(person, course, at(D(2027, 1, 10)))  # expires 10 Apr
    run(at(D(2027, 3, 11)))  # window opens
    run(at(D(2027, 3, 27)))  # -14
    run(at(D(2027, 3, 27), 9))
    run(at(D(2027, 4, 9)))  # -1: the -7 reminder was missed, only -1 goes out
    run(at(D(2027, 4, 11)))  # +1 (after the expiry on 10 Apr)
    run(at(D(2027, 4, 12)))
    steps = sorted(
        n.key.rsplit(":", 1)[1]
        for n in db.session.scalars(sa.select(Notification).where(Notification.key.like("cert:%")))
    )
    assert steps == ["assigned", "certified", "due", "expired", "remind-1", "remind-14", "remind1"]


def test_escalation_reaches_mentor_lead_and_hr_once(app, make, certs):
    certification = certs.certification(
        active_months=3,
        window_days=30,
        expiry_base="expiry",
        reminder_days=[],
        escalation=[
            {"to": "supervisor", "days": 0},
            {"to": "hr", "days": 3},
        ],
    )
    course = certification.courses[0].course
    lead = make.employee(roles={"supervisor"})
    hr = make.employee(roles={"hr"})
    person = make.employee(supervisor=lead)
    services.assign(certification, employee_ids=[person.id], actor=None, now=T0)
    complete(person, course, at(D(2027, 1, 10)))
    for day in (D(2027, 4, 9), D(2027, 4, 10), D(2027, 4, 10), D(2027, 4, 13), D(2027, 4, 20)):
        run(at(day))
    assert kinds(lead) == ["certification_escalation"]
    assert kinds(hr) == ["certification_escalation"]


def test_material_change_requires_recertification_by_a_date(app, make, certs):
    from courses import services as course_services
    from lms import clock

    certification = certs.certification(active_months=12, window_days=30, expiry_base="expiry")
    course = certification.courses[0].course
    person, newcomer = make.employee(), make.employee()
    services.assign(certification, employee_ids=[person.id], actor=None, now=T0)
    complete(person, course, at(D(2027, 1, 10)))
    with clock.frozen(at(D(2027, 2, 1))):
        draft = course_services.draft_of(course, now=clock.now())
        draft.change_note = "新退货政策"
        course_services.publish(course, actor=None, now=clock.now())
    db.session.commit()
    assert renewal.recertification_count(certification, course) == 1
    services.assign(certification, employee_ids=[newcomer.id], actor=None, now=at(D(2027, 2, 2)))
    count = renewal.require_recertification(
        certification, course, by=D(2027, 3, 1), now=at(D(2027, 2, 2))
    )
    db.session.commit()
    assert count == 1
    holder = holder_of(person, certification)
    assert (holder.status, holder.expires_on, holder.required_by) == (
        Standing.DUE,
        D(2027, 3, 1),
        D(2027, 3, 1),
    )
    assert holder.cycles[-1].reason == "material_change"
    mine = db.session.scalar(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    assert mine.version_id == db.session.get(type(course), course.id).current_version_id
    run(at(D(2027, 3, 1)))
    assert holder_of(person, certification).status == Standing.EXPIRED
    assert "certification_recertify" in kinds(person)


def test_renewal_counts_only_attempts_of_the_new_cycle(app, make, certs, quizzes_factory):
    from assessments import attempts
    from lms import clock
    from tests.assessments.conftest import true_false

    certification = certs.certification(active_months=3, window_days=30, expiry_base="expiry")
    course = certification.courses[0].course
    quiz = quizzes_factory.quiz(
        definitions=[true_false(1)], course=course, lesson_key="lesson-1", attempts_allowed=1
    )
    person = make.employee()
    services.assign(certification, employee_ids=[person.id], actor=None, now=T0)
    db.session.commit()

    def take(now, answer=True):
        with clock.frozen(now):
            attempt = attempts.start(quiz, person, now=now)
            attempts.save_answer(attempt.id, person, 1, answer, sequence=1, now=now)
            attempts.submit(attempt.id, person, now=now)
            db.session.commit()
            return attempt

    first = take(at(D(2027, 1, 10)))
    holder = holder_of(person, certification)
    assert holder.status == Standing.CERTIFIED
    assert holder.cycles[0].courses[0].attempt_ids == [first.id]
    run(at(D(2027, 3, 11)))
    assert holder_of(person, certification).status == Standing.DUE
    second = take(at(D(2027, 3, 15)))  # allowed: one attempt per cycle
    holder = holder_of(person, certification)
    assert (holder.status, holder.expires_on) == (Standing.CERTIFIED, D(2027, 7, 10))
    assert holder.cycles[1].courses[0].attempt_ids == [second.id]
    assert second.number == 2  # numbering continues; the first attempt stays in history
