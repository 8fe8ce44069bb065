"""Read-only queries for HR's catalogue pages: the course list with its figures, and the
courses offered as prerequisites. A bounded number of statements whatever the number of
courses."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from courses.models import (
    Course,
    CourseVersion,
    Enrolment,
    Track,
    VersionStatus,
)
from lms.extensions import db


@dataclass
class CourseListFilter:
    q: str = ""
    track: str | None = None
    tier: int | None = None
    status: str | None = None
    sort: str = "title"
    descending: bool = False


def course_list_query(f: CourseListFilter) -> sa.Select:
    """Every course with its track and current version; a draft's title counts too (a course
    has one draft at most, so the join never repeats a course)."""
    current = aliased(CourseVersion)
    draft = aliased(CourseVersion)
    title = sa.func.coalesce(current.title, draft.title)
    query = (
        sa.select(Course)
        .join(Track, Track.id == Course.track_id)
        .outerjoin(current, current.id == Course.current_version_id)
        .outerjoin(
            draft, sa.and_(draft.course_id == Course.id, draft.status == VersionStatus.DRAFT)
        )
        .options(
            contains_eager(Course.track), contains_eager(Course.current_version.of_type(current))
        )
    )
    if f.track:
        query = query.where(Track.code == f.track)
    if f.tier:
        query = query.where(Course.tier == f.tier)
    if f.status:
        query = query.where(Course.status == f.status)
    if f.q:
        like = f"%{f.q.strip()}%"
        query = query.where(
            sa.or_(
                Course.slug.ilike(like),
                current.title.ilike(like),
                current.title_en.ilike(like),
                draft.title.ilike(like),
                draft.title_en.ilike(like),
            )
        )
    if f.sort == "enrolled":  # only this order needs the counts of every course
        enrolled = (
            sa.select(Enrolment.course_id, sa.func.count(Enrolment.id).label("n"))
            .group_by(Enrolment.course_id)
            .subquery()
        )
        query = query.outerjoin(enrolled, enrolled.c.course_id == Course.id)
        keys = (sa.func.coalesce(enrolled.c.n, 0),)
    else:
        keys = {
            "title": (title,),
            "slug": (Course.slug,),
            "track": (Track.position, Track.code),
            "tier": (Course.tier,),
            "status": (Course.status,),
        }[f.sort]
    order = [key.desc() if f.descending else key for key in keys]
    return query.order_by(*order, title, Course.id)


def course_list_figures(courses: list[Course]) -> tuple[dict, dict]:
    """The drafts of these courses and their enrolled and completed counts (two statements)."""
    ids = [c.id for c in courses]
    if not ids:
        return {}, {}
    drafts = {
        v.course_id: v
        for v in db.session.scalars(
            sa.select(CourseVersion).where(
                CourseVersion.course_id.in_(ids), CourseVersion.status == VersionStatus.DRAFT
            )
        )
    }
    counts = {
        course_id: (enrolled, completed)
        for course_id, enrolled, completed in db.session.execute(
            sa.select(
                Enrolment.course_id,
                sa.func.count(Enrolment.id),
                sa.func.count(Enrolment.completed_at),
            )
            .where(Enrolment.course_id.in_(ids))
            .group_by(Enrolment.course_id)
        )
    }
    return drafts, counts


def course_options(locale: str, exclude_id: int | None) -> list[tuple[int, str]]:
    """Other courses as prerequisite choices, labelled by title and slug (one statement)."""
    current = aliased(CourseVersion)
    draft = aliased(CourseVersion)
    english = locale == "en"
    rows = db.session.execute(
        sa.select(
            Course.id,
            Course.slug,
            sa.func.coalesce(current.title, draft.title),
            sa.func.coalesce(current.title_en, draft.title_en),
        )
        .outerjoin(current, current.id == Course.current_version_id)
        .outerjoin(
            draft, sa.and_(draft.course_id == Course.id, draft.status == VersionStatus.DRAFT)
        )
        .where(Course.id != (exclude_id or 0))
        .order_by(Course.slug)
    )
    return [
        (course_id, f"{(title_en if english and title_en else title) or slug} ({slug})")
        for course_id, slug, title, title_en in rows
    ]
