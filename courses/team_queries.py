"""Read-only queries of the assignment pages: HR's enrolment rules and curricula, and the team
lead's view of their people's training (derived statuses, grouped counts, sorts)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from courses import queries
from courses.models import (
    Course,
    CourseVersion,
    Curriculum,
    CurriculumCourse,
    CurriculumEnrolment,
    Enrolment,
    EnrolmentRule,
)
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Team

TEAM_STATUSES = ("open", "overdue", "not_started", "in_progress", "completed", "all")
OPEN_STATUSES = ("overdue", "not_started", "in_progress")

RULE_SORTS = {
    "name": (EnrolmentRule.name, EnrolmentRule.id),
    "created": (EnrolmentRule.created_at, EnrolmentRule.id),
    "active": (EnrolmentRule.active, EnrolmentRule.name, EnrolmentRule.id),
}
CURRICULUM_SORTS = {
    "title": (Curriculum.title, Curriculum.id),
    "slug": (Curriculum.slug,),
    "due_days": (Curriculum.due_days, Curriculum.id),
    "created": (Curriculum.created_at, Curriculum.id),
}


def ordered(query: sa.Select, columns: tuple, descending: bool) -> sa.Select:
    return query.order_by(*(c.desc() if descending else c.asc() for c in columns))


def curricula_by_title() -> list[Curriculum]:
    return list(db.session.scalars(sa.select(Curriculum).order_by(Curriculum.title)))


# --- enrolment rules -----------------------------------------------------------------------


def rule_list_query(sort: str, descending: bool) -> sa.Select:
    """The rules with their target and group loaded, in the order of ``RULE_SORTS[sort]``."""
    query = sa.select(EnrolmentRule).options(
        joinedload(EnrolmentRule.course).joinedload(Course.current_version),
        joinedload(EnrolmentRule.curriculum),
        joinedload(EnrolmentRule.post),
        joinedload(EnrolmentRule.team),
        joinedload(EnrolmentRule.department),
    )
    return ordered(query, RULE_SORTS[sort], descending)


def people_enrolled_by_rule(rule_ids: list[int]) -> dict[int, int]:
    """Rule id → how many people it has enrolled."""
    return dict(
        db.session.execute(
            sa.select(Enrolment.rule_id, sa.func.count(sa.distinct(Enrolment.employee_id)))
            .where(Enrolment.rule_id.in_(rule_ids))
            .group_by(Enrolment.rule_id)
        ).all()
    )


def employee_names(employee_ids: set[int]) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(Employee.id, Employee.name).where(Employee.id.in_(employee_ids))
        ).all()
    )


# --- curricula -------------------------------------------------------------------------------


def curriculum_list_query(sort: str, descending: bool) -> sa.Select:
    return ordered(sa.select(Curriculum), CURRICULUM_SORTS[sort], descending)


def courses_per_curriculum(curriculum_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(CurriculumCourse.curriculum_id, sa.func.count())
            .where(CurriculumCourse.curriculum_id.in_(curriculum_ids))
            .group_by(CurriculumCourse.curriculum_id)
        ).all()
    )


def people_per_curriculum(curriculum_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(CurriculumEnrolment.curriculum_id, sa.func.count())
            .where(CurriculumEnrolment.curriculum_id.in_(curriculum_ids))
            .group_by(CurriculumEnrolment.curriculum_id)
        ).all()
    )


def curriculum_by_slug(slug: str) -> Curriculum | None:
    """The curriculum with its courses loaded, for the edit form."""
    return db.session.scalar(
        sa.select(Curriculum)
        .where(Curriculum.slug == slug)
        .options(selectinload(Curriculum.items).joinedload(CurriculumCourse.course))
    )


# --- the team lead's view ------------------------------------------------------------------


def status_expression(today: dt.date):
    """The derived status of ``Enrolment.status`` in SQL."""
    return sa.case(
        (Enrolment.completed_at.is_not(None), "completed"),
        (Enrolment.due_on < today, "overdue"),
        (Enrolment.started_at.is_not(None), "in_progress"),
        else_="not_started",
    )


def team_people(lead: Employee, *, everyone: bool, team_id: int | None = None) -> sa.Select:
    """The ids of the people whose training ``lead`` follows: everyone still here (HR; one team
    when ``team_id`` is given), otherwise the lead's team and direct reports."""
    if everyone:
        people = sa.select(Employee.id).where(Employee.status != EmployeeStatus.LEFT)
        if team_id:
            people = people.where(Employee.team_id == team_id)
        return people
    return queries.team_members_query(lead)


def team_sorts(today: dt.date) -> dict[str, tuple]:
    rank = sa.case(
        (Enrolment.completed_at.is_not(None), 3),
        (Enrolment.due_on < today, 0),
        (Enrolment.started_at.is_not(None), 1),
        else_=2,
    )
    return {
        # open before completed, then the earliest due (so the overdue) first
        "due": (
            Enrolment.completed_at.is_not(None),
            Enrolment.due_on.is_(None),
            Enrolment.due_on,
            Employee.name,
            Enrolment.id,
        ),
        "status": (rank, Enrolment.due_on.is_(None), Enrolment.due_on, Enrolment.id),
        "person": (Employee.name, Employee.employee_no, Enrolment.id),
        "course": (Employee.name, Enrolment.id),  # after the course title, joined below
    }


def team_enrolments(
    people: sa.Select,
    *,
    status: str,
    sort: str,
    descending: bool,
    today: dt.date,
    lang: str,
) -> sa.Select:
    """The enrolments of ``people`` with one of ``TEAM_STATUSES``, in the order of ``sort``
    (a key of ``team_sorts``; "course" sorts by the current version's title in ``lang``)."""
    query = queries.enrolment_list_query(
        employee_ids=people,
        status=None if status in ("open", "all") else status,
        today=today,
    ).order_by(None)
    if status == "open":
        query = query.where(Enrolment.completed_at.is_(None))
    columns = team_sorts(today)[sort]
    if sort == "course":
        current = aliased(CourseVersion)
        query = query.join(Course, Course.id == Enrolment.course_id).outerjoin(
            current, current.id == Course.current_version_id
        )
        title = sa.func.coalesce(current.title_en, current.title) if lang == "en" else current.title
        columns = (title, *columns)
    return ordered(query, columns, descending)


def team_status_counts(people: sa.Select, today: dt.date) -> dict[str, int]:
    """How many enrolments of ``people`` have each derived status, plus "open" and "all"."""
    statuses = status_expression(today).label("status")
    derived = sa.select(statuses).where(Enrolment.employee_id.in_(people)).subquery()
    counts = dict(
        db.session.execute(
            sa.select(derived.c.status, sa.func.count()).group_by(derived.c.status)
        ).all()
    )
    counts["open"] = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    counts["all"] = counts["open"] + counts.get("completed", 0)
    return counts


def teams_by_name() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))
