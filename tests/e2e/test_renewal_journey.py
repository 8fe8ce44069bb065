"""An agent's quarterly product-knowledge certification opens its renewal window; the
scheduler's sweeps remind them (in the notification centre and by email, at a real SMTP
server); they renew, retake the refresher quiz, and their expiry moves a quarter on — in
both languages."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from assessments import attempts
from lms import clock
from lms.certification import services as certification_services
from lms.certification.models import PersonCertification
from lms.extensions import db
from lms.scheduler import jobs, runner
from tests.assessments.conftest import QuizFactory, true_false
from tests.certification.conftest import CertificationFactory
from tests.conftest import Factory
from tests.courses.conftest import CatalogueFactory
from tests.e2e.conftest import Steps, Translate
from tests.e2e.test_quiz_journey import answer_true_false, sign_in, submit
from tests.notifications.conftest import MailServer, configure_mail

PASSWORD = "correct-horse-9"
CERTIFIED = dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC)
WINDOW = dt.datetime(2027, 3, 2, 2, 0, tzinfo=dt.UTC)  # 30 days before 1 April
REMINDER = dt.datetime(2027, 3, 18, 2, 0, tzinfo=dt.UTC)  # 14 days before
RENEWAL = dt.datetime(2027, 3, 20, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def mail(live_app: Flask):
    server = MailServer()
    server.start()
    configure_mail(live_app, server.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def certified_agent(live_app: Flask, lang: str) -> dict:
    """An agent certified on 10 January in 产品知识季度复训 (quarterly, on fixed dates)."""
    with live_app.app_context(), clock.frozen(CERTIFIED):
        make = Factory()
        agent = make.employee(
            "agent", locale=lang, password=PASSWORD, name="陈晓", email="chenxiao@example.test"
        )
        course = CatalogueFactory().course("product-refresher", lessons=1, title="春季新品知识")
        quiz = QuizFactory().quiz(
            definitions=[true_false(1, True), true_false(2, False)],
            course=course,
            lesson_key="lesson-1",
            pass_percent=100,
            attempts_allowed=2,
        )
        certification = CertificationFactory().certification(
            courses=[course],
            title="产品知识季度复训",
            title_en="Quarterly product knowledge",
            active_months=3,
            window_days=30,
            expiry_base="fixed",
            fixed_dates=["01-01", "04-01", "07-01", "10-01"],
        )
        certification_services.assign(
            certification, employee_ids=[agent.id], actor=None, now=clock.now()
        )
        attempt = attempts.start(quiz, agent, now=clock.now())
        attempts.save_answer(attempt.id, agent, 1, True, sequence=1, now=clock.now())
        attempts.save_answer(attempt.id, agent, 2, False, sequence=1, now=clock.now())
        attempts.submit(attempt.id, agent, now=clock.now())
        db.session.commit()
        holder = db.session.scalar(
            sa.select(PersonCertification).where(PersonCertification.employee_id == agent.id)
        )
        assert holder.expires_on == dt.date(2027, 4, 1)
        return {"agent": agent.id, "holder": holder.id}


def run_sweeps(app: Flask, now: dt.datetime, *names: str) -> dict[str, int]:
    """What the scheduler process does at ``now``: the named sweeps, by the same code path."""
    done = {}
    with app.app_context():
        for name in names:
            outcome = runner.run_sweep(jobs.sweep_by_name(name), now=now)
            assert outcome.ok, outcome.error
            done[name] = outcome.rows
    return done


def holder_expiry(app: Flask, holder_id: int) -> tuple[str, dt.date]:
    with app.app_context():
        holder = db.session.get(PersonCertification, holder_id)
        return str(holder.status), holder.expires_on


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_renewal_journey(
    page: Page,
    live_server: str,
    live_app: Flask,
    certified_agent: dict,
    mail: MailServer,
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # "submit now?"
    # 2 March: the renewal window opens (the scheduler's sweep)
    with clock.frozen(WINDOW):
        opened = run_sweeps(live_app, WINDOW, "open-certification-windows", "deliver-email")
        assert opened["open-certification-windows"] == 1
        assert holder_expiry(live_app, certified_agent["holder"]) == ("due", dt.date(2027, 4, 1))

    # 18 March, 14 days before expiry: the reminder, in the app and by email
    with clock.frozen(REMINDER):
        reminded = run_sweeps(live_app, REMINDER, "certification-reminders", "deliver-email")
        assert reminded == {"certification-reminders": 1, "deliver-email": 1}
        assert run_sweeps(live_app, REMINDER, "certification-reminders", "deliver-email") == {
            "certification-reminders": 0,
            "deliver-email": 0,
        }
    received = mail.to("chenxiao@example.test")
    assert len(received) == 2  # the window opened, then the reminder: each once
    assert "产品知识季度复训" in received[-1].get_body(("plain",)).get_content()

    with clock.frozen(RENEWAL):
        sign_in(page, live_server, tr, lang, "agent")
        page.goto(f"{live_server}/notifications")
        expect(page.get_by_text("产品知识季度复训").first).to_be_visible()
        step(page, "reminder-in-the-inbox")

        page.goto(f"{live_server}/certifications")
        expect(page.get_by_test_id("renew")).to_be_visible()
        expect(page.get_by_test_id("expires-on")).to_be_visible()
        step(page, "window-open")
        page.get_by_test_id("renew").click()
        expect(page).to_have_url(f"{live_server}/courses/product-refresher")
        step(page, "refresher-course")

        page.goto(f"{live_server}/courses/product-refresher/lessons/lesson-1")
        page.get_by_test_id("take-quiz").click()
        page.get_by_test_id("start-attempt").click()  # the first cycle's attempt no longer counts
        answer_true_false(page, [True, False])
        submit(page)
        expect(page.get_by_test_id("result")).to_have_text(tr(lang, "Passed"))
        step(page, "refresher-passed")

        assert holder_expiry(live_app, certified_agent["holder"]) == (
            "certified",
            dt.date(2027, 7, 1),
        )
        page.goto(f"{live_server}/certifications")
        expect(page.get_by_test_id("renew")).to_have_count(0)
        expect(page.get_by_test_id("days-left")).to_be_visible()
        step(page, "renewed-a-quarter-on")

        page.goto(f"{live_server}/certifications/{certified_agent['holder']}")
        expect(page.get_by_test_id("cycle-courses").first).to_be_visible()
        step(page, "history")
