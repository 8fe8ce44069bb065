"""A new hire's first day: HR imports them, the onboarding rule enrols them at once, they
sign in, choose their own password, find their onboarding course with its due date and
complete a lesson - in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from courses import assignment
from courses.models import Curriculum, CurriculumCourse, Enrolment
from lms import clock
from lms.extensions import db
from lms.organisation.models import Employee, Post
from tests.courses.conftest import CatalogueFactory
from tests.e2e.conftest import HTML_LANG, POST, TEAM, Steps, Translate

NEW_HIRE = "N2E001"
INITIAL = "Welcome-2026"
CHOSEN = "my-own-secret-77"


@pytest.fixture
def onboarding(live_app: Flask, hr_data: dict[str, object]) -> dict[str, object]:
    """A published course in an onboarding curriculum, and the rule that gives it to every
    onboarding 客服专员 with a due date 30 days after hire."""
    with live_app.app_context():
        course = CatalogueFactory().course("returns-basics", lessons=2, title="退换货与退款政策")
        curriculum = Curriculum(slug="agent-onboarding", title="客服专员入职培训", due_days=30)
        curriculum.items = [CurriculumCourse(course=course, position=1)]
        db.session.add(curriculum)
        post = db.session.scalar(sa.select(Post).where(Post.title == POST))
        assignment.create_rule(
            name="新客服入职",
            course=None,
            curriculum=curriculum,
            post_id=post.id,
            team_id=None,
            department_id=None,
            employee_status="onboarding",
            due_days_after_hire=30,
            due_days_after_enrolment=None,
            actor=None,
            now=clock.now(),
        )
        db.session.commit()
    return {"course": "returns-basics", "title": "退换货与退款政策"}


def new_hire_csv(lang: str, hired: dt.date) -> FilePayload:
    lines = [
        "工号,姓名,入职日期,团队,岗位,语言,初始密码",
        f"{NEW_HIRE},王新雨,{hired.isoformat()},{TEAM},{POST},{lang},{INITIAL}",
    ]
    return {
        "name": "新员工.csv",
        "mimeType": "text/csv",
        "buffer": ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"),
    }


def sign_in(page: Page, base: str, tr: Translate, lang: str, login: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name=tr(lang, "Sign in")).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_new_hire_first_day(
    page: Page,
    live_server: str,
    live_app: Flask,
    hr_data: dict[str, object],
    onboarding: dict[str, object],
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    hired = clock.today() - dt.timedelta(days=1)

    # HR imports the new hire.
    sign_in(page, live_server, tr, lang, str(hr_data["login"]), str(hr_data["password"]))
    page.goto(f"{live_server}/people/import")
    page.locator('input[type="file"][name="file"]').set_input_files(new_hire_csv(lang, hired))
    page.get_by_role("button", name=tr(lang, "Check and import")).click()
    expect(page.get_by_test_id("import-result")).to_contain_text(tr(lang, "Import complete."))
    step(page, "hr-imported")
    with live_app.app_context():
        person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == NEW_HIRE))
        mine = db.session.scalars(
            sa.select(Enrolment).where(Enrolment.employee_id == person.id)
        ).all()
        assert [(e.source, e.due_on) for e in mine] == [("rule", hired + dt.timedelta(days=30))]

    # HR signs out; the new hire signs in with the initial password and must choose theirs.
    page.wait_for_load_state("load")  # the menu needs Bootstrap's script
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name=tr(lang, "Sign out")).click()
    sign_in(page, live_server, tr, lang, NEW_HIRE, INITIAL)
    expect(page).to_have_url(f"{live_server}/account/password")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    step(page, "choose-password")
    page.locator('input[name="current"]').fill(INITIAL)
    page.locator('input[name="new"]').fill(CHOSEN)
    page.locator('input[name="confirm"]').fill(CHOSEN)
    page.get_by_role("button", name=tr(lang, "Change password")).click()
    page.goto(f"{live_server}/")

    # The onboarding course waits on the home page with its due date.
    courses = page.get_by_test_id("my-courses")
    expect(courses).to_contain_text(str(onboarding["title"]))
    expect(courses.locator("[data-status]")).to_have_attribute("data-status", "not_started")
    step(page, "home-first-login")

    # Open it, start, complete the first lesson.
    courses.get_by_role("link", name=str(onboarding["title"])).click()
    expect(page).to_have_url(f"{live_server}/courses/{onboarding['course']}")
    page.get_by_test_id("continue").click()
    expect(page.get_by_role("heading", name="课时1")).to_be_visible()
    expect(page.get_by_test_id("lesson-body")).to_contain_text("内容")
    step(page, "lesson-1")
    page.get_by_test_id("mark-complete").click()
    expect(page).to_have_url(f"{live_server}/courses/{onboarding['course']}/lessons/lesson-2")
    step(page, "lesson-2")
    page.goto(f"{live_server}/")
    expect(page.get_by_test_id("resume")).to_be_visible()
    expect(courses.locator("[data-status]")).to_have_attribute("data-status", "in_progress")
    step(page, "home-in-progress")
    with live_app.app_context():
        e = db.session.scalar(
            sa.select(Enrolment)
            .join(Employee, Employee.id == Enrolment.employee_id)
            .where(Employee.employee_no == NEW_HIRE)
        )
        assert e.started_at is not None and e.completed_at is None
