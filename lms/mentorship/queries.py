"""Read-only queries for the mentorship pages and the API: a fixed number of statements per
page, whatever the number of mentees or mentors.

The at-risk signals are computed here, at query time, from the rows that define them:
a course overdue by more than 7 days, the same quiz failed twice (and not passed since),
no check-in for 21 days, a latest pulse of 2 or less, no sign-in for 7 days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from assessments.models import Attempt, Quiz
from courses.models import Course, Enrolment
from lms.extensions import db
from lms.mentorship.models import (
    HOLDS_SLOT,
    CheckIn,
    Mentorship,
    MentorshipKind,
    MentorshipStatus,
)
from lms.organisation.models import Employee, Team

OVERDUE_DAYS = 7
QUIZ_FAILURES = 2
CHECK_IN_GAP_DAYS = 21
LOW_PULSE = 2
NO_LOGIN_DAYS = 7
SIGNALS = ("overdue", "quiz_failed", "no_check_in", "low_pulse", "no_login")


@dataclass
class MenteeRow:
    """One line of the mentor dashboard or of a team's mentorship list."""

    mentorship: Mentorship
    completed: int = 0
    total: int = 0
    next_course: tuple[str, dt.date] | None = None  # (course slug, due date)
    next_check_in: dt.date | None = None
    last_check_in: dt.date | None = None
    pulse: int | None = None
    signals: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def _ids(values: Iterable[int]) -> list[int]:
    return sorted(set(values))


def progress(mentee_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(completed, total) enrolments per person."""
    ids = _ids(mentee_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Enrolment.employee_id,
            sa.func.count(Enrolment.completed_at),
            sa.func.count(Enrolment.id),
        )
        .where(Enrolment.employee_id.in_(ids))
        .group_by(Enrolment.employee_id)
    )
    return {person: (done, total) for person, done, total in rows}


def next_due_courses(mentee_ids: Iterable[int]) -> dict[int, tuple[str, dt.date, int]]:
    """Each person's open enrolment due soonest: (course slug, due date, course id)."""
    ids = _ids(mentee_ids)
    if not ids:
        return {}
    ranked = (
        sa.select(
            Enrolment.employee_id,
            Course.slug,
            Enrolment.due_on,
            Course.id,
            sa.func.row_number()
            .over(partition_by=Enrolment.employee_id, order_by=(Enrolment.due_on, Enrolment.id))
            .label("n"),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .where(
            Enrolment.employee_id.in_(ids),
            Enrolment.completed_at.is_(None),
            Enrolment.due_on.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.employee_id, ranked.c.slug, ranked.c.due_on, ranked.c.id).where(
            ranked.c.n == 1
        )
    )
    return {person: (slug, due, course_id) for person, slug, due, course_id in rows}


@dataclass
class CheckInFacts:
    last_held: dt.date | None = None
    next_due: dt.date | None = None
    pulse: int | None = None


def check_in_facts(mentorship_ids: Iterable[int]) -> dict[int, CheckInFacts]:
    """Per mentorship: the last check-in held, the next one due and the latest pulse."""
    ids = _ids(mentorship_ids)
    facts: dict[int, CheckInFacts] = defaultdict(CheckInFacts)
    if not ids:
        return facts
    rows = db.session.execute(
        sa.select(
            CheckIn.mentorship_id,
            sa.func.max(CheckIn.held_on),
            sa.func.min(CheckIn.due_on).filter(CheckIn.held_on.is_(None)),
        )
        .where(CheckIn.mentorship_id.in_(ids))
        .group_by(CheckIn.mentorship_id)
    )
    for mentorship_id, last, upcoming in rows:
        facts[mentorship_id].last_held, facts[mentorship_id].next_due = last, upcoming
    ranked = (
        sa.select(
            CheckIn.mentorship_id,
            CheckIn.pulse,
            sa.func.row_number()
            .over(
                partition_by=CheckIn.mentorship_id,
                order_by=(CheckIn.pulse_at.desc(), CheckIn.id.desc()),
            )
            .label("n"),
        )
        .where(CheckIn.mentorship_id.in_(ids), CheckIn.pulse.is_not(None))
        .subquery()
    )
    for mentorship_id, pulse in db.session.execute(
        sa.select(ranked.c.mentorship_id, ranked.c.pulse).where(ranked.c.n == 1)
    ):
        facts[mentorship_id].pulse = pulse
    return facts


def at_risk(
    mentorships: list[Mentorship],
    *,
    now: dt.datetime,
    facts: dict[int, CheckInFacts] | None = None,
) -> dict[int, list[dict]]:
    """The at-risk signals of each mentee of these mentorships (keyed by mentee id), each
    ``{"signal": name, ...detail}``. Three statements, plus one if ``facts`` is not given."""
    today = now.date()
    ids = _ids(m.mentee_id for m in mentorships)
    signals: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return signals
    facts = facts if facts is not None else check_in_facts(m.id for m in mentorships)

    overdue = db.session.execute(
        sa.select(Enrolment.employee_id, sa.func.count(), sa.func.min(Enrolment.due_on))
        .where(
            Enrolment.employee_id.in_(ids),
            Enrolment.completed_at.is_(None),
            Enrolment.due_on < today - dt.timedelta(days=OVERDUE_DAYS),
        )
        .group_by(Enrolment.employee_id)
    )
    for person, count, oldest in overdue:
        signals[person].append({"signal": "overdue", "count": count, "days": (today - oldest).days})

    failed = sa.func.count(Attempt.id).filter(Attempt.passed.is_(False))
    passed = sa.func.count(Attempt.id).filter(Attempt.passed.is_(True))
    for person, quiz_title, failures in db.session.execute(
        sa.select(Attempt.employee_id, Quiz.title, failed)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.employee_id.in_(ids))
        .group_by(Attempt.employee_id, Attempt.quiz_id, Quiz.title)
        .having(failed >= QUIZ_FAILURES, passed == 0)
    ):
        signals[person].append({"signal": "quiz_failed", "quiz": quiz_title, "count": failures})

    logins = db.session.execute(
        sa.select(Employee.id, Employee.last_login_at, Employee.created_at).where(
            Employee.id.in_(ids)
        )
    )
    since = now - dt.timedelta(days=NO_LOGIN_DAYS)
    for person, last_login, created in logins:
        if (last_login or created) < since:
            days = (now - last_login).days if last_login else None
            signals[person].append({"signal": "no_login", "days": days})

    for mentorship in mentorships:
        if mentorship.status != MentorshipStatus.ACTIVE:
            continue
        fact = facts.get(mentorship.id, CheckInFacts())
        last = fact.last_held or mentorship.started_on
        if last is not None and (today - last).days > CHECK_IN_GAP_DAYS:
            signals[mentorship.mentee_id].append(
                {"signal": "no_check_in", "days": (today - last).days}
            )
        if fact.pulse is not None and fact.pulse <= LOW_PULSE:
            signals[mentorship.mentee_id].append({"signal": "low_pulse", "pulse": fact.pulse})
    return signals


def mentee_rows(mentorships: list[Mentorship], *, now: dt.datetime) -> list[MenteeRow]:
    """Everything a dashboard line shows, for these mentorships (six statements)."""
    ids = [m.mentee_id for m in mentorships]
    done = progress(ids)
    courses = next_due_courses(ids)
    facts = check_in_facts(m.id for m in mentorships)
    signals = at_risk(mentorships, now=now, facts=facts)
    rows = []
    for mentorship in mentorships:
        fact = facts.get(mentorship.id, CheckInFacts())
        course = courses.get(mentorship.mentee_id)
        rows.append(
            MenteeRow(
                mentorship,
                *done.get(mentorship.mentee_id, (0, 0)),
                next_course=course[:2] if course else None,
                next_check_in=fact.next_due if mentorship.status == "active" else None,
                last_check_in=fact.last_held,
                pulse=fact.pulse,
                signals=signals.get(mentorship.mentee_id, []) if mentorship.is_open else [],
            )
        )
    return rows


def with_people(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Mentorship.mentee).joinedload(Employee.team),
        joinedload(Mentorship.mentor),
    )


