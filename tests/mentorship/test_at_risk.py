"""The at-risk signals, computed at query time with an injected clock, each at its boundary:
a course overdue by more than 7 days, the same quiz failed twice (and not passed since), no
check-in for 21 days, a latest pulse of 2 or less, no sign-in for 7 days."""

from __future__ import annotations

import datetime as dt

from assessments.models import Attempt, AttemptState
from courses import enrolment
from lms import clock
from lms.extensions import db
from lms.mentorship import plan, queries, services
from lms.mentorship.models import Mentorship, MentorshipStatus
from tests.assessments.conftest import QuizFactory
from tests.courses.conftest import CatalogueFactory

START = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)


def _mentorship(mentors) -> Mentorship:
    mentor, mentee = mentors.mentor(), mentors.new_hire()
    mentee.last_login_at = START
    mentee.created_at = START
    mentorship = Mentorship(mentor=mentor, mentee=mentee, status=MentorshipStatus.PROPOSED)
    db.session.add(mentorship)
    db.session.flush()
    services.activate(mentorship, actor=None, now=START)
    return mentorship


def _signals(mentorship: Mentorship, at: dt.datetime) -> dict[str, dict]:
    with clock.frozen(at):
        found = queries.at_risk([mentorship], now=at).get(mentorship.mentee_id, [])
    return {s["signal"]: s for s in found}


def _attempt(quiz, person, number: int, passed: bool) -> None:
    db.session.add(
        Attempt(
            quiz_id=quiz.id,
            employee_id=person.id,
            number=number,
            state=AttemptState.GRADED,
            started_at=START,
            finished_at=START,
            graded_at=START,
            marks=1.0 if passed else 0.0,
            max_marks=2.0,
            percent=50.0 if passed else 0.0,
            passed=passed,
        )
    )
    db.session.flush()


def test_a_fresh_mentorship_is_on_track(mentors):
    mentorship = _mentorship(mentors)
    assert _signals(mentorship, START + dt.timedelta(days=3)) == {}


def test_overdue_course_counts_after_seven_days(mentors):
    mentorship = _mentorship(mentors)
    course = CatalogueFactory().course("returns-basics")
    enrolment.enrol(mentorship.mentee, course, now=START, due_on=dt.date(2026, 9, 10))
    assert "overdue" not in _signals(mentorship, dt.datetime(2026, 9, 17, 12, tzinfo=dt.UTC))
    late = _signals(mentorship, dt.datetime(2026, 9, 18, 12, tzinfo=dt.UTC))["overdue"]
    assert late == {"signal": "overdue", "count": 1, "days": 8}


def test_same_quiz_failed_twice_until_passed(mentors):
    mentorship = _mentorship(mentors)
    factory = QuizFactory()
    quiz, other = factory.quiz(), factory.quiz()
    at = START + dt.timedelta(days=2)
    _attempt(quiz, mentorship.mentee, 1, passed=False)
    _attempt(other, mentorship.mentee, 1, passed=False)  # a different quiz: no pair
    assert "quiz_failed" not in _signals(mentorship, at)
    _attempt(quiz, mentorship.mentee, 2, passed=False)
    assert _signals(mentorship, at)["quiz_failed"]["count"] == 2
    _attempt(quiz, mentorship.mentee, 3, passed=True)
    assert "quiz_failed" not in _signals(mentorship, at)


def test_no_check_in_for_twenty_one_days(mentors):
    mentorship = _mentorship(mentors)
    assert "no_check_in" not in _signals(mentorship, START + dt.timedelta(days=21))
    assert _signals(mentorship, START + dt.timedelta(days=22))["no_check_in"]["days"] == 22
    plan.log_check_in(
        mentorship,
        actor=mentorship.mentor,
        now=START + dt.timedelta(days=10),
        held_on=(START + dt.timedelta(days=10)).date(),
    )
    assert "no_check_in" not in _signals(mentorship, START + dt.timedelta(days=31))
    assert _signals(mentorship, START + dt.timedelta(days=32))["no_check_in"]["days"] == 22


def test_latest_pulse_of_two_or_less(mentors):
    mentorship = _mentorship(mentors)
    day = START + dt.timedelta(days=7)
    check_in = plan.log_check_in(mentorship, actor=mentorship.mentor, now=day, pulse=3)
    assert "low_pulse" not in _signals(mentorship, day)
    plan.record_pulse(check_in, pulse=2, now=day + dt.timedelta(hours=1))
    assert _signals(mentorship, day + dt.timedelta(hours=2))["low_pulse"]["pulse"] == 2
    later = day + dt.timedelta(days=5)
    plan.log_check_in(mentorship, actor=mentorship.mentor, now=later, pulse=4)
    assert "low_pulse" not in _signals(mentorship, later)


def test_no_sign_in_for_seven_days(mentors):
    mentorship = _mentorship(mentors)
    assert "no_login" not in _signals(mentorship, START + dt.timedelta(days=6, hours=23))
    assert _signals(mentorship, START + dt.timedelta(days=8))["no_login"]["days"] == 8
    mentorship.mentee.last_login_at = None  # never signed in, account a week old
    db.session.flush()
    assert _signals(mentorship, START + dt.timedelta(days=8))["no_login"]["days"] is None


def test_signals_for_many_mentees_take_a_fixed_number_of_statements(mentors, app):
    from tests.test_query_counts import count_statements

    few = [_mentorship(mentors) for _ in range(2)]
    many = few + [_mentorship(mentors) for _ in range(8)]
    at = START + dt.timedelta(days=30)
    with count_statements() as counted_few:
        queries.at_risk(few, now=at)
    with count_statements() as counted_many:
        queries.at_risk(many, now=at)
    assert len(counted_few) == len(counted_many) == 5
