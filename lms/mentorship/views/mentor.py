"""The mentor's pages (the dashboard of mentees, one mentee's full picture with check-ins,
goals and sign-off) and the new hire's page about their mentor (pulse, asking for a
check-in, rating the mentorship).

Mentorships a person may not see answer 404; so do writes to a mentorship that is not
active or that the person may not edit. A broken rule re-renders the page with the message.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from courses import queries as course_queries
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code
from lms.mentorship import mentor_queries, plan, queries, services
from lms.mentorship.forms import (
    CheckInForm,
    GoalForm,
    GoalStatusForm,
    PageForms,
    PulseForm,
    RatingForm,
    RequestCheckInForm,
)
from lms.mentorship.models import (
    CheckIn,
    GoalStatus,
    Mentorship,
    MentorshipGoal,
    MentorshipKind,
    MentorshipStatus,
)
from lms.mentorship.services import MentorshipError
from lms.mentorship.views import bp
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee

MENTORING = ("mentor", "supervisor", "hr", "admin")
FINISHED = (MentorshipStatus.COMPLETED, MentorshipStatus.ENDED)


def _user() -> Employee:
    return current_user._get_current_object()


def _fail(form: FlaskForm, error: MentorshipError, default: str | None = None) -> None:
    """A service's refusal, shown on its field (or above the form)."""
    db.session.rollback()
    name = error.field if error.field in form._fields else default
    if name is None:
        form.form_errors.append(str(error))
    else:
        form._fields[name].errors = [*form._fields[name].errors, str(error)]


# --- the mentor ---------------------------------------------------------------------------


@bp.route("/mentoring")
@access.roles(*MENTORING)
def dashboard():
    rows = queries.mentee_rows(queries.mentorships_of_mentor(_user()), now=clock.now())
    current = [row for row in rows if row.mentorship.is_open]
    active_ids = [
        row.mentorship.mentee_id
        for row in current
        if row.mentorship.status == MentorshipStatus.ACTIVE
    ]
    return render_template(
        "mentorship/dashboard.html",
        current=current,
        past=[row for row in rows if not row.mentorship.is_open],
        next_items={row.mentorship.id: mentor_queries.next_item(row) for row in current},
        titles=mentor_queries.course_titles(
            (row.next_course[0] for row in current if row.next_course), locale_code()
        ),
        waiting=mentor_queries.mentees_waiting_for_grading(_user(), active_ids),
        today=clock.today(),
    )


def _mentee_page(person: Employee, forms: PageForms | None = None, status: int = 200):
    """One mentee as the viewer may see them: only the mentorships visible to the viewer
    (another mentor's are not); 404 when there is none, or for the mentee themselves."""
    user = _user()
    mentorships = [
        m
        for m in mentor_queries.mentorships_with_plan(person)
        if m.mentee_id != user.id and m.is_visible_to(user)
    ]
    if not mentorships:
        abort(404)
    now = clock.now()
    open_ones = [m for m in mentorships if m.status == MentorshipStatus.ACTIVE]
    page = render_template(
        "mentorship/mentee.html",
        person=person,
        mentorships=mentorships,
        editable={m.id for m in open_ones if _may_edit(m, user)},
        shows_rating={m.id for m in mentorships if _sees_rating(m, user)},
        training=course_queries.training_of(person),
        attempts=queries.attempts_of(person),
        signals=queries.at_risk(open_ones, now=now).get(person.id, []) if open_ones else [],
        forms=forms or PageForms(),
        today=now.date(),
    )
    return page, status


def _may_edit(mentorship: Mentorship, user: Employee) -> bool:
    return (
        mentorship.status == MentorshipStatus.ACTIVE
        and mentorship.mentee_id != user.id
        and mentorship.is_visible_to(user)
        and mentorship.can_edit(user)
    )


def _sees_rating(mentorship: Mentorship, user: Employee) -> bool:
    """The mentee's rating is HR's alone: never the mentor's, even one who works in HR."""
    return user.has_role("hr", "admin") and user.id != mentorship.mentor_id


def _editable(mentorship_id: int) -> Mentorship:
    mentorship = queries.mentorship_by_id(mentorship_id)
    if mentorship is None or not _may_edit(mentorship, _user()):
        abort(404)
    return mentorship


def _to_mentee(mentorship: Mentorship, message: str):
    flash(message, "success")
    return redirect(url_for(".mentee", employee_no=mentorship.mentee.employee_no))


@bp.route("/mentoring/mentees/<employee_no>")
@access.roles(*MENTORING)
def mentee(employee_no: str):
    person = org_queries.employee_by_no(employee_no) or abort(404)
    return _mentee_page(person)


