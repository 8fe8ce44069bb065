"""Certificate pages: the learner's certificates, HR's issued list, designs and awards, and
the public verification pages (no login)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from lms.certificates.views import designs, hr, learner, public  # noqa: E402, F401 - routes
