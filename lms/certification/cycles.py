"""The set-wise engine of certifications: assigning, opening cycles, reopening courses,
certifying completed cycles, opening windows and expiring.

Every step is a handful of statements per certification (never per person) and is keyed on
stored state, so running it twice, from two schedulers at once, or again after a crash changes
nothing more: standings move forward with guarded UPDATEs, cycles are unique per holder and
number, history rows are unique per enrolment and cycle, and enrolments per person and course.

Invariant: a holder whose status is ``certified`` has its current cycle completed; any other
status has its current cycle open (``ensure_open_cycles`` creates it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from courses.models import Course, CourseStatus, Enrolment, EnrolmentSource, LessonCompletion
from lms.certification.models import (
    Certification,
    CertificationCycle,
    CourseRole,
    CycleKind,
    EnrolmentHistory,
    LessonCompletionHistory,
    PersonCertification,
    Standing,
)
from lms.db import dialect_insert
from lms.extensions import db

PC = PersonCertification.__table__
CYCLE = CertificationCycle.__table__
ENROLMENT = Enrolment.__table__
OPEN = (Standing.ASSIGNED.value, Standing.DUE.value, Standing.EXPIRED.value)
CHUNK = 1000
KINDS = ((CycleKind.INITIAL, CourseRole.INITIAL), (CycleKind.RENEWAL, CourseRole.RENEWAL))


def holders_where(certification: Certification, holder_ids: Sequence[int] | None):
    condition = PC.c.certification_id == certification.id
    if holder_ids is not None:
        condition = sa.and_(condition, PC.c.id.in_(list(holder_ids)))
    return condition


def current_cycle_join():
    return sa.and_(CYCLE.c.holder_id == PC.c.id, CYCLE.c.number == PC.c.cycle_number)


# --- assignment ------------------------------------------------------------------------------


def assign(
    certification: Certification,
    people: sa.Select,
    *,
    now: dt.datetime,
    rule_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Make everyone ``people`` selects (``id`` first) a holder of the certification, open
    their first cycle and enrol them in its courses. Returns how many were new."""
    people = people.subquery()
    due_on = now.date() + dt.timedelta(days=certification.initial_due_days)
    select = sa.select(
        people.c.id,
        sa.literal(certification.id),
        sa.literal(Standing.ASSIGNED.value),
        sa.literal(1),
        sa.literal(rule_id, sa.Integer()),
        sa.literal(actor_id, sa.Integer()),
        sa.literal(now, PC.c.assigned_at.type),
        sa.literal(due_on, sa.Date()),
    ).where(sa.true())
    created = db.session.execute(
        dialect_insert(PC)
        .from_select(
            [
                "employee_id",
                "certification_id",
                "status",
                "cycle_number",
                "rule_id",
                "assigned_by_id",
                "assigned_at",
                "due_on",
            ],
            select,
        )
        .on_conflict_do_nothing(index_elements=["employee_id", "certification_id"])
        .returning(PC.c.id)
    ).all()
    if created:
        ensure_open_cycles(certification, now=now)
        enrol_open_cycles(certification, now=now)
    return len(created)


# --- cycles ----------------------------------------------------------------------------------


def ensure_open_cycles(
    certification: Certification, *, now: dt.datetime, holder_ids: Sequence[int] | None = None
) -> int:
    """Open the current cycle of every holder who needs one and has none."""
    kind = sa.case(
        (PC.c.certified_on.is_(None), sa.literal(CycleKind.INITIAL.value)),
        else_=sa.literal(CycleKind.RENEWAL.value),
    )
    reason = sa.case(
        (PC.c.certified_on.is_(None), sa.literal("assigned")),
        (PC.c.required_by.is_not(None), sa.literal("material_change")),
        (PC.c.status == Standing.EXPIRED.value, sa.literal("expired")),
        else_=sa.literal("window"),
    )
    due_on = sa.case((PC.c.certified_on.is_(None), PC.c.due_on), else_=PC.c.expires_on)
    select = sa.select(
        PC.c.id,
        PC.c.cycle_number,
        kind,
        reason,
        sa.literal(now, CYCLE.c.opened_at.type),
        due_on,
    ).where(
        holders_where(certification, holder_ids),
        PC.c.status.in_(OPEN),
        ~sa.exists().where(current_cycle_join()),
    )
    rows = db.session.execute(
        dialect_insert(CYCLE)
        .from_select(["holder_id", "number", "kind", "reason", "opened_at", "due_on"], select)
        .on_conflict_do_nothing(index_elements=["holder_id", "number"])
        .returning(CYCLE.c.id)
    ).all()
    return len(rows)


