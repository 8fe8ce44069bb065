"""Moving questions in and out of the bank as text: GIFT or Aiken in, GIFT out.

Importing is all or nothing. :func:`check` parses the text and validates every definition
with the question types, reporting the parser's errors and every invalid definition together,
each with its line (nothing is written). :func:`import_questions` checks again and, only when
there is no problem, creates the categories named by ``$CATEGORY`` lines (under an optional
base category) and the questions; it flushes, the caller commits. :func:`export_category`
writes a category and its subcategories as GIFT.

Tags belong to the question (``QuestionTag`` rows, what the bank filters on), not to its
versions: an imported definition's ``tags`` become the question's tags, and the export writes
the question's tags.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from assessments import bank
from assessments.formats import ParsedQuestion, ParseResult, aiken, gift
from assessments.models import Question, QuestionCategory
from assessments.types import DefinitionError, validate
from courses.markdown import render
from lms.extensions import db
from lms.organisation.models import Employee

PARSERS: dict[str, Callable[[str], ParseResult]] = {"gift": gift.parse, "aiken": aiken.parse}
MAX_NAME = 100


class TransferError(ValueError):
    """The text as a whole cannot be read (encoding, unknown format)."""


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}" if self.line else str(self.message)


@dataclass(frozen=True)
class Row:
    """One question of a checked file, as the preview shows it."""

    line: int
    path: tuple[str, ...]  # the category it goes to, base included
    type: str
    title: str
    definition: dict


@dataclass
class ImportResult:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    new_categories: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 with or without BOM, else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise TransferError(_("The file is neither UTF-8 nor GB18030 text. Save it as UTF-8 text."))


def excerpt(definition: dict, length: int = 80) -> str:
    """The title, or the beginning of the stem as plain text (Markdown rendered, tags and
    escapes dropped)."""
    text = definition.get("title") or definition.get("stem") or definition.get("case") or ""
    if not definition.get("title"):
        source = str(text) if definition.get("format") == "html" else str(render(str(text)))
        text = html.unescape(nh3.clean(source, tags=set()))
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _name_problem(name: str) -> str | None:
    if not name.strip() or "/" in name or len(name.strip()) > MAX_NAME:
        return _(
            "The category name “%(name)s” is not allowed: 1 to 100 characters and no '/'.",
            name=name,
        )
    return None


def _tag_problems(definition: dict) -> list[str]:
    tags = definition.get("tags") or []
    if not isinstance(tags, list):
        return []  # validate reports it
    return [
        _("The tag “%(tag)s” is not allowed: letters, digits, '-' or '_' (at most 50).", tag=tag)
        for tag in tags
        if isinstance(tag, str) and tag.strip() and not bank.TAG.match(tag.strip())
    ]


def _check_question(question: ParsedQuestion, base: list[str], problems: list[Problem]) -> Row:
    path = tuple(base) + tuple(name.strip() for name in question.category)
    try:
        validate(question.definition)
    except DefinitionError as error:
        problems.extend(Problem(question.line, None, str(p)) for p in error.problems)
    for message in _tag_problems(question.definition):
        problems.append(Problem(question.line, None, message))
    for name in question.category:
        message = _name_problem(name)
        if message:
            problems.append(Problem(question.line, None, message))
    return Row(
        line=question.line,
        path=path,
        type=str(question.definition.get("type", "")),
        title=excerpt(question.definition),
        definition=question.definition,
    )


def check(text: str, fmt: str, base: list[str] | None = None) -> ImportResult:
    """Parse and validate; nothing is written. ``base`` is the path of the category the
    file's categories go under."""
    parser = PARSERS.get(fmt)
    if parser is None:
        raise TransferError(_("Unknown format “%(f)s”: use gift or aiken.", f=fmt))
    base = [name.strip() for name in (base or []) if name.strip()]
    parsed = parser(text)
    result = ImportResult()
    result.problems.extend(Problem(e.line, e.column, e.message) for e in parsed.errors)
    for question in parsed.questions:
        result.rows.append(_check_question(question, base, result.problems))
    homeless = [row for row in result.rows if not row.path]
    if homeless:
        result.problems.append(
            Problem(
                homeless[0].line,
                None,
                _(
                    "%(n)d questions have no category: choose a target category, or put a "
                    "'$CATEGORY: name' line before them.",
                    n=len(homeless),
                ),
            )
        )
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _("The text holds no questions.")))
    result.problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    if result.ok:
        result.new_categories = _new_paths({row.path for row in result.rows})
    return result


