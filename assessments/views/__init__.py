"""The assessment pages: one blueprint, routes grouped by audience."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from assessments.views import bank, bank_transfer, grading, images, learner, manage  # noqa: E402,F401
