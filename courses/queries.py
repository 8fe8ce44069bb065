"""Read-only queries for catalogue pages, the API and reports. Each runs a fixed number of
statements whatever the number of courses, lessons or enrolments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonCompletion,
    Module,
    Track,
)
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Team


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_for(enrolments: list[Enrolment]) -> dict[int, Progress]:
    """Required lessons done and in total, per enrolment (two statements)."""
    if not enrolments:
        return {}
    version_ids = {e.version_id for e in enrolments if e.version_id}
    totals = (
        dict(
            db.session.execute(
                sa.select(Lesson.version_id, sa.func.count(Lesson.id))
                .where(Lesson.version_id.in_(version_ids), Lesson.required.is_(True))
                .group_by(Lesson.version_id)
            ).all()
        )
        if version_ids
        else {}
    )
    done = dict(
        db.session.execute(
            sa.select(LessonCompletion.enrolment_id, sa.func.count())
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .where(
                LessonCompletion.enrolment_id.in_([e.id for e in enrolments]),
                Lesson.required.is_(True),
            )
            .group_by(LessonCompletion.enrolment_id)
        ).all()
    )
    result = {}
    for e in enrolments:
        total = totals.get(e.version_id, 0)
        count = total if e.completed_at else min(done.get(e.id, 0), total)
        result[e.id] = Progress(count, total)
    return result


def enrolments_of(person: Employee) -> list[Enrolment]:
    """A person's enrolments with course, version and track loaded, most urgent first:
    open ones by due date (none last), then completed ones, latest first."""
    rows = (
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.employee_id == person.id)
            .options(
                joinedload(Enrolment.course).joinedload(Course.track),
                joinedload(Enrolment.version),
                joinedload(Enrolment.curriculum),
            )
        )
        .unique()
        .all()
    )
    far = dt.date.max
    return sorted(
        rows,
        key=lambda e: (
            e.completed_at is not None,
            e.due_on or far if e.completed_at is None else far,
            -(e.completed_at.timestamp() if e.completed_at else 0),
            e.id,
        ),
    )


def continue_where_left_off(enrolments: list[Enrolment]) -> Enrolment | None:
    started = [e for e in enrolments if e.completed_at is None and e.last_activity_at]
    return max(started, key=lambda e: e.last_activity_at) if started else None


def next_lesson_keys(enrolments: list[Enrolment]) -> dict[int, str]:
    """The first required lesson not yet done, per open enrolment (one statement)."""
    open_ = [e for e in enrolments if e.completed_at is None and e.version_id]
    if not open_:
        return {}
    done = (
        sa.select(LessonCompletion.lesson_id)
        .where(LessonCompletion.enrolment_id == Enrolment.id)
        .correlate(Enrolment)
    )
    rows = db.session.execute(
        sa.select(Enrolment.id, Lesson.key, Module.position, Lesson.position)
        .join(Lesson, Lesson.version_id == Enrolment.version_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Enrolment.id.in_([e.id for e in open_]), ~Lesson.id.in_(done))
        .order_by(Enrolment.id, Module.position, Lesson.position)
    ).all()
    result: dict[int, str] = {}
    for enrolment_id, key, _m, _l in rows:
        result.setdefault(enrolment_id, key)
    return result


@dataclass
class CatalogueFilter:
    q: str = ""
    track: str | None = None
    tier: int | None = None


def catalogue(f: CatalogueFilter, *, include_unpublished: bool = False) -> list[Course]:
    """Published courses (with their current version and track), by track and tier."""
    query = (
        sa.select(Course)
        .join(Track, Track.id == Course.track_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .options(joinedload(Course.track), joinedload(Course.current_version))
    )
    if not include_unpublished:
        query = query.where(Course.status == CourseStatus.PUBLISHED)
    if f.track:
        query = query.where(Track.code == f.track)
    if f.tier:
        query = query.where(Course.tier == f.tier)
    if f.q:
        like = f"%{f.q.strip()}%"
        query = query.where(
            sa.or_(
                CourseVersion.title.ilike(like),
                CourseVersion.title_en.ilike(like),
                CourseVersion.summary.ilike(like),
                CourseVersion.summary_en.ilike(like),
                Course.slug.ilike(like),
            )
        )
    return list(
        db.session.scalars(
            query.order_by(Track.position, Track.code, Course.tier, CourseVersion.title)
        ).unique()
    )


def tracks() -> list[Track]:
    return list(db.session.scalars(sa.select(Track).order_by(Track.position, Track.code)))


def version_outline(version_id: int) -> CourseVersion | None:
    """A version with its modules, lessons and attachments (three statements)."""
    return db.session.scalar(
        sa.select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(
            selectinload(CourseVersion.modules)
            .selectinload(Module.lessons)
            .selectinload(Lesson.attachments)
        )
    )


def completed_lesson_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(LessonCompletion.lesson_id).where(
                LessonCompletion.enrolment_id == enrolment.id
            )
        )
    )


def enrolment_of(person: Employee, course: Course) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == person.id, Enrolment.course_id == course.id
        )
    )


def team_members_query(lead: Employee) -> sa.Select:
    """The people a supervisor looks after: their team's members and direct reports."""
    return (
        sa.select(Employee.id)
        .outerjoin(Team, Employee.team_id == Team.id)
        .where(
            sa.or_(Team.lead_id == lead.id, Employee.supervisor_id == lead.id),
            Employee.id != lead.id,
            Employee.status != EmployeeStatus.LEFT,
        )
    )


