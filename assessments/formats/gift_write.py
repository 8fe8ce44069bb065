"""Writing question definitions as GIFT, in the form Moodle imports and that
:func:`assessments.formats.gift_parse.parse` reads back to the same definitions.

Every question gets a ``[markdown]`` (or ``[html]``) format so that Moodle renders its text as
the platform does; text is escaped wherever GIFT would read it as markup. What GIFT cannot
hold is left out: ``stem_en``/``text_en``, ``shuffle``, ``case_sensitive``, a numerical
``unit``, essay word limits, rubric and grader information, and the general feedback of a
description. Ordering and scenario questions cannot be written at all (``ValueError``; see
:func:`writable`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from assessments.formats.gift_scan import DASH, FORMAT_PREFIX, GREATER, PERCENT

_ALWAYS = {c: "\\" + c for c in "\\#=~{}:｛｝"} | {"\n": "\\n"}


def dump(items: Iterable[tuple[Sequence[str], Mapping[str, Any]]]) -> str:
    """GIFT for ``(category path, definition)`` pairs, with a ``$CATEGORY`` line whenever
    the category changes."""
    chunks: list[str] = []
    current: list[str] = []
    for category, definition in items:
        if list(category) != current:
            current = list(category)
            chunks.append("$CATEGORY: " + _category_path(current))
        chunks.append(write_question(definition))
    return "\n\n".join(chunks) + "\n" if chunks else ""


def writable(definition: Mapping[str, Any]) -> bool:
    """Whether GIFT has a question type for this definition."""
    return definition.get("type") in _WRITERS


def write_question(definition: Mapping[str, Any]) -> str:
    kind = definition.get("type")
    writer = _WRITERS.get(kind)  # type: ignore[arg-type]
    if writer is None:
        raise ValueError(f"GIFT has no {kind} questions")
    head = _tags(definition.get("tags") or [])
    if definition.get("title"):
        head += "::" + _escape(definition["title"], title=True) + "::"
    head += "[html]" if definition.get("format") == "html" else "[markdown]"
    return head + _escape(definition["stem"]) + writer(definition)


def _category_path(category: list[str]) -> str:
    for name in category:
        if not name.strip() or name.startswith("/") or "\n" in name:
            raise ValueError(f"GIFT cannot write the category name {name!r}")
    return "/".join(["$course$", "top", *(name.replace("/", "//") for name in category)])


def _tags(tags: Iterable[str]) -> str:
    if any("\n" in tag or "\r" in tag for tag in tags):
        raise ValueError("GIFT cannot write a tag with a line break")
    written = [tag.replace("\\", "\\\\").replace("]", "\\]") for tag in tags]
    return "// " + " ".join(f"[tag:{tag}]" for tag in written) + "\n" if written else ""


def _escape(text: str, *, block: bool = False, title: bool = False) -> str:
    """Backslashes before whatever GIFT would read as markup at that place."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for i, c in enumerate(text):
        previous, following = text[i - 1 : i], text[i + 1 : i + 2]
        if c in _ALWAYS:
            out.append(_ALWAYS[c])
            continue
        special = block and (
            c == "＃"
            or (c in "＝～" and (not previous or previous.isspace()))
            or (c in GREATER and previous != "" and previous in DASH)
            or (i == 0 and c in PERCENT)
        )
        special = special or (title and c == "：" and following in ("", "："))
        out.append("\\" + c if special else c)
    return "".join(out)


def _answer_text(text: str) -> str:
    """An option, answer or feedback: Moodle reads a ``[format]`` before it, so one that
    starts like that gets a ``[markdown]`` of its own."""
    prefix = "[markdown]" if FORMAT_PREFIX.match(text) else ""
    return prefix + _escape(text, block=True)


def _feedback(item: Mapping[str, Any]) -> str:
    return "#" + _answer_text(item["feedback"]) if item.get("feedback") else ""


def _number(value: float) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"GIFT cannot write the number {value}")
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _percent(fraction: float) -> str:
    """The weight for a fraction, exact enough that reading it back gives the same float."""
    return format((Decimal(repr(float(fraction))) * 100).normalize(), "f")


def _general(definition: Mapping[str, Any]) -> str:
    text = definition.get("general_feedback")
    return "####" + _answer_text(text) if text else ""


def _block(lines: list[str], definition: Mapping[str, Any], opening: str = "{") -> str:
    general = _general(definition)
    body = "".join(f"\t{line}\n" for line in [*lines, *([general] if general else [])])
    return f"{opening}\n{body}}}"


def _choice(definition: Mapping[str, Any]) -> str:
    single = definition["type"] == "single_choice"
    lines = []
    for option in definition["options"]:
        fraction = option["fraction"]
        if single and fraction == 1:
            mark = "="
        elif fraction == 0:
            mark = "~"
        else:
            mark = f"~%{_percent(fraction)}%"
        lines.append(mark + _answer_text(option["text"]) + _feedback(option))
    if lines and not any(line.startswith("~") for line in lines):
        # only '=' would read as a short answer: one right option gets '~%100%' instead
        lines[-1] = "~%100%" + lines[-1][1:]
    return _block(lines, definition)


def _short_answer(definition: Mapping[str, Any]) -> str:
    lines = []
    for answer in definition["answers"]:
        fraction = answer["fraction"]
        mark = "=" if fraction == 1 else f"=%{_percent(fraction)}%"
        lines.append(mark + _answer_text(answer["text"]) + _feedback(answer))
    return _block(lines, definition)


def _numerical(definition: Mapping[str, Any]) -> str:
    lines = []
    for answer in definition["answers"]:
        if "min" in answer:
            value = f"{_number(answer['min'])}..{_number(answer['max'])}"
        else:
            value = f"{_number(answer['value'])}:{_number(answer.get('tolerance', 0))}"
        lines.append(f"=%{_percent(answer['fraction'])}%{value}{_feedback(answer)}")
    return _block(lines, definition, opening="{#")


def _matching(definition: Mapping[str, Any]) -> str:
    lines = [
        f"={_answer_text(pair['prompt'])} -> {_escape(pair['answer'], block=True)}"
        for pair in definition["pairs"]
    ]
    lines += [f"= -> {_escape(extra, block=True)}" for extra in definition.get("distractors", [])]
    return _block(lines, definition)


def _true_false(definition: Mapping[str, Any]) -> str:
    """Moodle's order: the feedback for a wrong answer, then for a right one."""
    answer = bool(definition["answer"])
    right = definition.get("feedback_true" if answer else "feedback_false") or ""
    wrong = definition.get("feedback_false" if answer else "feedback_true") or ""
    text = "TRUE" if answer else "FALSE"
    if wrong or right:
        text += "#" + _answer_text(wrong)
    if right:
        text += "#" + _answer_text(right)
    return "{" + text + _general(definition) + "}"


def _essay(definition: Mapping[str, Any]) -> str:
    return "{" + _general(definition) + "}"


def _description(definition: Mapping[str, Any]) -> str:
    return ""


_WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "single_choice": _choice,
    "multiple_choice": _choice,
    "short_answer": _short_answer,
    "numerical": _numerical,
    "matching": _matching,
    "true_false": _true_false,
    "essay": _essay,
    "description": _description,
}