def mentorships_of_mentor(mentor: Employee) -> list[Mentorship]:
    """A mentor's mentorships, open ones first, then the past ones (newest first)."""
    open_first = sa.case((Mentorship.status.in_(HOLDS_SLOT), 0), else_=1)
    return list(
        db.session.scalars(
            with_people(sa.select(Mentorship))
            .where(Mentorship.mentor_id == mentor.id)
            .order_by(open_first, Mentorship.proposed_at.desc(), Mentorship.id.desc())
        )
    )


def mentorships_of_mentee(mentee: Employee) -> list[Mentorship]:
    return list(
        db.session.scalars(
            with_people(sa.select(Mentorship))
            .where(Mentorship.mentee_id == mentee.id)
            .order_by(Mentorship.proposed_at.desc(), Mentorship.id.desc())
        )
    )


def current_mentorship(mentee: Employee) -> Mentorship | None:
    """The mentee's active mentorship (onboarding first), if any."""
    onboarding_first = sa.case((Mentorship.kind == MentorshipKind.ONBOARDING, 0), else_=1)
    return db.session.scalar(
        with_people(sa.select(Mentorship))
        .where(Mentorship.mentee_id == mentee.id, Mentorship.status == MentorshipStatus.ACTIVE)
        .order_by(onboarding_first, Mentorship.id.desc())
        .limit(1)
    )


def team_mentorships(lead: Employee, *, everyone: bool = False) -> list[Mentorship]:
    """Mentorships whose mentee is in a team this person leads or reports to them (HR:
    everyone's), open ones first."""
    query = (
        with_people(sa.select(Mentorship))
        .join(Employee, Employee.id == Mentorship.mentee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
    )
    if not everyone:
        query = query.where(sa.or_(Employee.supervisor_id == lead.id, Team.lead_id == lead.id))
    open_first = sa.case((Mentorship.status.in_(HOLDS_SLOT), 0), else_=1)
    return list(
        db.session.scalars(
            query.order_by(open_first, Team.name, Employee.name, Mentorship.id.desc())
        )
    )


def mentorship_by_id(mentorship_id: int) -> Mentorship | None:
    return db.session.scalar(
        with_people(sa.select(Mentorship)).where(Mentorship.id == mentorship_id)
    )


def attempts_of(person: Employee, limit: int = 50) -> list[Attempt]:
    """A person's finished quiz attempts, newest first, with the quiz."""
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .options(joinedload(Attempt.quiz))
            .where(Attempt.employee_id == person.id, Attempt.finished_at.is_not(None))
            .order_by(Attempt.finished_at.desc())
            .limit(limit)
        )
    )


# --- HR -------------------------------------------------------------------------------


def proposals() -> list[Mentorship]:
    return list(
        db.session.scalars(
            with_people(sa.select(Mentorship))
            .where(Mentorship.status == MentorshipStatus.PROPOSED)
            .order_by(Mentorship.proposed_at, Mentorship.id)
        )
    )
