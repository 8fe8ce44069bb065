"""The quiz API: the whole flow, what it reveals, the integrity contract through real HTTP
requests racing each other, deadlines, and the statistics for HR."""

from __future__ import annotations

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from assessments import attempts
from assessments.models import Attempt, AttemptState
from lms import clock
from lms.accounts.services import create_token
from lms.extensions import db
from tests.assessments.conftest import single_choice, true_false
from tests.assessments.test_learner_pages import EVERYTHING, NOTHING, choice, short
from tests.test_query_counts import count_statements


def race(app, func, count):
    """``func(i)`` in ``count`` threads at once, each with its own app context (the pattern
    of tests/assessments/test_attempts.py)."""
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


def bearer(person) -> dict[str, str]:
    _token, secret = create_token(person, "quiz", clock.now())
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def amy(make):
    person = make.employee("amy")
    return person, bearer(person)


def test_the_whole_flow_by_api(client, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(definitions=[choice(), short()], attempts_allowed=2)
    db.session.commit()

    about = client.get(f"/api/v1/quizzes/{quiz.id}", headers=headers)
    assert about.status_code == 200
    assert about.json["can_start"] is True and about.json["attempts_used"] == 0
    assert about.json["attempts_allowed"] == 2 and about.json["questions"] == 2

    started = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert started.status_code == 201
    body = started.json
    attempt_id = body["id"]
    assert body["state"] == "in_progress" and body["review"] == []
    assert [q["view"]["stem"] for q in body["questions"]] == [choice()["stem"], short()["stem"]]
    text = json.dumps(body, ensure_ascii=False)
    assert "fraction" not in text and "RIGHT-OPTION-FB" not in text and "SEVENDAYKEY" not in text
    assert "GENERAL-FEEDBACK-TEXT" not in text and "三十分钟以内" in text

    resumed = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert resumed.status_code == 200 and resumed.json["id"] == attempt_id

    url = f"/api/v1/attempts/{attempt_id}"
    put = client.put(f"{url}/answers/1", json={"response": "a", "sequence": 1}, headers=headers)
    assert put.status_code == 200 and put.json["sequence"] == 1 and put.json["response"] == "a"
    stale = client.put(f"{url}/answers/1", json={"response": "b", "sequence": 1}, headers=headers)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale"
    invalid = client.put(f"{url}/answers/1", json={"response": "z", "sequence": 2}, headers=headers)
    assert invalid.status_code == 422 and invalid.json["error"]["code"] == "invalid"
    missing = client.put(f"{url}/answers/1", json={"response": "a"}, headers=headers)
    assert missing.status_code == 400 and "sequence" in missing.json["error"]["fields"]
    assert (
        client.put(f"{url}/answers/7", json={"response": "a", "sequence": 3}, headers=headers)
    ).status_code == 404
    client.put(f"{url}/answers/2", json={"response": "sevendaykey", "sequence": 1}, headers=headers)

    now = client.get(url, headers=headers).json
    assert [q["response"] for q in now["questions"]] == ["a", "sevendaykey"]
    assert "fraction" not in json.dumps(now) and "marks" not in now

    done = client.post(f"{url}/submit", headers=headers)
    assert done.status_code == 200
    result = done.json
    assert result["state"] == "graded" and result["percent"] == 100.0 and result["passed"]
    assert result["questions"][0]["marks"] == 1.0 and result["questions"][0]["outcome"] == "correct"
    assert result["questions"][0]["feedback"] == "RIGHT-OPTION-FB"  # default: feedback at once
    assert "right_answer" not in result["questions"][0]  # ... right answers once closed
    again = client.post(f"{url}/submit", headers=headers)
    assert again.status_code == 200 and again.json["percent"] == 100.0  # idempotent
    late = client.put(f"{url}/answers/1", json={"response": "b", "sequence": 9}, headers=headers)
    assert late.status_code == 409 and late.json["error"]["code"] == "finished"

    about = client.get(f"/api/v1/quizzes/{quiz.id}", headers=headers).json
    assert about["final_grade"] == 100.0 and about["attempts_used"] == 1
    assert about["attempts"][0]["percent"] == 100.0 and "questions" not in about["attempts"][0]


def test_review_options_apply_to_the_api(client, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(definitions=[choice(), short()], review=NOTHING)
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, "b", sequence=1, now=clock.now())
    db.session.commit()
    done = client.post(f"/api/v1/attempts/{attempt.id}/submit", headers=headers).json
    text = json.dumps(done, ensure_ascii=False)
    assert done["review"] == [] and "percent" not in done and "marks" not in done["questions"][0]
    for secret in ("WRONG-OPTION-FB", "GENERAL-FEEDBACK-TEXT", "SEVENDAYKEY", "fraction"):
        assert secret not in text
    about = client.get(f"/api/v1/quizzes/{quiz.id}", headers=headers).json
    assert "final_grade" not in about and "percent" not in about["attempts"][0]

    quiz.review = EVERYTHING
    db.session.commit()
    shown = client.get(f"/api/v1/attempts/{attempt.id}", headers=headers).json
    first = shown["questions"][0]
    assert shown["percent"] == 0.0 and first["marks"] == 0.0 and first["outcome"] == "incorrect"
    assert first["right_answer"] == "A. 三十分钟以内" and first["feedback"] == "WRONG-OPTION-FB"
    assert first["general_feedback"] == "GENERAL-FEEDBACK-TEXT"


def test_another_persons_attempt_and_unpublished_quizzes_are_not_found(
    client, make, amy, quizzes_factory
):
    person, headers = amy
    other = make.employee("bob")
    quiz = quizzes_factory.quiz()
    draft = quizzes_factory.quiz(publish=False)
    theirs = attempts.start(quiz, other, now=clock.now())
    db.session.commit()
    url = f"/api/v1/attempts/{theirs.id}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.post(f"{url}/submit", headers=headers).status_code == 404
    put = client.put(f"{url}/answers/1", json={"response": True, "sequence": 1}, headers=headers)
    assert put.status_code == 404
    assert client.get(f"/api/v1/quizzes/{draft.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/quizzes/{draft.id}/attempts", headers=headers).status_code == 404
    assert client.get(f"/api/v1/quizzes/{quiz.id}").status_code == 401  # no token
    db.session.expire_all()
    assert db.session.get(Attempt, theirs.id).state == AttemptState.IN_PROGRESS


def test_refusals_carry_their_code(client, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(min_delay_seconds=3600)
    first = attempts.start(quiz, person, now=clock.now())
    attempts.submit(first.id, person, now=clock.now())
    db.session.commit()
    refused = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "delay"
    assert dt.datetime.fromisoformat(refused.json["error"]["wait_until"]) > clock.now()
    about = client.get(f"/api/v1/quizzes/{quiz.id}", headers=headers).json
    assert about["can_start"] is False and about["refusal"]["code"] == "delay"


# --- races through real HTTP requests ----------------------------------------------------


def test_twenty_simultaneous_starts_make_one_attempt(app, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz()
    url = f"/api/v1/quizzes/{quiz.id}/attempts"

    def go(_i):
        response = app.test_client().post(url, headers=headers)
        return response.status_code, response.json["id"]

    results = race(app, go, 20)
    assert {status for status, _id in results} <= {200, 201}
    assert [status for status, _id in results].count(201) == 1
    assert len({attempt_id for _status, attempt_id in results}) == 1
    rows = db.session.scalars(sa.select(Attempt).where(Attempt.employee_id == person.id)).all()
    assert [a.number for a in rows] == [1]


def test_ten_simultaneous_starts_with_one_attempt_left_keep_the_limit(app, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(attempts_allowed=3)
    for _ in range(2):
        attempt = attempts.start(quiz, person, now=clock.now())
        attempts.submit(attempt.id, person, now=clock.now())
    db.session.commit()
    url = f"/api/v1/quizzes/{quiz.id}/attempts"

    def go(_i):
        response = app.test_client().post(url, headers=headers)
        return response.status_code, response.json.get("number") or response.json

    results = race(app, go, 10)
    assert [number for _status, number in results] == [3] * 10, results
    numbers = db.session.scalars(
        sa.select(Attempt.number).where(Attempt.employee_id == person.id).order_by(Attempt.number)
    ).all()
    assert numbers == [1, 2, 3]
    third = db.session.scalar(sa.select(Attempt.id).where(Attempt.number == 3))
    submitted = app.test_client().post(f"/api/v1/attempts/{third}/submit", headers=headers)
    assert submitted.status_code == 200
    refused = app.test_client().post(url, headers=headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "limit"


def test_submits_racing_saves_give_one_grade(app, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(definitions=[true_false(1), true_false(2)])
    attempt = attempts.start(quiz, person, now=clock.now())
    attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=clock.now())
    db.session.commit()
    url = f"/api/v1/attempts/{attempt.id}"

    def go(i):
        client = app.test_client()
        if i % 2:
            response = client.post(f"{url}/submit", headers=headers)
            return "submit", response.status_code, response.json.get("marks")
        response = client.put(
            f"{url}/answers/2", json={"response": True, "sequence": 10 + i}, headers=headers
        )
        error = response.json.get("error") or {}
        return "save", response.status_code, error.get("code")

    results = race(app, go, 20)
    submits = [r for r in results if r[0] == "submit"]
    assert {status for _k, status, _m in submits} == {200}
    marks = {m for _k, _s, m in submits}
    assert len(marks) == 1  # every submit saw the one grade
    saves = [r for r in results if r[0] == "save"]
    assert all(status == 200 or code in ("finished", "stale") for _k, status, code in saves)
    db.session.expire_all()
    final = db.session.get(Attempt, attempt.id)
    answers = {a.slot: a for a in final.answers}
    expected = 1.0 + (1.0 if answers[2].response is True else 0.0)
    assert final.state == AttemptState.GRADED and final.marks == expected == marks.pop()


def test_an_answer_after_the_deadline_is_refused(client, amy, quizzes_factory):
    person, headers = amy
    quiz = quizzes_factory.quiz(time_limit_seconds=60)
    t0 = clock.now()
    with clock.frozen(t0):
        started = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers).json
    assert started["remaining_seconds"] == 60
    url = f"/api/v1/attempts/{started['id']}/answers/1"
    with clock.frozen(t0 + dt.timedelta(seconds=60)):
        on_time = client.put(url, json={"response": True, "sequence": 1}, headers=headers)
    assert on_time.status_code == 200
    with clock.frozen(t0 + dt.timedelta(seconds=61)):
        late = client.put(url, json={"response": False, "sequence": 2}, headers=headers)
    assert late.status_code == 409 and late.json["error"]["code"] == "deadline"
    with clock.frozen(t0 + dt.timedelta(seconds=61)):
        done = client.post(f"/api/v1/attempts/{started['id']}/submit", headers=headers).json
    assert done["state"] == "graded" and done["finished_at"].startswith(
        (t0 + dt.timedelta(seconds=60)).isoformat()[:19]
    )  # auto-submitted as it stood at the deadline


# --- statistics -----------------------------------------------------------------------------


def test_statistics_for_hr(client, make, quizzes_factory):
    hr = make.employee("hr", roles={"hr"})
    learner_headers = bearer(make.employee("someone"))
    quiz = quizzes_factory.quiz(definitions=[single_choice(1), true_false(2), true_false(3)])
    # six people: right on q1 for the stronger ones, mixed elsewhere; two tries for some
    for n in range(6):
        person = make.employee()
        for number in range(1 if n % 2 else 2):
            attempt = attempts.start(quiz, person, now=clock.now())
            attempts.save_answer(
                attempt.id, person, 1, "a" if n >= 3 else "b", sequence=1, now=clock.now()
            )
            attempts.save_answer(attempt.id, person, 2, n % 2 == 0, sequence=1, now=clock.now())
            if number == 0 and n != 5:
                attempts.save_answer(attempt.id, person, 3, True, sequence=1, now=clock.now())
            attempts.submit(attempt.id, person, now=clock.now())
    db.session.commit()
    headers = bearer(hr)
    url = f"/api/v1/quizzes/{quiz.id}/statistics"
    assert client.get(url, headers=learner_headers).status_code == 403

    with count_statements() as statements:
        first = client.get(url, headers=headers)
    assert first.status_code == 200 and len(statements) < 25
    body = first.json
    assert body["attempts"] == "first" and body["quiz"]["attempt_count"] == 6
    slots = {q["slot"]: q for q in body["questions"]}
    assert sorted(slots) == [1, 2, 3]
    assert slots[1]["facility"] == 50.0 and slots[1]["attempt_count"] == 6
    assert slots[1]["random_guess_score"] == pytest.approx(33.33, abs=0.01)
    assert slots[2]["random_guess_score"] == 50.0
    assert slots[3]["answered_count"] == 5 and slots[3]["facility"] == pytest.approx(83.33)
    assert all(isinstance(q["flags"], list) for q in body["questions"])
    assert body["quiz"]["max_total"] == 3.0 and body["quiz"]["mean"] is not None

    everything = client.get(f"{url}?attempts=all", headers=headers).json
    assert everything["quiz"]["attempt_count"] == 9
    assert client.get(f"{url}?attempts=some", headers=headers).status_code == 400
    assert client.get("/api/v1/quizzes/999999/statistics", headers=headers).status_code == 404


def test_api_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in [
        ("/quizzes/{quiz_id}", "get"),
        ("/quizzes/{quiz_id}/attempts", "post"),
        ("/attempts/{attempt_id}", "get"),
        ("/attempts/{attempt_id}/answers/{slot}", "put"),
        ("/attempts/{attempt_id}/submit", "post"),
        ("/quizzes/{quiz_id}/statistics", "get"),
    ]:
        assert method in paths[path]
