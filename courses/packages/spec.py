"""The layout of a package and the validation of course.yaml and curricula.yaml into specs.

Every problem is collected as (file, line, message); nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from courses import attachments as attachment_rules
from courses import services
from courses.models import Tier
from courses.packages.archive import Problem, unsafe_name
from courses.packages.yaml_lines import Checker, YamlSeq, decode_text, load_yaml

COURSE_FILE = "course.yaml"
CURRICULA_FILE = "curricula.yaml"
SEED_TRACK_CODES = {code for code, *_rest in services.SEED_TRACKS}

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


@dataclass
class LessonSpec:
    key: str
    title: str
    title_en: str | None
    body: str
    minutes: int
    required: bool
    video: str | None
    attachments: list[tuple[str, bytes]]


@dataclass
class ModuleSpec:
    title: str
    title_en: str | None
    lessons: list[LessonSpec]


@dataclass
class CourseSpec:
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
    modules: list[ModuleSpec] = field(default_factory=list)
    skip: bool = False


@dataclass
class CurriculumSpec:
    slug: str
    title: str
    title_en: str | None
    summary: str
    summary_en: str | None
    due_days: int
    courses: list[str]


def _read_lesson(
    ck: Checker, root: str, files: dict[str, bytes], node: Any, line: int
) -> LessonSpec | None:
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
            body = decode_text(root + name, files[root + name], ck.problems)
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
        elif problem := attachment_rules.attachment_problem(name, files[root + name]):
            ck.problems.append(Problem(root + name, None, problem))
        else:
            seen.add(base)
            attachments.append((base, files[root + name]))
    if len(ck.problems) > before or body is None:
        return None
    return LessonSpec(
        key=key,
        title=values["title"],
        title_en=values.get("title_en"),
        body=body,
        minutes=minutes,
        required=values.get("required", True),
        video=video,
        attachments=attachments,
    )


def read_course(root: str, files: dict[str, bytes], problems: list[Problem]) -> CourseSpec:
    spec = CourseSpec(file=root + COURSE_FILE)
    ck = Checker(spec.file, problems)
    doc = load_yaml(spec.file, files[spec.file], problems)
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
    modules = values.get("modules") or YamlSeq()
    for node, line in zip(modules, getattr(modules, "lines", []), strict=False):
        module = ck.fields(node, MODULE_KEYS, line)
        if module is None:
            continue
        lessons = []
        items = module.get("lessons") or YamlSeq()
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
        spec.modules.append(ModuleSpec(module.get("title", ""), module.get("title_en"), lessons))
    if "modules" in values and not keys:
        ck.add(ck.line(values, "modules"), _("Add at least one lesson."))
    return spec


def read_curricula(
    name: str, files: dict[str, bytes], problems: list[Problem]
) -> list[tuple[CurriculumSpec, dict[str, int]]]:
    ck = Checker(name, problems)
    doc = load_yaml(name, files[name], problems)
    values = ck.fields(doc, {"curricula": ("list", True)}, 1) if doc is not None else None
    if values is None or "curricula" not in values:
        return []
    found: list[tuple[CurriculumSpec, dict[str, int]]] = []
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
        spec = CurriculumSpec(
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


def layout(files: dict[str, bytes], problems: list[Problem]) -> tuple[list[str], str | None]:
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
