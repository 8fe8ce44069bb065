"""The mentorship pages: the mentor's dashboard and mentee pages, the new hire's mentor,
HR's matching board, rules and outcomes, and the team lead's list."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mentorship", __name__)

from lms.mentorship.views import hr, mentor  # noqa: E402,F401
