"""What changed between two versions of a course.

The change log is computed on publication and stored as language-neutral data: a JSON list
of entries such as ``{"kind": "added", "title": "退货政策"}`` in ``CourseVersion.change_log``.
It is put into words in the reader's language only when shown, so a Chinese and an English
reader each see it in their own language. Logs stored as plain text before this format keep
being shown as they are."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from courses.models import CourseVersion

# the order entries are listed in
KINDS = ("first", "added", "removed", "changed", "files", "reordered", "summary", "none")


def _entry(kind: str, lesson=None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind}
    if lesson is not None:
        entry["title"] = lesson.title
        if lesson.title_en:
            entry["title_en"] = lesson.title_en
    entry.update(extra)
    return entry


def compute(old: CourseVersion | None, new: CourseVersion) -> list[dict[str, Any]]:
    """The entries for ``new`` compared with ``old``, lesson by lesson (by their stable keys)."""
    if old is None:
        return [_entry("first", n=len(new.lessons))]
    before = {lesson.key: lesson for lesson in old.lessons}
    after = {lesson.key: lesson for lesson in new.lessons}
    entries = [_entry("added", after[key]) for key in after.keys() - before.keys()]
    entries += [_entry("removed", before[key]) for key in before.keys() - after.keys()]
    for key in after.keys() & before.keys():
        a, b = before[key], after[key]
        if (a.title, a.body, a.video_url, a.required) != (b.title, b.body, b.video_url, b.required):
            entries.append(_entry("changed", b))
        elif sorted(x.sha256 for x in a.attachments) != sorted(x.sha256 for x in b.attachments):
            entries.append(_entry("files", b))
    if before.keys() == after.keys() and list(before) != list(after):
        entries.append(_entry("reordered"))
    if (old.title, old.summary) != (new.title, new.summary):
        entries.append(_entry("summary"))
    entries.sort(key=lambda e: (KINDS.index(e["kind"]), e.get("title", "")))
    return entries or [_entry("none")]


def dumps(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, ensure_ascii=False)


def _describe(entry: dict[str, Any], locale: str) -> str | None:
    kind = entry.get("kind")
    title = (entry.get("title_en") if locale == "en" else None) or entry.get("title") or ""
    if kind == "first":
        return _("First publication: %(n)d lessons.", n=int(entry.get("n") or 0))
    if kind == "added":
        return _("Added lesson “%(t)s”.", t=title)
    if kind == "removed":
        return _("Removed lesson “%(t)s”.", t=title)
    if kind == "changed":
        return _("Changed lesson “%(t)s”.", t=title)
    if kind == "files":
        return _("Changed the files of lesson “%(t)s”.", t=title)
    if kind == "reordered":
        return _("Reordered lessons.")
    if kind == "summary":
        return _("Changed the title or summary.")
    if kind == "none":
        return _("No change to the content.")
    return None


def lines(stored: str | None, locale: str) -> list[str]:
    """The stored change log as sentences in the reader's language; a log stored as plain
    text (before it was stored as data) is returned line by line, as it is."""
    if not stored or not stored.strip():
        return []
    try:
        entries = json.loads(stored)
    except ValueError:
        entries = None
    if not isinstance(entries, list):
        return [line for line in stored.splitlines() if line.strip()]
    described = (_describe(e, locale) for e in entries if isinstance(e, dict))
    return [line for line in described if line]
