"""HR's training rules: assigning courses and curricula to groups of people, switching
enrolment rules on and off, and keeping curricula. Services take what they need, flush, and
never commit; the caller commits once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from courses import assignment
from courses.models import (
    Course,
    CourseStatus,
    Curriculum,
    CurriculumCourse,
    EnrolmentRule,
)
from courses.services import SLUG, CatalogueError
from lms.extensions import db
from lms.organisation.models import Employee

# Employee numbers may be separated by spaces, new lines, commas (also full-width), 、 or ;
_NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_LISTED_PEOPLE = 5000


# --- assignment ------------------------------------------------------------------------------


def parse_employee_nos(text: str | None) -> list[str]:
    """The employee numbers in ``text``, in order, without repeats."""
    seen: dict[str, None] = {}
    for number in _NUMBER_SEPARATORS.split(text or ""):
        if number:
            seen.setdefault(number, None)
    return list(seen)


def resolve_employee_nos(numbers: list[str]) -> list[int]:
    """The people with these numbers (one statement); unknown numbers are refused by name."""
    if len(numbers) > MAX_LISTED_PEOPLE:
        raise CatalogueError(
            _(
                "List at most %(n)d people at once, or choose a team, a post or a department.",
                n=MAX_LISTED_PEOPLE,
            ),
            "employees",
        )
    found = dict(
        db.session.execute(
            sa.select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(numbers))
        ).all()
    )
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise CatalogueError(
            _("Unknown employee numbers: %(list)s.", list="、".join(unknown)), "employees"
        )
    return [found[n] for n in numbers]


@dataclass(frozen=True)
class AssignmentResult:
    created: int  # enrolments created
    already: int  # enrolments that existed already (of the people and courses targeted)
    people: int  # people matched (those who left are never matched)


def assign_training(
    *,
    course: Course | None,
    curriculum: Curriculum | None,
    employee_nos: str | None = None,
    team_id: int | None = None,
    post_id: int | None = None,
    department_id: int | None = None,
    due_on: dt.date | None,
    actor: Employee,
    now: dt.datetime,
) -> AssignmentResult:
    """Assign a course or a curriculum to listed people (by employee number) or to a group
    (team, post and department narrow each other down). See ``assignment.assign``."""
    numbers = parse_employee_nos(employee_nos)
    if numbers and (team_id or post_id or department_id):
        raise CatalogueError(
            _("List people or choose a team, post or department — not both."), "employees"
        )
    employee_ids = resolve_employee_nos(numbers) if numbers else None
    created = assignment.assign(
        course=course,
        curriculum=curriculum,
        employee_ids=employee_ids,
        post_id=post_id,
        team_id=team_id,
        department_id=department_id,
        due_on=due_on,
        actor=actor,
        now=now,
    )
    people = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            assignment.people_query(
                employee_ids=employee_ids,
                post_id=post_id,
                team_id=team_id,
                department_id=department_id,
            ).subquery()
        )
    )
    if curriculum is not None:
        targets = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CurriculumCourse)
            .join(Course, Course.id == CurriculumCourse.course_id)
            .where(
                CurriculumCourse.curriculum_id == curriculum.id,
                Course.status == CourseStatus.PUBLISHED,
            )
        )
    else:
        targets = 1
    return AssignmentResult(created, max(people * targets - created, 0), people)


# --- enrolment rules -----------------------------------------------------------------------


def set_rule_active(rule: EnrolmentRule, active: bool, now: dt.datetime) -> int:
    """Switch a rule on or off. Switching it on applies it again at once (idempotent);
    returns how many enrolments that created."""
    rule.active = active
    db.session.flush()
    return assignment.apply_rule(rule, now=now) if active else 0


# --- curricula -------------------------------------------------------------------------------


@dataclass
class CurriculumFields:
    slug: str
    title: str
    title_en: str | None
    summary: str
    summary_en: str | None
    due_days: int | None
    course_slugs: list[str]  # in order; blank entries are ignored


def _curriculum_courses(curriculum: Curriculum | None, slugs: list[str]) -> list[Course]:
    """The courses named by ``slugs`` (one statement), refusing unknown, unpublished and
    repeated ones by their line."""
    lines = [(i + 1, s.strip()) for i, s in enumerate(slugs) if s.strip()]
    if not lines:
        raise CatalogueError(_("Add at least one course."), "course_slugs")
    found = {
        c.slug: c
        for c in db.session.scalars(
            sa.select(Course).where(Course.slug.in_({s for _n, s in lines}))
        )
    }
    kept = {item.course_id for item in curriculum.items} if curriculum is not None else set()
    seen: dict[str, int] = {}
    courses = []
    for number, slug in lines:
        course = found.get(slug)
        if course is None:
            raise CatalogueError(
                _("Line %(n)d: there is no course “%(v)s”.", n=number, v=slug), "course_slugs"
            )
        if course.status != CourseStatus.PUBLISHED and course.id not in kept:
            raise CatalogueError(
                _("Line %(n)d: the course “%(v)s” is not published.", n=number, v=slug),
                "course_slugs",
            )
        if slug in seen:
            raise CatalogueError(
                _(
                    "Line %(n)d: the course “%(v)s” is already on line %(first)d.",
                    n=number,
                    v=slug,
                    first=seen[slug],
                ),
                "course_slugs",
            )
        seen[slug] = number
        courses.append(course)
    return courses


def save_curriculum(
    curriculum: Curriculum | None, fields: CurriculumFields, *, now: dt.datetime
) -> Curriculum:
    """Create (``curriculum`` None) or update a curriculum and its ordered courses.

    People already enrolled in the curriculum keep their course enrolments; courses added
    later reach them when the curriculum is assigned again."""
    slug = (fields.slug or "").strip()
    if not SLUG.match(slug):
        raise CatalogueError(
            _("A slug has 2 to 80 lowercase letters, digits and '-', e.g. returns-policy."), "slug"
        )
    clash = db.session.scalar(sa.select(Curriculum.id).where(Curriculum.slug == slug))
    if clash is not None and (curriculum is None or clash != curriculum.id):
        raise CatalogueError(_("The slug %(v)s is taken.", v=slug), "slug")
    if not (fields.title or "").strip():
        raise CatalogueError(_("A title is required."), "title")
    if fields.due_days is None or not 1 <= fields.due_days <= 3650:
        raise CatalogueError(_("The due period must be between 1 and 3650 days."), "due_days")
    courses = _curriculum_courses(curriculum, fields.course_slugs)

    if curriculum is None:
        curriculum = Curriculum(created_at=now)
        db.session.add(curriculum)
    curriculum.slug = slug
    curriculum.title = fields.title.strip()
    curriculum.title_en = (fields.title_en or "").strip() or None
    curriculum.summary = (fields.summary or "").strip()
    curriculum.summary_en = (fields.summary_en or "").strip() or None
    curriculum.due_days = fields.due_days
    # Update the items in place so a course that stays keeps its row.
    existing = {item.course_id: item for item in curriculum.items}
    items = []
    for position, course in enumerate(courses):
        item = existing.get(course.id) or CurriculumCourse(course=course)
        item.position = position
        items.append(item)
    curriculum.items = items
    db.session.flush()
    return curriculum
