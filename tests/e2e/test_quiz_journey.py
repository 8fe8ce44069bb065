"""A new hire takes a lesson's quiz, fails, retakes it after the delay and passes, which
completes the lesson; they answer a role-play, their mentor grades it with the rubric and
they are notified — in both languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from assessments.models import Attempt, AttemptState
from courses import enrolment
from courses.models import Enrolment
from lms import clock
from lms.extensions import db
from tests.assessments.conftest import QuizFactory, essay, true_false
from tests.conftest import Factory
from tests.courses.conftest import CatalogueFactory
from tests.e2e.conftest import Steps, Translate

PASSWORD = "correct-horse-9"
T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def setting(live_app: Flask, lang: str) -> dict:
    with live_app.app_context():
        make = Factory()
        team = make.team("售后一组")
        learner = make.employee(
            "newbie",
            team=team,
            locale=lang,
            password=PASSWORD,
            name="王新雨",
            hire_date=dt.date(2026, 11, 1),
        )
        make.employee(
            "mentor1", roles={"mentor"}, team=team, locale=lang, password=PASSWORD, name="张导师"
        )
        course = CatalogueFactory().course("quiz-course", lessons=1, title="退换货政策")
        enrolment.enrol(learner, course, now=clock.now())
        quizzes = QuizFactory()
        lesson_quiz = quizzes.quiz(
            definitions=[true_false(1, True), true_false(2, False)],
            course=course,
            lesson_key="lesson-1",
            pass_percent=100,
            min_delay_seconds=600,
        )
        roleplay = quizzes.quiz(definitions=[essay(1)], grader_role="mentor", pass_percent=60)
        db.session.commit()
        return {"lesson_quiz": lesson_quiz.id, "roleplay": roleplay.id, "learner": learner.id}


def sign_in(page: Page, base: str, tr: Translate, lang: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page).to_have_url(f"{base}/")


def sign_out(page: Page, tr: Translate, lang: str) -> None:
    page.wait_for_load_state("load")  # the menu needs Bootstrap's script
    button = page.get_by_role("button", name=tr(lang, "Sign out"))
    for _ in range(3):
        page.get_by_test_id("user-menu").click()
        try:
            expect(button).to_be_visible(timeout=2000)
            break
        except AssertionError:
            continue
    button.click()
    expect(page).to_have_url(re.compile(r"/login"))


def answer_true_false(page: Page, values: list[bool]) -> None:
    for slot, value in enumerate(values, 1):
        question = page.locator(f"#question-{slot}")
        question.locator(f'input[type="radio"][value="{"true" if value else "false"}"]').check()


def submit(page: Page) -> None:
    page.get_by_test_id("submit-attempt").click()
    expect(page.get_by_test_id("summary")).to_be_visible()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_quiz_journey(
    page: Page,
    live_server: str,
    live_app: Flask,
    setting: dict,
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    with clock.frozen(T0):
        sign_in(page, live_server, tr, lang, "newbie")
        page.goto(f"{live_server}/courses/quiz-course/lessons/lesson-1")
        expect(page.get_by_test_id("mark-complete")).to_have_count(0)
        page.get_by_test_id("take-quiz").click()
        step(page, "quiz-page")
        page.get_by_test_id("start-attempt").click()
        expect(page.get_by_test_id("question")).to_have_count(2)
        answer_true_false(page, [False, False])  # the first one is wrong
        step(page, "first-attempt")
        submit(page)
        expect(page.get_by_test_id("result")).to_have_text(tr(lang, "Not passed"))
        step(page, "failed")
        page.get_by_test_id("back-to-quiz").click()
        expect(page.get_by_test_id("cannot-start")).to_have_attribute("data-code", "delay")
        step(page, "must-wait")

    with clock.frozen(T0 + dt.timedelta(minutes=15)):  # after the delay
        page.reload()
        page.get_by_test_id("start-attempt").click()
        answer_true_false(page, [True, False])
        submit(page)
        expect(page.get_by_test_id("result")).to_have_text(tr(lang, "Passed"))
        step(page, "passed")
        page.get_by_test_id("back-to-lesson").click()
        expect(page.get_by_test_id("quiz-passed")).to_be_visible()
        step(page, "lesson-completed")
        with live_app.app_context():
            mine = db.session.scalar(
                sa.select(Enrolment).where(Enrolment.employee_id == setting["learner"])
            )
            assert mine.completed_at is not None

        # the role-play: an essay graded by the mentor with the rubric
        page.goto(f"{live_server}/quizzes/{setting['roleplay']}")
        page.get_by_test_id("start-attempt").click()
        page.locator("textarea.answer-essay").fill(
            "非常理解您的心情，包裹延误确实让人着急。我马上为您查询物流，并在 30 分钟内给您回复。"
        )
        submit(page)
        expect(page.get_by_test_id("waiting")).to_be_visible()
        step(page, "roleplay-waiting")
        sign_out(page, tr, lang)

        sign_in(page, live_server, tr, lang, "mentor1")
        page.goto(f"{live_server}/grading")
        expect(page.get_by_test_id("grading-queue").locator("tbody tr")).to_have_count(1)
        step(page, "grading-queue")
        page.get_by_test_id("grading-queue").locator("tbody tr a").first.click()
        form = page.get_by_test_id("grade-form")
        form.locator('[data-criterion="empathy"] input[type="radio"]').last.check()
        form.locator('[data-criterion="policy"] input[type="radio"]').last.check()
        step(page, "grading-rubric")
        form.locator('button[type="submit"]').click()
        expect(page.get_by_test_id("queue-empty")).to_be_visible()
        sign_out(page, tr, lang)

        with live_app.app_context():
            attempt = db.session.scalar(
                sa.select(Attempt).where(Attempt.quiz_id == setting["roleplay"])
            )
            assert attempt.state == AttemptState.GRADED and attempt.percent == 100.0

        sign_in(page, live_server, tr, lang, "newbie")
        bell = page.get_by_test_id("notifications-bell")
        expect(bell.locator(".badge")).to_have_text("1")
        bell.click()
        step(page, "notified")
