"""Read-only queries of the mentor's and the new hire's pages, on top of ``queries``: a
mentee's mentorships with their plan loaded, course titles for the dashboard and the answers
of the mentor's mentees waiting for grading. Each is one to three statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from assessments import grading
from assessments.models import Attempt, AttemptAnswer
from courses.models import Course, CourseVersion
from lms.extensions import db
from lms.mentorship.models import CheckIn, Mentorship
from lms.mentorship.queries import MenteeRow
from lms.organisation.models import Employee

GRADING_CARD_SIZE = 10


def mentorships_with_plan(mentee: Employee) -> list[Mentorship]:
    """All of a person's mentorships, newest first, with both people (and their teams), the
    check-ins (and who logged them) and the goals loaded: four statements."""
    return list(
        db.session.scalars(
            sa.select(Mentorship)
            .where(Mentorship.mentee_id == mentee.id)
            .options(
                joinedload(Mentorship.mentee).joinedload(Employee.team),
                joinedload(Mentorship.mentor).joinedload(Employee.team),
                selectinload(Mentorship.check_ins).joinedload(CheckIn.logged_by),
                selectinload(Mentorship.goals),
            )
            .order_by(Mentorship.proposed_at.desc(), Mentorship.id.desc())
        ).unique()
    )


def course_titles(slugs: Iterable[str], locale: str) -> dict[str, str]:
    """The current title of each course, in the reader's language (one statement)."""
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(Course.slug, CourseVersion.title, CourseVersion.title_en)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Course.slug.in_(wanted))
    )
    titles = {}
    for slug, title, title_en in rows:
        titles[slug] = (title_en if locale == "en" and title_en else None) or title or slug
    return titles


@dataclass(frozen=True)
class NextItem:
    """What a mentee has to do next: a course due or a check-in."""

    kind: str  # "course" or "check_in"
    due_on: dt.date
    slug: str | None = None


def next_item(row: MenteeRow) -> NextItem | None:
    """The sooner of the next course due and the next check-in."""
    items = []
    if row.next_course is not None:
        items.append(NextItem("course", row.next_course[1], row.next_course[0]))
    if row.next_check_in is not None:
        items.append(NextItem("check_in", row.next_check_in))
    return min(items, key=lambda item: item.due_on, default=None)


def mentees_waiting_for_grading(grader: Employee, mentee_ids: Iterable[int]) -> list:
    """The oldest answers waiting in this grader's queue from these mentees (one statement,
    at most ``GRADING_CARD_SIZE``)."""
    ids = sorted(set(mentee_ids))
    if not ids:
        return []
    query = (
        grading.grading_queue_query(grader)
        .where(Attempt.employee_id.in_(ids))
        .options(
            contains_eager(AttemptAnswer.attempt).contains_eager(Attempt.employee),
            contains_eager(AttemptAnswer.attempt).joinedload(Attempt.quiz),
            joinedload(AttemptAnswer.question_version),
        )
        .limit(GRADING_CARD_SIZE)
    )
    return list(db.session.scalars(query).unique())
