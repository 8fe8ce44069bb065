"""How Flask-Login finds the signed-in person, and the first-login password rule."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.extensions import db, login_manager
from lms.organisation.models import Employee

# Endpoints a person who must change their password may still reach.
_FIRST_LOGIN_ENDPOINTS = {
    "accounts.change_password",
    "accounts.logout",
    "main.set_language",
    "main.healthz",
    "static",
}


@login_manager.user_loader
def load_user(session_token: str) -> Employee | None:
    person = db.session.scalar(sa.select(Employee).where(Employee.session_token == session_token))
    if person is None or not person.is_active:
        return None
    return person


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = app.config.get("SESSION_PROTECTION", "strong")

    @app.before_request
    def _first_login_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in _FIRST_LOGIN_ENDPOINTS
            and not request.path.startswith("/api/")
        ):
            return redirect(url_for("accounts.change_password"))
        return None
