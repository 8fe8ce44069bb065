"""Proposing mentors: the facts matching needs, loaded set-wise; proposals (or assignments,
with auto-assign on) for unmatched new hires; and what happens when people change (a mentor
leaves or lapses, a mentee leaves). Every function flushes; the caller commits once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.db import serialise
from lms.extensions import db
from lms.mentorship import eligibility, matching
from lms.mentorship.models import (
    HOLDS_SLOT,
    Mentorship,
    MentorshipKind,
    MentorshipSettings,
    MentorshipStatus,
)
from lms.mentorship.notices import notify_hr
from lms.mentorship.services import activate, end, free_place, take_place
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee, EmployeeStatus, Team


@dataclass
class MatchReport:
    matched: list[Mentorship] = field(default_factory=list)
    unmatched: list[Employee] = field(default_factory=list)


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
    eligible = eligibility.eligible_mentors(rules, today)
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
    ``apply`` False nothing is written and the report holds unsaved proposals.

    Runs that write queue behind each other (PostgreSQL: an advisory lock; SQLite: the write
    lock), so they read each other's proposals and never take places in opposite orders;
    the guarded UPDATE on the mentor's load stays the last word on capacity."""
    if apply:
        serialise(db.session, "mentor-matching")
    rules = eligibility.settings()
    assign = rules.auto_assign if assign is None else assign
    mentees = list(db.session.scalars(unmatched_new_hires(employee_ids)))
    report = MatchReport()
    if not mentees:
        return report
    teams = org_queries.teams_by_id()
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
            if apply and not take_place(match.mentor.person.id):
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
        free_place(mentorship.mentor_id)
        return False
    savepoint.commit()
    return True


# --- when people change ---------------------------------------------------------------


def reconsider_mentors(mentor_ids: Iterable[int], *, now: dt.datetime) -> int:
    """Mentors who left or are no longer eligible lose their open mentorships; each mentee
    gets a new proposal and HR is told. Returns how many mentees were re-proposed."""
    ids = sorted(set(mentor_ids))
    if not ids:
        return 0
    rules = eligibility.settings()
    still = {s.person.id for s in eligibility.eligible_mentors(rules, now.date(), ids=ids)}
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
