"""Importing packages: check everything first, then write all of it or nothing.

Only a clean package is written, in one savepoint, through the authoring services — a newer
``version`` of an existing course becomes a new course version (learners part-way through keep
theirs), the same or an older one is skipped. The caller commits when ``result.ok``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from courses import attachments, prerequisites, services
from courses.models import (
    Course,
    CoursePrerequisite,
    CourseVersion,
    Curriculum,
    CurriculumCourse,
    Track,
    VersionStatus,
)
from courses.packages.archive import PackageError, Problem, read_folder, read_zip
from courses.packages.spec import (
    CURRICULA_FILE,
    SEED_TRACK_CODES,
    CourseSpec,
    CurriculumSpec,
    layout,
    read_course,
    read_curricula,
)
from lms.db import serialise
from lms.extensions import db
from lms.organisation.models import Employee

LIBRARY = Path(__file__).parent.parent / "library"


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already up to date
    curricula_created: list[str] = field(default_factory=list)
    curricula_updated: list[str] = field(default_factory=list)
    curricula_skipped: list[str] = field(default_factory=list)  # unchanged

    @property
    def ok(self) -> bool:
        return not self.problems

    def outcomes(self) -> list[tuple[str, str]]:
        """(slug, what happened) for every course and curriculum of the package."""
        return (
            [(slug, _("created")) for slug in self.created]
            + [(slug, _("new version")) for slug in self.updated]
            + [(slug, _("already up to date")) for slug in self.skipped]
            + [(slug, _("curriculum created")) for slug in self.curricula_created]
            + [(slug, _("curriculum updated")) for slug in self.curricula_updated]
            + [(slug, _("curriculum unchanged")) for slug in self.curricula_skipped]
        )

    def summary(self) -> str:
        return _(
            "Courses: %(c)d created, %(u)d updated, %(s)d already up to date. "
            "Curricula: %(cc)d created, %(cu)d updated, %(cs)d unchanged.",
            c=len(self.created),
            u=len(self.updated),
            s=len(self.skipped),
            cc=len(self.curricula_created),
            cu=len(self.curricula_updated),
            cs=len(self.curricula_skipped),
        )


class _WriteFailed(Exception):
    def __init__(self, file: str, message: str):
        super().__init__(message)
        self.file = file


def import_packages(
    files: dict[str, bytes],
    *,
    actor: Employee | None,
    now: dt.datetime,
    publish: bool = True,
) -> ImportResult:
    """Check every course and curriculum of the package, then write all of them or nothing."""
    result = ImportResult()
    problems = result.problems
    serialise(db.session, "course-import")  # one import at a time sees the other's writes
    roots, curricula_file = layout(files, problems)
    specs = [read_course(root, files, problems) for root in roots]
    curricula = read_curricula(curricula_file, files, problems) if curricula_file else []

    slugs: dict[str, CourseSpec] = {}
    for spec in specs:
        if spec.slug in slugs:
            message = _(
                "Another course of the package (%(f)s) has the slug %(v)s.",
                f=slugs[spec.slug].file,
                v=spec.slug,
            )
            problems.append(Problem(spec.file, spec.slug_line, message))
        elif spec.slug:
            slugs[spec.slug] = spec
    wanted = set(slugs)
    wanted |= {slug for spec in specs for slug, _line in spec.prerequisites}
    wanted |= {slug for spec, _courses in curricula for slug in spec.courses}
    existing = {
        course.slug: course
        for course in db.session.scalars(sa.select(Course).where(Course.slug.in_(wanted)))
    }
    latest = dict(
        db.session.execute(
            sa.select(CourseVersion.course_id, sa.func.max(CourseVersion.number))
            .where(
                CourseVersion.course_id.in_([course.id for course in existing.values()]),
                CourseVersion.status != VersionStatus.DRAFT,
            )
            .group_by(CourseVersion.course_id)
        ).all()
    )
    known_tracks = set(db.session.scalars(sa.select(Track.code))) | SEED_TRACK_CODES
    known_tracks |= {spec.new_track[0] for spec in specs if spec.new_track}
    for spec in specs:
        if spec.track and spec.track not in known_tracks:
            problems.append(
                Problem(
                    spec.file,
                    spec.track_line,
                    _(
                        "Unknown track “%(v)s”; use one of %(known)s, or a mapping with code, "
                        "name and name_en to create it.",
                        v=spec.track,
                        known=", ".join(sorted(known_tracks)),
                    ),
                )
            )
        course = existing.get(spec.slug)
        spec.skip = course is not None and spec.version <= latest.get(course.id, 0)
        for slug, line in spec.prerequisites:
            if slug == spec.slug:
                problems.append(Problem(spec.file, line, _("A course cannot require itself.")))
            elif slug not in slugs and slug not in existing:
                problems.append(
                    Problem(spec.file, line, _("The prerequisite %(v)s does not exist.", v=slug))
                )
    for _spec, courses in curricula:
        for slug, line in courses.items():
            if slug not in slugs and slug not in existing:
                problems.append(
                    Problem(
                        curricula_file or "", line, _("The course %(v)s does not exist.", v=slug)
                    )
                )
    _check_cycles(specs, problems)
    if problems:
        problems.sort(key=lambda p: (p.file, p.line or 0))
        return result

    try:
        with db.session.begin_nested():
            _write(specs, [spec for spec, _c in curricula], existing, result, actor, now, publish)
    except (_WriteFailed, sa.exc.IntegrityError) as error:
        written = ImportResult()
        result.__dict__.update({k: v for k, v in written.__dict__.items() if k != "problems"})
        if isinstance(error, _WriteFailed):
            problems.append(Problem(error.file, None, str(error)))
        else:
            problems.append(
                Problem("", None, _("Someone changed these courses at the same time; try again."))
            )
    return result


def _check_cycles(specs: list[CourseSpec], problems: list[Problem]) -> None:
    """The prerequisites after the import, in the database and the package, make no cycle."""
    slugs = dict(db.session.execute(sa.select(Course.id, Course.slug)).all())
    graph: dict[str, set[str]] = {}
    for course_id, requires in db.session.execute(
        sa.select(CoursePrerequisite.course_id, CoursePrerequisite.requires_course_id)
    ):
        graph.setdefault(slugs[course_id], set()).add(slugs[requires])
    for spec in specs:
        if spec.slug and not spec.skip:
            graph[spec.slug] = {slug for slug, _line in spec.prerequisites if slug != spec.slug}
    cycle = _find_cycle(graph)
    if cycle:
        spec = next((s for s in specs if s.slug in cycle and not s.skip), None)
        problems.append(
            Problem(
                spec.file if spec else "",
                None,
                _("These prerequisites would make a cycle: %(path)s.", path=" → ".join(cycle)),
            )
        )


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if found := visit(nxt, path):
                return found
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return None


def _write(
    specs: list[CourseSpec],
    curricula: list[CurriculumSpec],
    courses: dict[str, Course],
    result: ImportResult,
    actor: Employee | None,
    now: dt.datetime,
    publish: bool,
) -> None:
    written: list[tuple[CourseSpec, Course]] = []
    spec = None
    try:
        tracks = {track.code: track for track in services.ensure_tracks()}
        for spec in specs:
            if spec.new_track and spec.new_track[0] not in tracks:
                tracks[spec.new_track[0]] = services.save_track(None, *spec.new_track)
        for spec in specs:
            if spec.skip:
                result.skipped.append(spec.slug)
            else:
                written.append((spec, _write_course(spec, courses, tracks, result, actor, now)))
        for _spec, course in written:  # clear first: no transient cycle while replacing
            prerequisites.set_prerequisites(course, [], use_default=course.default_prerequisites)
        for spec, course in written:
            required = [courses[slug] for slug, _line in spec.prerequisites]
            prerequisites.set_prerequisites(
                course, required, use_default=course.default_prerequisites
            )
        if publish:
            for spec, course in written:
                services.publish(course, actor=actor, now=now, note=spec.change_note)
        spec = None
        _write_curricula(curricula, courses, result, now)
    except services.CatalogueError as error:
        raise _WriteFailed(spec.file if spec else CURRICULA_FILE, str(error)) from error


def _write_course(
    spec: CourseSpec,
    courses: dict[str, Course],
    tracks: dict[str, Track],
    result: ImportResult,
    actor: Employee | None,
    now: dt.datetime,
) -> Course:
    fields = services.CourseFields(
        slug=spec.slug,
        title=spec.title,
        title_en=spec.title_en,
        summary=spec.summary,
        summary_en=spec.summary_en,
        track=tracks[spec.track],
        tier=spec.tier,
        estimated_minutes=spec.estimated_minutes
        if spec.estimated_minutes is not None
        else sum(lesson.minutes for module in spec.modules for lesson in module.lessons),
        self_enrolment=spec.self_enrolment,
    )
    course = courses.get(spec.slug)
    if course is None:
        course = services.create_course(fields, actor=actor, now=now)
        version = course.versions[0]
        courses[spec.slug] = course
        result.created.append(spec.slug)
    else:
        version = services.update_course(course, fields, actor=actor, now=now)
        version.modules.clear()
        db.session.flush()
        result.updated.append(spec.slug)
    version.number = spec.version
    for module_spec in spec.modules:
        module = services.save_module(version, None, module_spec.title, module_spec.title_en)
        for item in module_spec.lessons:
            lesson = services.save_lesson(
                module,
                None,
                services.LessonFields(
                    key=item.key,
                    title=item.title,
                    title_en=item.title_en,
                    body=item.body,
                    minutes=item.minutes,
                    required=item.required,
                    video_url=item.video,
                ),
            )
            for filename, data in item.attachments:
                attachments.add_attachment(lesson, filename, data)
    return course


def _write_curricula(
    specs: list[CurriculumSpec], courses: dict[str, Course], result: ImportResult, now
) -> None:
    if not specs:
        return
    existing = {
        c.slug: c
        for c in db.session.scalars(
            sa.select(Curriculum)
            .where(Curriculum.slug.in_([s.slug for s in specs]))
            .options(selectinload(Curriculum.items))
        )
    }
    for spec in specs:
        values = {
            "title": spec.title,
            "title_en": spec.title_en,
            "summary": spec.summary,
            "summary_en": spec.summary_en,
            "due_days": spec.due_days,
        }
        wanted = [courses[slug] for slug in spec.courses]
        curriculum = existing.get(spec.slug)
        if curriculum is None:
            curriculum = Curriculum(slug=spec.slug, created_at=now, **values)
            db.session.add(curriculum)
            result.curricula_created.append(spec.slug)
        elif all(getattr(curriculum, k) == v for k, v in values.items()) and [
            item.course_id for item in curriculum.items
        ] == [course.id for course in wanted]:
            result.curricula_skipped.append(spec.slug)
            continue
        else:
            for key, value in values.items():
                setattr(curriculum, key, value)
            curriculum.items.clear()
            db.session.flush()
            result.curricula_updated.append(spec.slug)
        for position, course in enumerate(wanted, 1):
            curriculum.items.append(CurriculumCourse(course=course, position=position))
    db.session.flush()


def import_archive(
    data: bytes, name: str, *, actor: Employee | None, now: dt.datetime, publish: bool = True
) -> ImportResult:
    """Read a zip and import it; unreadable archives come back as problems."""
    try:
        files = read_zip(data, name)
    except PackageError as error:
        return ImportResult(problems=error.problems)
    return import_packages(files, actor=actor, now=now, publish=publish)


def import_library(now: dt.datetime, actor: Employee | None = None) -> ImportResult:
    """Import the starter library shipped in courses/library/ (idempotent)."""
    try:
        files = read_folder(LIBRARY)
    except PackageError as error:
        return ImportResult(problems=error.problems)
    return import_packages(files, actor=actor, now=now)
