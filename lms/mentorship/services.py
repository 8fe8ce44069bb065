"""Writes and rules of mentorship: proposing and assigning mentors, the onboarding plan,
sign-off and rating. Every function flushes; the caller commits once.

A mentor's places are counted on ``MentorProfile.load`` in the same transaction as the
mentorship that takes or frees one; the guarded UPDATE (``load < capacity_limit``) and the
table's CHECK mean two imports at once can never push a mentor over capacity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.mentorship import eligibility, matching
from lms.mentorship.models import (
    HOLDS_SLOT,
    CheckIn,
    CheckInKind,
    GoalStatus,
    MentorProfile,
    Mentorship,
    MentorshipGoal,
    MentorshipKind,
    MentorshipSettings,
    MentorshipStatus,
)
from lms.mentorship.notices import notify_hr, notify_people
from lms.organisation.models import Employee, EmployeeStatus, Team


class MentorshipError(ValueError):
    """A rule was broken; the message is shown to the user. ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class MatchReport:
    matched: list[Mentorship] = field(default_factory=list)
    unmatched: list[Employee] = field(default_factory=list)


# --- places ---------------------------------------------------------------------------


def _take_place(mentor_id: int) -> bool:
    """Take one of the mentor's places if one is free (atomic; False when full)."""
    result = db.session.execute(
        sa.update(MentorProfile)
        .where(
            MentorProfile.employee_id == mentor_id,
            MentorProfile.load < MentorProfile.capacity_limit,
        )
        .values(load=MentorProfile.load + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_place(mentor_id: int) -> None:
    db.session.execute(
        sa.update(MentorProfile)
        .where(MentorProfile.employee_id == mentor_id, MentorProfile.load > 0)
        .values(load=MentorProfile.load - 1)
        .execution_options(synchronize_session=False)
    )


def set_capacity(person: Employee, capacity: int | None) -> MentorProfile:
    """A mentor's own capacity (None: the default). Never below the mentees they hold."""
    rules = eligibility.settings()
    eligibility.ensure_profiles(rules, [person.id])
    profile = db.session.get(MentorProfile, person.id, populate_existing=True)
    limit = rules.default_capacity if capacity is None else capacity
    if limit < profile.load:
        raise MentorshipError(
            _(
                "%(name)s has %(load)d mentees now; end or move some before lowering the "
                "capacity to %(limit)d.",
                name=person.name,
                load=profile.load,
                limit=limit,
            ),
            "capacity",
        )
    profile.capacity, profile.capacity_limit = capacity, limit
    db.session.flush()
    return profile


# --- matching -------------------------------------------------------------------------


def _facts(person: Employee, teams: dict[int, Team]) -> matching.PersonFacts:
    team = teams.get(person.team_id) if person.team_id else None
    return matching.PersonFacts(
        id=person.id,
        team_id=person.team_id,
        department_id=team.department_id if team else None,
        post_id=person.post_id,
        post_level=person.post.level if person.post else None,
        shift=person.shift,
        timezone=person.timezone,
    )


def mentor_results(mentor_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(passed, graded) quiz attempts of each mentor's mentees, one statement."""
    from assessments.models import Attempt

    ids = sorted(set(mentor_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Mentorship.mentor_id,
            sa.func.count(Attempt.id),
            sa.func.count(Attempt.id).filter(Attempt.passed.is_(True)),
        )
        .join(Attempt, Attempt.employee_id == Mentorship.mentee_id)
        .where(
            Mentorship.mentor_id.in_(ids),
            Mentorship.status != MentorshipStatus.PROPOSED,
            Attempt.passed.is_not(None),
        )
        .group_by(Mentorship.mentor_id)
    )
    return {mentor: (passed, graded) for mentor, graded, passed in rows}


def candidates(
    rules: MentorshipSettings, today: dt.date, teams: dict[int, Team]
) -> list[matching.MentorFacts]:
    """Eligible mentors with their facts and free places (a few statements in all)."""
    eligible = [s for s in eligibility.standings(rules, today) if s.eligible]
    eligibility.ensure_profiles(rules, [s.person.id for s in eligible])
    results = mentor_results(s.person.id for s in eligible)
    return [
        matching.MentorFacts(
            _facts(s.person, teams),
            capacity=s.capacity,
            load=s.load,
            passed=results.get(s.person.id, (0, 0))[0],
            graded=results.get(s.person.id, (0, 0))[1],
        )
        for s in eligible
    ]


def unmatched_new_hires(employee_ids: Iterable[int] | None = None) -> sa.Select:
    """New hires (status onboarding) with no proposed or active onboarding mentorship."""
    holds = (
        sa.select(Mentorship.id)
        .where(
            Mentorship.mentee_id == Employee.id,
            Mentorship.kind == MentorshipKind.ONBOARDING,
            Mentorship.status.in_(HOLDS_SLOT),
        )
        .exists()
    )
    query = (
        sa.select(Employee)
        .where(Employee.status == EmployeeStatus.ONBOARDING, ~holds)
        .order_by(Employee.hire_date, Employee.id)
    )
    if employee_ids is not None:
        query = query.where(Employee.id.in_(sorted(set(employee_ids))))
    return query


def propose(
    employee_ids: Iterable[int] | None,
    *,
    now: dt.datetime,
    actor: Employee | None = None,
    apply: bool = True,
    assign: bool | None = None,
) -> MatchReport:
    """Propose the best eligible mentor to each unmatched new hire among ``employee_ids``
    (None: all of them), or assign them at once when HR switched auto-assign on. With
    ``apply`` False nothing is written and the report holds unsaved proposals."""
    rules = eligibility.settings()
    assign = rules.auto_assign if assign is None else assign
    mentees = list(db.session.scalars(unmatched_new_hires(employee_ids)))
    report = MatchReport()
    if not mentees:
        return report
    teams = {t.id: t for t in db.session.scalars(sa.select(Team))}
    mentors = candidates(rules, now.date(), teams)
    by_id = {p.id: p for p in mentees}
    pending = [_facts(p, teams) for p in mentees]
    while pending:
        retry = []
        for match in matching.plan(pending, mentors, rules.weights, now.date()):
            mentee = by_id[match.mentee.id]
            if match.mentor is None:
                report.unmatched.append(mentee)
                continue
            if apply and not _take_place(match.mentor.person.id):
                match.mentor.load = match.mentor.capacity  # taken meanwhile: full
                retry.append(match.mentee)
                continue
            mentorship = Mentorship(
                mentor_id=match.mentor.person.id,
                mentee_id=mentee.id,
                kind=MentorshipKind.ONBOARDING,
                status=MentorshipStatus.PROPOSED,
                score=match.score,
                reasons=match.reasons,
                proposed_at=now,
                created_by_id=actor.id if actor else None,
            )
            if apply and not _add_proposal(mentorship):
                continue  # a concurrent import proposed a mentor for this hire first
            report.matched.append(mentorship)
        pending = retry
    if apply and assign:
        for mentorship in report.matched:
            activate(mentorship, actor=actor, now=now)
    if apply and report.unmatched:
        notify_hr(
            "mentees_unmatched",
            now=now,
            params={"count": len(report.unmatched)},
        )
    return report


def _add_proposal(mentorship: Mentorship) -> bool:
    savepoint = db.session.begin_nested()
    try:
        db.session.add(mentorship)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        _free_place(mentorship.mentor_id)
        return False
    savepoint.commit()
    return True


# --- life cycle -----------------------------------------------------------------------


def _plan_check_ins(mentorship: Mentorship, days: list[int]) -> None:
    for day in sorted(set(days)):
        if mentorship.planned_end_on and mentorship.started_on + dt.timedelta(days=day) > (
            mentorship.planned_end_on
        ):
            continue
        mentorship.check_ins.append(
            CheckIn(
                kind=CheckInKind.PLANNED,
                day=day,
                due_on=mentorship.started_on + dt.timedelta(days=day),
            )
        )


def activate(
    mentorship: Mentorship,
    *,
    actor: Employee | None,
    now: dt.datetime,
    started_on: dt.date | None = None,
    planned_end_on: dt.date | None = None,
) -> Mentorship:
    """A proposal accepted: the mentorship starts, with the onboarding plan's check-ins."""
    if mentorship.status != MentorshipStatus.PROPOSED:
        raise MentorshipError(_("Only a proposal can be accepted."))
    rules = eligibility.settings()
    mentorship.status = MentorshipStatus.ACTIVE
    mentorship.started_on = started_on or now.date()
    default_days = rules.onboarding_days if mentorship.kind == MentorshipKind.ONBOARDING else 180
    mentorship.planned_end_on = planned_end_on or mentorship.started_on + dt.timedelta(
        days=default_days
    )
    if mentorship.planned_end_on <= mentorship.started_on:
        raise MentorshipError(_("The planned end must be after the start."), "planned_end_on")
    if mentorship.kind == MentorshipKind.ONBOARDING:
        _plan_check_ins(mentorship, rules.checkin_days or [])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MentorshipError(
            _("%(name)s already has an onboarding mentor.", name=mentorship.mentee.name)
        ) from None
    params = {"mentor": mentorship.mentor.name, "mentee": mentorship.mentee.name}
    notify_people([mentorship.mentee], "mentor_assigned", now=now, params=params)
    notify_people([mentorship.mentor], "mentee_assigned", now=now, params=params)
    return mentorship


def end(
    mentorship: Mentorship, *, reason: str, now: dt.datetime, actor: Employee | None = None
) -> None:
    """End a proposal or an active mentorship early (its history stays)."""
    if not mentorship.is_open:
        raise MentorshipError(_("This mentorship has already ended."))
    reason = (reason or "").strip()
    if not reason:
        raise MentorshipError(_("Give a reason for ending the mentorship."), "reason")
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_on = now.date()
    mentorship.end_reason = reason[:2000]
    _free_place(mentorship.mentor_id)
    db.session.flush()


def assign(
    mentor: Employee,
    mentee: Employee,
    *,
    actor: Employee | None,
    now: dt.datetime,
    kind: MentorshipKind = MentorshipKind.ONBOARDING,
    started_on: dt.date | None = None,
    planned_end_on: dt.date | None = None,
) -> Mentorship:
    """HR's choice, overriding any proposal or replacing the current onboarding mentor (whose
    mentorship ends with a reason; history is kept). The mentor must be eligible and have
    a free place."""
    if mentor.id == mentee.id:
        raise MentorshipError(_("Nobody can mentor themselves."), "mentor")
    rules = eligibility.settings()
    standing = next(iter(eligibility.standings(rules, now.date(), ids=[mentor.id])), None)
    if standing is None or not standing.eligible:
        raise MentorshipError(
            _("%(name)s may not mentor now (see the eligibility list).", name=mentor.name),
            "mentor",
        )
    replaced = None
    if kind == MentorshipKind.ONBOARDING:
        for current in db.session.scalars(
            sa.select(Mentorship).where(
                Mentorship.mentee_id == mentee.id,
                Mentorship.kind == MentorshipKind.ONBOARDING,
                Mentorship.status.in_(HOLDS_SLOT),
            )
        ):
            if current.mentor_id == mentor.id and current.status == MentorshipStatus.PROPOSED:
                return activate(
                    current,
                    actor=actor,
                    now=now,
                    started_on=started_on,
                    planned_end_on=planned_end_on,
                )
            if current.mentor_id == mentor.id:
                raise MentorshipError(_("This mentor is already assigned."), "mentor")
            if current.status == MentorshipStatus.ACTIVE:
                replaced = current
            end(current, reason=_("Replaced by %(name)s", name=mentor.name), now=now)
    eligibility.ensure_profiles(rules, [mentor.id])
    if not _take_place(mentor.id):
        raise MentorshipError(
            _("%(name)s has no free place; raise their capacity first.", name=mentor.name),
            "mentor",
        )
    mentorship = Mentorship(
        mentor=mentor,
        mentee=mentee,
        kind=kind,
        status=MentorshipStatus.PROPOSED,
        proposed_at=now,
        created_by_id=actor.id if actor else None,
        replaces_id=replaced.id if replaced else None,
    )
    db.session.add(mentorship)
    return activate(
        mentorship, actor=actor, now=now, started_on=started_on, planned_end_on=planned_end_on
    )


def sign_off(mentorship: Mentorship, *, actor: Employee, now: dt.datetime) -> None:
    """The mentor (or HR) signs off onboarding: the mentorship completes and the new hire
    becomes an active employee."""
    from lms.organisation import services as organisation

    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError(_("Only an active mentorship can be signed off."))
    mentorship.status = MentorshipStatus.COMPLETED
    mentorship.ended_on = now.date()
    mentorship.signed_off_at = now
    _free_place(mentorship.mentor_id)
    mentee = mentorship.mentee
    if mentorship.kind == MentorshipKind.ONBOARDING and mentee.status == EmployeeStatus.ONBOARDING:
        organisation.apply_values(
            mentee,
            {"status": EmployeeStatus.ACTIVE},
            refs=organisation.References(),
            actor=actor,
            now=now,
        )
        db.session.flush()
        organisation.announce([], [], [mentee.id], now)
    notify_people([mentee], "onboarding_signed_off", now=now, params={"mentor": actor.name})
    db.session.flush()


def rate(mentorship: Mentorship, *, rating: int, comment: str | None, now: dt.datetime) -> None:
    """The mentee's rating of a finished mentorship (once; HR sees it, the mentor never)."""
    if mentorship.status not in (MentorshipStatus.COMPLETED, MentorshipStatus.ENDED):
        raise MentorshipError(_("You can rate a mentorship once it has ended."))
    if mentorship.rated_at is not None:
        raise MentorshipError(_("You have rated this mentorship already."))
    if not 1 <= rating <= 5:
        raise MentorshipError(_("Choose 1 to 5."), "rating")
    mentorship.rating, mentorship.rating_comment = rating, (comment or "").strip()[:2000] or None
    mentorship.rated_at = now
    db.session.flush()


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


# --- settings -------------------------------------------------------------------------


def save_settings(
    rules: MentorshipSettings, values: dict, *, actor: Employee, now: dt.datetime
) -> None:
    days = sorted(set(values["checkin_days"]))
    if not days or days[0] < 1 or days[-1] > values["onboarding_days"]:
        raise MentorshipError(
            _("Check-in days are between 1 and the length of onboarding."), "checkin_days"
        )
    for name in ("min_tenure_months", "onboarding_days", "auto_assign", "required_course_id"):
        setattr(rules, name, values[name])
    rules.checkin_days = days
    rules.weights = {name: int(values["weights"][name]) for name in matching.FACTORS}
    if values["default_capacity"] != rules.default_capacity:
        eligibility.set_default_capacity(rules, values["default_capacity"])
    rules.updated_by_id, rules.updated_at = actor.id, now
    db.session.flush()


# --- when people change ---------------------------------------------------------------


def reconsider_mentors(mentor_ids: Iterable[int], *, now: dt.datetime) -> int:
    """Mentors who left or are no longer eligible lose their open mentorships; each mentee
    gets a new proposal and HR is told. Returns how many mentees were re-proposed."""
    ids = sorted(set(mentor_ids))
    if not ids:
        return 0
    rules = eligibility.settings()
    still = {s.person.id for s in eligibility.standings(rules, now.date(), ids=ids) if s.eligible}
    lapsed = [i for i in ids if i not in still]
    if not lapsed:
        return 0
    open_ones = list(
        db.session.scalars(
            sa.select(Mentorship).where(
                Mentorship.mentor_id.in_(lapsed), Mentorship.status.in_(HOLDS_SLOT)
            )
        )
    )
    if not open_ones:
        return 0
    mentees = []
    for mentorship in open_ones:
        left = mentorship.mentor.status == EmployeeStatus.LEFT
        end(
            mentorship,
            reason=_("Mentor left") if left else _("Mentor no longer eligible"),
            now=now,
        )
        mentees.append(mentorship.mentee_id)
    report = propose(mentees, now=now)
    replaced = {m.mentee_id: m for m in open_ones}
    for new in report.matched:
        old = replaced.get(new.mentee_id)
        if old is not None and old.status == MentorshipStatus.ENDED and old.started_on:
            new.replaces_id = old.id
    names = sorted({m.mentor.name for m in open_ones})
    notify_hr(
        "mentees_reproposed",
        now=now,
        params={"count": len(mentees), "mentors": "、".join(names)},
    )
    db.session.flush()
    return len(mentees)


def end_for_leavers(employee_ids: Iterable[int], *, now: dt.datetime) -> None:
    """Mentees who left: their open mentorships end."""
    for mentorship in db.session.scalars(
        sa.select(Mentorship)
        .join(Employee, Employee.id == Mentorship.mentee_id)
        .where(
            Mentorship.mentee_id.in_(sorted(set(employee_ids))),
            Mentorship.status.in_(HOLDS_SLOT),
            Employee.status == EmployeeStatus.LEFT,
        )
    ):
        end(mentorship, reason=_("Mentee left"), now=now)


def _on_created(_sender: object, *, employee_ids: list[int], now: dt.datetime) -> None:
    propose(employee_ids, now=now)


def _on_status_changed(_sender: object, *, employee_ids: list[int], now: dt.datetime) -> None:
    end_for_leavers(employee_ids, now=now)
    reconsider_mentors(employee_ids, now=now)


def _on_standing_changed(_sender: object, *, employee_ids: list[int], now: dt.datetime) -> None:
    reconsider_mentors(employee_ids, now=now)


def connect_signals() -> None:
    from lms.organisation import events

    events.employees_created.connect(_on_created, weak=False)
    events.employees_status_changed.connect(_on_status_changed, weak=False)
    events.employees_standing_changed.connect(_on_standing_changed, weak=False)
