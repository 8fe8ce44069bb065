"""Authoring rules: courses, their versions, modules, lessons, attachments, publication and
prerequisites. Services take the acting person and ``now``, flush, and never commit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from courses import changelog
from courses.models import (
    Attachment,
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    Lesson,
    Module,
    Tier,
    Track,
    VersionStatus,
)
from lms.extensions import db
from lms.organisation.models import Employee

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SEED_TRACKS = (
    ("product", "产品知识", "Product knowledge", 10),
    ("communication", "沟通技巧", "Communication", 20),
    ("resilience", "情绪韧性", "Emotional resilience", 30),
    ("leadership", "领导力", "Leadership", 40),
)


class CatalogueError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- tracks ----------------------------------------------------------------------------


def ensure_tracks() -> list[Track]:
    """The four seeded tracks exist (idempotent)."""
    have = {t.code: t for t in db.session.scalars(sa.select(Track))}
    for code, name, name_en, position in SEED_TRACKS:
        if code not in have:
            have[code] = Track(code=code, name=name, name_en=name_en, position=position)
            db.session.add(have[code])
    db.session.flush()
    return sorted(have.values(), key=lambda t: (t.position, t.code))


def save_track(track: Track | None, code: str, name: str, name_en: str | None) -> Track:
    code = (code or "").strip().lower()
    if not KEY.match(code):
        raise CatalogueError(_("A code has lowercase letters, digits and '-'."), "code")
    clash = db.session.scalar(sa.select(Track).where(Track.code == code))
    if clash is not None and clash is not track:
        raise CatalogueError(_("The track code %(v)s is taken.", v=code), "code")
    track = track or Track(position=100)
    track.code, track.name, track.name_en = code, name.strip(), (name_en or "").strip() or None
    db.session.add(track)
    db.session.flush()
    return track


# --- courses and versions ----------------------------------------------------------------


@dataclass
class CourseFields:
    slug: str
    title: str
    title_en: str | None
    summary: str
    summary_en: str | None
    track: Track
    tier: Tier
    estimated_minutes: int
    self_enrolment: bool = True


def _check_fields(fields: CourseFields, course: Course | None) -> None:
    if not SLUG.match(fields.slug or ""):
        raise CatalogueError(
            _("A slug has 2 to 80 lowercase letters, digits and '-', e.g. returns-policy."), "slug"
        )
    clash = db.session.scalar(sa.select(Course.id).where(Course.slug == fields.slug))
    if clash is not None and (course is None or clash != course.id):
        raise CatalogueError(_("The slug %(v)s is taken.", v=fields.slug), "slug")
    if not (fields.title or "").strip():
        raise CatalogueError(_("A title is required."), "title")
    if not 0 <= fields.estimated_minutes <= 10000:
        raise CatalogueError(
            _("Estimated minutes must be between 0 and 10000."), "estimated_minutes"
        )


def create_course(fields: CourseFields, *, actor: Employee | None, now: dt.datetime) -> Course:
    """A new course in draft, with its first (draft) version."""
    _check_fields(fields, None)
    course = Course(
        slug=fields.slug,
        track=fields.track,
        tier=int(fields.tier),
        status=CourseStatus.DRAFT,
        self_enrolment=fields.self_enrolment,
        owner=actor,
        created_at=now,
    )
    db.session.add(course)
    version = CourseVersion(number=1, status=VersionStatus.DRAFT, created_at=now)
    _apply_version_fields(version, fields)
    db.session.add(version)
    version.course = course
    db.session.flush()
    return course


def _apply_version_fields(version: CourseVersion, fields: CourseFields) -> None:
    version.title = fields.title.strip()
    version.title_en = (fields.title_en or "").strip() or None
    version.summary = (fields.summary or "").strip()
    version.summary_en = (fields.summary_en or "").strip() or None
    version.estimated_minutes = fields.estimated_minutes


def update_course(
    course: Course, fields: CourseFields, *, actor: Employee, now: dt.datetime
) -> CourseVersion:
    """Course-level fields change at once; titles and summaries go into the draft."""
    _check_fields(fields, course)
    course.slug, course.track, course.tier = fields.slug, fields.track, int(fields.tier)
    course.self_enrolment = fields.self_enrolment
    draft = draft_of(course, now=now)
    _apply_version_fields(draft, fields)
    db.session.flush()
    return draft


def draft_of(course: Course, *, now: dt.datetime) -> CourseVersion:
    """The course's draft version, copied from the current one when there is none."""
    draft = db.session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.status == VersionStatus.DRAFT
        )
    )
    if draft is not None:
        return draft
    source = course.current_version
    number = (
        db.session.scalar(
            sa.select(sa.func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id)
        )
        or 0
    ) + 1
    draft = CourseVersion(
        course=course,
        number=number,
        status=VersionStatus.DRAFT,
        created_at=now,
        title=source.title if source else course.slug,
    )
    db.session.add(draft)
    if source is not None:
        for attr in ("title", "title_en", "summary", "summary_en", "estimated_minutes"):
            setattr(draft, attr, getattr(source, attr))
        for module in source.modules:
            copy = Module(position=module.position, title=module.title, title_en=module.title_en)
            draft.modules.append(copy)
            for lesson in module.lessons:
                new = Lesson(
                    key=lesson.key,
                    position=lesson.position,
                    title=lesson.title,
                    title_en=lesson.title_en,
                    body=lesson.body,
                    video_url=lesson.video_url,
                    minutes=lesson.minutes,
                    required=lesson.required,
                    version=draft,
                )
                new.attachments = [
                    Attachment(
                        filename=a.filename,
                        content_type=a.content_type,
                        size=a.size,
                        sha256=a.sha256,
                    )
                    for a in lesson.attachments
                ]
                copy.lessons.append(new)
    db.session.add(draft)
    db.session.flush()
    return draft


