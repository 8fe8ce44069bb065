"""Course packages: a course as a folder (or a zip) of YAML, Markdown and attachments.

```
<slug>/course.yaml          slug, version, titles, track, tier, prerequisites, modules → lessons
<slug>/lessons/*.md         one Markdown file per lesson
<slug>/attachments/*        files offered with lessons (optional)
curricula.yaml              learning paths over the courses (optional, in a library)
```

Reading refuses unsafe archives (path traversal, symbolic links, zip bombs). Importing checks
everything first and reports every problem as (file, line, message); only a clean package is
written, in one savepoint, through the authoring services — a newer ``version`` of an existing
course becomes a new course version (learners part-way through keep theirs), the same or an
older one is skipped. The caller commits when ``result.ok``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from courses import services
from courses.models import (
    Course,
    CoursePrerequisite,
    CourseVersion,
    Curriculum,
    CurriculumCourse,
    Lesson,
    Module,
    Tier,
    Track,
    VersionStatus,
)
from lms.db import serialise
from lms.extensions import db
from lms.organisation.models import Employee

LIBRARY = Path(__file__).with_name("library")
COURSE_FILE = "course.yaml"
CURRICULA_FILE = "curricula.yaml"
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_FILES = 2000
_DRIVE = re.compile(r"^[A-Za-z]:")
_SEED_CODES = {code for code, *_rest in services.SEED_TRACKS}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class _WriteFailed(Exception):
    def __init__(self, file: str, message: str):
        super().__init__(message)
        self.file = file


class PackageError(ValueError):
    """The package cannot be read at all; ``problems`` says why, file by file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


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


# --- reading folders and zips ----------------------------------------------------------------


def unsafe_name(name: str) -> str | None:
    """Why an entry name is refused, or None when it is a plain relative path."""
    if "\\" in name:
        return _("Backslashes are not allowed in file names.")
    if "\x00" in name:
        return _("File names cannot contain NUL characters.")
    if name.startswith("/") or _DRIVE.match(name):
        return _("Absolute paths are not allowed.")
    parts = name.removesuffix("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return _("Paths with “..”, “.” or empty parts are not allowed.")
    return None


def _ignored(name: str) -> bool:
    """Hidden files and macOS archive clutter (.DS_Store, __MACOSX/)."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def _too_big(where: str) -> Problem:
    return Problem(
        where,
        None,
        _(
            "The package holds more than %(n)d MB once unpacked; split it.",
            n=MAX_TOTAL_BYTES // (1024 * 1024),
        ),
    )


def _too_many(where: str) -> Problem:
    return Problem(where, None, _("The package holds more than %(n)d files.", n=MAX_FILES))


def read_zip(data: bytes, name: str = "package.zip") -> dict[str, bytes]:
    """The files of a zip (relative path → bytes); raises PackageError for an unsafe one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise PackageError([Problem(name, None, _("This is not a valid zip file."))]) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_FILES:
            raise PackageError([_too_many(name)])
        if sum(entry.file_size for entry in entries) > MAX_TOTAL_BYTES:
            raise PackageError([_too_big(name)])
        problems: list[Problem] = []
        files: dict[str, bytes] = {}
        total = 0
        for entry in entries:
            reason = unsafe_name(entry.filename)
            if reason is None and stat.S_ISLNK(entry.external_attr >> 16):
                reason = _("Symbolic links are not allowed.")
            if reason is None and entry.flag_bits & 0x1:
                reason = _("Encrypted files are not supported.")
            if reason is None and entry.filename in files:
                reason = _("The archive holds this file twice.")
            if reason:
                problems.append(Problem(entry.filename, None, reason))
                continue
            if entry.is_dir() or _ignored(entry.filename):
                continue
            chunks, size = [], 0
            try:
                with archive.open(entry) as handle:
                    while chunk := handle.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > entry.file_size or total > MAX_TOTAL_BYTES:
                            raise PackageError([_too_big(name)])
                        chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError):
                problems.append(Problem(entry.filename, None, _("This file is damaged.")))
                continue
            files[entry.filename] = b"".join(chunks)
    if problems:
        raise PackageError(problems)
    return files


