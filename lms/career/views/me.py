"""My career, and the same page about another person for their team lead, an active mentor
and HR: the ladder, the target post, readiness and gaps, the learning plan, goals, career
conversations and endorsements.

Everyone writes through ``/career/people/<employee_no>/…``; the service decides what the
actor may change. People who may not see the person get 404; those who may see but not
change get 403. A refused change re-renders the page with the message on its form.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from lms import access, clock
from lms.career import learning, plans, profile, promotions, rotations
from lms.career.forms_plan import (
    ConversationForm,
    EndorseForm,
    GoalForm,
    PageForms,
    TargetForm,
    WithdrawForm,
    horizon_labels,
)
from lms.career.models import CareerStep, GoalHorizon
from lms.career.plans import NotAllowed, PlanError
from lms.career.readiness import Horizon, Status
from lms.career.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee
from lms.security import is_safe_redirect


def _user() -> Employee:
    return current_user._get_current_object()


def labels() -> dict:
    return {
        "status_labels": {
            Status.MET: _("Met"),
            Status.PARTLY: _("Partly met"),
            Status.NOT_MET: _("Not met"),
        },
        "status_badges": {
            Status.MET: "text-bg-success",
            Status.PARTLY: "text-bg-warning",
            Status.NOT_MET: "text-bg-danger",
        },
        "horizon_labels": {
            Horizon.NOW: _("Ready now"),
            Horizon.YEAR: _("Ready within a year"),
            Horizon.LATER: _("Ready later"),
        },
        "horizon_badges": {
            Horizon.NOW: "text-bg-success",
            Horizon.YEAR: "text-bg-info",
            Horizon.LATER: "text-bg-secondary",
        },
        "kind_labels": {
            "promotion": _("Promotion"),
            "branch": _("Branch"),
            "lateral": _("Lateral move"),
        },
        "item_labels": {
            "not_started": _("Not started"),
            "in_progress": _("In progress"),
            "completed": _("Completed"),
        },
        "item_badges": {
            "not_started": "text-bg-secondary",
            "in_progress": "text-bg-info",
            "completed": "text-bg-success",
        },
        "goal_horizons": horizon_labels(),
    }


def _person(employee_no: str) -> Employee:
    """The person whose page it is; 404 unless the viewer may see their career."""
    person = org_queries.employee_by_no(employee_no)
    if person is None or not plans.relation(person, _user()).can_view:
        abort(404)
    return person


def _page(person: Employee, forms: PageForms | None = None, status: int = 200):
    user, lang = _user(), locale_code()
    today = clock.today()
    page = profile.career_page(person, user, today, lang)
    forms = forms or PageForms()
    target_form = forms("target")
    target_form.target.choices = [("", "—")] + [
        (s.to_post_id, s.to_post.display_name(lang)) for s in page.steps
    ]
    if forms.posted != "target" and page.plan:
        target_form.target.data = page.plan.target_post_id
    html = render_template(
        "career/me/page.html",
        page=page,
        own=person.id == user.id,
        forms=forms,
        today=today,
        # the lead proposes (HR decides): the proposal page takes the step
        can_propose=bool(page.steps)
        and page.relation.can_propose
        and promotions.can_propose(user, person),
        phase=rotations.phase,
        host_label=rotations.host_label,
        **labels(),
    )
    return html, status


def _back(person: Employee, anchor: str = ""):
    if person.id == _user().id:
        return redirect(url_for(".mine") + anchor)
    return redirect(url_for(".person", employee_no=person.employee_no) + anchor)


def _fail(form: FlaskForm, error: PlanError, default: str | None = None) -> None:
    db.session.rollback()
    if isinstance(error, NotAllowed):
        abort(403)
    name = error.field if error.field in form._fields else default
    if name is None:
        form.form_errors.append(str(error))
    else:
        form._fields[name].errors = [*form._fields[name].errors, str(error)]


@bp.route("")
@access.signed_in
def mine():
    return _page(_user())


@bp.route("/people/<employee_no>")
@access.signed_in
def person(employee_no: str):
    found = _person(employee_no)
    if found.id == _user().id:
        return redirect(url_for(".mine"))
    return _page(found)


@bp.route("/people/<employee_no>/target", methods=["POST"])
@access.signed_in
def set_target(employee_no: str):
    found = _person(employee_no)
    form = TargetForm()
    form.target.choices = None  # checked by the service against the reachable steps
    form.target.validate_choice = False
    if form.validate_on_submit():
        try:
            plans.set_target(found, form.target.data, _user(), clock.now())
            db.session.commit()
            flash(_("The target post has been saved."), "success")
            return _back(found, "#readiness")
        except PlanError as error:
            _fail(form, error, "target")
    return _page(found, PageForms("target", form), 400)


@bp.route("/people/<employee_no>/learning-plan", methods=["POST"])
@access.signed_in
def create_learning_plan(employee_no: str):
    found = _person(employee_no)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = learning.create_learning_plan(found, _user(), clock.today(), clock.now())
            db.session.commit()
        except PlanError as error:
            db.session.rollback()
            if isinstance(error, NotAllowed):
                abort(403)
            flash(str(error), "danger")  # shown above the page: the button may be gone
            return _page(found, status=400)
        if result.added:
            added = len(result.added)
            flash(
                ngettext(
                    "%(num)d item was added to the learning plan.",
                    "%(num)d items were added to the learning plan.",
                    added,
                ),
                "success",
            )
        else:
            flash(
                _("The learning plan already holds every missing course and certification."), "info"
            )
        for reason in result.skipped:
            flash(reason, "warning")
        return _back(found, "#learning-plan")
    return _page(found, PageForms("confirm", form), 400)


@bp.route("/people/<employee_no>/goals", methods=["POST"])
@access.signed_in
def add_goal(employee_no: str):
    found = _person(employee_no)
    form = GoalForm()
    if form.validate_on_submit():
        try:
            plans.add_goal(
                found,
                _user(),
                horizon=GoalHorizon(form.horizon.data),
                text=form.text.data,
                due_on=form.due_on.data,
                now=clock.now(),
            )
            db.session.commit()
            flash(_("The goal has been added."), "success")
            return _back(found, "#goals")
        except PlanError as error:
            _fail(form, error, "text")
    return _page(found, PageForms("goal", form), 400)


def _goal_change(employee_no: str, goal_id: int, change) -> object:
    found = _person(employee_no)
    goal = plans.goal_of(found, goal_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(found, goal)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    db.session.commit()
    return _back(found, "#goals")


@bp.route("/people/<employee_no>/goals/<int(max=2147483647):goal_id>/done", methods=["POST"])
@access.signed_in
def goal_done(employee_no: str, goal_id: int):
    return _goal_change(
        employee_no,
        goal_id,
        lambda person, goal: plans.complete_goal(person, goal, _user(), clock.today()),
    )


@bp.route("/people/<employee_no>/goals/<int(max=2147483647):goal_id>/reopen", methods=["POST"])
@access.signed_in
def goal_reopen(employee_no: str, goal_id: int):
    return _goal_change(
        employee_no,
        goal_id,
        lambda person, goal: plans.complete_goal(person, goal, _user(), clock.today(), done=False),
    )


@bp.route("/people/<employee_no>/goals/<int(max=2147483647):goal_id>/delete", methods=["POST"])
@access.signed_in
def delete_goal(employee_no: str, goal_id: int):
    return _goal_change(
        employee_no, goal_id, lambda person, goal: plans.delete_goal(person, goal, _user())
    )


@bp.route("/people/<employee_no>/conversations", methods=["POST"])
@access.signed_in
def log_conversation(employee_no: str):
    found = _person(employee_no)
    form = ConversationForm()
    if form.validate_on_submit():
        try:
            plans.log_conversation(
                found,
                _user(),
                form.held_on.data,
                form.notes.data,
                form.next_steps.data,
                clock.now(),
            )
            db.session.commit()
            flash(_("The career conversation has been logged."), "success")
            return _back(found, "#conversations")
        except PlanError as error:
            _fail(form, error, "notes")
    return _page(found, PageForms("conversation", form), 400)


def _small_number(text: str) -> bool:
    """An id as typed in a form: ASCII digits that fit a database integer."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _step(form: EndorseForm | WithdrawForm) -> CareerStep:
    value = form.step.data or ""
    step = db.session.get(CareerStep, int(value)) if _small_number(value) else None
    return step or abort(404)


