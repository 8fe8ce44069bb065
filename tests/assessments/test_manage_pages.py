"""HR's quiz pages: settings (time zones, review grid, validation), slots, publication,
overrides, the attempts list and the item analysis."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from assessments import attempts
from assessments.models import Attempt, OverduePolicy, Quiz, QuizOverride, QuizStatus
from lms import clock
from lms.extensions import db
from tests.assessments.conftest import essay, single_choice, true_false
from tests.conftest import csrf_token
from tests.courses.conftest import CatalogueFactory
from tests.test_query_counts import count_statements

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def hr(make, sign_in):
    person = make.employee("hr", roles={"hr"})  # time zone Asia/Shanghai (UTC+8)
    sign_in(person)
    return person


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def settings_data(client, url: str, **changes) -> dict:
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "退货政策测验",
        "title_en": "Returns policy quiz",
        "intro": "十道题。",
        "pass_percent": "80",
        "time_limit_minutes": "",
        "overdue_policy": "autosubmit",
        "grace_minutes": "",
        "open_at": "",
        "close_at": "",
        "attempts_allowed": "0",
        "min_delay_minutes": "0",
        "grading_method": "highest",
        "shuffle_options": "y",
        "review": ["immediately.marks", "closed.right_answers"],
        "grader_role": "mentor",
        "placement": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_employees_may_not_manage_quizzes_or_grade(app, make, sign_in, quizzes_factory):
    quiz = quizzes_factory.quiz()
    client = sign_in(make.employee("learner"))
    for url in (
        "/manage/quizzes",
        "/manage/quizzes/new",
        f"/manage/quizzes/{quiz.id}",
        f"/manage/quizzes/{quiz.id}/settings",
        f"/manage/quizzes/{quiz.id}/attempts",
        f"/manage/quizzes/{quiz.id}/statistics",
        "/grading",
        "/grading/answers/1",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/manage/quizzes/{quiz.id}/publish").status_code in (400, 403)


def test_settings_round_trip_with_time_zone_and_review_grid(app, client, hr):
    course = CatalogueFactory().course("returns", lessons=2)
    db.session.commit()
    data = settings_data(
        client,
        "/manage/quizzes/new",
        time_limit_minutes="30",
        overdue_policy="grace",
        grace_minutes="5",
        open_at="2026-12-01T09:00",
        close_at="2026-12-08T18:30",
        attempts_allowed="3",
        min_delay_minutes="60",
        grading_method="last",
        shuffle_questions="y",
        grader_role="supervisor",
        placement=f"{course.id}:lesson-2",
    )
    response = client.post("/manage/quizzes/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    quiz = db.session.scalar(sa.select(Quiz))
    assert response.headers["Location"].endswith(f"/manage/quizzes/{quiz.id}")
    # 09:00 in Shanghai is 01:00 UTC
    assert quiz.open_at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    assert quiz.close_at == dt.datetime(2026, 12, 8, 10, 30, tzinfo=dt.UTC)
    assert (quiz.title, quiz.title_en, quiz.intro) == (
        "退货政策测验",
        "Returns policy quiz",
        "十道题。",
    )
    assert quiz.time_limit_seconds == 1800 and quiz.grace_seconds == 300
    assert quiz.overdue_policy == OverduePolicy.GRACE
    assert quiz.attempts_allowed == 3 and quiz.min_delay_seconds == 3600
    assert str(quiz.grading_method) == "last" and quiz.grader_role == "supervisor"
    assert quiz.shuffle_questions and quiz.shuffle_options
    assert quiz.review == {
        "during": [],
        "immediately": ["marks"],
        "open": [],
        "closed": ["right_answers"],
    }
    assert (quiz.course_id, quiz.lesson_key) == (course.id, "lesson-2")
    assert quiz.status == QuizStatus.DRAFT

    html = page(client, f"/manage/quizzes/{quiz.id}/settings")
    assert 'value="2026-12-01T09:00"' in html and 'value="2026-12-08T18:30"' in html
    assert re.search(r'value="immediately\.marks"[^>]*checked', html)
    assert re.search(r'value="closed\.right_answers"[^>]*checked', html)
    assert not re.search(r'value="open\.marks"[^>]*checked', html)
    assert re.search(rf'<option selected value="{course.id}:lesson-2"', html)
    assert "Asia/Shanghai" in html

    # saving the form unchanged keeps everything (a round trip)
    data = settings_data(
        client,
        f"/manage/quizzes/{quiz.id}/settings",
        time_limit_minutes="30",
        overdue_policy="grace",
        grace_minutes="5",
        open_at="2026-12-01T09:00",
        close_at="2026-12-08T18:30",
        attempts_allowed="3",
        min_delay_minutes="60",
        grading_method="last",
        shuffle_questions="y",
        shuffle_options=None,
        review=[],
        grader_role="supervisor",
        placement=f"{course.id}:lesson-2",
    )
    assert client.post(f"/manage/quizzes/{quiz.id}/settings", data=data).status_code == 302
    db.session.refresh(quiz)
    assert quiz.open_at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    assert quiz.review == {"during": [], "immediately": [], "open": [], "closed": []}
    assert quiz.shuffle_options is False


def test_settings_validation_messages(app, client, hr, quizzes_factory):
    course = CatalogueFactory().course("returns", lessons=1)
    quizzes_factory.quiz(course=course, lesson_key="lesson-1")
    db.session.commit()

    def refused(**changes) -> str:
        data = settings_data(client, "/manage/quizzes/new", **changes)
        response = client.post("/manage/quizzes/new", data=data)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    html = refused(open_at="2026-12-02T09:00", close_at="2026-12-01T09:00")
    assert "The quiz must close after it opens." in html
    assert "Give the grace period in minutes." in refused(overdue_policy="grace")
    assert "That lesson has a quiz already." in refused(placement=f"{course.id}:lesson-1")
    assert "This field is required." in refused(title="")
    assert "Not a valid choice" in refused(placement=f"{course.id}:nope")
    assert db.session.scalar(sa.select(sa.func.count(Quiz.id))) == 1


def test_adding_fixed_and_random_slots_and_publishing(app, client, hr, quizzes_factory):
    quiz = quizzes_factory.quiz(questions=0, publish=False)
    pool = quizzes_factory.category("投诉处理")
    child = quizzes_factory.category("升级", parent=pool)
    wanted = quizzes_factory.question(single_choice(1), pool)
    for n in range(3):
        quizzes_factory.question(true_false(n), child)
    db.session.commit()
    url = f"/manage/quizzes/{quiz.id}"

    token = csrf_token(client, url)
    assert "Add at least one question before publishing." in client.post(
        f"{url}/publish", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert db.session.get(Quiz, quiz.id).status == QuizStatus.DRAFT

    html = page(client, f"{url}?q=首次咨询")
    assert f'href="/bank/questions/{wanted.id}"' in html
    response = client.post(
        f"{url}/slots/fixed",
        data={"csrf_token": token, "question_id": str(wanted.id), "marks": "2"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}/slots/random",
        data={
            "csrf_token": token,
            "category": str(pool.id),
            "count": "2",
            "marks": "1.5",
            "include_subcategories": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    quiz = db.session.get(Quiz, quiz.id)
    fixed, drawn = quiz.slots
    assert (fixed.question_id, fixed.marks) == (wanted.id, 2.0)
    assert (drawn.category_id, drawn.count, drawn.marks, drawn.include_subcategories) == (
        pool.id,
        2,
        1.5,
        True,
    )
    html = page(client, url)
    assert "2 random from “投诉处理”" in html
    assert f'href="/bank/questions/{wanted.id}"' in html
    # a question in the quiz already is not offered again
    assert f'name="question_id" value="{wanted.id}"' not in page(client, f"{url}?q=首次咨询")

    response = client.post(
        f"{url}/slots/random",
        data={"csrf_token": token, "category": str(pool.id), "count": "0", "marks": "1"},
    )
    assert response.status_code == 422

    client.post(f"{url}/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Quiz, quiz.id).status == QuizStatus.PUBLISHED
    # the published quiz can be taken: the draw takes two of the subcategory's questions
    attempt = attempts.start(db.session.get(Quiz, quiz.id), hr, now=clock.now())
    assert len(attempt.answers) == 3 and attempt.max_marks == 5.0

    client.post(f"{url}/slots/{fixed.id}/remove", data={"csrf_token": token})
    db.session.expire_all()
    assert [s.id for s in db.session.get(Quiz, quiz.id).slots] == [drawn.id]


def test_overrides_change_an_attempts_deadline(app, client, hr, make, quizzes_factory):
    quiz = quizzes_factory.quiz(time_limit_seconds=1800)
    learner = make.employee("learner", employee_no="E1001")
    db.session.commit()
    url = f"/manage/quizzes/{quiz.id}"
    token = csrf_token(client, url)

    response = client.post(
        f"{url}/overrides", data={"csrf_token": token, "employee_no": "NOPE", "extra_minutes": "5"}
    )
    assert response.status_code == 422
    assert "There is nobody with this employee number." in response.get_data(as_text=True)

    response = client.post(
        f"{url}/overrides",
        data={
            "csrf_token": token,
            "employee_no": "E1001",
            "extra_minutes": "15",
            "attempts_allowed": "5",
            "close_at": "2026-11-30T20:00",
        },
    )
    assert response.status_code == 302
    override = db.session.get(QuizOverride, (quiz.id, learner.id))
    assert override.time_limit_seconds == 45 * 60 and override.attempts_allowed == 5
    assert override.close_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    assert "E1001" in page(client, url)

    attempt = attempts.start(db.session.get(Quiz, quiz.id), learner, now=T0)
    assert attempt.deadline_at == T0 + dt.timedelta(minutes=45)
    other = attempts.start(db.session.get(Quiz, quiz.id), hr, now=T0)
    assert other.deadline_at == T0 + dt.timedelta(minutes=30)
    db.session.commit()

    client.post(f"{url}/overrides/{learner.id}/remove", data={"csrf_token": token})
    assert db.session.get(QuizOverride, (quiz.id, learner.id)) is None


def test_extra_time_needs_a_time_limit(app, client, hr, make, quizzes_factory):
    quiz = quizzes_factory.quiz()
    make.employee(employee_no="E2002")
    db.session.commit()
    url = f"/manage/quizzes/{quiz.id}"
    response = client.post(
        f"{url}/overrides",
        data={"csrf_token": csrf_token(client, url), "employee_no": "E2002", "extra_minutes": "5"},
    )
    assert response.status_code == 422
    assert "This quiz has no time limit" in response.get_data(as_text=True)


def answer_and_submit(quiz, person, responses: list, now=T0) -> Attempt:
    attempt = attempts.start(quiz, person, now=now)
    for slot, raw in enumerate(responses, 1):
        if raw is not None:
            attempts.save_answer(attempt.id, person, slot, raw, sequence=1, now=now)
    return attempts.submit(attempt.id, person, now=now + dt.timedelta(minutes=5))


def test_quiz_list_and_attempts_list(app, client, hr, make, quizzes_factory):
    quiz = quizzes_factory.quiz(definitions=[true_false(1), true_false(2)])
    quizzes_factory.quiz(publish=False)
    passer, failer, starter = (make.employee(name=n) for n in ("甲", "乙", "丙"))
    answer_and_submit(quiz, passer, [True, True])
    answer_and_submit(quiz, failer, [False, True])
    attempts.start(quiz, starter, now=T0)
    db.session.commit()

    html = page(client, "/manage/quizzes?sort=attempts&dir=desc")
    row = re.search(rf'<tr data-quiz="{quiz.id}">.*?</tr>', html, re.S).group(0)
    cells = re.findall(r'<td class="text-end">(.*?)</td>', row, re.S)
    assert cells[0].strip() == "2"  # questions
    assert ">3<" in cells[1]  # attempts
    assert "50 %" in cells[2]  # one of the two people graded passed
    assert re.findall(r'data-quiz="(\d+)"', html)[0] == str(quiz.id)  # most attempts first
    assert page(client, "/manage/quizzes?status=draft").count("data-quiz=") == 1

    html = page(client, f"/manage/quizzes/{quiz.id}/attempts")
    assert html.count("data-attempt=") == 3
    assert "甲" in html and "100 %" in html and "In progress" in html
    html = page(client, f"/manage/quizzes/{quiz.id}/attempts?state=graded&sort=percent&dir=asc")
    assert html.count("data-attempt=") == 2
    assert html.index("乙") < html.index("甲")
    assert client.get("/manage/quizzes/999999/attempts").status_code == 404


def test_statistics_flag_a_question_everyone_gets_right(app, client, hr, make, quizzes_factory):
    quiz = quizzes_factory.quiz(
        definitions=[true_false(1), single_choice(2), single_choice(3), true_false(4, False)]
    )
    db.session.commit()
    url = f"/manage/quizzes/{quiz.id}/statistics"
    assert 'data-testid="statistics-empty"' in page(client, url)

    # question 1: everyone right; 2 and 3 separate the strong from the weak
    patterns = [
        ("a", "a", True),
        ("a", "a", True),
        ("a", "b", True),
        ("b", "a", False),
        ("b", "b", False),
        ("b", "c", False),
    ]
    for second, third, fourth in patterns:
        answer_and_submit(quiz, make.employee(), [True, second, third, fourth])
    db.session.commit()

    html = page(client, url)
    assert "6 graded attempts analysed." in html
    first = re.search(r'<tr data-slot="1".*?</tr>', html, re.S).group(0)
    assert 'data-flag="too_easy"' in first and "too easy" in first
    assert "table-warning" in first
    assert "100.0 %" in first  # facility
    assert 'data-flag="high_guess_score"' in first  # a true/false guess scores 50 %
    assert 'href="/bank/questions/' in first
    second = re.search(r'<tr data-slot="2".*?</tr>', html, re.S).group(0)
    assert "too easy" not in second
    assert 'data-testid="quiz-statistics"' in html and "Cronbach" in html
    assert "All attempts" in page(client, url + "?attempts=all")


def test_attempts_page_statements_do_not_grow(app, client, hr, make, quizzes_factory):
    quiz = quizzes_factory.quiz(definitions=[true_false(1), essay(2)])
    db.session.commit()
    url = f"/manage/quizzes/{quiz.id}/attempts"

    def add(n: int) -> None:
        for i in range(n):  # unanswered essays are graded at once, the others wait
            answer_and_submit(quiz, make.employee(), [i % 3 == 0, "先道歉。" if i % 2 else None])
        db.session.commit()

    def measure(target: str) -> int:
        with count_statements() as statements:
            assert client.get(target).status_code == 200
        return len(statements)

    add(3)
    small = {u: measure(u) for u in (url, f"/manage/quizzes/{quiz.id}/statistics")}
    add(27)
    large = {u: measure(u) for u in small}
    assert large == small
    assert small[url] <= 12


def test_item_analysis_is_cached_until_the_graded_attempts_change(
    app, make, quizzes_factory, monkeypatch
):
    from assessments import attempts, item_analysis, statistics
    from assessments.models import QuizStatisticsCache
    from lms import clock
    from lms.extensions import db

    quiz = quizzes_factory.quiz(questions=2)
    people = [make.employee() for _ in range(3)]
    for person in people[:2]:
        attempt = attempts.start(quiz, person, now=clock.now())
        attempts.save_answer(attempt.id, person, 1, True, sequence=1, now=clock.now())
        attempts.submit(attempt.id, person, now=clock.now())
    db.session.commit()
    first = item_analysis.for_quiz(quiz)
    assert first.attempt_count == 2
    db.session.commit()  # the cache was written on its own connection: read afresh
    assert db.session.get(QuizStatisticsCache, (quiz.id, False)) is not None

    def no_recompute(*_args, **_kwargs):
        raise AssertionError("recomputed although nothing changed")

    monkeypatch.setattr(statistics, "question_statistics", no_recompute)
    with app.test_request_context():  # a new request: nothing memoised
        again = item_analysis.for_quiz(quiz)  # from the shared cache
    assert again.attempt_count == 2
    assert [s.stats.facility for s in again.slots] == [s.stats.facility for s in first.slots]

    monkeypatch.undo()
    attempt = attempts.start(quiz, people[2], now=clock.now())
    attempts.submit(attempt.id, people[2], now=clock.now())
    db.session.commit()
    assert item_analysis.for_quiz(quiz).attempt_count == 3  # a new graded attempt: computed again