def check_editable(version: CourseVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise CatalogueError(
            _("Only a draft can be changed; published versions stay as learners saw them.")
        )


def save_module(
    version: CourseVersion, module: Module | None, title: str, title_en: str | None
) -> Module:
    check_editable(version)
    if not (title or "").strip():
        raise CatalogueError(_("A title is required."), "title")
    if module is None:
        module = Module(position=len(version.modules) + 1)
        version.modules.append(module)
    module.title, module.title_en = title.strip(), (title_en or "").strip() or None
    db.session.flush()
    return module


def delete_module(module: Module) -> None:
    version = module.version
    check_editable(version)
    version.modules.remove(module)
    for position, other in enumerate(version.modules, 1):
        other.position = position
    db.session.flush()


@dataclass
class LessonFields:
    key: str
    title: str
    title_en: str | None
    body: str
    minutes: int
    required: bool = True
    video_url: str | None = None


def check_video_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in current_app.config["VIDEO_HOSTS"]:
        raise CatalogueError(
            _(
                "Videos may only be embedded from %(hosts)s (https).",
                hosts=", ".join(current_app.config["VIDEO_HOSTS"]),
            ),
            "video_url",
        )
    return url


def save_lesson(module: Module, lesson: Lesson | None, fields: LessonFields) -> Lesson:
    version = module.version
    check_editable(version)
    key = (fields.key or "").strip().lower()
    if not KEY.match(key):
        raise CatalogueError(_("A key has lowercase letters, digits and '-'."), "key")
    if any(other.key == key and other is not lesson for other in version.lessons):
        raise CatalogueError(_("Another lesson of this course has the key %(v)s.", v=key), "key")
    if not (fields.title or "").strip():
        raise CatalogueError(_("A title is required."), "title")
    if not 0 <= fields.minutes <= 600:
        raise CatalogueError(_("Minutes must be between 0 and 600."), "minutes")
    if len(fields.body or "") > 200_000:
        raise CatalogueError(_("The text is too long (200,000 characters at most)."), "body")
    video = check_video_url(fields.video_url)
    if lesson is None:
        lesson = Lesson(position=len(module.lessons) + 1, version=version)
        module.lessons.append(lesson)
    elif lesson.module is not module:
        raise CatalogueError(_("The lesson belongs to another module."))
    lesson.key, lesson.title = key, fields.title.strip()
    lesson.title_en = (fields.title_en or "").strip() or None
    lesson.body, lesson.minutes, lesson.required = (
        fields.body or "",
        fields.minutes,
        fields.required,
    )
    lesson.video_url = video
    db.session.flush()
    return lesson


def move_lesson(lesson: Lesson, offset: int) -> None:
    """Move a lesson up (-1) or down (+1) within its module."""
    module = lesson.module
    check_editable(module.version)
    lessons = list(module.lessons)
    index = lessons.index(lesson)
    target = index + offset
    if not 0 <= target < len(lessons):
        return
    lessons[index], lessons[target] = lessons[target], lessons[index]
    for position, item in enumerate(lessons, 1):
        item.position = position
    db.session.flush()
    db.session.expire(module, ["lessons"])


def delete_lesson(lesson: Lesson) -> None:
    module = lesson.module
    check_editable(module.version)
    module.lessons.remove(lesson)
    for position, other in enumerate(module.lessons, 1):
        other.position = position
    db.session.flush()


# --- publication ----------------------------------------------------------------------------


def publish(
    course: Course, *, actor: Employee | None, now: dt.datetime, note: str | None = None
) -> CourseVersion:
    """Publish the draft: it becomes what new learners get. People enrolled who have not
    started move to it; people part-way through keep the version they started."""
    draft = db.session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.status == VersionStatus.DRAFT
        )
    )
    if draft is None:
        raise CatalogueError(_("There is no draft to publish."))
    if not draft.lessons:
        raise CatalogueError(_("Add at least one lesson before publishing."))
    previous = course.current_version
    draft.change_log = changelog.dumps(changelog.compute(previous, draft))
    draft.change_note = (note or "").strip() or None
    draft.status = VersionStatus.PUBLISHED
    draft.published_at, draft.published_by_id = now, actor.id if actor else None
    if previous is not None:
        previous.status = VersionStatus.RETIRED
    course.current_version = draft
    course.status = CourseStatus.PUBLISHED
    db.session.flush()
    db.session.execute(
        sa.update(Enrolment)
        .where(
            Enrolment.course_id == course.id,
            Enrolment.started_at.is_(None),
            Enrolment.completed_at.is_(None),
        )
        .values(version_id=draft.id)
    )
    return draft


def archive(course: Course) -> None:
    """No new enrolments; people already enrolled keep their access and history."""
    course.status = CourseStatus.ARCHIVED
    db.session.flush()


def restore(course: Course) -> None:
    course.status = CourseStatus.PUBLISHED if course.current_version else CourseStatus.DRAFT
    db.session.flush()


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))