def _after_endorsing(found: Employee, form: EndorseForm | WithdrawForm):
    if is_safe_redirect(form.next.data):
        return redirect(form.next.data)
    return _back(found, "#endorsements")


@bp.route("/people/<employee_no>/endorsement", methods=["POST"])
@access.signed_in
def endorse(employee_no: str):
    found = _person(employee_no)
    form = EndorseForm()
    if form.validate_on_submit():
        try:
            plans.endorse(found, _step(form), _user(), form.comment.data, clock.now())
            db.session.commit()
            flash(_("You have endorsed %(name)s.", name=found.name), "success")
            return _after_endorsing(found, form)
        except PlanError as error:
            _fail(form, error, "comment")
    if is_safe_redirect(form.next.data):  # from the team page: the message goes back there
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        for message in form.form_errors:
            flash(str(message), "danger")
        return redirect(form.next.data)
    return _page(found, PageForms("endorse", form), 400)


@bp.route("/people/<employee_no>/endorsement/withdraw", methods=["POST"])
@access.signed_in
def withdraw_endorsement(employee_no: str):
    found = _person(employee_no)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans.withdraw(found, _step(form), _user(), clock.now())
    except PlanError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _after_endorsing(found, form)
    db.session.commit()
    flash(_("Your endorsement has been withdrawn."), "success")
    return _after_endorsing(found, form)
