"""The administrator's jobs page: every sweep with its timetable and last run, the job-run
log, and "Run now"."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms import access
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.scheduler import jobs, queries
from lms.scheduler.models import Trigger
from lms.scheduler.runner import run_sweep
from lms.scheduler.schedule import Timing

bp = Blueprint("scheduler", __name__)


def trigger_label(trigger: Trigger | str) -> str:
    return {
        Trigger.SCHEDULE: _("Schedule"),
        Trigger.CATCH_UP: _("Catch-up"),
        Trigger.MANUAL: _("Run now"),
        Trigger.CLI: _("Command line"),
    }.get(Trigger(trigger), str(trigger))


@bp.route("/admin/jobs", endpoint="jobs")
@access.roles("admin")
def jobs_page():
    sweeps = jobs.all_sweeps()
    chosen = request.args.get("sweep") or None
    if chosen is not None and jobs.sweep_by_name(chosen) is None:
        chosen = None
    page = db.paginate(
        queries.job_log_query(chosen),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "scheduler/jobs.html",
        states=queries.sweep_states(sweeps),
        timing=Timing.from_app(current_app),
        page=page,
        chosen=chosen,
        sweeps=sweeps,
        titles={s.name: s.title for s in sweeps},
        trigger_label=trigger_label,
        confirm_form=ConfirmForm(),
    )


@bp.route("/admin/jobs/<sweep_name>/run", methods=["POST"])
@access.roles("admin")
def run_now(sweep_name: str):
    sweep = jobs.sweep_by_name(sweep_name) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = run_sweep(sweep, trigger=Trigger.MANUAL, actor=current_user)
    if outcome.ok:
        flash(
            ngettext(
                "%(sweep)s ran: %(num)d row touched.",
                "%(sweep)s ran: %(num)d rows touched.",
                outcome.rows,
                sweep=sweep.title,
            ),
            "success",
        )
    else:
        flash(_("%(sweep)s failed: %(error)s", sweep=sweep.title, error=outcome.error), "danger")
    return redirect(url_for(".jobs", sweep=request.args.get("sweep") or None))
