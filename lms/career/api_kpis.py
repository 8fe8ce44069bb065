"""``POST /api/v1/kpis``: monthly service-KPI figures in bulk from a helpdesk or QA system
(HR and admin tokens). The rows are checked like an uploaded file, all or nothing: any problem
answers 422 with every problem (row index from 0, field, message) and writes nothing; a clean
call inserts new figures and updates changed ones, and answers the counts."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import ngettext

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body
from lms.career import kpi_import
from lms.extensions import db

HR = ("hr", "admin")


def _problem_json(problem: kpi_import.Problem) -> dict[str, Any]:
    return {"row": problem.line, "field": problem.field, "message": problem.message}


@bp.post("/kpis")
@access.api(*HR)
def import_kpis():
    body = json_body()
    unknown = sorted(set(body) - {"rows"})
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))
    rows = body.get("rows")
    if not isinstance(rows, list) or not rows:
        message = _("Give the figures as a non-empty list “rows”.")
        raise ApiError(422, message, fields={"rows": message})
    if len(rows) > kpi_import.API_MAX_ROWS:
        message = _(
            "At most %(max)d rows per call; this one has %(n)d. Send them in several calls.",
            max=kpi_import.API_MAX_ROWS,
            n=len(rows),
        )
        raise ApiError(413, message)
    report = kpi_import.import_rows(rows, actor=authenticate_bearer(), now=clock.now())
    if not report.ok:
        db.session.rollback()
        if report.conflict:
            raise ApiError(409, report.problems[0].message)
        count = len(report.problems)
        message = ngettext(
            "Nothing was imported: %(num)d problem.",
            "Nothing was imported: %(num)d problems.",
            count,
        )
        raise ApiError(422, message, problems=[_problem_json(p) for p in report.problems])
    db.session.commit()
    return jsonify({"import_id": report.import_id, **report.counts()})


from lms.career import api_docs_kpis  # noqa: E402,F401 - documents the route above