def _published_versions(course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    return {
        course_id: version_id
        for course_id, version_id in db.session.execute(
            sa.select(Course.id, Course.current_version_id).where(
                Course.id.in_(course_ids), Course.status == CourseStatus.PUBLISHED
            )
        )
        if version_id is not None
    }


def _open_cycles(certification: Certification, kind: CycleKind, holder_ids):
    """(holder, cycle) pairs of open cycles of this kind, as a subquery."""
    return (
        sa.select(
            PC.c.id.label("holder_id"),
            PC.c.employee_id,
            CYCLE.c.id.label("cycle_id"),
            CYCLE.c.opened_at,
            CYCLE.c.due_on,
        )
        .join(CYCLE, current_cycle_join())
        .where(
            holders_where(certification, holder_ids),
            PC.c.status.in_(OPEN),
            CYCLE.c.completed_on.is_(None),
            CYCLE.c.kind == kind.value,
        )
        .subquery()
    )


def enrol_open_cycles(
    certification: Certification, *, now: dt.datetime, holder_ids: Sequence[int] | None = None
) -> int:
    """Enrol holders of open cycles in the cycle's courses; for a renewal, reopen the course
    (its previous enrolment and lesson completions go to history, attempts stay) so the new
    cycle starts afresh. Returns the enrolments created or reopened."""
    touched = 0
    for kind, role in KINDS:
        versions = _published_versions(certification.course_ids(role))
        if not versions:
            continue
        cycles = _open_cycles(certification, kind, holder_ids)
        for course_id, version_id in versions.items():
            if kind == CycleKind.RENEWAL:
                touched += _reopen(cycles, course_id, version_id, now)
            select = sa.select(
                cycles.c.employee_id,
                sa.literal(course_id),
                sa.literal(version_id),
                cycles.c.due_on,
                sa.literal(EnrolmentSource.CERTIFICATION.value),
                sa.literal(now, ENROLMENT.c.created_at.type),
                cycles.c.opened_at if kind == CycleKind.RENEWAL else sa.null(),
            ).where(sa.true())
            touched += len(
                db.session.execute(
                    dialect_insert(ENROLMENT)
                    .from_select(
                        [
                            "employee_id",
                            "course_id",
                            "version_id",
                            "due_on",
                            "source",
                            "created_at",
                            "reopened_at",
                        ],
                        select,
                    )
                    .on_conflict_do_nothing(index_elements=["employee_id", "course_id"])
                    .returning(ENROLMENT.c.id)
                ).all()
            )
    db.session.flush()
    return touched


def _reopen(cycles, course_id: int, version_id: int, now: dt.datetime) -> int:
    """Reopen this course for every open renewal cycle not yet reopened (five statements)."""
    e = ENROLMENT.alias("e")  # the outer UPDATE's table must not correlate
    stale = (
        sa.select(e.c.id.label("enrolment_id"), cycles.c.cycle_id)
        .join(cycles, cycles.c.employee_id == e.c.employee_id)
        .where(
            e.c.course_id == course_id,
            sa.or_(e.c.reopened_at.is_(None), e.c.reopened_at < cycles.c.opened_at),
        )
    )
    stale_ids = stale.with_only_columns(e.c.id)
    history = EnrolmentHistory.__table__
    db.session.execute(
        dialect_insert(history)
        .from_select(
            [
                "enrolment_id",
                "cycle_id",
                "employee_id",
                "course_id",
                "version_id",
                "started_at",
                "completed_at",
                "archived_at",
            ],
            stale.with_only_columns(
                e.c.id,
                cycles.c.cycle_id,
                e.c.employee_id,
                e.c.course_id,
                e.c.version_id,
                e.c.started_at,
                e.c.completed_at,
                sa.literal(now, history.c.archived_at.type),
            ).where(e.c.started_at.is_not(None)),
        )
        .on_conflict_do_nothing(index_elements=["enrolment_id", "cycle_id"])
    )
    lessons = LessonCompletion.__table__
    lesson_history = LessonCompletionHistory.__table__
    db.session.execute(
        dialect_insert(lesson_history)
        .from_select(
            ["enrolment_id", "cycle_id", "lesson_id", "completed_at"],
            stale.with_only_columns(
                lessons.c.enrolment_id,
                cycles.c.cycle_id,
                lessons.c.lesson_id,
                lessons.c.completed_at,
            ).join(lessons, lessons.c.enrolment_id == e.c.id),
        )
        .on_conflict_do_nothing(index_elements=["enrolment_id", "cycle_id", "lesson_id"])
    )
    db.session.execute(sa.delete(lessons).where(lessons.c.enrolment_id.in_(stale_ids)))
    mine = (
        sa.select(cycles.c.opened_at)
        .where(cycles.c.employee_id == ENROLMENT.c.employee_id)
        .scalar_subquery()
    )
    due = (
        sa.select(cycles.c.due_on)
        .where(cycles.c.employee_id == ENROLMENT.c.employee_id)
        .scalar_subquery()
    )
    result = db.session.execute(
        sa.update(ENROLMENT)
        .where(ENROLMENT.c.id.in_(stale_ids))
        .values(
            completed_at=None,
            started_at=None,
            last_activity_at=None,
            version_id=version_id,
            due_on=due,
            reopened_at=mine,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- standings moving forward ------------------------------------------------------------------


def open_windows(
    certification: Certification, *, now: dt.datetime, holder_ids: Sequence[int] | None = None
) -> int:
    """Certified holders whose window has opened become due, with a renewal cycle open and
    the recertification courses reopened."""
    moved = db.session.execute(
        sa.update(PC)
        .where(
            holders_where(certification, holder_ids),
            PC.c.status == Standing.CERTIFIED.value,
            PC.c.window_opens_on <= now.date(),
        )
        .values(status=Standing.DUE.value, cycle_number=PC.c.cycle_number + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:  # a standing moves in the same transaction as its cycle and courses
        ensure_open_cycles(certification, now=now, holder_ids=holder_ids)
        enrol_open_cycles(certification, now=now, holder_ids=holder_ids)
    return moved or 0


def expire(
    certification: Certification, *, now: dt.datetime, holder_ids: Sequence[int] | None = None
) -> int:
    """Holders whose expiry has come become expired; the cycle that granted it lapses."""
    today = now.date()
    moved = (
        db.session.execute(
            sa.update(PC)
            .where(
                holders_where(certification, holder_ids),
                PC.c.status == Standing.CERTIFIED.value,
                PC.c.expires_on <= today,
            )
            .values(status=Standing.EXPIRED.value, cycle_number=PC.c.cycle_number + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    moved += (
        db.session.execute(
            sa.update(PC)
            .where(
                holders_where(certification, holder_ids),
                PC.c.status == Standing.DUE.value,
                PC.c.expires_on <= today,
            )
            .values(status=Standing.EXPIRED.value)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    later = CYCLE.alias("later")
    db.session.execute(
        sa.update(CYCLE)
        .where(
            CYCLE.c.holder_id.in_(
                sa.select(PC.c.id).where(holders_where(certification, holder_ids))
            ),
            CYCLE.c.lapsed_on.is_(None),
            CYCLE.c.completed_on.is_not(None),
            CYCLE.c.expires_on <= today,
            ~sa.exists().where(
                later.c.holder_id == CYCLE.c.holder_id,
                later.c.number > CYCLE.c.number,
                later.c.completed_on.is_not(None),
                later.c.completed_on < CYCLE.c.expires_on,
            ),
        )
        .values(lapsed_on=CYCLE.c.expires_on)
        .execution_options(synchronize_session=False)
    )
    if moved:
        ensure_open_cycles(certification, now=now, holder_ids=holder_ids)
        enrol_open_cycles(certification, now=now, holder_ids=holder_ids)
    return moved
