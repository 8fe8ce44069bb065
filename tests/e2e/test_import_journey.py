"""HR imports a team from a CSV with Chinese headers: a bad row blocks the whole file, the
fixed file creates everyone, and the language switcher changes the UI - in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from lms.extensions import db
from lms.organisation.models import Employee
from tests.e2e.conftest import HTML_LANG, POST, TEAM, Steps, Translate

HEADER = "工号,姓名,入职日期,团队,岗位"
BAD_DATE = "2026-13-45"
GOOD_DATE = "2026-03-16"
EMPLOYEES = [
    ("E2E001", "陈静", "2026-03-02"),
    ("E2E002", "林晓峰", "2026-03-02"),
    ("E2E003", "黄丽娟", GOOD_DATE),  # the third data row: line 4 of the file
    ("E2E004", "赵明", "2026-03-09"),
    ("E2E005", "周婷婷", "2026/03/09"),
]
NUMBERS = [number for number, _name, _date in EMPLOYEES]
BAD_LINE = 4
OTHER = {"zh_CN": "en", "en": "zh_CN"}


def employees_csv(rows: list[tuple[str, str, str]]) -> FilePayload:
    """The file as Excel's "CSV UTF-8" saves it: BOM, CRLF line ends."""
    lines = [HEADER] + [",".join((number, name, date, TEAM, POST)) for number, name, date in rows]
    body = "\ufeff" + "\r\n".join(lines) + "\r\n"
    return {"name": "员工名单.csv", "mimeType": "text/csv", "buffer": body.encode("utf-8")}


def stored(app: Flask) -> dict[str, tuple[str, dt.date, str | None, str | None]]:
    """The employees of the file as the database holds them."""
    with app.app_context():
        people = db.session.scalars(sa.select(Employee).where(Employee.employee_no.in_(NUMBERS)))
        return {
            p.employee_no: (
                p.name,
                p.hire_date,
                p.team.name if p.team else None,
                p.post.title if p.post else None,
            )
            for p in people
        }


def locale_of(app: Flask, username: str) -> str:
    with app.app_context():
        return db.session.scalars(
            sa.select(Employee.locale).where(Employee.username == username)
        ).one()


def expect_language(page: Page, tr: Translate, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.get_by_test_id("people-menu")).to_have_text(tr(lang, "People"))
    expect(page.locator(f'button[name="lang"][value="{lang}"]')).to_have_attribute(
        "aria-pressed", "true"
    )


def upload(page: Page, tr: Translate, lang: str, payload: FilePayload) -> None:
    page.locator('input[type="file"][name="file"]').set_input_files(payload)
    page.get_by_role("button", name=tr(lang, "Check and import")).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_import_journey(
    page: Page,
    live_server: str,
    live_app: Flask,
    hr_data: dict[str, object],
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    # Sign in through the form; the account's language decides the UI from then on.
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.get_by_role("heading", name=tr(lang, "Sign in"))).to_be_visible()
    step(page, "login")
    page.locator('input[name="login"]').fill(str(hr_data["login"]))
    page.locator('input[name="password"]').fill(str(hr_data["password"]))
    page.get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page).to_have_url(f"{live_server}/")
    expect_language(page, tr, lang)
    step(page, "home")

    # People -> Import.
    page.get_by_test_id("people-menu").click()
    page.locator('#mainnav a.dropdown-item[href="/people"]').click()
    expect(page).to_have_url(f"{live_server}/people")
    page.get_by_role("link", name=tr(lang, "Import"), exact=True).click()
    expect(page).to_have_url(f"{live_server}/people/import")
    expect(page.get_by_role("heading", name=tr(lang, "Import employees"))).to_be_visible()
    step(page, "import-page")

    # A file with one impossible date: the row is named and nothing is written.
    broken = [row if row[0] != "E2E003" else (row[0], row[1], BAD_DATE) for row in EMPLOYEES]
    upload(page, tr, lang, employees_csv(broken))
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text(tr(lang, "Nothing was imported."))
    problems = errors.locator("tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td")
    expect(cells.nth(0)).to_have_text(str(BAD_LINE))
    expect(cells.nth(1)).to_contain_text(f"C ({tr(lang, 'Hire date')})")
    expect(cells.nth(2)).to_contain_text(BAD_DATE)
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    step(page, "import-rejected")

    page.goto(f"{live_server}/people?q=E2E002")
    expect(page.locator(".empty-state")).to_contain_text(tr(lang, "Nobody matches these filters."))
    expect(page.get_by_test_id("people-table")).to_have_count(0)
    step(page, "nobody-imported")
    assert stored(live_app) == {}

    # The fixed file: everyone is created.
    page.goto(f"{live_server}/people/import")
    upload(page, tr, lang, employees_csv(EMPLOYEES))
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text(tr(lang, "Import complete."))
    summary = "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
    expect(result).to_contain_text(tr(lang, summary, rows=5, created=5, updated=0, unchanged=0))
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    accounts = page.locator("table:has(td.secret) tbody tr")
    expect(accounts).to_have_count(len(EMPLOYEES))
    expect(accounts.locator("td:first-child")).to_have_text(NUMBERS)
    step(page, "import-done")

    page.goto(f"{live_server}/people?q=E2E")
    table = page.get_by_test_id("people-table")
    expect(table.locator("tbody tr td:first-child")).to_have_text(NUMBERS)
    expect(table.locator("tbody tr td:nth-child(2)")).to_have_text([n for _no, n, _d in EMPLOYEES])
    expect(table.locator("tbody tr td:nth-child(3)")).to_have_text([TEAM] * len(EMPLOYEES))
    step(page, "people-imported")
    assert stored(live_app) == {
        number: (name, dt.date.fromisoformat(date.replace("/", "-")), TEAM, POST)
        for number, name, date in EMPLOYEES
    }

    # The language switcher: the other language, then back; the choice is stored.
    other = OTHER[lang]
    page.locator(f'button[name="lang"][value="{other}"]').click()
    expect(page).to_have_url(f"{live_server}/people?q=E2E")
    expect_language(page, tr, other)
    expect(page.get_by_role("heading", name=tr(other, "People"))).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(EMPLOYEES))
    step(page, f"switched-to-{other}")
    assert locale_of(live_app, str(hr_data["login"])) == other

    page.locator(f'button[name="lang"][value="{lang}"]').click()
    expect_language(page, tr, lang)
    assert locale_of(live_app, str(hr_data["login"])) == lang

    # A phone: wide tables scroll inside their card, the page itself never sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/people", "people-390"), ("/people/import", "import-390")):
        page.goto(f"{live_server}{path}")
        step(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
