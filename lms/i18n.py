"""Language and time zone selection, and the formatting filters templates use."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["CLI_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    token_owner = g.get("api_user")  # the API answers in the language of the token's owner
    if token_owner is not None and token_owner.locale in languages:
        return token_owner.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best in ("zh_CN", "zh"):
        return "zh_CN"
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def locale_code() -> str:
    """The UI language as one of LANGUAGE_NAMES' keys (Babel spells zh_CN zh_Hans_CN)."""
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return "zh_CN"
    return locale.language


def _fmt_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def _fmt_date(value: dt.date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _fmt_datetime
    app.jinja_env.filters["date"] = _fmt_date
    app.jinja_env.add_extension("jinja2.ext.i18n")

    @app.context_processor
    def _i18n_context() -> dict:
        return {"locale_code": locale_code(), "language_names": LANGUAGE_NAMES}