def _new_paths(paths: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The categories (and their parents) that do not exist yet, by path."""
    wanted = sorted({path[:n] for path in paths for n in range(1, len(path) + 1)})
    return [path for path in wanted if bank.category_by_path(list(path)) is None]


def import_questions(
    text: str,
    fmt: str,
    *,
    base: list[str] | None = None,
    actor: Employee | None,
    now: dt.datetime,
) -> ImportResult:
    """Check, then (only when nothing is wrong) create the categories and questions."""
    result = check(text, fmt, base)
    if not result.ok:
        return result
    categories: dict[tuple[str, ...], QuestionCategory] = {}
    for row in result.rows:
        category = categories.get(row.path)
        if category is None:
            category = bank.category_by_path(list(row.path), create=True)
            categories[row.path] = category
        definition = {k: v for k, v in row.definition.items() if k != "tags"}
        tags = row.definition.get("tags") or []
        bank.create_question(category, definition, actor=actor, now=now, tags=tags)
        result.created += 1
    return result


# --- export -------------------------------------------------------------------------------


@dataclass
class Export:
    text: str
    written: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (question id, why)


def subtree(category: QuestionCategory) -> tuple[list[QuestionCategory], dict[int, list[str]]]:
    """The category and every category below it (each after its parent), and the full path of
    each of them (one statement)."""
    everything = {c.id: c for c in db.session.scalars(sa.select(QuestionCategory))}
    children: dict[int | None, list[QuestionCategory]] = defaultdict(list)
    for each in everything.values():
        children[each.parent_id].append(each)
    found, queue = [], [category]
    while queue:
        current = queue.pop(0)
        found.append(current)
        queue.extend(sorted(children[current.id], key=lambda c: c.name))
    paths = {}
    for each in found:
        names, walker = [], each
        while walker is not None:
            names.append(walker.name)
            walker = everything.get(walker.parent_id) if walker.parent_id else None
        paths[each.id] = list(reversed(names))
    return found, paths


def export_category(category: QuestionCategory, *, include_archived: bool = False) -> Export:
    """GIFT for the current versions of the questions in ``category`` and below, each under
    its full category path. Questions GIFT cannot hold (ordering, scenario) are left out and
    listed in ``skipped`` (and in a comment at the top of the text)."""
    categories, paths = subtree(category)
    order = {c.id: n for n, c in enumerate(categories)}
    query = (
        sa.select(Question)
        .where(Question.category_id.in_(list(order)))
        .options(joinedload(Question.current_version), selectinload(Question.tags))
        .order_by(Question.id)
    )
    if not include_archived:
        query = query.where(Question.archived.is_(False))
    questions = sorted(db.session.scalars(query).all(), key=lambda q: order[q.category_id])
    items, skipped = [], []
    for question in questions:
        version = question.current_version
        if version is None:
            continue
        definition = {k: v for k, v in version.definition.items() if k != "tags"}
        if question.tags:
            definition["tags"] = [t.tag for t in question.tags]
        if not gift.writable(definition):
            skipped.append((question.id, _("GIFT has no %(type)s questions", type=version.type)))
            continue
        try:
            gift.write_question(definition)
        except ValueError as error:
            skipped.append((question.id, str(error)))
            continue
        items.append((paths[question.category_id], definition))
    text = gift.dump(items)
    if skipped:
        note = "\n".join(f"//   #{qid}: {why}" for qid, why in skipped)
        header = "// " + _("Not exported (%(n)d):", n=len(skipped)) + "\n" + note + "\n\n"
        text = header + text
    return Export(text=text, written=len(items), skipped=skipped)
