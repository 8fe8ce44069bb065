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


def test_a_final_quiz_holds_the_course_until_passed(app, make, quizzes_factory, client):
    from tests.conftest import login

    course = CatalogueFactory().course("final-exam", lessons=1)
    person = make.employee("learner", locale="en")
    mine = enrolment.enrol(person, course, now=clock.now())
    quiz = quizzes_factory.quiz(definitions=[true_false(1)], course=course, lesson_key=None)
    db.session.commit()
    assert not enrolment.complete_lesson(
        mine, course.current_version.lessons[0], now=clock.now(), by_learner=True
    )
    assert mine.completed_at is None  # every lesson done, the final quiz not yet
    login(client, "learner")
    page = client.get("/courses/final-exam").get_data(as_text=True)
    assert 'data-testid="final-quiz"' in page and "This course ends with a quiz" in page
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=clock.now())
    attempts.submit(attempt.id, person, now=clock.now())
    db.session.refresh(mine)
    assert mine.completed_at is not None


def test_one_final_quiz_per_course(app, quizzes_factory):
    from assessments.quizzes import QuizError

    course = CatalogueFactory().course("one-final", lessons=1)
    quizzes_factory.quiz(course=course, lesson_key=None)
    with pytest.raises(QuizError, match="final quiz"):
        quizzes_factory.quiz(course=course, lesson_key=None)
