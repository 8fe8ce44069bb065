"""The JSON API under /api/v1: bearer tokens, JSON errors, pagination, OpenAPI.

Resources live in their domain packages (``lms/organisation/api.py``) and register on ``bp``.
"""

from __future__ import annotations

from flask import Blueprint

from lms.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens are not sent by browsers on their own: no CSRF to forge

from assessments import api as assessments_api  # noqa: E402,F401
from courses import api as courses_api  # noqa: E402,F401
from lms.api import openapi  # noqa: E402,F401
from lms.api.helpers import ApiError  # noqa: E402
from lms.career import api as career_api  # noqa: E402,F401
from lms.career import api_kpis as career_kpis_api  # noqa: E402,F401
from lms.certificates import api as certificates_api  # noqa: E402,F401
from lms.certification import api as certification_api  # noqa: E402,F401
from lms.mentorship import api as mentorship_api  # noqa: E402,F401
from lms.organisation import api as organisation_api  # noqa: E402,F401


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error.response()
