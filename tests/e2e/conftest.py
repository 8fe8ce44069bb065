"""Browser journeys: the real application served on 127.0.0.1, driven by the system
Chromium through Playwright's sync API.

Every test here is marked ``e2e``. Pages may only reach the live server: any other request
is aborted and fails the test. ``step(page, name)`` saves a full-page screenshot to
``test-results/e2e/<test>/<n>-<name>.png``; a failing test also gets ``<n>-failure.png``
and the list of its screenshots in the report.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, Page, Playwright, Response, Route, sync_playwright
from werkzeug.serving import make_server

from lms.extensions import db
from tests.conftest import Factory, make_app, wipe

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "lms" / "translations"
RESULTS = ROOT / "test-results" / "e2e"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
BROWSER_LOCALE = {"zh_CN": "zh-CN", "en": "en-US"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
HR_PASSWORD = "correct-horse-9"
TEAM = "售后一组"
POST = "客服专员"

_STEPS = pytest.StashKey["Steps"]()
_PAGE = pytest.StashKey[Page]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            # When the browser navigates away while the test server still sends a static
            # file, werkzeug's development server drops the connection without closing the
            # file. That is the test server's, not the application's; ignore only that.
            item.add_marker(
                pytest.mark.filterwarnings(
                    r"ignore:.*lms/static/:pytest.PytestUnraisableExceptionWarning"
                )
            )


# --- translations ----------------------------------------------------------------------


Translate = Callable[..., str]


@pytest.fixture(scope="session")
def compiled_catalogues() -> None:
    """The journeys run the app as ``make`` builds it: its catalogues compiled by
    ``make translations``. Refuse to run on missing or stale ones."""
    for po in CATALOGUES.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.fail(
                f"{mo.relative_to(ROOT)} is missing or older than its .po: run `make translations`",
                pytrace=False,
            )


def _canonical(code: str) -> str:
    """Babel's name for a locale code: zh_CN and zh_Hans_CN are the same language."""
    return str(Locale.parse(code))


@pytest.fixture(scope="session")
def tr() -> Translate:
    """``tr("zh_CN", "People")``: the text a language's catalogue gives for a message (the
    message itself where it is untranslated), read from the .po files the project ships."""
    catalogues = {}
    for po_path in CATALOGUES.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po:
            catalogues[_canonical(po_path.parent.parent.name)] = read_po(po)

    def translate(lang: str, msgid: str, **variables: object) -> str:
        catalogue = catalogues.get(_canonical(lang))
        assert catalogue is not None, f"no message catalogue for {lang} in {CATALOGUES}"
        message = catalogue.get(msgid)
        # pybabel compile leaves out fuzzy entries: the UI shows the message itself.
        translated = message is not None and message.string and not message.fuzzy
        text = message.string if translated else msgid
        return text % variables if variables else text

    return translate


# --- the live server --------------------------------------------------------------------


def _assert_catalogues_load(app: Flask, tr: Translate) -> None:
    """Each UI language's catalogue is found by the app (Babel looks Simplified Chinese up
    as zh_Hans_CN, then zh), so a journey fails on a missing build step, not on a label."""
    with app.test_request_context():
        for code in app.config["LANGUAGES"]:
            with force_locale(code):
                assert gettext("People") == tr(code, "People"), (
                    f"the app does not load the {code} catalogue: run `make translations`"
                )


@pytest.fixture
def live_app(
    database_url: str, _schema: None, compiled_catalogues: None, tr: Translate
) -> Iterator[Flask]:
    app = make_app(database_url, RATELIMIT_ENABLED=False)
    _assert_catalogues_load(app, tr)
    try:
        yield app
    finally:
        wipe(app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def lang() -> str:
    """The UI language of a journey; tests parametrize it."""
    return "zh_CN"


@pytest.fixture
def hr_data(live_app: Flask, lang: str) -> dict[str, object]:
    """An HR account (``hr`` / ``correct-horse-9``, speaking ``lang``), and the department,
    team and post an import file can name."""
    with live_app.app_context():
        make = Factory()
        hr = make.employee("hr", roles={"hr"}, locale=lang, password=HR_PASSWORD, name="人事小李")
        department = make.department("售后服务部")
        make.team(TEAM, department=department)
        make.post(POST)
        data = {"login": hr.username, "password": HR_PASSWORD, "employee_no": hr.employee_no}
        db.session.commit()
    return data


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


class Steps:
    """``step(page, "login")`` saves the page as ``<n>-login.png`` in the test's folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken: list[Path] = []

    def __call__(self, page: Page, name: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "step"
        path = self.directory / f"{len(self.taken) + 1:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def step(request: pytest.FixtureRequest) -> Steps:
    directory = RESULTS / re.sub(r"[^A-Za-z0-9_.\[\]-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    steps = Steps(directory)
    request.node.stash[_STEPS] = steps
    return steps


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, lang: str, step: Steps
) -> Iterator[Page]:
    context = browser.new_context(
        locale=BROWSER_LOCALE[lang],
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    blocked: list[str] = []
    page_errors: list[str] = []
    server_errors: list[str] = []

    def only_live_server(route: Route) -> None:
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def note_server_error(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.url}")

    context.route("**/*", only_live_server)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("response", note_server_error)
    request.node.stash[_PAGE] = page
    try:
        yield page
    finally:
        context.close()
    assert not blocked, f"the page tried to reach other hosts: {blocked}"
    assert not page_errors, f"JavaScript errors: {page_errors}"
    assert not server_errors, f"server errors: {server_errors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item):
    report: pytest.TestReport = yield
    if report.when == "call" and report.failed:
        steps = item.stash.get(_STEPS, None)
        page = item.stash.get(_PAGE, None)
        if steps is not None:
            if page is not None and not page.is_closed():
                try:
                    steps(page, "failure")
                except Exception as error:  # the report matters more than the picture
                    report.sections.append(("e2e screenshot", f"not taken: {error!r}"))
            listing = "\n".join(str(p.relative_to(ROOT)) for p in steps.taken)
            report.sections.append(("e2e screenshots", listing or "(none)"))
    return report
