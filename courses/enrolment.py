"""Enrolment of one person (by HR or by themselves), progress and completion. Enrolling many
at once, by assignment or by rule, is in ``courses.assignment``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from courses.models import (
    Course,
    CourseStatus,
    Curriculum,
    Enrolment,
    EnrolmentSource,
    Lesson,
    LessonCompletion,
)
from courses.prerequisites import missing_prerequisites, unmet_requirements
from courses.services import CatalogueError
from lms.db import dialect_insert
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus


class EnrolmentError(CatalogueError):
    pass


# --- single enrolments ----------------------------------------------------------------------


def check_person(person: Employee, due_on: dt.date | None) -> None:
    if person.status == EmployeeStatus.LEFT:
        raise EnrolmentError(
            _("%(name)s has left the company and cannot be enrolled.", name=person.name), "employee"
        )
    if due_on is not None and due_on < person.hire_date:
        raise EnrolmentError(
            _(
                "The due date %(due)s is before %(name)s's hire date %(hire)s.",
                due=due_on.isoformat(),
                name=person.name,
                hire=person.hire_date.isoformat(),
            ),
            "due_on",
        )


def check_course(course: Course) -> None:
    if course.status != CourseStatus.PUBLISHED or course.current_version_id is None:
        raise EnrolmentError(_("Only published courses take enrolments."), "course")


def enrol(
    person: Employee,
    course: Course,
    *,
    now: dt.datetime,
    due_on: dt.date | None = None,
    source: EnrolmentSource = EnrolmentSource.ASSIGNMENT,
    actor: Employee | None = None,
    curriculum: Curriculum | None = None,
) -> Enrolment:
    """Enrol one person; returns the existing enrolment when there is one (an earlier due
    date is kept)."""
    check_course(course)
    check_person(person, due_on)
    existing = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == person.id, Enrolment.course_id == course.id
        )
    )
    if existing is not None:
        if (
            due_on is not None
            and existing.completed_at is None
            and (existing.due_on is None or due_on < existing.due_on)
        ):
            existing.due_on = due_on
        db.session.flush()
        return existing
    enrolment = Enrolment(
        employee_id=person.id,
        course_id=course.id,
        version_id=course.current_version_id,
        due_on=due_on,
        source=source,
        assigned_by_id=actor.id if actor else None,
        curriculum_id=curriculum.id if curriculum else None,
        created_at=now,
    )
    db.session.add(enrolment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # a concurrent request enrolled them first
        return db.session.scalar(
            sa.select(Enrolment).where(
                Enrolment.employee_id == person.id, Enrolment.course_id == course.id
            )
        )
    return enrolment


def self_enrol(person: Employee, course: Course, *, now: dt.datetime) -> Enrolment:
    if not course.self_enrolment:
        raise EnrolmentError(
            _("This course is assigned by HR; it is not open for self-enrolment."), "course"
        )
    missing = missing_prerequisites(person, [course])[course.id]
    if missing:
        raise EnrolmentError(
            _("Complete these courses first: %(list)s.", list="、".join(c.slug for c in missing)),
            "course",
        )
    unmet = unmet_requirements(person, [course])[course.id]
    if unmet:
        raise EnrolmentError(
            _("Hold a valid certification first: %(list)s.", list="、".join(unmet)), "course"
        )
    return enrol(person, course, now=now, source=EnrolmentSource.SELF, actor=person)


# --- progress --------------------------------------------------------------------------------


def start(enrolment: Enrolment, *, now: dt.datetime) -> None:
    if enrolment.started_at is None:
        enrolment.started_at = now
    enrolment.last_activity_at = now
    db.session.flush()


# Checks a learner's "mark as done" must pass, registered by other capabilities: each returns
# why the lesson cannot be marked done yet (e.g. "pass the lesson's quiz first") or None.
completion_guards: list[Callable[[Enrolment, Lesson], str | None]] = []
# Checks before a course counts as completed once its lessons are (e.g. its final quiz is
# passed): each returns True to hold the completion back.
course_completion_holds: list[Callable[[Enrolment], bool]] = []
# Told when a course becomes completed (e.g. certifications complete a cycle).
course_completed_hooks: list[Callable[[Enrolment, dt.datetime], None]] = []


def refresh_completion(enrolment: Enrolment, *, now: dt.datetime) -> bool:
    """Complete the course if every required lesson is done and nothing holds it back."""
    if enrolment.completed_at is not None:
        return True
    remaining = db.session.scalar(
        sa.select(sa.func.count(Lesson.id)).where(
            Lesson.version_id == enrolment.version_id,
            Lesson.required.is_(True),
            ~Lesson.id.in_(
                sa.select(LessonCompletion.lesson_id).where(
                    LessonCompletion.enrolment_id == enrolment.id
                )
            ),
        )
    )
    if remaining == 0 and not any(hold(enrolment) for hold in course_completion_holds):
        enrolment.completed_at = now
        db.session.flush()
        for hook in course_completed_hooks:
            hook(enrolment, now)
    return enrolment.completed_at is not None


def complete_lesson(
    enrolment: Enrolment, lesson: Lesson, *, now: dt.datetime, by_learner: bool = False
) -> bool:
    """Mark a lesson done; completes the course when every required lesson is. Returns
    whether the course is now complete. Idempotent. ``by_learner``: the learner clicked
    "mark as done", so the guards apply (a lesson with a quiz completes by passing it)."""
    if lesson.version_id != enrolment.version_id:
        raise EnrolmentError(_("This lesson is not part of the version you are taking."))
    if by_learner:
        for guard in completion_guards:
            reason = guard(enrolment, lesson)
            if reason:
                raise EnrolmentError(reason)
    start(enrolment, now=now)
    db.session.execute(
        dialect_insert(LessonCompletion.__table__)
        .values(
            enrolment_id=enrolment.id,
            lesson_id=lesson.id,
            completed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["enrolment_id", "lesson_id"])
    )
    db.session.flush()
    return refresh_completion(enrolment, now=now)
