"""Exporting a course version as package files (course.yaml, lessons, attachments)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from courses.models import Course, CourseVersion, Lesson, Module, Tier, VersionStatus
from courses.packages.archive import PackageError, Problem
from courses.packages.spec import COURSE_FILE, SEED_TRACK_CODES
from lms.extensions import db


def _version_to_export(course: Course, version: CourseVersion | int | None) -> CourseVersion:
    query = sa.select(CourseVersion).where(CourseVersion.course_id == course.id)
    if isinstance(version, CourseVersion):
        query = query.where(CourseVersion.id == version.id)
    elif isinstance(version, int):
        query = query.where(CourseVersion.number == version)
    elif course.current_version_id is not None:
        query = query.where(CourseVersion.id == course.current_version_id)
    else:
        query = query.where(CourseVersion.status == VersionStatus.DRAFT)
    found = db.session.scalar(
        query.options(
            selectinload(CourseVersion.modules)
            .selectinload(Module.lessons)
            .selectinload(Lesson.attachments)
        )
    )
    if found is None:
        raise PackageError([Problem(course.slug, None, _("This course has no such version."))])
    return found


def _without_none(value: Any) -> Any:
    """Leave out empty optional keys (title_en: null) so the YAML reads like hand-written."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def export_course(course: Course, version: CourseVersion | int | None = None) -> dict[str, bytes]:
    """The course as package files (paths relative to its folder): the current version by
    default, else the draft."""
    from lms.storage import storage

    chosen = _version_to_export(course, version)
    files: dict[str, bytes] = {}
    used: dict[str, str] = {}  # attachment path → sha256
    track = course.track
    doc: dict[str, Any] = {
        "slug": course.slug,
        "version": chosen.number,
        "title": chosen.title,
        "title_en": chosen.title_en,
        "summary": chosen.summary,
        "summary_en": chosen.summary_en,
        "track": track.code
        if track.code in SEED_TRACK_CODES
        else {"code": track.code, "name": track.name, "name_en": track.name_en},
        "tier": Tier(course.tier).code,
        "estimated_minutes": chosen.estimated_minutes,
        "self_enrolment": course.self_enrolment,
        "prerequisites": [other.slug for other in course.prerequisites],
    }
    if chosen.change_note:
        doc["change_note"] = chosen.change_note
    modules, number = [], 0
    for module in chosen.modules:
        lessons = []
        for lesson in module.lessons:
            number += 1
            name = f"lessons/{number:02d}-{lesson.key}.md"
            files[name] = lesson.body.encode("utf-8")
            item: dict[str, Any] = {
                "key": lesson.key,
                "title": lesson.title,
                "title_en": lesson.title_en,
                "file": name,
                "minutes": lesson.minutes,
                "required": lesson.required,
            }
            if lesson.video_url:
                item["video"] = lesson.video_url
            paths = []
            for attachment in lesson.attachments:
                path = f"attachments/{attachment.filename}"
                if used.get(path, attachment.sha256) != attachment.sha256:
                    path = f"attachments/{lesson.key}/{attachment.filename}"
                if path not in used:
                    used[path] = attachment.sha256
                    try:
                        files[path] = storage().get(attachment.sha256)
                    except (OSError, ValueError):
                        raise PackageError(
                            [Problem(path, None, _("The stored file is missing."))]
                        ) from None
                paths.append(path)
            if paths:
                item["attachments"] = paths
            lessons.append(item)
        modules.append({"title": module.title, "title_en": module.title_en, "lessons": lessons})
    doc["modules"] = modules
    text = yaml.safe_dump(_without_none(doc), allow_unicode=True, sort_keys=False, width=100)
    files[COURSE_FILE] = text.encode("utf-8")
    return files