def read_folder(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """The files under a folder (relative path → bytes); symbolic links are refused."""
    root = Path(path)
    if root.is_symlink() or not root.is_dir():
        raise PackageError([Problem(str(path), None, _("This is not a folder."))])
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    total = 0
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(current)
        for name in sorted(dirnames):
            relative = (base / name).relative_to(root).as_posix()
            if (base / name).is_symlink():
                problems.append(Problem(relative, None, _("Symbolic links are not allowed.")))
            if (base / name).is_symlink() or _ignored(name):
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            full = base / name
            relative = full.relative_to(root).as_posix()
            if _ignored(name):
                continue
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(relative, None, _("Symbolic links are not allowed.")))
                continue
            if not stat.S_ISREG(info.st_mode):
                problems.append(Problem(relative, None, _("This is not a regular file.")))
                continue
            total += info.st_size
            if len(files) >= MAX_FILES:
                raise PackageError([_too_many(str(path))])
            if total > MAX_TOTAL_BYTES:
                raise PackageError([_too_big(str(path))])
            files[relative] = full.read_bytes()
    if problems:
        raise PackageError(problems)
    return files


def read_path(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """A folder or a .zip file."""
    path = Path(path)
    if path.is_dir():
        return read_folder(path)
    if not path.is_file():
        raise PackageError([Problem(str(path), None, _("No such file or folder."))])
    if path.stat().st_size > MAX_TOTAL_BYTES:
        raise PackageError([_too_big(path.name)])
    return read_zip(path.read_bytes(), path.name)


# --- writing folders and zips ----------------------------------------------------------------


def to_zip(files: dict[str, bytes], folder: str | None = None) -> bytes:
    """A zip of the files, under one top folder when given (same bytes for the same files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{folder}/{name}" if folder else name, (2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[name])
    return buffer.getvalue()


def write_folder(files: dict[str, bytes], path: str | os.PathLike[str]) -> None:
    """Write the files under ``path``, which must not exist or be an empty folder."""
    root = Path(path)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise PackageError([Problem(str(path), None, _("The folder exists and is not empty."))])
    for name, data in files.items():
        if unsafe_name(name):
            raise PackageError([Problem(name, None, unsafe_name(name) or "")])
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# --- export ----------------------------------------------------------------------------------


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
        if track.code in _SEED_CODES
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


# --- YAML with line numbers ----------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int = 1
    lines: dict[Any, int]


class _Seq(list):
    line: int = 1
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line, result.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | bool | float) or key in result:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found a duplicate or invalid key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _text(name: str, data: bytes, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, _("This file is not UTF-8 text; save it as UTF-8.")))
        return None


def _load_yaml(name: str, data: bytes, problems: list[Problem]) -> _Map | None:
    text = _text(name, data, problems)
    if text is None:
        return None
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader that records lines
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = " ".join(part for part in (error.context, error.problem) if part)
        problems.append(
            Problem(name, mark.line + 1 if mark else None, _("YAML error: %(e)s", e=detail))
        )
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(name, None, _("YAML error: %(e)s", e=str(error))))
        return None
    if not isinstance(doc, _Map):
        problems.append(Problem(name, 1, _("The file must hold a mapping of keys and values.")))
        return None
    return doc


# --- validation --------------------------------------------------------------------------------

_KINDS = {
    "text": (str,),
    "int": (int,),
    "bool": (bool,),
    "list": (list,),
    "map": (dict,),
    "track": (str, dict),
}
COURSE_KEYS = {
    "slug": ("text", True),
    "version": ("int", True),
    "title": ("text", True),
    "title_en": ("text", False),
    "summary": ("text", False),
    "summary_en": ("text", False),
    "track": ("track", True),
    "tier": ("text", True),
    "estimated_minutes": ("int", False),
    "self_enrolment": ("bool", False),
    "prerequisites": ("list", False),
    "change_note": ("text", False),
    "modules": ("list", True),
}
TRACK_KEYS = {"code": ("text", True), "name": ("text", True), "name_en": ("text", False)}
MODULE_KEYS = {"title": ("text", True), "title_en": ("text", False), "lessons": ("list", True)}
LESSON_KEYS = {
    "key": ("text", True),
    "title": ("text", True),
    "title_en": ("text", False),
    "file": ("text", True),
    "minutes": ("int", False),
    "required": ("bool", False),
    "video": ("text", False),
    "attachments": ("list", False),
}
CURRICULUM_KEYS = {
    "slug": ("text", True),
    "title": ("text", True),
    "title_en": ("text", False),
    "summary": ("text", False),
    "summary_en": ("text", False),
    "due_days": ("int", False),
    "courses": ("list", True),
}


def _kind_name(kind: str) -> str:
    return {
        "text": _("text"),
        "int": _("a whole number"),
        "bool": _("true or false"),
        "list": _("a list"),
        "map": _("a mapping"),
        "track": _("a track code or a mapping with code, name and name_en"),
    }[kind]


@dataclass
class _Checker:
    """Problems of one file."""

    file: str
    problems: list[Problem]

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def fields(self, node: Any, keys: dict[str, tuple[str, bool]], line: int) -> _Map | None:
        """The known keys of a mapping, type-checked; None (and a problem) if not a mapping."""
        if not isinstance(node, _Map):
            self.add(line, _("Expected a mapping of keys and values here."))
            return None
        values = _Map()
        values.line, values.lines = node.line, node.lines
        for key in node:
            if key not in keys:
                self.add(node.lines.get(key, node.line), _("Unknown key “%(k)s”.", k=key))
        for key, (kind, required) in keys.items():
            value = node.get(key)
            if value is None or (kind == "text" and required and not str(value).strip()):
                if required:
                    self.add(node.lines.get(key, node.line), _("“%(k)s” is required.", k=key))
                continue
            types = _KINDS[kind]
            if not isinstance(value, types) or (kind == "int" and isinstance(value, bool)):
                self.add(
                    node.lines[key],
                    _("“%(k)s” must be %(kind)s.", k=key, kind=_kind_name(kind)),
                )
                continue
            values[key] = value.strip() if isinstance(value, str) else value
        return values

    def texts(self, values: _Map, key: str) -> list[tuple[str, int]]:
        """A list of strings with the line of each."""
        items = values.get(key) or _Seq()
        lines = getattr(items, "lines", [values.line] * len(items))
        found = []
        for item, line in zip(items, lines, strict=True):
            if isinstance(item, str) and item.strip():
                found.append((item.strip(), line))
            else:
                self.add(line, _("Each item of “%(k)s” must be text.", k=key))
        return found

    def line(self, values: _Map, key: str) -> int:
        return values.lines.get(key, values.line)


@dataclass
class _LessonSpec:
    key: str
    title: str
    title_en: str | None
    body: str
    minutes: int
    required: bool
    video: str | None
    attachments: list[tuple[str, bytes]]


@dataclass
class _ModuleSpec:
    title: str
    title_en: str | None
    lessons: list[_LessonSpec]


@dataclass
class _CourseSpec:
    file: str
    slug: str = ""
    slug_line: int | None = None
    version: int = 1
    title: str = ""
    title_en: str | None = None
    summary: str = ""
    summary_en: str | None = None
    track: str = ""
    new_track: tuple[str, str, str | None] | None = None
    track_line: int | None = None
    tier: Tier = Tier.FOUNDATION
    estimated_minutes: int | None = None
    self_enrolment: bool = True
    prerequisites: list[tuple[str, int]] = field(default_factory=list)
    change_note: str | None = None
    modules: list[_ModuleSpec] = field(default_factory=list)
    skip: bool = False


@dataclass
class _CurriculumSpec:
    slug: str
    title: str
    title_en: str | None
    summary: str
    summary_en: str | None
    due_days: int
    courses: list[str]


def _read_lesson(
    ck: _Checker, root: str, files: dict[str, bytes], node: Any, line: int
) -> _LessonSpec | None:
    before = len(ck.problems)
    values = ck.fields(node, LESSON_KEYS, line)
    if values is None:
        return None
    key = values.get("key", "").lower()
    if key and not services.KEY.match(key):
        ck.add(ck.line(values, "key"), _("A key has lowercase letters, digits and '-'."))
    minutes = values.get("minutes", 5)
    if not 0 <= minutes <= 600:
        ck.add(ck.line(values, "minutes"), _("Minutes must be between 0 and 600."))
    video = values.get("video")
    if video:
        try:
            video = services.check_video_url(video)
        except services.CatalogueError as error:
            ck.add(ck.line(values, "video"), str(error))
    body = None
    if "file" in values:
        name = values["file"]
        if unsafe_name(name):
            ck.add(ck.line(values, "file"), f"{name}: {unsafe_name(name)}")
        elif root + name not in files:
            ck.add(ck.line(values, "file"), _("The lesson file %(f)s is missing.", f=name))
        else:
            body = _text(root + name, files[root + name], ck.problems)
            if body is not None and len(body) > 200_000:
                ck.problems.append(
                    Problem(
                        root + name, None, _("The text is too long (200,000 characters at most).")
                    )
                )
    attachments, seen = [], set()
    for name, item_line in ck.texts(values, "attachments"):
        base = name.rsplit("/", 1)[-1]
        if unsafe_name(name):
            ck.add(item_line, f"{name}: {unsafe_name(name)}")
        elif root + name not in files:
            ck.add(item_line, _("The attachment %(f)s is missing.", f=name))
        elif base in seen:
            ck.add(item_line, _("This lesson already has a file called %(v)s.", v=base))
        elif problem := services.attachment_problem(name, files[root + name]):
            ck.problems.append(Problem(root + name, None, problem))
        else:
            seen.add(base)
            attachments.append((base, files[root + name]))
    if len(ck.problems) > before or body is None:
        return None
    return _LessonSpec(
        key=key,
        title=values["title"],
        title_en=values.get("title_en"),
        body=body,
        minutes=minutes,
        required=values.get("required", True),
        video=video,
        attachments=attachments,
    )


def _read_course(root: str, files: dict[str, bytes], problems: list[Problem]) -> _CourseSpec:
    spec = _CourseSpec(file=root + COURSE_FILE)
    ck = _Checker(spec.file, problems)
    doc = _load_yaml(spec.file, files[spec.file], problems)
    values = ck.fields(doc, COURSE_KEYS, 1) if doc is not None else None
    if values is None:
        return spec
    spec.slug, spec.slug_line = values.get("slug", ""), ck.line(values, "slug")
    if spec.slug and not services.SLUG.match(spec.slug):
        ck.add(
            ck.line(values, "slug"),
            _("A slug has 2 to 80 lowercase letters, digits and '-', e.g. returns-policy."),
        )
    spec.version = values.get("version", 1)
    if spec.version < 1:
        ck.add(ck.line(values, "version"), _("The version is a whole number from 1."))
    spec.title, spec.title_en = values.get("title", ""), values.get("title_en")
    spec.summary, spec.summary_en = values.get("summary", ""), values.get("summary_en")
    spec.track_line = ck.line(values, "track")
    track = values.get("track")
    if isinstance(track, str):
        spec.track = track.lower()
    elif track is not None:
        fields = ck.fields(track, TRACK_KEYS, spec.track_line)
        if fields is not None and "code" in fields and "name" in fields:
            spec.track = fields["code"].lower()
            if not services.KEY.match(spec.track):
                ck.add(spec.track_line, _("A code has lowercase letters, digits and '-'."))
            spec.new_track = (spec.track, fields["name"], fields.get("name_en"))
    if "tier" in values:
        try:
            spec.tier = Tier.from_code(values["tier"])
        except KeyError:
            ck.add(
                ck.line(values, "tier"),
                _(
                    "Unknown tier “%(v)s”; use foundation, advanced or leadership.",
                    v=values["tier"],
                ),
            )
    spec.estimated_minutes = values.get("estimated_minutes")
    if spec.estimated_minutes is not None and not 0 <= spec.estimated_minutes <= 10000:
        ck.add(
            ck.line(values, "estimated_minutes"),
            _("Estimated minutes must be between 0 and 10000."),
        )
    spec.self_enrolment = values.get("self_enrolment", True)
    spec.prerequisites = [(s.lower(), line) for s, line in ck.texts(values, "prerequisites")]
    spec.change_note = values.get("change_note")
    keys: dict[str, int] = {}
    modules = values.get("modules") or _Seq()
    for node, line in zip(modules, getattr(modules, "lines", []), strict=False):
        module = ck.fields(node, MODULE_KEYS, line)
        if module is None:
            continue
        lessons = []
        items = module.get("lessons") or _Seq()
        for item, item_line in zip(items, getattr(items, "lines", []), strict=False):
            lesson = _read_lesson(ck, root, files, item, item_line)
            key = item.get("key") if isinstance(item, dict) else None
            if isinstance(key, str) and key.strip().lower() in keys:
                ck.add(
                    item.lines.get("key", item_line),
                    _(
                        "Duplicate lesson key “%(k)s” (also on line %(l)d).",
                        k=key.strip().lower(),
                        l=keys[key.strip().lower()],
                    ),
                )
            elif isinstance(key, str):
                keys[key.strip().lower()] = item.lines.get("key", item_line)
            if lesson is not None:
                lessons.append(lesson)
        spec.modules.append(_ModuleSpec(module.get("title", ""), module.get("title_en"), lessons))
    if "modules" in values and not keys:
        ck.add(ck.line(values, "modules"), _("Add at least one lesson."))
    return spec


def _read_curricula(
    name: str, files: dict[str, bytes], problems: list[Problem]
) -> list[tuple[_CurriculumSpec, dict[str, int]]]:
    ck = _Checker(name, problems)
    doc = _load_yaml(name, files[name], problems)
    values = ck.fields(doc, {"curricula": ("list", True)}, 1) if doc is not None else None
    if values is None or "curricula" not in values:
        return []
    found: list[tuple[_CurriculumSpec, dict[str, int]]] = []
    slugs: set[str] = set()
    items = values["curricula"]
    for node, line in zip(items, items.lines, strict=True):
        item = ck.fields(node, CURRICULUM_KEYS, line)
        if item is None:
            continue
        slug = item.get("slug", "")
        if slug and not services.SLUG.match(slug):
            ck.add(
                ck.line(item, "slug"),
                _("A slug has 2 to 80 lowercase letters, digits and '-', e.g. returns-policy."),
            )
        elif slug in slugs:
            ck.add(ck.line(item, "slug"), _("Another curriculum has the slug %(v)s.", v=slug))
        slugs.add(slug)
        due_days = item.get("due_days", 30)
        if not 1 <= due_days <= 3650:
            ck.add(ck.line(item, "due_days"), _("Due days must be between 1 and 3650."))
        courses: dict[str, int] = {}
        for course, course_line in ck.texts(item, "courses"):
            if course.lower() in courses:
                ck.add(course_line, _("The course %(v)s is listed twice.", v=course))
            courses[course.lower()] = course_line
        if "courses" in item and not courses:
            ck.add(ck.line(item, "courses"), _("A curriculum needs at least one course."))
        spec = _CurriculumSpec(
            slug=slug,
            title=item.get("title", ""),
            title_en=item.get("title_en"),
            summary=item.get("summary", ""),
            summary_en=item.get("summary_en"),
            due_days=due_days,
            courses=list(courses),
        )
        found.append((spec, courses))
    return found


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


def _layout(files: dict[str, bytes], problems: list[Problem]) -> tuple[list[str], str | None]:
    """The course folders (prefixes ending in '/', or '') and the curricula file, if any."""
    for name in files:
        if reason := unsafe_name(name):
            problems.append(Problem(name, None, reason))
    roots = sorted(
        name.removesuffix(COURSE_FILE)
        for name in files
        if name == COURSE_FILE or name.endswith("/" + COURSE_FILE)
    )
    for root in roots:
        if any(other != root and root.startswith(other) for other in roots):
            problems.append(
                Problem(root + COURSE_FILE, None, _("A course folder cannot hold another course."))
            )
    curricula = sorted(
        name for name in files if name == CURRICULA_FILE or name.endswith("/" + CURRICULA_FILE)
    )
    if len(curricula) > 1:
        for name in curricula[1:]:
            problems.append(Problem(name, None, _("A package holds one curricula.yaml at most.")))
    if not roots and not curricula:
        problems.append(
            Problem(COURSE_FILE, None, _("The package holds no course.yaml and no curricula.yaml."))
        )
    return roots, (curricula[0] if curricula else None)


# --- import ----------------------------------------------------------------------------------


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
    roots, curricula_file = _layout(files, problems)
    specs = [_read_course(root, files, problems) for root in roots]
    curricula = _read_curricula(curricula_file, files, problems) if curricula_file else []

    slugs: dict[str, _CourseSpec] = {}
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
    known_tracks = set(db.session.scalars(sa.select(Track.code))) | _SEED_CODES
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


def _check_cycles(specs: list[_CourseSpec], problems: list[Problem]) -> None:
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


def _write(
    specs: list[_CourseSpec],
    curricula: list[_CurriculumSpec],
    courses: dict[str, Course],
    result: ImportResult,
    actor: Employee | None,
    now: dt.datetime,
    publish: bool,
) -> None:
    written: list[tuple[_CourseSpec, Course]] = []
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
            services.set_prerequisites(course, [], use_default=course.default_prerequisites)
        for spec, course in written:
            required = [courses[slug] for slug, _line in spec.prerequisites]
            services.set_prerequisites(course, required, use_default=course.default_prerequisites)
        if publish:
            for spec, course in written:
                services.publish(course, actor=actor, now=now, note=spec.change_note)
        spec = None
        _write_curricula(curricula, courses, result, now)
    except services.CatalogueError as error:
        raise _WriteFailed(spec.file if spec else CURRICULA_FILE, str(error)) from error


def _write_course(
    spec: _CourseSpec,
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
                services.add_attachment(lesson, filename, data)
    return course


def _write_curricula(
    specs: list[_CurriculumSpec], courses: dict[str, Course], result: ImportResult, now
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
