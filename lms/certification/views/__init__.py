"""Certification pages: the learner's certifications, HR's definitions and rules, and the
compliance view for team leads and HR."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("certification", __name__)

from lms.certification.views import compliance, hr, learner  # noqa: E402, F401 - routes
