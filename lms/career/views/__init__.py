"""Career pages: my career, the team's readiness, HR's ladders, KPIs, promotions, rotations
and succession slates."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("career", __name__, url_prefix="/career")

from lms.career.views import (  # noqa: E402, F401 - routes
    kpis,
    ladders,
    me,
    promotions,
    rotations,
    succession,
    team,
)
