"""Certifying: an open cycle whose courses are all completed (for a renewal, since the cycle
opened) is completed with the expiry its base grants, and the standing becomes certified —
set-wise, guarded so that a page, the API and the scheduler racing complete it once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from assessments.models import Attempt, Quiz
from lms.certification import dates
from lms.certification.cycles import (
    CHUNK,
    CYCLE,
    ENROLMENT,
    KINDS,
    OPEN,
    PC,
    current_cycle_join,
    holders_where,
)
from lms.certification.models import Certification, CycleCourse, CycleKind, Standing
from lms.db import dialect_insert
from lms.extensions import db

# Told which cycles were just completed (their ids), in the same transaction: e.g. a
# certificate is issued for each. A cycle a racing process completed first may be included;
# hooks must be idempotent.
certified_hooks: list[Callable[[list[int], dt.datetime], None]] = []


def certify(
    certification: Certification, *, now: dt.datetime, holder_ids: Sequence[int] | None = None
) -> list[tuple[int, int, int]]:
    """Complete every open cycle whose courses are all completed (for a renewal: completed
    since the cycle opened). Returns (holder id, employee id, cycle number) of each."""
    rules = dates.Rules.of(certification)
    done: list[tuple[int, int, int]] = []
    for kind, role in KINDS:
        course_ids = certification.course_ids(role)
        if not course_ids:
            continue
        counted = sa.and_(
            ENROLMENT.c.employee_id == PC.c.employee_id,
            ENROLMENT.c.course_id.in_(course_ids),
            ENROLMENT.c.completed_at.is_not(None),
        )
        if kind == CycleKind.RENEWAL:
            counted = sa.and_(counted, ENROLMENT.c.completed_at >= CYCLE.c.opened_at)
        ready = db.session.execute(
            sa.select(
                PC.c.id,
                PC.c.employee_id,
                PC.c.cycle_number,
                PC.c.expires_on,
                CYCLE.c.id,
                sa.func.max(ENROLMENT.c.completed_at),
            )
            .join(CYCLE, current_cycle_join())
            .join(ENROLMENT, counted)
            .where(
                holders_where(certification, holder_ids),
                PC.c.status.in_(OPEN),
                CYCLE.c.completed_on.is_(None),
                CYCLE.c.kind == kind.value,
            )
            .group_by(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.expires_on, CYCLE.c.id)
            .having(sa.func.count(sa.distinct(ENROLMENT.c.course_id)) == len(course_ids))
        ).all()
        for start in range(0, len(ready), CHUNK):
            done += _certify_rows(ready[start : start + CHUNK], rules, kind, course_ids, now=now)
    return done


def _completed_on(value: dt.datetime) -> dt.date:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.date()


def _certify_rows(rows, rules: dates.Rules, kind: CycleKind, course_ids: list[int], *, now):
    cycle_updates, holder_updates, done = [], [], []
    for holder_id, employee_id, number, previous_expiry, cycle_id, last_completed in rows:
        completed_on = _completed_on(last_completed)
        expires_on = dates.expiry_for(
            rules, completed_on, previous_expiry if kind == CycleKind.RENEWAL else None
        )
        window = max(dates.window_opens(rules, expires_on), completed_on)
        cycle_updates.append(
            {"b_id": cycle_id, "b_completed": completed_on, "b_expires": expires_on}
        )
        holder_updates.append(
            {
                "b_id": holder_id,
                "b_number": number,
                "b_completed": completed_on,
                "b_expires": expires_on,
                "b_window": window,
            }
        )
        done.append((holder_id, employee_id, number))
    if not done:
        return []
    db.session.execute(
        sa.update(CYCLE)
        .where(CYCLE.c.id == sa.bindparam("b_id"), CYCLE.c.completed_on.is_(None))
        .values(completed_on=sa.bindparam("b_completed"), expires_on=sa.bindparam("b_expires")),
        cycle_updates,
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.update(PC)
        .where(
            PC.c.id == sa.bindparam("b_id"),
            PC.c.cycle_number == sa.bindparam("b_number"),
            PC.c.status.in_(OPEN),
        )
        .values(
            status=Standing.CERTIFIED.value,
            certified_on=sa.bindparam("b_completed"),
            expires_on=sa.bindparam("b_expires"),
            window_opens_on=sa.bindparam("b_window"),
            required_by=None,
        ),
        holder_updates,
        execution_options={"synchronize_session": False},
    )
    cycle_ids = [row[4] for row in rows]
    _record_counted(cycle_ids, course_ids)
    for hook in certified_hooks:
        hook(cycle_ids, now)
    return done


def _record_counted(cycle_ids: list[int], course_ids: list[int]) -> None:
    """Which enrolments, versions and passed attempts counted towards each cycle."""
    counted = db.session.execute(
        sa.select(
            CYCLE.c.id,
            ENROLMENT.c.course_id,
            ENROLMENT.c.id,
            ENROLMENT.c.version_id,
            ENROLMENT.c.completed_at,
            ENROLMENT.c.employee_id,
            ENROLMENT.c.reopened_at,
        )
        .join(PC, PC.c.id == CYCLE.c.holder_id)
        .join(
            ENROLMENT,
            sa.and_(
                ENROLMENT.c.employee_id == PC.c.employee_id, ENROLMENT.c.course_id.in_(course_ids)
            ),
        )
        .where(CYCLE.c.id.in_(cycle_ids))
    ).all()
    people = {row[5] for row in counted}
    attempts: dict[tuple[int, int], list[tuple[int, dt.datetime]]] = {}
    if people:
        for attempt_id, employee_id, course_id, started_at in db.session.execute(
            sa.select(Attempt.id, Attempt.employee_id, Quiz.course_id, Attempt.started_at)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .where(
                Attempt.employee_id.in_(people),
                Quiz.course_id.in_(course_ids),
                Attempt.passed.is_(True),
            )
        ):
            attempts.setdefault((employee_id, course_id), []).append((attempt_id, started_at))
    rows = []
    for cycle_id, course_id, enrolment_id, version_id, completed_at, employee_id, since in counted:
        ids = sorted(
            attempt_id
            for attempt_id, started_at in attempts.get((employee_id, course_id), [])
            if since is None or started_at >= since
        )
        rows.append(
            {
                "cycle_id": cycle_id,
                "course_id": course_id,
                "enrolment_id": enrolment_id,
                "version_id": version_id,
                "completed_at": completed_at,
                "attempt_ids": ids,
            }
        )
    if rows:
        db.session.execute(
            dialect_insert(CycleCourse.__table__).on_conflict_do_nothing(
                index_elements=["cycle_id", "course_id"]
            ),
            rows,
        )
