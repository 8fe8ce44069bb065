"""The onboarding plan: check-ins (planned, requested by the mentee, or extra) with notes,
agreed actions and the mentee's wellbeing pulse, and goals. Every function flushes; the
caller commits once."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from lms.extensions import db
from lms.mentorship.models import (
    CheckIn,
    CheckInKind,
    GoalStatus,
    Mentorship,
    MentorshipGoal,
    MentorshipStatus,
)
from lms.mentorship.notices import notify_people
from lms.mentorship.services import MentorshipError
from lms.organisation.models import Employee

# --- check-ins and goals --------------------------------------------------------------


def _check_pulse(pulse: int | None) -> None:
    if pulse is not None and not 1 <= pulse <= 5:
        raise MentorshipError(_("The pulse is 1 to 5."), "pulse")


def log_check_in(
    mentorship: Mentorship,
    *,
    actor: Employee,
    now: dt.datetime,
    held_on: dt.date | None = None,
    notes: str = "",
    actions: str = "",
    pulse: int | None = None,
) -> CheckIn:
    """Record a check-in that took place: it fills the earliest planned or requested one
    still open, or is an extra one."""
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError(_("Check-ins are logged while the mentorship is active."))
    held_on = held_on or now.date()
    if held_on > now.date():
        raise MentorshipError(_("A check-in cannot be logged ahead of time."), "held_on")
    if mentorship.started_on and held_on < mentorship.started_on:
        raise MentorshipError(_("This is before the mentorship started."), "held_on")
    _check_pulse(pulse)
    open_ones = [c for c in mentorship.check_ins if c.held_on is None]
    check_in = min(open_ones, key=lambda c: (c.due_on, c.id or 0), default=None)
    if check_in is None:
        check_in = CheckIn(kind=CheckInKind.EXTRA, due_on=held_on)
        mentorship.check_ins.append(check_in)
    check_in.held_on = held_on
    check_in.notes = (notes or "").strip()
    check_in.actions = (actions or "").strip()
    check_in.logged_by_id = actor.id
    if pulse is not None:
        check_in.pulse, check_in.pulse_at = pulse, now
    db.session.flush()
    return check_in


def record_pulse(check_in: CheckIn, *, pulse: int, now: dt.datetime) -> None:
    """The mentee's own answer to "how are you doing?" on a check-in that took place."""
    _check_pulse(pulse)
    if check_in.held_on is None:
        raise MentorshipError(_("This check-in has not taken place yet."))
    check_in.pulse, check_in.pulse_at = pulse, now
    db.session.flush()


def request_check_in(mentorship: Mentorship, *, note: str, now: dt.datetime) -> CheckIn:
    """The mentee asks for a check-in; the mentor is told. One open request at a time."""
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError(_("Your mentorship is not active."))
    if any(c.kind == CheckInKind.REQUESTED and c.held_on is None for c in mentorship.check_ins):
        raise MentorshipError(_("You have asked for a check-in already; your mentor knows."))
    check_in = CheckIn(
        kind=CheckInKind.REQUESTED, due_on=now.date(), request_note=(note or "").strip()[:1000]
    )
    mentorship.check_ins.append(check_in)
    db.session.flush()
    notify_people(
        [mentorship.mentor],
        "check_in_requested",
        now=now,
        params={"mentee": mentorship.mentee.name},
    )
    return check_in


def add_goal(
    mentorship: Mentorship, *, title: str, due_on: dt.date | None, now: dt.datetime
) -> MentorshipGoal:
    if not mentorship.is_open:
        raise MentorshipError(_("This mentorship has ended."))
    title = (title or "").strip()
    if not title:
        raise MentorshipError(_("A goal needs a title."), "title")
    goal = MentorshipGoal(title=title[:200], due_on=due_on, created_at=now)
    mentorship.goals.append(goal)
    db.session.flush()
    return goal


def set_goal_status(goal: MentorshipGoal, status: GoalStatus, *, now: dt.datetime) -> None:
    goal.status = status
    goal.completed_at = now if status == GoalStatus.DONE else None
    db.session.flush()
