"""The integrity contract of attempts: starts, saves, submits, deadlines, the sweep."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from assessments import attempts
from assessments.models import Attempt, AttemptAnswer, AttemptState, OverduePolicy, Quiz
from lms import clock
from lms.extensions import db
from lms.organisation.models import Employee

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def race(app, func, count):
    barrier = threading.Barrier(count)

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                return func(i)
            finally:
                db.session.remove()

    db.session.commit()  # the threads must see what the test built
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(run, range(count)))
    db.session.commit()  # and the test must see what the threads did
    return results


def person_and_quiz(make, quizzes_factory, **settings):
    person = make.employee()
    quiz = quizzes_factory.quiz(**settings)
    db.session.commit()
    return person, quiz


def test_twenty_simultaneous_starts_make_one_open_attempt(app, make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory)

    person_id, quiz_id = person.id, quiz.id  # read here: the threads have their own sessions

    def go(_i):
        me, q = db.session.get(Employee, person_id), db.session.get(Quiz, quiz_id)
        attempt = attempts.start(q, me, now=clock.now())
        db.session.commit()
        return attempt.id

    ids = race(app, go, 20)
    assert len(set(ids)) == 1
    rows = db.session.scalars(sa.select(Attempt).where(Attempt.employee_id == person.id)).all()
    assert [a.number for a in rows] == [1]
    assert db.session.scalar(sa.select(sa.func.count(AttemptAnswer.id))) == 2


def test_attempt_limit_holds_under_ten_simultaneous_starts(app, make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory, attempts_allowed=3)
    for _ in range(2):
        attempt = attempts.start(quiz, person, now=clock.now())
        attempts.submit(attempt.id, person, now=clock.now())
    db.session.commit()
    person_id, quiz_id = person.id, quiz.id

    def go(_i):
        me, q = db.session.get(Employee, person_id), db.session.get(Quiz, quiz_id)
        try:
            attempt = attempts.start(q, me, now=clock.now())
            db.session.commit()
            return attempt.number
        except attempts.AttemptError as error:
            db.session.rollback()
            return error.code

    results = race(app, go, 10)
    assert set(results) == {3}
    numbers = db.session.scalars(
        sa.select(Attempt.number).where(Attempt.employee_id == person.id).order_by(Attempt.number)
    ).all()
    assert numbers == [1, 2, 3]
    attempts.submit(
        db.session.scalar(sa.select(Attempt.id).where(Attempt.number == 3)),
        db.session.get(Employee, person.id),
        now=clock.now(),
    )
    db.session.commit()
    with pytest.raises(attempts.AttemptError) as refused:
        attempts.start(quiz, db.session.get(Employee, person.id), now=clock.now())
    assert refused.value.code == "limit"


def test_submits_racing_saves_give_one_grade_from_the_answers_as_they_stood(
    app, make, quizzes_factory
):
    person, quiz = person_and_quiz(make, quizzes_factory)
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=clock.now())
    attempt_id, person_id = attempt.id, person.id
    db.session.commit()

    def go(i):
        me = db.session.get(Employee, person_id)
        try:
            if i % 2:
                done = attempts.submit(attempt_id, me, now=clock.now())
                db.session.commit()
                return ("submit", done.marks)
            attempts.save_answer(attempt_id, me, 2, True, sequence=10 + i, now=clock.now())
            db.session.commit()
            return ("saved", 10 + i)
        except attempts.AttemptError as error:
            db.session.rollback()
            return ("refused", error.code)

    results = race(app, go, 20)
    marks = {r[1] for r in results if r[0] == "submit"}
    assert len(marks) == 1  # every submit saw the same, single grade
    db.session.expire_all()
    final = db.session.get(Attempt, attempt_id)
    answers = {a.slot: a for a in final.answers}
    expected = 1.0 + (1.0 if answers[2].response is True else 0.0)
    assert final.state == AttemptState.GRADED and final.marks == expected == marks.pop()
    refused = [r for r in results if r[0] == "refused"]
    assert all(code in ("finished", "stale") for _k, code in refused)


def test_stale_saves_never_overwrite_newer_ones(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory)
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, False, sequence=5, now=clock.now())
    with pytest.raises(attempts.AttemptError) as stale:
        attempts.save_answer(attempt.id, person, 1, True, sequence=4, now=clock.now())
    assert stale.value.code == "stale"
    assert (
        db.session.scalar(sa.select(AttemptAnswer.response).where(AttemptAnswer.slot == 1)) is False
    )


def test_submit_is_idempotent_and_later_answers_are_refused(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory)
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=clock.now())
    first = attempts.submit(attempt.id, person, now=clock.now())
    marks = first.marks
    again = attempts.submit(attempt.id, person, now=clock.now())
    assert again.id == first.id and again.marks == marks == 1.0
    with pytest.raises(attempts.AttemptError) as late:
        attempts.save_answer(attempt.id, person, 2, True, sequence=2, now=clock.now())
    assert late.value.code == "finished" and late.value.status == 409
    assert db.session.get(Attempt, attempt.id).marks == marks


def test_deadline_is_the_servers(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory, time_limit_seconds=600)
    attempt = attempts.start(quiz, person, now=T0)
    assert attempt.deadline_at == T0 + dt.timedelta(minutes=10)
    attempts.save_answer(
        attempt.id, person, 1, True, sequence=1, now=T0 + dt.timedelta(seconds=600)
    )  # at the deadline: accepted
    with pytest.raises(attempts.AttemptError) as late:
        attempts.save_answer(
            attempt.id, person, 2, True, sequence=2, now=T0 + dt.timedelta(seconds=601)
        )
    assert late.value.code == "deadline"


def test_close_time_caps_the_deadline(make, quizzes_factory):
    person, quiz = person_and_quiz(
        make, quizzes_factory, time_limit_seconds=3600, close_at=T0 + dt.timedelta(minutes=20)
    )
    attempt = attempts.start(quiz, person, now=T0)
    assert attempt.deadline_at == T0 + dt.timedelta(minutes=20)


def test_grace_period_accepts_only_submission_then_abandons(make, quizzes_factory):
    person, quiz = person_and_quiz(
        make,
        quizzes_factory,
        time_limit_seconds=600,
        overdue_policy=OverduePolicy.GRACE,
        grace_seconds=120,
    )
    attempt = attempts.start(quiz, person, now=T0)
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=T0)
    inside = T0 + dt.timedelta(seconds=660)
    with pytest.raises(attempts.AttemptError):
        attempts.save_answer(attempt.id, person, 2, True, sequence=2, now=inside)
    assert attempts.sweep_overdue(inside) == 0  # the sweep leaves the grace period alone
    done = attempts.submit(attempt.id, person, now=inside)
    assert done.state == AttemptState.GRADED and done.marks == 1.0

    late = attempts.start(quiz, person, now=T0 + dt.timedelta(hours=1))
    assert attempts.sweep_overdue(T0 + dt.timedelta(hours=1, minutes=13)) == 1
    db.session.refresh(late)
    assert late.state == AttemptState.ABANDONED and late.marks is None
    assert late.finished_at == late.deadline_at


def test_sweep_autosubmits_with_the_deadline_as_finish_time(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory, time_limit_seconds=600)
    attempt = attempts.start(quiz, person, now=T0)
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=T0)
    assert attempts.sweep_overdue(T0 + dt.timedelta(seconds=599)) == 0
    assert attempts.sweep_overdue(T0 + dt.timedelta(seconds=700)) == 1
    db.session.refresh(attempt)
    assert attempt.state == AttemptState.GRADED and attempt.marks == 1.0
    assert attempt.finished_at == attempt.deadline_at
    assert attempts.sweep_overdue(T0 + dt.timedelta(seconds=800)) == 0  # idempotent


def test_abandon_policy(make, quizzes_factory):
    person, quiz = person_and_quiz(
        make, quizzes_factory, time_limit_seconds=600, overdue_policy=OverduePolicy.ABANDON
    )
    attempt = attempts.start(quiz, person, now=T0)
    done = attempts.submit(attempt.id, person, now=T0 + dt.timedelta(seconds=601))
    assert done.state == AttemptState.ABANDONED and done.marks is None


def test_delay_between_attempts(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory, min_delay_seconds=3600)
    first = attempts.start(quiz, person, now=T0)
    attempts.submit(first.id, person, now=T0 + dt.timedelta(minutes=5))
    with pytest.raises(attempts.AttemptError) as wait:
        attempts.start(quiz, person, now=T0 + dt.timedelta(minutes=30))
    assert wait.value.code == "delay"
    second = attempts.start(quiz, person, now=T0 + dt.timedelta(minutes=66))
    assert second.number == 2


def test_another_persons_attempt_is_not_found(make, quizzes_factory):
    person, quiz = person_and_quiz(make, quizzes_factory)
    other = make.employee()
    attempt = attempts.start(quiz, person, now=T0)
    with pytest.raises(attempts.AttemptError) as hidden:
        attempts.save_answer(attempt.id, other, 1, True, sequence=1, now=T0)
    assert hidden.value.status == 404
    with pytest.raises(attempts.AttemptError):
        attempts.submit(attempt.id, other, now=T0)
