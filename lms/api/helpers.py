"""Request parsing and pagination shared by the API resources."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_babel import gettext as _

from lms.errors import json_error
from lms.extensions import db

MAX_PER_PAGE = 200


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def response(self):
        return json_error(self.status, self.message, **self.extra)


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return data


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", current_app.config["PAGE_SIZE"]))
    except ValueError:
        abort(400, description="page and per_page must be integers")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        abort(400, description=f"page >= 1 and 1 <= per_page <= {MAX_PER_PAGE}")
    return page, per_page


def paginated(query, serialise) -> dict[str, Any]:
    page, per_page = page_args()
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return {
        "items": [serialise(item) for item in result.items],
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "pages": result.pages,
    }
