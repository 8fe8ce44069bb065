"""The team's readiness: for a team lead their people, for HR any team (or everyone), each
person's readiness for their next step with endorsements and the way to a promotion."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from lms import access, clock
from lms.career import team_readiness as queries
from lms.career.forms_plan import EndorseForm, WithdrawForm
from lms.career.views import bp
from lms.career.views.me import labels
from lms.i18n import locale_code

HR = ("hr", "admin")


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@bp.route("/team")
@access.roles("supervisor", *HR)
def team():
    user, lang, today = current_user._get_current_object(), locale_code(), clock.today()
    everyone = user.has_role(*HR)
    team_id = _number("team") if everyone else None
    sort = request.args.get("sort", "name")
    sort = sort if sort in queries.SORTS else "name"
    descending = request.args.get("dir") == "desc"
    rows = queries.rows(queries.members(user, team_id, everyone), user, today)
    page = queries.ListPage(
        queries.sort_rows(rows, sort, descending, lang),
        _number("page") or 1,
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "career/team/index.html",
        page=page,
        summary=queries.summary(rows),
        f={"sort": sort, "descending": descending},
        everyone=everyone,
        team_id=team_id,
        teams=queries.team_choices(user, everyone) if everyone else [],
        endorse_form=EndorseForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
        here=request.full_path.rstrip("?"),
        **labels(),
    )
