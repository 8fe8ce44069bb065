"""HR's mentorship pages (the matching board, eligibility, the rules, outcomes) and the team
lead's list of their people's mentorships."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.mentorship import board_queries, eligibility, proposals, queries, reports, services
from lms.mentorship.hr_forms import AssignForm, CapacityForm, EndForm, SettingsForm
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.mentorship.services import MentorshipError
from lms.mentorship.views import bp
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee

HR = ("hr", "admin")
TEAM = ("supervisor", "hr", "admin")


def _commit() -> bool:
    """Commit the view's one write; a concurrent change loses politely, never with a 500."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Somebody changed these mentorships meanwhile; try again."), "danger")
        return False
    return True


def _refused(error: MentorshipError) -> None:
    db.session.rollback()
    flash(str(error), "danger")


def _form_error(form: FlaskForm) -> None:
    """Flash the first validation message of a per-row form."""
    messages = [m for errors in form.errors.values() for m in errors]
    flash(messages[0] if messages else _("The form has expired; try again."), "danger")


def _assigned_message(mentorship: Mentorship) -> str:
    return _(
        "%(mentor)s now mentors %(mentee)s.",
        mentor=mentorship.mentor.name,
        mentee=mentorship.mentee.name,
    )


# --- the matching board ---------------------------------------------------------------


@bp.route("/mentoring/board")
@access.roles(*HR)
def board():
    return render_template(
        "mentorship/board.html",
        board=board_queries.board(clock.today()),
        load_percent=board_queries.load_percent,
    )


@bp.route("/mentoring/board/propose", methods=["POST"])
@access.roles(*HR)
def propose():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        report = proposals.propose(None, now=clock.now(), actor=current_user)
    except MentorshipError as error:
        _refused(error)
        return redirect(url_for(".board"))
    if not _commit():
        return redirect(url_for(".board"))
    matched, unmatched = len(report.matched), len(report.unmatched)
    if not matched and not unmatched:
        flash(_("Every new hire already has a mentor or a proposal."), "info")
    elif any(m.status == MentorshipStatus.ACTIVE for m in report.matched):
        flash(
            _(
                "%(n)d mentors assigned, %(m)d left unmatched (no eligible mentor with a "
                "free place).",
                n=matched,
                m=unmatched,
            ),
            "warning" if unmatched else "success",
        )
    else:
        flash(
            _(
                "%(n)d proposals, %(m)d left unmatched (no eligible mentor with a free place).",
                n=matched,
                m=unmatched,
            ),
            "warning" if unmatched else "success",
        )
    return redirect(url_for(".board"))


