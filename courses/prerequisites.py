"""Prerequisites: which courses must be completed before another, by explicit choice and, by
default, the tier below in the same track. Cycles are refused."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from courses.models import Course, CoursePrerequisite, CourseStatus, Enrolment
from courses.services import CatalogueError
from lms.extensions import db
from lms.organisation.models import Employee


def set_prerequisites(course: Course, required: list[Course], *, use_default: bool = True) -> None:
    """Replace the explicit prerequisites; refuses a cycle."""
    if any(other.id == course.id for other in required):
        raise CatalogueError(_("A course cannot require itself."), "prerequisites")
    graph = _prerequisite_graph()
    graph[course.id] = {other.id for other in required}
    cycle = _find_cycle(graph, course.id)
    if cycle:
        slugs = dict(db.session.execute(sa.select(Course.id, Course.slug)).all())
        raise CatalogueError(
            _(
                "These prerequisites would make a cycle: %(path)s.",
                path=" → ".join(slugs[c] for c in cycle),
            ),
            "prerequisites",
        )
    course.default_prerequisites = use_default
    db.session.execute(
        sa.delete(CoursePrerequisite).where(CoursePrerequisite.course_id == course.id)
    )
    for other in required:
        db.session.add(CoursePrerequisite(course_id=course.id, requires_course_id=other.id))
    db.session.flush()
    db.session.expire(course, ["prerequisites"])


def _prerequisite_graph() -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    for course_id, requires in db.session.execute(
        sa.select(CoursePrerequisite.course_id, CoursePrerequisite.requires_course_id)
    ):
        graph.setdefault(course_id, set()).add(requires)
    return graph


def _find_cycle(graph: dict[int, set[int]], start: int) -> list[int] | None:
    path: list[int] = []

    def visit(node: int, seen: set[int]) -> list[int] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in seen:
            return None
        seen.add(node)
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, seen)
            if found:
                return found
        path.pop()
        return None

    return visit(start, set())


def effective_prerequisites(courses: list[Course]) -> dict[int, list[Course]]:
    """For each course: the courses to complete first — its explicit prerequisites, and by
    default the published courses of the tier below in the same track. Two statements."""
    ids = [c.id for c in courses]
    explicit: dict[int, list[Course]] = {i: [] for i in ids}
    rows = db.session.execute(
        sa.select(CoursePrerequisite.course_id, Course)
        .join(Course, Course.id == CoursePrerequisite.requires_course_id)
        .where(CoursePrerequisite.course_id.in_(ids))
    ).all()
    for course_id, required in rows:
        explicit[course_id].append(required)
    wanted = {(c.track_id, c.tier - 1) for c in courses if c.default_prerequisites and c.tier > 1}
    lower: dict[tuple[int, int], list[Course]] = {}
    if wanted:
        for other in db.session.scalars(
            sa.select(Course).where(
                Course.status == CourseStatus.PUBLISHED,
                sa.tuple_(Course.track_id, Course.tier).in_(list(wanted)),
            )
        ):
            lower.setdefault((other.track_id, other.tier), []).append(other)
    result = {}
    for course in courses:
        found = {c.id: c for c in explicit[course.id]}
        if course.default_prerequisites and course.tier > 1:
            for other in lower.get((course.track_id, course.tier - 1), []):
                found.setdefault(other.id, other)
        found.pop(course.id, None)
        result[course.id] = sorted(found.values(), key=lambda c: c.slug)
    return result


def completed_course_ids(person: Employee) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Enrolment.course_id).where(
                Enrolment.employee_id == person.id, Enrolment.completed_at.is_not(None)
            )
        )
    )


def missing_prerequisites(person: Employee, courses: list[Course]) -> dict[int, list[Course]]:
    """For each course, the prerequisites this person has not completed yet."""
    done = completed_course_ids(person)
    return {
        course_id: [c for c in required if c.id not in done]
        for course_id, required in effective_prerequisites(courses).items()
    }


# Requirements other capabilities add (e.g. "holds a valid certification"): each takes a person
# and courses and returns, per course id, the names of what the person still lacks.
extra_requirements: list[Callable[[Employee, list[Course]], dict[int, list[str]]]] = []


def unmet_requirements(person: Employee, courses: list[Course]) -> dict[int, list[str]]:
    """Per course, what else the person must hold before enrolling (one statement per
    registered requirement)."""
    unmet: dict[int, list[str]] = {course.id: [] for course in courses}
    for requirement in extra_requirements:
        for course_id, names in requirement(person, courses).items():
            unmet.setdefault(course_id, []).extend(names)
    return unmet