@bp.route("/mentoring/<int:mentorship_id>/check-ins", methods=["POST"])
@access.roles(*MENTORING)
def log_check_in(mentorship_id: int):
    mentorship = _editable(mentorship_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            plan.log_check_in(
                mentorship,
                actor=_user(),
                now=clock.now(),
                held_on=form.held_on.data,
                notes=form.notes.data or "",
                actions=form.actions.data or "",
                pulse=form.pulse.data,
            )
            db.session.commit()
            return _to_mentee(mentorship, _("The check-in has been logged."))
        except MentorshipError as error:
            _fail(form, error, "held_on")
    person = db.session.get(Employee, mentorship.mentee_id)
    return _mentee_page(person, PageForms("check_in", mentorship_id, form), 400)


@bp.route("/mentoring/<int:mentorship_id>/goals", methods=["POST"])
@access.roles(*MENTORING)
def add_goal(mentorship_id: int):
    mentorship = _editable(mentorship_id)
    form = GoalForm()
    if form.validate_on_submit():
        try:
            plan.add_goal(
                mentorship, title=form.title.data, due_on=form.due_on.data, now=clock.now()
            )
            db.session.commit()
            return _to_mentee(mentorship, _("The goal has been added."))
        except MentorshipError as error:
            _fail(form, error, "title")
    person = db.session.get(Employee, mentorship.mentee_id)
    return _mentee_page(person, PageForms("goal", mentorship_id, form), 400)


@bp.route("/mentoring/goals/<int:goal_id>/status", methods=["POST"])
@access.roles(*MENTORING)
def goal_status(goal_id: int):
    goal = db.session.get(MentorshipGoal, goal_id) or abort(404)
    mentorship = _editable(goal.mentorship_id)
    form = GoalStatusForm()
    if form.validate_on_submit():
        plan.set_goal_status(goal, GoalStatus(form.status.data), now=clock.now())
        db.session.commit()
        return _to_mentee(mentorship, _("The goal has been updated."))
    person = db.session.get(Employee, mentorship.mentee_id)
    return _mentee_page(person, PageForms("goal_status", goal_id, form), 400)


@bp.route("/mentoring/<int:mentorship_id>/sign-off", methods=["POST"])
@access.roles(*MENTORING)
def sign_off(mentorship_id: int):
    mentorship = _editable(mentorship_id)
    if mentorship.kind != MentorshipKind.ONBOARDING:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            name = mentorship.mentee.name
            services.sign_off(mentorship, actor=_user(), now=clock.now())
            db.session.commit()
            return _to_mentee(
                mentorship,
                _("Onboarding signed off: %(name)s is now an active employee.", name=name),
            )
        except MentorshipError as error:
            _fail(form, error)
    person = db.session.get(Employee, mentorship.mentee_id)
    return _mentee_page(person, PageForms("sign_off", mentorship_id, form), 400)


# --- the new hire -------------------------------------------------------------------------


def _my_mentor_page(forms: PageForms | None = None, status: int = 200):
    user = _user()
    mentorships = [
        m
        for m in mentor_queries.mentorships_with_plan(user)
        if m.status != MentorshipStatus.PROPOSED and m.started_on is not None
    ]
    active = [m for m in mentorships if m.status == MentorshipStatus.ACTIVE]
    active.sort(key=lambda m: (m.kind != MentorshipKind.ONBOARDING, -m.id))
    to_rate = [m for m in mentorships if m.status in FINISHED and m.rated_at is None]
    held = sorted(
        (c for m in mentorships for c in m.check_ins if c.held_on is not None),
        key=lambda c: (c.held_on, c.id),
        reverse=True,
    )
    shown = {("rate", m.id) for m in to_rate} | {
        ("pulse", c.id) for c in held if c.mentorship.status == MentorshipStatus.ACTIVE
    }
    if active:
        shown.add(("request", active[0].id))
    forms = forms or PageForms()
    page = render_template(
        "mentorship/my_mentor.html",
        active=active,
        to_rate=to_rate,
        past=[m for m in mentorships if m.status in FINISHED],
        held=held,
        forms=forms,
        stray_errors=forms.stray_errors(shown),
        today=clock.today(),
    )
    return page, status


def _own(mentorship: Mentorship | None) -> Mentorship:
    """The signed-in person's own mentorship (as mentee) that started, or 404."""
    if mentorship is None or mentorship.mentee_id != current_user.id or not mentorship.started_on:
        abort(404)
    return mentorship


def _to_my_mentor(message: str):
    flash(message, "success")
    return redirect(url_for(".my_mentor"))


@bp.route("/my-mentor")
@access.signed_in
def my_mentor():
    return _my_mentor_page()


@bp.route("/my-mentor/check-ins/<int:check_in_id>/pulse", methods=["POST"])
@access.signed_in
def pulse(check_in_id: int):
    check_in = db.session.get(CheckIn, check_in_id) or abort(404)
    mentorship = _own(check_in.mentorship)
    form = PulseForm()
    if form.validate_on_submit():
        try:
            if mentorship.status != MentorshipStatus.ACTIVE:
                raise MentorshipError(_("This mentorship has ended."))
            plan.record_pulse(check_in, pulse=form.pulse.data, now=clock.now())
            db.session.commit()
            return _to_my_mentor(_("Thank you — your mentor sees how you are doing."))
        except MentorshipError as error:
            _fail(form, error, "pulse")
    return _my_mentor_page(PageForms("pulse", check_in_id, form), 400)


@bp.route("/my-mentor/request", methods=["POST"])
@access.signed_in
def request_check_in():
    mentorship = queries.current_mentorship(_user())
    if mentorship is None:
        flash(_("You have no active mentor to ask; HR assigns one."), "warning")
        return redirect(url_for("mentorship.my_mentor"))
    form = RequestCheckInForm()
    if form.validate_on_submit():
        try:
            plan.request_check_in(mentorship, note=form.note.data or "", now=clock.now())
            db.session.commit()
            return _to_my_mentor(_("Your mentor has been asked for a check-in."))
        except MentorshipError as error:
            _fail(form, error, "note")
    return _my_mentor_page(PageForms("request", mentorship.id, form), 400)


@bp.route("/my-mentor/<int:mentorship_id>/rate", methods=["POST"])
@access.signed_in
def rate(mentorship_id: int):
    mentorship = _own(queries.mentorship_by_id(mentorship_id))
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.rate(
                mentorship, rating=form.rating.data, comment=form.comment.data, now=clock.now()
            )
            db.session.commit()
            return _to_my_mentor(_("Thank you for your rating. HR sees it; your mentor does not."))
        except MentorshipError as error:
            _fail(form, error, "rating")
    return _my_mentor_page(PageForms("rate", mentorship_id, form), 400)
