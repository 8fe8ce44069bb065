"""Bearer-token authentication for the API (the session cookie is never accepted there)."""

from __future__ import annotations

from flask import g, request
from sqlalchemy.exc import OperationalError

from lms import clock
from lms.accounts.services import verify_token
from lms.extensions import db
from lms.organisation.models import Employee


def authenticate_bearer() -> Employee | None:
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and secret.strip():
        user = verify_token(secret.strip(), clock.now())
        try:
            db.session.commit()  # records last use
        except OperationalError:  # best-effort bookkeeping; never fail a read for it
            db.session.rollback()
    g.api_user = user
    return user
