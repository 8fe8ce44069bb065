"""The learner's quiz pages: the quiz page, answering (the form and the JSON autosave),
submitting, the review, another person's attempts, and a quiz at the end of a lesson."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from assessments import attempts, quizzes
from assessments.models import Attempt, AttemptAnswer, AttemptState
from courses import enrolment, queries
from lms import clock
from lms.extensions import db
from tests.conftest import csrf_from, login
from tests.courses.conftest import CatalogueFactory
from tests.test_query_counts import count_statements

NOTHING = {"during": [], "immediately": [], "open": [], "closed": []}
EVERYTHING = {phase: ["marks", "right_answers", "feedback"] for phase in NOTHING}


def choice() -> dict:
    return {
        "type": "single_choice",
        "stem": "单选题：客户首次咨询应在多长时间内响应？",
        "general_feedback": "GENERAL-FEEDBACK-TEXT",
        "shuffle": False,
        "options": [
            {"id": "a", "text": "三十分钟以内", "fraction": 1.0, "feedback": "RIGHT-OPTION-FB"},
            {"id": "b", "text": "二十四小时以内", "fraction": 0.0, "feedback": "WRONG-OPTION-FB"},
        ],
    }


def short() -> dict:
    return {
        "type": "short_answer",
        "stem": "简答题：七天无理由退货的英文缩写是什么？",
        "answers": [{"text": "SEVENDAYKEY", "fraction": 1.0, "feedback": "SHORT-FB"}],
    }


def every_type() -> list[dict]:
    """One question of each kind a learner answers."""
    return [
        choice(),
        short(),
        {
            "type": "multiple_choice",
            "stem": "多选题：哪些情况可以退货？",
            "options": [
                {"id": "a", "text": "未拆封", "fraction": 0.5},
                {"id": "b", "text": "质量问题", "fraction": 0.5},
                {"id": "c", "text": "已使用一年", "fraction": -1.0},
            ],
        },
        {"type": "true_false", "stem": "判断题：定制商品适用七天无理由。", "answer": False},
        {
            "type": "numerical",
            "stem": "数值题：退款应在几天内到账？",
            "unit": "天",
            "answers": [{"value": 7, "tolerance": 0, "fraction": 1.0}],
        },
        {
            "type": "matching",
            "stem": "匹配题",
            "pairs": [
                {"id": "p1", "prompt": "物流破损", "answer": "补发"},
                {"id": "p2", "prompt": "尺码不合", "answer": "换货"},
            ],
        },
        {
            "type": "ordering",
            "stem": "排序题：处理投诉的步骤",
            "items": [
                {"id": "i1", "text": "倾听"},
                {"id": "i2", "text": "致歉"},
                {"id": "i3", "text": "解决"},
            ],
        },
        {"type": "essay", "stem": "论述题：如何安抚愤怒的客户？"},
        {
            "type": "scenario",
            "case": "客户：我的快递三天没动了！",
            "parts": [
                {"id": "s1", "weight": 1, "question": {**choice(), "stem": "场景小题一"}},
                {"id": "s2", "weight": 1, "question": {**short(), "stem": "场景小题二"}},
            ],
        },
        {"type": "description", "stem": "以下为说明文字。"},
    ]


@pytest.fixture
def learner(app, make):
    person = make.employee("amy", locale="en")
    db.session.commit()
    client = app.test_client()
    login(client, "amy")
    return person, client


def token_of(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def start(client, quiz) -> int:
    token = token_of(client, f"/quizzes/{quiz.id}")
    response = client.post(f"/quizzes/{quiz.id}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def save(client, attempt_id: int, slot: int, response, sequence: int, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(
        f"/attempts/{attempt_id}/answers/{slot}",
        json={"response": response, "sequence": sequence},
        headers=headers,
    )


def test_start_answer_submit_review(learner, quizzes_factory):
    person, client = learner
    quiz = quizzes_factory.quiz(definitions=[choice(), short()], pass_percent=50)
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert 'data-testid="start-attempt"' in page and "Pass mark" in page

    attempt_id = start(client, quiz)
    url = f"/attempts/{attempt_id}"
    page = client.get(url).get_data(as_text=True)
    token = csrf_from(page)
    assert "单选题" in page and "三十分钟以内" in page and "二十四小时以内" in page

    saved = save(client, attempt_id, 1, "a", 1, token)
    assert saved.status_code == 200 and saved.json["saved"] is True and saved.json["sequence"] == 1
    assert saved.json["saved_at"]

    response = client.post(
        f"{url}/submit",
        data={"csrf_token": token, "slots": ["1", "2"], "q1": "a", "q2": "sevendaykey"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}/review")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.state == AttemptState.GRADED and attempt.percent == 100.0 and attempt.passed
    assert {a.slot: a.sequence for a in attempt.answers} == {1: 1, 2: 1}  # unchanged q1 kept

    review = client.get(f"{url}/review").get_data(as_text=True)
    assert "100.0%" in review and 'data-testid="result"' in review and "Passed" in review
    assert "RIGHT-OPTION-FB" in review and "GENERAL-FEEDBACK-TEXT" in review  # default: feedback
    assert 'data-testid="right-answer"' not in review  # right answers only once closed
    assert client.get(url).status_code == 302  # a finished attempt shows its review
    quiz_page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert 'data-testid="final-grade"' in quiz_page and "100.0%" in quiz_page


def test_continue_returns_to_the_same_attempt_and_reload_shows_saved_answers(
    learner, quizzes_factory
):
    _person, client = learner
    quiz = quizzes_factory.quiz(definitions=every_type())
    attempt_id = start(client, quiz)
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert 'data-testid="continue-attempt"' in page and f"/attempts/{attempt_id}" in page
    assert start(client, quiz) == attempt_id  # starting again resumes it

    url = f"/attempts/{attempt_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    answers = {
        1: "b",
        2: "我的回答",
        3: ["a", "b"],
        4: False,
        5: "７",  # a full-width digit
        6: {"p1": "补发"},
        7: ["i3", "i1", "i2"],
        8: "先倾听，再致歉。",
        9: {"s1": "a", "s2": "答案"},
    }
    for slot, response in answers.items():
        result = save(client, attempt_id, slot, response, 3, token)
        assert result.status_code == 200, (slot, result.json)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'name="q1" id="q1-\d" value="b" checked', page)
    assert 'value="我的回答"' in page
    assert re.search(r'name="q3" id="q3-\d" value="a" checked', page)
    assert re.search(r'name="q4" id="q4-2" value="false" checked', page)
    assert 'name="q5" maxlength="100" autocomplete="off" value="7"' in page
    assert '<option value="补发" selected>' in page
    assert page.index('name="q7.i3"') < page.index('name="q7.i1"') < page.index('name="q7.i2"')
    assert "先倾听，再致歉。</textarea>" in page
    assert re.search(r'name="q9.s1" id="q9.s1-\d" value="a" checked', page)
    assert 'data-sequence="3"' in page  # attempt.js continues from here
    assert "客户：我的快递三天没动了！" in page and "以下为说明文字。" in page
    assert "Every question has an answer." in page


def test_the_form_without_javascript_saves_and_reports_invalid_answers(learner, quizzes_factory):
    _person, client = learner
    quiz = quizzes_factory.quiz(definitions=every_type())
    attempt_id = start(client, quiz)
    url = f"/attempts/{attempt_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "slots": [str(s) for s in range(1, 11)],
        "q1": "a",
        "q3": ["b", "a"],
        "q4": "true",
        "q5": "abc",  # not a number
        "q6.p1": "补发",
        "q6.p2": "",
        "q7.i1": "2",
        "q7.i2": "3",
        "q7.i3": "1",
        "q8": "先倾听。",
        "q9.s1": "b",
    }
    response = client.post(f"{url}/save", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a number" in page and 'value="abc"' in page
    db.session.expire_all()
    saved = {
        a.slot: a.response
        for a in db.session.scalars(
            sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        )
    }
    assert saved[1] == "a" and saved[3] == ["a", "b"] and saved[4] is True
    assert saved[5] is None and saved[6] == {"p1": "补发"} and saved[7] == ["i3", "i1", "i2"]
    assert saved[9] == {"s1": "b", "s2": None} and saved[2] is None

    form["q5"] = "7"
    response = client.post(f"{url}/submit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).state == AttemptState.NEEDS_GRADING  # the essay
    review = client.get(f"{url}/review").get_data(as_text=True)
    assert 'data-testid="waiting"' in review and 'data-testid="grade"' not in review


def test_json_save_sequence_stale_finished_and_csrf(learner, quizzes_factory):
    person, client = learner
    quiz = quizzes_factory.quiz(definitions=[choice(), short()])
    attempt_id = start(client, quiz)
    token = csrf_from(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))

    assert save(client, attempt_id, 1, "b", 5, token).status_code == 200
    stale = save(client, attempt_id, 1, "a", 4, token)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale"
    assert stale.json["error"]["saved_sequence"] == 5
    invalid = save(client, attempt_id, 1, "zzz", 6, token)
    assert invalid.status_code == 422 and invalid.json["error"]["code"] == "invalid"
    assert save(client, attempt_id, 9, "a", 7, token).status_code == 404
    assert save(client, attempt_id, 1, "a", 6, None).status_code == 400  # no CSRF token
    bad = client.post(
        f"/attempts/{attempt_id}/answers/1", json={"response": "a"}, headers={"X-CSRFToken": token}
    )
    assert bad.status_code == 400 and bad.is_json

    attempts.submit(attempt_id, person, now=clock.now())
    db.session.commit()
    finished = save(client, attempt_id, 1, "a", 8, token)
    assert finished.status_code == 409 and finished.json["error"]["code"] == "finished"


def test_nothing_secret_reaches_the_page_or_the_json_of_an_attempt_in_progress(
    learner, quizzes_factory
):
    _person, client = learner
    quiz = quizzes_factory.quiz(definitions=[choice(), short()], review=EVERYTHING)
    attempt_id = start(client, quiz)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    token = csrf_from(page)
    saved = save(client, attempt_id, 1, "a", 1, token)
    for text in (page, saved.get_data(as_text=True)):
        assert "fraction" not in text
        for secret in ("RIGHT-OPTION-FB", "WRONG-OPTION-FB", "GENERAL-FEEDBACK-TEXT"):
            assert secret not in text
        assert "SEVENDAYKEY" not in text and "A. 三十分钟以内" not in text
    assert "单选题" in page and "三十分钟以内" in page and "简答题" in page


def _finish(client, quiz, review) -> tuple[int, str]:
    quiz.review = review
    db.session.commit()
    attempt_id = start(client, quiz)
    url = f"/attempts/{attempt_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "slots": ["1", "2"], "q1": "b", "q2": "wrong"}
    assert client.post(f"{url}/submit", data=data).status_code == 302
    return attempt_id, client.get(f"{url}/review").get_data(as_text=True)


def test_review_hides_what_the_review_options_hide(learner, quizzes_factory):
    _person, client = learner
    quiz = quizzes_factory.quiz(definitions=[choice(), short()])
    attempt_id, hidden = _finish(client, quiz, NOTHING)
    assert 'data-testid="grade"' not in hidden and 'data-testid="question-marks"' in hidden
    assert "0 of 1" not in hidden and "0.0%" not in hidden and "Incorrect" not in hidden
    for secret in ("WRONG-OPTION-FB", "GENERAL-FEEDBACK-TEXT", "SEVENDAYKEY", "A. 三十分钟以内"):
        assert secret not in hidden
    quiz_page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "0.0%" not in quiz_page and 'data-testid="final-grade"' not in quiz_page

    # the phase changes with time: once the quiz closes, everything
    quiz.review = NOTHING | {"closed": ["marks", "right_answers", "feedback"]}
    quiz.close_at = clock.now() + dt.timedelta(hours=1)
    db.session.commit()
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        shown = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'data-testid="grade"' in shown and "0.0%" in shown and "Not passed" in shown
    assert "WRONG-OPTION-FB" in shown and "GENERAL-FEEDBACK-TEXT" in shown
    assert "SEVENDAYKEY" in shown and "A. 三十分钟以内" in shown and "Incorrect" in shown


def test_review_shows_everything_when_allowed(learner, quizzes_factory):
    _person, client = learner
    quiz = quizzes_factory.quiz(definitions=[choice(), short()], attempts_allowed=1)
    _attempt_id, shown = _finish(client, quiz, EVERYTHING)
    assert 'data-testid="right-answer"' in shown and "A. 三十分钟以内" in shown
    assert "SEVENDAYKEY" in shown and "WRONG-OPTION-FB" in shown and "0 of 1" in shown
    quiz_page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert 'data-code="limit"' in quiz_page and 'data-testid="start-attempt"' not in quiz_page


def test_quiz_page_says_when_one_can_try_again_in_the_persons_time_zone(learner, quizzes_factory):
    person, client = learner
    quiz = quizzes_factory.quiz(min_delay_seconds=3600)
    t0 = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    attempt = attempts.start(quiz, person, now=t0)
    attempts.submit(attempt.id, person, now=t0)
    db.session.commit()
    with clock.frozen(t0 + dt.timedelta(minutes=5)):
        page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert 'data-code="delay"' in page and "10:00" in page  # Asia/Shanghai, not UTC


def test_unpublished_quiz_is_not_found(learner, quizzes_factory):
    _person, client = learner
    quiz = quizzes_factory.quiz(publish=False)
    assert client.get(f"/quizzes/{quiz.id}").status_code == 404
    token = token_of(client, "/courses")
    assert client.post(f"/quizzes/{quiz.id}/start", data={"csrf_token": token}).status_code == 404


def test_another_persons_attempt_is_not_found_on_every_route(app, make, quizzes_factory):
    owner = make.employee("owner")
    make.employee("other")
    quiz = quizzes_factory.quiz(definitions=[choice(), short()])
    open_one = attempts.start(quiz, owner, now=clock.now())
    db.session.commit()
    client = app.test_client()
    login(client, "other")
    token = token_of(client, "/courses")
    form = {"csrf_token": token, "slots": ["1"], "q1": "a"}
    base = f"/attempts/{open_one.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/review").status_code == 404
    assert save(client, open_one.id, 1, "a", 1, token).status_code == 404
    assert client.post(f"{base}/save", data=form).status_code == 404
    assert client.post(f"{base}/submit", data=form).status_code == 404
    db.session.expire_all()
    assert db.session.get(Attempt, open_one.id).state == AttemptState.IN_PROGRESS
    attempts.submit(open_one.id, owner, now=clock.now())
    db.session.commit()
    assert client.get(f"{base}/review").status_code == 404
    assert client.get("/attempts/999999").status_code == 404


def test_a_lesson_with_a_quiz_shows_the_quiz_and_passing_it_completes_the_lesson(
    learner, quizzes_factory
):
    person, client = learner
    course = CatalogueFactory().course("with-quiz", lessons=2)
    quiz = quizzes_factory.quiz(
        definitions=[choice(), short()], course=course, lesson_key="lesson-1", pass_percent=50
    )
    mine = enrolment.enrol(person, course, now=clock.now())
    db.session.commit()
    lesson_url = "/courses/with-quiz/lessons/lesson-1"

    page = client.get(lesson_url).get_data(as_text=True)
    assert 'data-testid="lesson-quiz"' in page and f"/quizzes/{quiz.id}" in page
    assert "This lesson ends with a quiz" in page and 'data-testid="mark-complete"' not in page
    token = csrf_from(page)
    refused = client.post(f"{lesson_url}/complete", data={"csrf_token": token})
    assert refused.status_code == 302
    assert not queries.completed_lesson_ids(mine)

    other = client.get("/courses/with-quiz/lessons/lesson-2").get_data(as_text=True)
    assert 'data-testid="lesson-quiz"' not in other and 'data-testid="mark-complete"' in other

    attempt_id = start(client, quiz)
    url = f"/attempts/{attempt_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "slots": ["1", "2"], "q1": "a", "q2": ""}
    assert client.post(f"{url}/submit", data=data).status_code == 302
    review = client.get(f"{url}/review").get_data(as_text=True)
    assert f'href="{lesson_url}"' in review and 'data-testid="back-to-lesson"' in review
    db.session.expire_all()
    lesson_one = course.current_version.lessons[0]
    assert lesson_one.id in queries.completed_lesson_ids(mine)
    page = client.get(lesson_url).get_data(as_text=True)
    assert 'data-testid="quiz-passed"' in page and "Best: 50.0%" in page


def _quiz_of(quizzes_factory, n: int):
    kinds = every_type()[:-1]  # no description: every slot takes an answer
    return quizzes_factory.quiz(definitions=[kinds[i % len(kinds)] for i in range(n)])


def test_attempt_page_and_save_run_the_same_statements_for_3_and_30_questions(
    learner, quizzes_factory
):
    _person, client = learner
    counts = []
    for n in (3, 30):
        quiz = _quiz_of(quizzes_factory, n)
        attempt_id = start(client, quiz)
        url = f"/attempts/{attempt_id}"
        token = csrf_from(client.get(url).get_data(as_text=True))
        with count_statements() as page:
            assert client.get(url).status_code == 200
        with count_statements() as saving:
            assert save(client, attempt_id, 2, "答案", 1, token).status_code == 200
        counts.append((len(page), len(saving)))
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= 12 and counts[0][1] <= 12, counts


def test_review_and_quiz_pages_run_the_same_statements_for_3_and_30_questions(
    learner, quizzes_factory
):
    person, client = learner
    counts = []
    for n in (3, 30):
        quiz = _quiz_of(quizzes_factory, n)
        attempt = attempts.start(quiz, person, now=clock.now())
        attempts.submit(attempt.id, person, now=clock.now())
        db.session.commit()
        with count_statements() as review:
            assert client.get(f"/attempts/{attempt.id}/review").status_code == 200
        with count_statements() as quiz_page:
            assert client.get(f"/quizzes/{quiz.id}").status_code == 200
        counts.append((len(review), len(quiz_page)))
    assert counts[0] == counts[1], counts


def test_quiz_settings_in_words_include_the_persons_override(learner, quizzes_factory):
    person, client = learner
    quiz = quizzes_factory.quiz(attempts_allowed=1, time_limit_seconds=1800)
    quizzes.set_override(quiz, person, time_limit_seconds=2700, attempts_allowed=3, close_at=None)
    db.session.commit()
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "0 of 3 used" in page and "45 minutes" in page and "Highest grade" in page


def test_review_of_a_graded_essay_shows_the_rubric_scores_and_the_graders_comment(
    learner, make, quizzes_factory
):
    from assessments import grading
    from tests.assessments.conftest import essay

    person, client = learner
    hr = make.employee("grader", roles={"hr"})
    quiz = quizzes_factory.quiz(definitions=[essay(1)], review=EVERYTHING)
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, "先共情，再说明政策。", sequence=1, now=clock.now())
    attempts.submit(attempt.id, person, now=clock.now())
    db.session.commit()
    waiting = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'data-testid="waiting"' in waiting and "Waiting for grading" in waiting

    answer = db.session.scalar(
        sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
    )
    grading.grade_manually(
        answer,
        hr,
        now=clock.now(),
        rubric_scores={"empathy": 2, "policy": 6},
        comment="COMMENT-FROM-GRADER",
    )
    db.session.commit()
    page = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'data-testid="rubric-scores"' in page and "共情" in page and "2 / 4" in page
    assert "6 / 6" in page and "COMMENT-FROM-GRADER" in page and "80.0%" in page
