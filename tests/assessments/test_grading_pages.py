"""Grading by a person: who sees which answers, grading with a rubric or marks, the audit,
the learner's notification, and the queue's statement count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from assessments import attempts
from assessments.models import AttemptAnswer, AttemptState, GradeChange
from lms.extensions import db
from lms.notifications.models import Notification
from tests.assessments.conftest import essay, true_false
from tests.conftest import csrf_token
from tests.test_query_counts import count_statements

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
ESSAY_TEXT = "非常抱歉给您带来不便。\n根据七天无理由退货政策，我们为您办理退货。"


def scenario() -> dict:
    return {
        "type": "scenario",
        "stem": "请处理这位客户。",
        "case": "客户：我买的耳机坏了！",
        "parts": [
            {"id": "p1", "weight": 1, "question": true_false(1)},
            {
                "id": "p2",
                "weight": 1,
                "question": {"type": "essay", "stem": "写出你的回复。"},
            },
        ],
    }


@pytest.fixture
def setting(make, quizzes_factory):
    """A team with a learner and a mentor; another team with its own mentor; HR."""
    team, other_team = make.team(), make.team()
    learner = make.employee("learner", team=team)
    mentor = make.employee("mentor", roles={"mentor"}, team=team)
    stranger = make.employee("stranger", roles={"mentor"}, team=other_team)
    hr = make.employee("hr", roles={"hr"})
    quiz = quizzes_factory.quiz(definitions=[true_false(1), essay(2)], grader_role="mentor")
    attempt = attempts.start(quiz, learner, now=T0)
    attempts.save_answer(attempt.id, learner, 1, True, sequence=1, now=T0)
    attempts.save_answer(attempt.id, learner, 2, ESSAY_TEXT, sequence=1, now=T0)
    attempts.submit(attempt.id, learner, now=T0 + dt.timedelta(minutes=3))
    db.session.commit()
    answer = db.session.scalar(
        sa.select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot == 2
        )
    )
    return {
        "learner": learner,
        "mentor": mentor,
        "stranger": stranger,
        "hr": hr,
        "quiz": quiz,
        "attempt": attempt,
        "answer": answer,
    }


def test_a_mentor_of_the_team_grades_the_essay_with_the_rubric(app, client, sign_in, setting):
    answer, attempt = setting["answer"], setting["attempt"]
    assert attempt.state == AttemptState.NEEDS_GRADING
    sign_in(setting["mentor"])

    queue = client.get("/grading").get_data(as_text=True)
    assert f'data-answer="{answer.id}"' in queue
    assert setting["learner"].name in queue and "角色扮演 2" in queue

    url = f"/grading/answers/{answer.id}"
    html = client.get(url).get_data(as_text=True)
    assert "非常抱歉给您带来不便。<br>根据七天无理由退货政策" in html
    assert "共情" in html and "充分" in html and "政策准确" in html
    assert 'name="criterion_0"' in html and 'name="criterion_1"' in html

    # a criterion left out is refused with a message, not a server error
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "criterion_0": "2"})
    assert response.status_code == 200
    assert "Choose a level for this criterion." in response.get_data(as_text=True)

    response = client.post(
        url,
        data={"csrf_token": token, "criterion_0": "2", "criterion_1": "6", "comment": "共情不足"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/grading")  # nothing else waits

    db.session.expire_all()
    attempt = db.session.get(type(attempt), attempt.id)
    answer = db.session.get(AttemptAnswer, answer.id)
    assert attempt.state == AttemptState.GRADED
    assert answer.fraction == pytest.approx(0.8)
    assert answer.rubric_scores == {"empathy": 2.0, "policy": 6.0}
    assert answer.grader_comment == "共情不足"
    assert attempt.percent == pytest.approx(90.0) and attempt.passed is True
    note = db.session.scalar(
        sa.select(Notification).where(Notification.employee_id == setting["learner"].id)
    )
    assert note.kind == "attempt_graded" and note.params["attempt_id"] == attempt.id
    change = db.session.scalar(sa.select(GradeChange).where(GradeChange.answer_id == answer.id))
    assert (change.old_fraction, change.new_fraction, change.reason) == (None, 0.8, "manual")
    assert change.changed_by_id == setting["mentor"].id

    assert 'data-testid="queue-empty"' in client.get("/grading").get_data(as_text=True)
    # the graded answer may be reopened: it shows the history and the chosen levels
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="grade-history"' in html and setting["mentor"].name in html
    assert re.search(r'<input checked[^>]*name="criterion_0"[^>]*value="2"', html)
    assert re.search(r'<input checked[^>]*name="criterion_1"[^>]*value="6"', html)


def test_a_mentor_of_another_team_neither_sees_nor_grades(app, client, sign_in, setting):
    answer = setting["answer"]
    sign_in(setting["stranger"])
    assert f'data-answer="{answer.id}"' not in client.get("/grading").get_data(as_text=True)
    url = f"/grading/answers/{answer.id}"
    assert client.get(url).status_code == 404
    token = csrf_token(client, "/grading")
    response = client.post(url, data={"csrf_token": token, "criterion_0": "4", "criterion_1": "6"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(AttemptAnswer, answer.id).needs_manual is True


def test_hr_sees_every_answer_waiting(app, client, sign_in, make, setting, quizzes_factory):
    elsewhere = make.employee(team=make.team())
    quiz = quizzes_factory.quiz(definitions=[essay(9)])
    attempt = attempts.start(quiz, elsewhere, now=T0)
    attempts.save_answer(attempt.id, elsewhere, 1, "回复", sequence=1, now=T0)
    attempts.submit(attempt.id, elsewhere, now=T0 + dt.timedelta(minutes=30))
    db.session.commit()
    sign_in(setting["hr"])
    html = client.get("/grading").get_data(as_text=True)
    assert html.count("data-answer=") == 2
    other = attempt.answers[0]
    assert html.index(f'data-answer="{setting["answer"].id}"') < html.index(
        f'data-answer="{other.id}"'
    )  # oldest first
    assert client.get(f"/grading/answers/{setting['answer'].id}").status_code == 200


def test_a_true_false_answer_is_not_for_manual_grading(app, client, sign_in, setting):
    auto = db.session.scalar(
        sa.select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == setting["attempt"].id, AttemptAnswer.slot == 1
        )
    )
    sign_in(setting["hr"])
    assert client.get(f"/grading/answers/{auto.id}").status_code == 404
    assert client.get("/grading/answers/999999").status_code == 404


def test_a_scenario_is_graded_with_marks(app, client, sign_in, make, quizzes_factory):
    team = make.team()
    learner = make.employee("learner", team=team)
    mentor = make.employee("mentor", roles={"mentor"}, team=team)
    quiz = quizzes_factory.quiz(definitions=[scenario()])
    attempt = attempts.start(quiz, learner, now=T0)
    attempts.save_answer(
        attempt.id, learner, 1, {"p1": True, "p2": "我会道歉并退货。"}, sequence=1, now=T0
    )
    attempts.submit(attempt.id, learner, now=T0)
    db.session.commit()
    answer = attempt.answers[0]
    sign_in(mentor)
    url = f"/grading/answers/{answer.id}"
    html = client.get(url).get_data(as_text=True)
    assert "客户：我买的耳机坏了！" in html and "我会道歉并退货。" in html
    assert "automatic: 0.5 of 0.5" in html and "up to 0.5" in html
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "marks": "0.9"})
    assert "Give a mark between 0 and 0.5." in response.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": token, "marks": "0.25"}).status_code == 302
    db.session.expire_all()
    graded = db.session.get(type(attempt), attempt.id)
    assert graded.state == AttemptState.GRADED and graded.percent == pytest.approx(75.0)


def test_grading_queue_statements_do_not_grow(app, client, sign_in, make, quizzes_factory):
    team = make.team()
    mentor = make.employee("mentor", roles={"mentor"}, team=team)
    quiz = quizzes_factory.quiz(definitions=[essay(1)])
    db.session.commit()

    def add(n: int) -> None:
        for _ in range(n):
            person = make.employee(team=team)
            attempt = attempts.start(quiz, person, now=T0)
            attempts.save_answer(attempt.id, person, 1, "回复", sequence=1, now=T0)
            attempts.submit(attempt.id, person, now=T0)
        db.session.commit()

    sign_in(mentor)

    def measure() -> int:
        with count_statements() as statements:
            assert client.get("/grading").status_code == 200
        return len(statements)

    add(3)
    small = measure()
    add(27)
    assert measure() == small
    assert small <= 10


def test_nobody_grades_their_own_essay(app, client, sign_in, make, quizzes_factory):
    team = make.team()
    mentor = make.employee("mentor", roles={"mentor"}, team=team)
    quiz = quizzes_factory.quiz(definitions=[essay(1)])
    attempt = attempts.start(quiz, mentor, now=T0)
    attempts.save_answer(attempt.id, mentor, 1, "我自己的回答", sequence=1, now=T0)
    attempts.submit(attempt.id, mentor, now=T0)
    db.session.commit()
    sign_in(mentor)
    assert 'data-testid="queue-empty"' in client.get("/grading").get_data(as_text=True)
    assert client.get(f"/grading/answers/{attempt.answers[0].id}").status_code == 404
