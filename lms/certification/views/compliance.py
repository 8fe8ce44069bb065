"""The compliance view: people × certifications for team leads (their own people) and HR
(everyone), with CSV and XLSX exports of the same selection."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms import access, clock
from lms.certification import compliance as queries
from lms.certification import compliance_export as export
from lms.certification.compliance import SORTS, STATES, ComplianceFilter
from lms.certification.views import bp
from lms.extensions import db
from lms.i18n import locale_code

HR = ("hr", "admin")
VIEWERS = ("supervisor", *HR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filter() -> ComplianceFilter:
    state = request.args.get("state", "")
    sort = request.args.get("sort", "name")
    return ComplianceFilter(
        certification_id=_id("certification"),
        team_id=_id("team"),
        department_id=_id("department"),
        state=state if state in STATES else None,
        q=request.args.get("q", "")[:100],
        sort=sort if sort in SORTS else "name",
        descending=request.args.get("dir") == "desc",
    )


def _selection():
    """The filter, whether the viewer sees everyone, their people and the grid's columns."""
    f = _filter()
    everyone = current_user.has_role(*HR)
    people = queries.people_in_scope(current_user, f, everyone=everyone)
    certifications = queries.certifications()
    return f, everyone, people, certifications, queries.columns(certifications, f)


@bp.route("/certifications/compliance")
@access.roles(*VIEWERS)
def compliance():
    today, lang = clock.today(), locale_code()
    f, everyone, people, certifications, columns = _selection()
    column_ids = [c.id for c in columns]
    page = db.paginate(
        queries.people_query(people, column_ids, f, today),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "certification/compliance.html",
        f=f,
        page=page,
        today=today,
        is_hr=everyone,
        columns=sorted(columns, key=lambda c: c.display_title(lang)),
        certifications=certifications,
        cells=queries.cells([p.id for p in page.items], column_ids, f, today),
        summary=queries.summary(people, column_ids, today),
        teams=queries.team_choices(current_user, everyone=everyone),
        departments=queries.departments() if everyone else [],
        states=STATES,
        state_labels=queries.state_labels(),
        filter_labels=queries.filter_labels(),
        expiring_days=queries.EXPIRING_DAYS,
        export_args={k: v for k, v in request.args.items() if k != "page"},
    )


def _export_rows():
    today = clock.today()
    f, _everyone, people, _certifications, columns = _selection()
    rows = export.export_rows(people, [c.id for c in columns], f, today, locale_code())
    return rows, f"compliance-{today.isoformat()}"


@bp.route("/certifications/compliance.csv")
@access.roles(*VIEWERS)
def compliance_csv():
    rows, name = _export_rows()
    return Response(
        export.to_csv(rows),
        mimetype="text/csv",  # the response adds "; charset=utf-8"
        headers={"Content-Disposition": f"attachment; filename={name}.csv"},
    )


@bp.route("/certifications/compliance.xlsx")
@access.roles(*VIEWERS)
def compliance_xlsx():
    rows, name = _export_rows()
    return Response(
        export.to_xlsx(rows, title=_("Compliance")),
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )
