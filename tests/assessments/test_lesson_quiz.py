"""A quiz at the end of a lesson: the lesson completes by passing it, not by a click."""

from __future__ import annotations

import pytest

from assessments import attempts
from courses import enrolment
from lms import clock
from lms.extensions import db
from tests.assessments.conftest import true_false
from tests.courses.conftest import CatalogueFactory


@pytest.fixture
def lesson_with_quiz(app, make, quizzes_factory):
    course = CatalogueFactory().course("quizzed", lessons=2)
    person = make.employee()
    mine = enrolment.enrol(person, course, now=clock.now())
    quiz = quizzes_factory.quiz(
        definitions=[true_false(1), true_false(2)],
        course=course,
        lesson_key="lesson-2",
        pass_percent=100,
    )
    db.session.commit()
    return person, course, mine, quiz


def test_mark_as_done_is_refused_until_the_quiz_is_passed(lesson_with_quiz):
    person, course, mine, quiz = lesson_with_quiz
    lessons = course.current_version.lessons
    enrolment.complete_lesson(mine, lessons[0], now=clock.now(), by_learner=True)
    with pytest.raises(enrolment.EnrolmentError, match="quiz"):
        enrolment.complete_lesson(mine, lessons[1], now=clock.now(), by_learner=True)

    failed = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(failed.id, person, 1, False, sequence=1, now=clock.now())
    attempts.submit(failed.id, person, now=clock.now())
    assert failed.passed is False and mine.completed_at is None

    passed = attempts.start(quiz, person, now=clock.now())
    for slot in (1, 2):
        attempts.save_answer(passed.id, person, slot, True, sequence=1, now=clock.now())
    attempts.submit(passed.id, person, now=clock.now())
    assert passed.passed is True
    db.session.refresh(mine)
    assert mine.completed_at is not None  # the quiz completed the last lesson and the course
