"""Every new hire gets a mentor on day one: HR imports three new hires, accepts the proposed
mentors on the matching board, the mentor logs a check-in with the new hire's pulse, and the
new hire sees their mentor - in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from lms import clock
from lms.extensions import db
from lms.mentorship.models import CheckIn, Mentorship, MentorshipStatus
from lms.organisation.models import Team
from tests.conftest import Factory
from tests.e2e.conftest import HTML_LANG, POST, TEAM, Steps, Translate
from tests.e2e.test_new_hire_journey import sign_in

MENTOR_PASSWORD = "mentor-pass-42"
INITIAL = "Welcome-2026"
CHOSEN = "my-own-secret-77"
HIRES = [("M2E001", "赵晓彤"), ("M2E002", "钱文博"), ("M2E003", "孙雅琪")]
NOTES = "熟悉了退货工单的处理流程，能独立回复简单咨询。"
ACTIONS = "每天旁听一小时资深同事的通话。"


@pytest.fixture
def mentor(live_app: Flask, hr_data: dict[str, object], lang: str) -> dict[str, str]:
    """An eligible mentor in the team the new hires join (three places free)."""
    with live_app.app_context():
        make = Factory()
        team = db.session.scalar(sa.select(Team).where(Team.name == TEAM))
        person = make.employee(
            "mentor",
            roles={"mentor"},
            team=team,
            name="王丽娟",
            locale=lang,
            password=MENTOR_PASSWORD,
            hire_date=dt.date(2023, 5, 8),
            employee_no="M10004",
        )
        db.session.commit()
        return {"login": person.username, "name": person.name}


def hires_csv(lang: str, hired: dt.date) -> FilePayload:
    lines = ["工号,姓名,入职日期,团队,岗位,语言,初始密码"]
    lines += [
        f"{no},{name},{hired.isoformat()},{TEAM},{POST},{lang},{INITIAL}" for no, name in HIRES
    ]
    return {
        "name": "新员工.csv",
        "mimeType": "text/csv",
        "buffer": ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"),
    }


def sign_out(page: Page, tr: Translate, lang: str) -> None:
    page.wait_for_load_state("load")  # the menu needs Bootstrap's script
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name=tr(lang, "Sign out")).click()


def statuses(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(str(s) for s in db.session.scalars(sa.select(Mentorship.status)))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_mentoring_journey(
    page: Page,
    live_server: str,
    live_app: Flask,
    hr_data: dict[str, object],
    mentor: dict[str, str],
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    hired = clock.today()

    # HR imports three new hires: each gets a proposed mentor at once.
    sign_in(page, live_server, tr, lang, str(hr_data["login"]), str(hr_data["password"]))
    page.goto(f"{live_server}/people/import")
    page.locator('input[type="file"][name="file"]').set_input_files(hires_csv(lang, hired))
    page.get_by_role("button", name=tr(lang, "Check and import")).click()
    expect(page.get_by_test_id("import-result")).to_contain_text(tr(lang, "Import complete."))
    assert statuses(live_app) == ["proposed"] * 3

    # The matching board: three proposals, each with its reasons; accept them all.
    page.wait_for_load_state("load")
    page.get_by_test_id("mentoring-menu").click()
    page.get_by_role("link", name=tr(lang, "Matching board")).click()
    expect(page).to_have_url(f"{live_server}/mentoring/board")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    proposals = page.get_by_test_id("proposals")
    expect(proposals.locator("tbody tr")).to_have_count(3)
    expect(proposals).to_contain_text(mentor["name"])
    expect(proposals).to_contain_text(tr(lang, "Same team"))
    step(page, "board-proposals")
    page.once("dialog", lambda dialog: dialog.accept())
    proposals.get_by_role("button", name=tr(lang, "Accept all")).click()
    expect(page.get_by_test_id("proposals-empty")).to_be_visible()
    step(page, "board-accepted")
    assert statuses(live_app) == ["active"] * 3

    # The mentor sees the three mentees and logs a check-in with the first one's pulse.
    sign_out(page, tr, lang)
    sign_in(page, live_server, tr, lang, mentor["login"], MENTOR_PASSWORD)
    page.wait_for_load_state("load")
    page.get_by_test_id("mentoring-menu").click()
    page.get_by_role("link", name=tr(lang, "My mentees")).click()
    expect(page).to_have_url(f"{live_server}/mentoring")
    mentees = page.get_by_test_id("mentees")
    expect(mentees.locator("tbody tr")).to_have_count(3)
    step(page, "mentor-dashboard")
    mentees.get_by_role("link", name=HIRES[0][1]).click()
    expect(page).to_have_url(f"{live_server}/mentoring/mentees/{HIRES[0][0]}")
    form = page.get_by_test_id("check-in-form")
    form.locator('select[name="pulse"]').select_option("4")
    form.locator('textarea[name="notes"]').fill(NOTES)
    form.locator('textarea[name="actions"]').fill(ACTIONS)
    step(page, "check-in-form")
    form.get_by_role("button", name=tr(lang, "Log check-in")).click()
    check_ins = page.get_by_test_id("check-ins")
    expect(check_ins).to_contain_text(NOTES)
    expect(check_ins).to_contain_text("4/5")
    step(page, "check-in-logged")
    with live_app.app_context():
        held = db.session.scalars(sa.select(CheckIn).where(CheckIn.held_on.is_not(None))).all()
        assert [(c.day, c.pulse, c.notes) for c in held] == [(7, 4, NOTES)]

    # The new hire signs in, chooses a password and finds their mentor.
    sign_out(page, tr, lang)
    sign_in(page, live_server, tr, lang, HIRES[0][0], INITIAL)
    expect(page).to_have_url(f"{live_server}/account/password")
    page.locator('input[name="current"]').fill(INITIAL)
    page.locator('input[name="new"]').fill(CHOSEN)
    page.locator('input[name="confirm"]').fill(CHOSEN)
    page.get_by_role("button", name=tr(lang, "Change password")).click()
    page.goto(f"{live_server}/")
    card = page.get_by_test_id("my-mentor-card")
    expect(card).to_contain_text(mentor["name"])
    step(page, "home-my-mentor")
    page.goto(f"{live_server}/my-mentor")
    expect(page.get_by_role("heading", name=tr(lang, "My mentor"), exact=True)).to_be_visible()
    expect(page.get_by_test_id("my-mentor-card")).to_contain_text(mentor["name"])
    expect(page.get_by_test_id("upcoming").locator("[data-check-in]")).to_have_count(3)
    expect(page.get_by_test_id("past-check-ins")).to_contain_text(ACTIONS)
    step(page, "my-mentor")
    with live_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Mentorship.status == MentorshipStatus.ACTIVE)
            )
            == 3
        )
