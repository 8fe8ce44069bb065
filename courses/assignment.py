"""Enrolling many people at once: assignment by HR to people, teams, posts or departments,
and rules that enrol automatically — when they are created, and whenever people join, move
post or change status.

Everything is set-wise: one INSERT ... SELECT per target course, skipping people already
enrolled (ON CONFLICT DO NOTHING on the unique person-and-course key), so applying a rule to
ten thousand people is a handful of statements and applying it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from courses.enrolment import EnrolmentError, check_course, check_person
from courses.models import (
    Course,
    CourseStatus,
    Curriculum,
    CurriculumCourse,
    CurriculumEnrolment,
    Enrolment,
    EnrolmentRule,
    EnrolmentSource,
)
from lms.db import dialect_insert
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Team

# --- dates in SQL --------------------------------------------------------------------------


class add_days(FunctionElement):  # noqa: N801 - reads like the SQL function it emits
    """``date + n days`` on either database (n may be negative)."""

    type = sa.Date()
    inherit_cache = True


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    date, days = list(element.clauses)
    # printf('%+d days', n): '+30 days' or '-30 days' (date() refuses '+-30 days')
    shift = f"printf('%+d days', {compiler.process(days, **kw)})"
    return f"date({compiler.process(date, **kw)}, {shift})"


@compiles(add_days, "postgresql")
def _add_days_postgresql(element, compiler, **kw):
    date, days = list(element.clauses)
    return (
        f"(CAST({compiler.process(date, **kw)} AS DATE) + "
        f"CAST({compiler.process(days, **kw)} AS INTEGER))"
    )


# --- set-wise enrolment -----------------------------------------------------------------------


def people_query(
    *,
    employee_ids: Sequence[int] | None = None,
    post_id: int | None = None,
    team_id: int | None = None,
    department_id: int | None = None,
    status: str | None = None,
) -> sa.Select:
    query = sa.select(Employee.id, Employee.hire_date).where(Employee.status != EmployeeStatus.LEFT)
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    if post_id:
        query = query.where(Employee.post_id == post_id)
    if team_id:
        query = query.where(Employee.team_id == team_id)
    if department_id:
        query = query.where(
            Employee.team_id.in_(sa.select(Team.id).where(Team.department_id == department_id))
        )
    if status:
        query = query.where(Employee.status == status)
    return query


def _enrol_set(
    people: sa.Select,
    course_ids: list[int],
    *,
    due,
    source: EnrolmentSource,
    now: dt.datetime,
    rule_id: int | None = None,
    actor_id: int | None = None,
    curriculum_id: int | None = None,
) -> int:
    """Enrol everyone ``people`` selects (id, hire_date) in these courses; returns how many
    enrolments were created. ``due`` is a date, None, or ``("hire", days)``."""
    people = people.subquery()
    versions = dict(
        db.session.execute(
            sa.select(Course.id, Course.current_version_id).where(
                Course.id.in_(course_ids), Course.status == CourseStatus.PUBLISHED
            )
        ).all()
    )
    created = 0
    for course_id in course_ids:
        if versions.get(course_id) is None:
            continue
        if isinstance(due, tuple):
            due_expr = add_days(people.c.hire_date, sa.literal(due[1]))
        else:
            due_expr = sa.literal(due, sa.Date())
        select = sa.select(
            people.c.id,
            sa.literal(course_id),
            sa.literal(versions[course_id]),
            due_expr,
            sa.literal(source.value),
            sa.literal(rule_id, sa.Integer()),
            sa.literal(actor_id, sa.Integer()),
            sa.literal(curriculum_id, sa.Integer()),
            sa.literal(now, Enrolment.__table__.c.created_at.type),
        ).where(sa.true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        statement = (
            dialect_insert(Enrolment.__table__)
            .from_select(
                [
                    "employee_id",
                    "course_id",
                    "version_id",
                    "due_on",
                    "source",
                    "rule_id",
                    "assigned_by_id",
                    "curriculum_id",
                    "created_at",
                ],
                select,
            )
            .on_conflict_do_nothing(index_elements=["employee_id", "course_id"])
            .returning(Enrolment.__table__.c.id)
        )
        created += len(db.session.execute(statement).all())
    return created


def _curriculum_set(
    people: sa.Select,
    curriculum: Curriculum,
    *,
    due,
    source: EnrolmentSource,
    now: dt.datetime,
    rule_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    subquery = people.subquery()
    due_expr = (
        add_days(subquery.c.hire_date, sa.literal(due[1]))
        if isinstance(due, tuple)
        else sa.literal(due, sa.Date())
    )
    select = sa.select(
        subquery.c.id,
        sa.literal(curriculum.id),
        due_expr,
        sa.literal(source.value),
        sa.literal(rule_id, sa.Integer()),
        sa.literal(actor_id, sa.Integer()),
        sa.literal(now, CurriculumEnrolment.__table__.c.created_at.type),
    ).where(sa.true())
    db.session.execute(
        dialect_insert(CurriculumEnrolment.__table__)
        .from_select(
            [
                "employee_id",
                "curriculum_id",
                "due_on",
                "source",
                "rule_id",
                "assigned_by_id",
                "created_at",
            ],
            select,
        )
        .on_conflict_do_nothing(index_elements=["employee_id", "curriculum_id"])
    )
    course_ids = list(
        db.session.scalars(
            sa.select(CurriculumCourse.course_id)
            .where(CurriculumCourse.curriculum_id == curriculum.id)
            .order_by(CurriculumCourse.position)
        )
    )
    return _enrol_set(
        people,
        course_ids,
        due=due,
        source=source,
        now=now,
        rule_id=rule_id,
        actor_id=actor_id,
        curriculum_id=curriculum.id,
    )


def assign(
    *,
    course: Course | None = None,
    curriculum: Curriculum | None = None,
    employee_ids: Sequence[int] | None = None,
    post_id: int | None = None,
    team_id: int | None = None,
    department_id: int | None = None,
    due_on: dt.date | None,
    actor: Employee,
    now: dt.datetime,
) -> int:
    """Assign a course or a curriculum to people, a team, a post or a department (set-wise).
    People who left are skipped; those already enrolled keep their enrolment."""
    if (course is None) == (curriculum is None):
        raise EnrolmentError(_("Choose a course or a curriculum."), "course")
    if not (employee_ids or post_id or team_id or department_id):
        raise EnrolmentError(
            _("Choose who to assign: people, a team, a post or a department."), "employees"
        )
    if course is not None:
        check_course(course)
    if due_on is not None:
        if due_on < now.date():
            raise EnrolmentError(_("The due date is in the past."), "due_on")
        hired_later = db.session.scalar(
            people_query(
                employee_ids=employee_ids,
                post_id=post_id,
                team_id=team_id,
                department_id=department_id,
            )
            .where(Employee.hire_date > due_on)
            .with_only_columns(Employee.name)
            .limit(1)
        )
        if hired_later:
            raise EnrolmentError(
                _(
                    "The due date %(due)s is before %(name)s's hire date.",
                    due=due_on.isoformat(),
                    name=hired_later,
                ),
                "due_on",
            )
    if employee_ids:
        left = db.session.scalar(
            sa.select(Employee.name)
            .where(Employee.id.in_(list(employee_ids)), Employee.status == EmployeeStatus.LEFT)
            .limit(1)
        )
        if left:
            raise EnrolmentError(
                _("%(name)s has left the company and cannot be enrolled.", name=left), "employees"
            )
    people = people_query(
        employee_ids=employee_ids, post_id=post_id, team_id=team_id, department_id=department_id
    )
    if curriculum is not None:
        count = _curriculum_set(
            people,
            curriculum,
            due=due_on,
            source=EnrolmentSource.ASSIGNMENT,
            now=now,
            actor_id=actor.id,
        )
    else:
        count = _enrol_set(
            people,
            [course.id],
            due=due_on,
            source=EnrolmentSource.ASSIGNMENT,
            now=now,
            actor_id=actor.id,
        )
    db.session.flush()
    return count


# --- rules ------------------------------------------------------------------------------------


def _rule_due(rule: EnrolmentRule, now: dt.datetime):
    if rule.due_days_after_hire is not None:
        return ("hire", rule.due_days_after_hire)
    if rule.due_days_after_enrolment is not None:
        return now.date() + dt.timedelta(days=rule.due_days_after_enrolment)
    if rule.curriculum is not None:
        return ("hire", rule.curriculum.due_days)
    return None


def apply_rule(
    rule: EnrolmentRule, *, now: dt.datetime, employee_ids: Sequence[int] | None = None
) -> int:
    """Enrol everyone the rule matches (or those of ``employee_ids`` it matches)."""
    if not rule.active:
        return 0
    people = people_query(
        employee_ids=employee_ids,
        post_id=rule.post_id,
        team_id=rule.team_id,
        department_id=rule.department_id,
        status=rule.employee_status,
    )
    due = _rule_due(rule, now)
    if rule.curriculum is not None:
        return _curriculum_set(
            people, rule.curriculum, due=due, source=EnrolmentSource.RULE, now=now, rule_id=rule.id
        )
    return _enrol_set(
        people, [rule.course_id], due=due, source=EnrolmentSource.RULE, now=now, rule_id=rule.id
    )


def create_rule(
    *,
    name: str,
    course: Course | None,
    curriculum: Curriculum | None,
    post_id: int | None,
    team_id: int | None,
    department_id: int | None,
    employee_status: str | None,
    due_days_after_hire: int | None,
    due_days_after_enrolment: int | None,
    actor: Employee | None,
    now: dt.datetime,
) -> tuple[EnrolmentRule, int]:
    """Create a rule and apply it at once to everyone it matches."""
    if (course is None) == (curriculum is None):
        raise EnrolmentError(_("Choose a course or a curriculum."), "course")
    if not (name or "").strip():
        raise EnrolmentError(_("Give the rule a name."), "name")
    if employee_status not in (None, "onboarding", "active"):
        raise EnrolmentError(_("Unknown status."), "employee_status")
    for days in (due_days_after_hire, due_days_after_enrolment):
        if days is not None and not 0 <= days <= 3650:
            raise EnrolmentError(_("Days must be between 0 and 3650."), "due_days")
    if course is not None:
        check_course(course)
    rule = EnrolmentRule(
        name=name.strip(),
        course=course,
        curriculum=curriculum,
        post_id=post_id,
        team_id=team_id,
        department_id=department_id,
        employee_status=employee_status,
        due_days_after_hire=due_days_after_hire,
        due_days_after_enrolment=due_days_after_enrolment,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(rule)
    db.session.flush()
    return rule, apply_rule(rule, now=now)


def apply_rules_to(employee_ids: Iterable[int], *, now: dt.datetime) -> int:
    """Run every active rule for these people (they joined or moved)."""
    ids = list(employee_ids)
    if not ids:
        return 0
    rules = db.session.scalars(
        sa.select(EnrolmentRule).where(EnrolmentRule.active.is_(True)).order_by(EnrolmentRule.id)
    ).all()
    return sum(apply_rule(rule, now=now, employee_ids=ids) for rule in rules)


def enrol_curriculum(
    person: Employee,
    curriculum: Curriculum,
    *,
    now: dt.datetime,
    due_on: dt.date | None,
    actor: Employee | None,
) -> int:
    check_person(person, due_on)
    return assign(
        curriculum=curriculum,
        employee_ids=[person.id],
        due_on=due_on,
        actor=actor or person,
        now=now,
    )


# --- people joining or moving: rules apply at once -----------------------------------------


def _on_people_changed(_sender: object, *, employee_ids: list[int], now: dt.datetime) -> None:
    apply_rules_to(employee_ids, now=now)


def connect_signals() -> None:
    from lms.organisation import events

    for signal in (
        events.employees_created,
        events.employees_post_changed,
        events.employees_status_changed,
    ):
        signal.connect(_on_people_changed, weak=False)
