"""Renewal outside the sweeps: HR requiring recertification after a material course change,
a learner renewing from their page, and a completed course certifying at once. Each runs the
same set-wise steps as the sweeps, for the holders concerned. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from courses.models import Course, Enrolment
from lms.certification import completion, cycles, notices
from lms.certification.models import (
    Certification,
    CertificationCourse,
    CertificationCycle,
    CourseRole,
    CycleCourse,
    PersonCertification,
    Standing,
)
from lms.certification.services import CertificationError
from lms.certification.sweeps import announce_certified
from lms.extensions import db

PC = PersonCertification.__table__
# Told which holders' expiry a material change brought forward to a date, in the same
# transaction (e.g. their certificates must stop being valid on that date too).
expiry_brought_forward_hooks: list[Callable[[list[int], dt.date, dt.datetime], None]] = []


# --- material change -------------------------------------------------------------------------


def _on_old_version(certification: Certification, course: Course):
    """Certified holders whose current cycle counted another version of the course."""
    cycle = CertificationCycle.__table__
    counted = CycleCourse.__table__
    return sa.select(PC.c.id).where(
        PC.c.certification_id == certification.id,
        PC.c.status == Standing.CERTIFIED.value,
        sa.exists().where(
            cycle.c.holder_id == PC.c.id,
            cycle.c.number == PC.c.cycle_number,
            counted.c.cycle_id == cycle.c.id,
            counted.c.course_id == course.id,
            sa.or_(
                counted.c.version_id.is_(None), counted.c.version_id != course.current_version_id
            ),
        ),
    )


def recertification_count(certification: Certification, course: Course) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(_on_old_version(certification, course).subquery())
    )


def require_recertification(
    certification: Certification, course: Course, *, by: dt.date, now: dt.datetime
) -> int:
    """Everyone certified on an older version of ``course`` must renew by ``by``: their
    window opens now and, unless they renew, they expire on that date."""
    if course.id not in certification.course_ids(CourseRole.INITIAL) + certification.course_ids(
        CourseRole.RENEWAL
    ):
        raise CertificationError(_("This course is not part of the certification."), "course")
    if course.current_version_id is None:
        raise CertificationError(_("The course has no published version."), "course")
    if by <= now.date():
        raise CertificationError(_("Choose a date after today."), "by")
    ids = list(db.session.scalars(_on_old_version(certification, course)))
    if not ids:
        return 0
    for start in range(0, len(ids), cycles.CHUNK):
        chunk = ids[start : start + cycles.CHUNK]
        db.session.execute(
            sa.update(PC)
            .where(PC.c.id.in_(chunk))
            .values(
                required_by=by,
                expires_on=sa.case((PC.c.expires_on > by, by), else_=PC.c.expires_on),
                window_opens_on=now.date(),
            )
        )
        for hook in expiry_brought_forward_hooks:
            hook(chunk, by, now)
        cycles.open_windows(certification, now=now, holder_ids=chunk)
        rows = db.session.execute(
            sa.select(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.required_by).where(
                PC.c.id.in_(chunk)
            )
        ).all()
        notices.send(
            "certification_recertify",
            certification,
            rows,
            step="recertify",
            now=now,
            extra={"course": course.current_version.title, "required_by": by.isoformat()},
        )
    return len(ids)


# --- the learner -----------------------------------------------------------------------------


def renew(holder: PersonCertification, *, now: dt.datetime) -> int | None:
    """Open the renewal now (the same steps as the sweeps, for this holder). Returns the id
    of the first renewal course still to complete, if any."""
    today = now.date()
    if holder.window_opens_on is None or today < holder.window_opens_on:
        raise CertificationError(
            _(
                "The renewal window opens on %(day)s.",
                day=holder.window_opens_on.isoformat() if holder.window_opens_on else "—",
            )
        )
    certification = holder.certification
    cycles.expire(certification, now=now, holder_ids=[holder.id])
    cycles.open_windows(certification, now=now, holder_ids=[holder.id])
    db.session.refresh(holder)
    course_ids = certification.course_ids(CourseRole.RENEWAL)
    open_ids = set(
        db.session.scalars(
            sa.select(Enrolment.course_id).where(
                Enrolment.employee_id == holder.employee_id,
                Enrolment.course_id.in_(course_ids),
                Enrolment.completed_at.is_(None),
            )
        )
    )
    return next((cid for cid in course_ids if cid in open_ids), None)


def on_course_completed(enrolment: Enrolment, now: dt.datetime) -> None:
    """A completed course may complete a cycle: certify at once rather than at the next
    sweep."""
    certification_ids = db.session.scalars(
        sa.select(PC.c.certification_id)
        .join(
            CertificationCourse,
            CertificationCourse.certification_id == PC.c.certification_id,
        )
        .where(
            PC.c.employee_id == enrolment.employee_id,
            CertificationCourse.course_id == enrolment.course_id,
            PC.c.status.in_(cycles.OPEN),
        )
        .distinct()
    ).all()
    for certification_id in certification_ids:
        certification = db.session.get(Certification, certification_id)
        holder_ids = db.session.scalars(
            sa.select(PC.c.id).where(
                PC.c.employee_id == enrolment.employee_id,
                PC.c.certification_id == certification_id,
            )
        ).all()
        done = completion.certify(certification, now=now, holder_ids=holder_ids)
        announce_certified(certification, done, now)
