"""Reading GIFT: the file's structure (blank-line separated questions, comments, categories,
tags) and each question's parts (title, text format, stem, answer block).

What the answer block holds is read by :mod:`assessments.formats.gift_answers`; the characters
and escapes by :mod:`assessments.formats.gift_scan`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assessments.formats import ParsedQuestion, ParseError, ParseResult
from assessments.formats.gift_answers import read_answer_block
from assessments.formats.gift_scan import (
    CLOSE,
    COLON,
    FORMAT_PREFIX,
    Ch,
    Span,
    convert,
    error,
    find,
    is_mark,
    looks_like_block,
    scan,
    strip,
    text_of,
)
from assessments.formats.messages import _

_CATEGORY = re.compile(r"\s*\$CATEGORY\s*[:：]", re.IGNORECASE)
_CONTEXT = re.compile(r"\$\w*\$")  # Moodle's "$course$", "$system$", ...
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")
BLANK = "____"  # where the answer block was, in a missing-word question


@dataclass
class _Block:
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    comments: list[str] = field(default_factory=list)


def parse(text: str) -> ParseResult:
    """Every question of a GIFT file, and every error (the caller imports nothing then)."""
    result = ParseResult()
    category: list[str] = []
    for block in _blocks(text):
        lines = block.lines
        while lines and _CATEGORY.match(lines[0][1]):
            category = _category(*lines[0], result.errors)
            lines = lines[1:]
        if not lines:
            continue
        errors: list[ParseError] = []
        definition = _question(scan(lines), errors)
        result.errors.extend(errors)
        if definition is not None and not errors:
            tags = _tags(block.comments)
            if tags:
                definition["tags"] = tags
            result.questions.append(ParsedQuestion(list(category), definition, lines[0][0]))
    return result


def _blocks(text: str) -> list[_Block]:
    """Questions are separated by blank lines; ``//`` comment lines are set aside."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks, current = [], _Block()
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if current.lines or current.comments:
                blocks.append(current)
            current = _Block()
        elif stripped.startswith("//"):
            current.comments.append(stripped)
        else:
            current.lines.append((number, line))
    if current.lines or current.comments:
        blocks.append(current)
    return blocks


def _category(number: int, line: str, errors: list[ParseError]) -> list[str]:
    """``$CATEGORY: a/b/c``: "//" is a literal "/", Moodle's "$course$/top/" is dropped."""
    head = _CATEGORY.match(line)
    assert head is not None
    rest = line[head.end() :]
    raw = rest.strip()
    column = head.end() + 1 + len(rest) - len(rest.lstrip())
    if not raw:
        message = _("expected a category name after '$CATEGORY:'")
        errors.append(ParseError(number, column, message))
        return []
    parts = [part.strip().replace("\0", "/") for part in raw.replace("//", "\0").split("/")]
    if _CONTEXT.fullmatch(parts[0]):
        parts = parts[1:]
        if parts and parts[0] == "top":
            parts = parts[1:]
    if any(not part for part in parts):
        errors.append(
            ParseError(
                number,
                column,
                _("expected a category name between each '/' in %(path)s", path=repr(raw)),
            )
        )
    return parts


def _tags(comments: list[str]) -> list[str]:
    """Moodle's ``// [tag:name]`` in the comment lines of a question."""
    tags: list[str] = []
    for comment in comments:
        for match in _TAG.finditer(comment):
            tag = re.sub(r"\\(.)", r"\1", match.group(1)).strip()
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _question(chars: Span, errors: list[ParseError]) -> dict[str, Any] | None:
    chars = strip(chars)
    first = chars[0]
    title, chars = _title(chars, errors)
    fmt, chars = _format(chars)
    bounds = _answer_block_bounds(chars, errors)
    if errors:
        return None
    definition: dict[str, Any] = {"type": "description"}
    if title:
        definition["title"] = title
    if bounds is None:
        stem = convert(text_of(chars), fmt).strip()
    else:
        start, end = bounds
        before, after = text_of(chars[:start]), text_of(chars[end + 1 :])
        stem = convert(before, fmt) + (BLANK + convert(after, fmt) if after else "")
        stem = stem.strip()
        answers = read_answer_block(chars[start], chars[start + 1 : end], fmt, errors)
        if answers is None:
            return None
        definition.update(answers)
    if not stem:
        errors.append(error(first, _("expected the question text")))
        return None
    definition["stem"] = stem
    if fmt == "html":
        definition["format"] = "html"
    return definition


def _title(chars: Span, errors: list[ParseError]) -> tuple[str | None, Span]:
    """``::title::`` (or ``：：title：：``) at the very start of a question."""
    if len(chars) < 2 or not (is_mark(chars[0], COLON) and is_mark(chars[1], COLON)):
        return None, chars
    for i in range(2, len(chars) - 1):
        if is_mark(chars[i], COLON) and is_mark(chars[i + 1], COLON):
            return text_of(strip(chars[2:i])) or None, strip(chars[i + 2 :])
    errors.append(error(chars[0], _("expected '::' to close the title that starts here")))
    return None, chars


def _format(chars: Span) -> tuple[str | None, Span]:
    """``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` before the question text."""
    match = FORMAT_PREFIX.match(text_of(chars))
    if match is None:
        return None, chars
    return match.group(1), strip(chars[match.end() :])


def _answer_block_bounds(chars: Span, errors: list[ParseError]) -> tuple[int, int] | None:
    """Where ``{`` and ``}`` are; ``｛...｝`` counts only when no ``{`` is there and the
    full-width brace opens something that looks like answers (so ``｛订单号｝`` stays text)."""
    start = find(chars, "{")
    if start < 0:
        start = next(
            (i for i, ch in enumerate(chars) if is_mark(ch, "｛") and looks_like_block(chars, i)),
            -1,
        )
    stray = find(chars, "}", 0, start if start >= 0 else len(chars))
    if stray >= 0:
        message = _("found '}' without an opening '{' (write \\} for a brace in the text)")
        errors.append(error(chars[stray], message))
        return None
    if start < 0:
        return None
    end = find(chars, "}", start + 1)
    end = end if end >= 0 else find(chars, CLOSE, start + 1)
    nested = find(chars, "{", start + 1, end if end >= 0 else len(chars))
    if nested >= 0:
        errors.append(
            error(
                chars[nested],
                _(
                    "found a second '{' inside the answer block: expected '}' first"
                    " (or a blank line between two questions)"
                ),
            )
        )
    elif end < 0:
        errors.append(
            error(
                chars[start],
                _(
                    "expected '}' to close the answer block opened here"
                    " (a blank line ends a question)"
                ),
            )
        )
    else:
        again = find(chars, "{}", end + 1)
        if again < 0:
            return start, end
        errors.append(
            error(
                chars[again],
                _(
                    "a question has one answer block: expected a blank line before"
                    " the next question, or write \\{ and \\} for braces in the text"
                ),
            )
        )
    return None


__all__ = ["BLANK", "Ch", "parse"]
