"""Account rules: authentication, passwords, session invalidation and API tokens.

Services take what they need as arguments (the acting person, ``now``) and ``flush()``;
the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import ApiToken
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, new_session_token

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "lms_"  # noqa: S105 - a public prefix, not a secret
# Checked against when the account does not exist, so a miss costs as much as a hit.
_DUMMY_HASH = generate_password_hash("not-a-password", method="pbkdf2:sha256:1000")


class AccountError(ValueError):
    """A rule was broken; the message is shown to the user."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_account(login: str) -> Employee | None:
    login = (login or "").strip()
    if not login:
        return None
    return db.session.scalar(
        sa.select(Employee).where(
            sa.or_(sa.func.lower(Employee.username) == login.lower(), Employee.employee_no == login)
        )
    )


def authenticate(login: str, password: str, now: dt.datetime) -> Employee | None:
    """The account for these credentials, or None. Left employees never authenticate."""
    person = find_account(login)
    if person is None or person.password_hash is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(person.password_hash, password or ""):
        return None
    if person.status == EmployeeStatus.LEFT:
        return None
    person.last_login_at = now
    db.session.flush()
    return person


def validate_new_password(person: Employee, password: str) -> None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )
    lowered = password.lower()
    if lowered in {(person.username or "").lower(), person.employee_no.lower()}:
        raise AccountError(_("The password must not be your username or employee number."))
    if password.isdigit():
        raise AccountError(_("The password must not consist of digits only."))


def set_password(person: Employee, password: str, *, must_change: bool = False) -> None:
    """Set a password and end every existing session of this person."""
    validate_new_password(person, password)
    person.password_hash = hash_password(password)
    person.must_change_password = must_change
    end_all_sessions(person)
    db.session.flush()


def change_password(person: Employee, current: str, new: str) -> None:
    from flask_babel import gettext as _

    if person.password_hash is None or not check_password_hash(person.password_hash, current):
        raise AccountError(_("The current password is wrong."))
    if current == new:
        raise AccountError(_("The new password must differ from the current one."))
    set_password(person, new, must_change=False)


def end_all_sessions(person: Employee) -> None:
    """Rotate the session token: every cookie that carried the old one stops working."""
    person.session_token = new_session_token()
    db.session.flush()


def generate_initial_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


# --- API tokens -------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    person: Employee, name: str, now: dt.datetime, days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the plain secret is returned once and never stored."""
    from flask_babel import gettext as _

    name = (name or "").strip()
    if not name:
        raise AccountError(_("Give the token a name."))
    if len(name) > 100:
        raise AccountError(_("The name is too long (100 characters at most)."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    token = ApiToken(
        employee=person,
        name=name,
        token_hash=_digest(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days > 0 else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def verify_token(secret: str, now: dt.datetime) -> Employee | None:
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or not token.is_valid(now):
        return None
    person = token.employee
    if person.status == EmployeeStatus.LEFT:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        token.last_used_at = now
        db.session.flush()
    return person


def revoke_token(token: ApiToken, now: dt.datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()


def tokens_of(person: Employee) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.employee_id == person.id)
            .order_by(ApiToken.created_at.desc())
        )
    )