@bp.route("/mentoring/<int:mentorship_id>/accept", methods=["POST"])
@access.roles(*HR)
def accept(mentorship_id: int):
    mentorship = queries.mentorship_by_id(mentorship_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.activate(mentorship, actor=current_user, now=clock.now())
    except MentorshipError as error:
        _refused(error)
    else:
        if _commit():
            flash(_assigned_message(mentorship), "success")
    return redirect(url_for(".board"))


@bp.route("/mentoring/board/accept-all", methods=["POST"])
@access.roles(*HR)
def accept_all():
    """Accept the proposals the board showed (their ids are posted), all or none."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    shown = {int(v) for v in request.form.getlist("proposal") if v.isdigit()}
    try:
        accepted = services.accept_proposals(shown, actor=current_user, now=clock.now())
    except MentorshipError as error:
        _refused(error)
        return redirect(url_for(".board"))
    if _commit():
        flash(
            ngettext("%(num)d proposal accepted.", "%(num)d proposals accepted.", accepted),
            "success",
        )
    return redirect(url_for(".board"))


@bp.route("/mentoring/board/assign", methods=["POST"])
@access.roles(*HR)
def assign():
    form = AssignForm()
    if not form.validate_on_submit():
        _form_error(form)
        return redirect(url_for(".board"))
    mentee = org_queries.employee_by_no(form.mentee.data.strip())
    mentor = db.session.get(Employee, form.mentor.data)
    if mentee is None or mentor is None:
        flash(_("Choose a new hire and a mentor."), "danger")
        return redirect(url_for(".board"))
    try:
        mentorship = services.assign(mentor, mentee, actor=current_user, now=clock.now())
    except MentorshipError as error:
        _refused(error)
    else:
        if _commit():
            flash(_assigned_message(mentorship), "success")
    return redirect(url_for(".board"))


# --- eligibility and capacity ---------------------------------------------------------


@bp.route("/mentoring/eligibility", endpoint="eligibility")
@access.roles(*HR)
def eligibility_list():
    rules = eligibility.settings()
    return render_template(
        "mentorship/eligibility.html",
        rules=rules,
        standings=eligibility.standings(rules, clock.today()),
        course=board_queries.required_course(rules),
        own=board_queries.own_capacities(),
        teams=org_queries.teams_by_id(),
        load_percent=board_queries.load_percent,
    )


@bp.route("/mentoring/eligibility/<employee_no>/capacity", methods=["POST"])
@access.roles(*HR)
def capacity(employee_no: str):
    person = org_queries.employee_by_no(employee_no) or abort(404)
    form = CapacityForm()
    reset = request.form.get("action") == "reset"
    if not form.validate_on_submit() or (not reset and form.capacity.data is None):
        if not form.errors:
            form.capacity.errors = [_("Give a number of places, or reset to the default.")]
        _form_error(form)
        return redirect(url_for(".eligibility"))
    try:
        services.set_capacity(person, None if reset else form.capacity.data)
    except MentorshipError as error:
        _refused(error)
    else:
        if _commit():
            flash(_("The capacity of %(name)s has been saved.", name=person.name), "success")
    return redirect(url_for(".eligibility"))


# --- the rules ------------------------------------------------------------------------


@bp.route("/mentoring/settings", methods=["GET", "POST"])
@access.roles(*HR)
def settings():
    rules = eligibility.settings()
    form = SettingsForm(data=SettingsForm.initial(rules))
    form.required_course.choices = choices(
        [("", _("None"))] + board_queries.course_choices(rules, locale_code())
    )
    previewing = request.form.get("action") == "preview"
    preview = None
    if form.validate_on_submit():
        if previewing:
            preview = board_queries.eligibility_preview(rules, form.values(), clock.today())
        else:
            try:
                services.save_settings(rules, form.values(), actor=current_user, now=clock.now())
            except MentorshipError as error:
                db.session.rollback()
                target = form._fields.get(error.field or "") or form.checkin_days
                target.errors = [*target.errors, str(error)]
            else:
                if _commit():
                    flash(_("The mentoring rules have been saved."), "success")
                    return redirect(url_for(".settings"))
    if preview is None:
        preview = board_queries.eligibility_preview(rules, None, clock.today())
    return render_template(
        "mentorship/settings.html", form=form, preview=preview, previewing=previewing
    )


# --- outcomes -------------------------------------------------------------------------


@bp.route("/mentoring/outcomes")
@access.roles(*HR)
def outcomes():
    return render_template(
        "mentorship/outcomes.html",
        outcomes=reports.outcomes(),
        ratings=reports.recent_ratings(),
    )


# --- the team lead's list -------------------------------------------------------------


@bp.route("/mentoring/team")
@access.roles(*TEAM)
def team():
    is_hr = current_user.has_role(*HR)
    show = "all" if request.args.get("show") == "all" else "open"
    mentorships = queries.team_mentorships(current_user, everyone=is_hr)
    counts = {"open": sum(1 for m in mentorships if m.is_open), "all": len(mentorships)}
    if show == "open":
        mentorships = [m for m in mentorships if m.is_open]
    return render_template(
        "mentorship/team.html",
        rows=queries.mentee_rows(mentorships, now=clock.now()),
        show=show,
        counts=counts,
        is_hr=is_hr,
        end_form=EndForm(),
    )


@bp.route("/mentoring/<int:mentorship_id>/end", methods=["POST"])
@access.roles(*HR)
def end(mentorship_id: int):
    mentorship = queries.mentorship_by_id(mentorship_id) or abort(404)
    form = EndForm()
    if not form.validate_on_submit():
        _form_error(form)
        return redirect(url_for(".team"))
    try:
        services.end(mentorship, reason=form.reason.data or "", now=clock.now(), actor=current_user)
    except MentorshipError as error:
        _refused(error)
    else:
        if _commit():
            flash(
                _(
                    "The mentorship of %(mentee)s with %(mentor)s has ended.",
                    mentee=mentorship.mentee.name,
                    mentor=mentorship.mentor.name,
                ),
                "success",
            )
    return redirect(url_for(".team"))
