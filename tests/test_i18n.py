"""Both catalogues are complete, and the language follows the user, the browser or the switch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms.extensions import db
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "lms" / "translations"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_catalogue_is_complete(source_messages, locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated[key] = strings
    missing = sorted(source_messages - set(translated))
    assert not missing, f"{locale} lacks {len(missing)} translation(s): {missing[:10]}"


def test_chinese_catalogue_is_really_chinese():
    with (TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.get("Sign in").string == "登录"
    assert catalogue.get("People").string == "人员"


def test_accept_language_picks_the_language_for_visitors(client):
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    en = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert 'lang="zh-CN"' in zh.get_data(as_text=True)
    assert "登录" in zh.get_data(as_text=True)
    assert 'lang="en"' in en.get_data(as_text=True)
    assert "Sign in" in en.get_data(as_text=True)


def test_default_language_is_chinese(client):
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_the_users_setting_wins_over_the_browser(client, make):
    make.employee("amy", locale="zh_CN")
    db.session.commit()
    login(client, "amy")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "首页" in page


def test_switcher_changes_the_language_and_remembers_it(client, make):
    person = make.employee("amy", locale="en")
    db.session.commit()
    login(client, "amy")
    response = client.post(
        "/language",
        data={"lang": "zh_CN", "next": "/account", "csrf_token": csrf_token(client, "/account")},
    )
    assert response.status_code == 302 and response.location == "/account"
    assert "个人资料" in client.get("/account").get_data(as_text=True)
    db.session.refresh(person)
    assert person.locale == "zh_CN"


def test_switcher_for_visitors_and_unsafe_next(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/language", data={"lang": "en", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.location == "/"
    assert "Sign in" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(("language", "text"), [("zh-CN", "页面不存在"), ("en", "does not exist")])
def test_error_pages_in_both_languages(client, language, text):
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "text"), [("zh-CN", "没有权限"), ("en", "permission")])
def test_forbidden_page_in_both_languages(client, make, language, text):
    make.employee("amy", locale="zh_CN" if language == "zh-CN" else "en")
    db.session.commit()
    login(client, "amy")
    response = client.get("/people")
    assert response.status_code == 403
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_catalogue_compiles_without_errors(locale):
    """What ``pybabel compile`` checks: every translation uses the placeholders its message
    has (a catalogue failing this is not compiled, and the UI falls back to English)."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    problems = [
        f"{message.id!r}: {error}" for message, errors in catalogue.check() for error in errors
    ]
    assert not problems, problems
