"""The catalogue's pages: one blueprint, its routes grouped by audience."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("courses", __name__)

from courses.views import assignment, authoring, learner, lessons, packages  # noqa: E402,F401
