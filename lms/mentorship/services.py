"""Writes and rules of mentorship: proposing and assigning mentors, the onboarding plan,
sign-off and rating. Every function flushes; the caller commits once.

A mentor's places are counted on ``MentorProfile.load`` in the same transaction as the
mentorship that takes or frees one; the guarded UPDATE (``load < capacity_limit``) and the
table's CHECK mean two imports at once can never push a mentor over capacity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.mentorship import eligibility, matching
from lms.mentorship.models import (
    HOLDS_SLOT,
    CheckIn,
    CheckInKind,
    MentorProfile,
    Mentorship,
    MentorshipKind,
    MentorshipSettings,
    MentorshipStatus,
)
from lms.mentorship.notices import notify_people
from lms.organisation.models import Employee, EmployeeStatus


class MentorshipError(ValueError):
    """A rule was broken; the message is shown to the user. ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- places ---------------------------------------------------------------------------


def take_place(mentor_id: int) -> bool:
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


def free_place(mentor_id: int) -> None:
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


def accept_proposals(
    mentorship_ids: Iterable[int], *, actor: Employee | None, now: dt.datetime
) -> int:
    """Accept these proposals (those still waiting); returns how many started."""
    ids = sorted(set(mentorship_ids))
    waiting = db.session.scalars(
        sa.select(Mentorship)
        .where(Mentorship.id.in_(ids), Mentorship.status == MentorshipStatus.PROPOSED)
        .order_by(Mentorship.proposed_at, Mentorship.id)
    ).all()
    for mentorship in waiting:
        activate(mentorship, actor=actor, now=now)
    return len(waiting)


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
    free_place(mentorship.mentor_id)
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
    if mentee.status == EmployeeStatus.LEFT:
        raise MentorshipError(_("%(name)s has left.", name=mentee.name), "mentee")
    rules = eligibility.settings()
    if not eligibility.eligible_mentors(rules, now.date(), ids=[mentor.id]):
        raise MentorshipError(
            _("%(name)s may not mentor now (see the eligibility list).", name=mentor.name),
            "mentor",
        )
    # In a savepoint, so a refusal (no free place, ...) leaves the current mentor as they were.
    with db.session.begin_nested():
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
        if not take_place(mentor.id):
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
    free_place(mentorship.mentor_id)
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