def enrolment_list_query(
    *,
    course_id: int | None = None,
    employee_ids: sa.Select | None = None,
    status: str | None = None,
    today: dt.date,
    sort: str = "due",
) -> sa.Select:
    """Enrolments with person, course and version loaded, for HR's and team leads' lists;
    ``status`` is derived as in ``Enrolment.status``."""
    query = (
        sa.select(Enrolment)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .options(
            joinedload(Enrolment.employee).joinedload(Employee.team),
            joinedload(Enrolment.course).joinedload(Course.current_version),
            joinedload(Enrolment.version),
            joinedload(Enrolment.rule),
        )
    )
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    if employee_ids is not None:
        query = query.where(Enrolment.employee_id.in_(employee_ids))
    if status == "completed":
        query = query.where(Enrolment.completed_at.is_not(None))
    elif status == "overdue":
        query = query.where(Enrolment.completed_at.is_(None), Enrolment.due_on < today)
    elif status == "in_progress":
        query = query.where(
            Enrolment.completed_at.is_(None),
            Enrolment.started_at.is_not(None),
            sa.or_(Enrolment.due_on.is_(None), Enrolment.due_on >= today),
        )
    elif status == "not_started":
        query = query.where(
            Enrolment.completed_at.is_(None),
            Enrolment.started_at.is_(None),
            sa.or_(Enrolment.due_on.is_(None), Enrolment.due_on >= today),
        )
    order = {
        "due": (Enrolment.due_on.is_(None), Enrolment.due_on, Enrolment.id),
        "name": (Employee.name, Enrolment.id),
        "employee_no": (Employee.employee_no, Enrolment.id),
        "completed": (Enrolment.completed_at.desc(), Enrolment.id),
        "enrolled": (Enrolment.created_at.desc(), Enrolment.id),
    }.get(sort, (Enrolment.due_on, Enrolment.id))
    return query.order_by(*order)


def may_open_attachment(person: Employee, attachment) -> bool:
    """HR and administrators, and people enrolled in the version the file belongs to."""
    if person.has_role("hr", "admin"):
        return True
    lesson = db.session.get(Lesson, attachment.lesson_id)
    return (
        db.session.scalar(
            sa.select(Enrolment.id)
            .where(Enrolment.employee_id == person.id, Enrolment.version_id == lesson.version_id)
            .limit(1)
        )
        is not None
    )


def training_of(person: Employee) -> dict:
    """A person's enrolments, most urgent first, and their progress: what their record shows
    to HR, their supervisor and themselves (three statements)."""
    enrolments = enrolments_of(person)
    return {"enrolments": enrolments, "progress": progress_for(enrolments)}


def learner_home(person: Employee) -> dict:
    """Everything the learner's home shows, in a fixed number of statements."""
    enrolments = enrolments_of(person)
    return {
        "enrolments": enrolments,
        "progress": progress_for(enrolments),
        "next_keys": next_lesson_keys(enrolments),
        "resume": continue_where_left_off(enrolments),
    }
