"""Moodle's Aiken format: single-choice questions, one right option, no feedback.

    退货申请提交后，多久内会有客服联系顾客？
    A. 2 小时内
    B. 24 小时内
    C. 7 天内
    ANSWER: B

The question text (one line, or several: they are kept as Markdown lines), then the options
in order, each a letter, ``.`` or ``)`` and the text (``Ａ．``, ``A、`` and ``A）`` too), then
``ANSWER: <letter>`` (``ANSWER：`` too). ``parse`` reports, with line numbers, options before
any question text, letters out of order, empty options, fewer than 2 options, a missing or
unknown answer letter, and a question left without its ``ANSWER`` line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assessments.formats import ParsedQuestion, ParseError, ParseResult, option_id
from assessments.formats.messages import _

_OPTION = re.compile(r"([A-ZＡ-Ｚ])\s*[.)、．）]\s*(.*)")
_ANSWER = re.compile(r"ANSWER\s*[:：](.*)")


@dataclass
class _Draft:
    line: int
    stem: list[str]
    errors: int  # how many errors the file had when this question started
    options: list[str] = field(default_factory=list)


def parse(text: str) -> ParseResult:
    """The single-choice questions of an Aiken file, and every error."""
    result = ParseResult()
    draft: _Draft | None = None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip()) + 1
        answer, option = _ANSWER.match(line), _OPTION.fullmatch(line)
        if not line:
            if draft is not None and not draft.options:
                draft.stem.append("")  # a paragraph break in the question text
        elif answer:
            if draft is None:
                result.errors.append(
                    ParseError(number, indent, _("found 'ANSWER:' without a question before it"))
                )
            else:
                _finish(draft, answer.group(1), number, result)
            draft = None
        elif option:
            if draft is None:
                result.errors.append(
                    ParseError(number, indent, _("expected the question text before the options"))
                )
                draft = _Draft(number, [], len(result.errors) - 1)
            _add_option(draft, option, number, indent, result.errors)
        else:
            if draft is not None and draft.options:
                expected = _letter(len(draft.options))
                result.errors.append(
                    ParseError(
                        number,
                        indent,
                        _(
                            "expected option %(expected)s or 'ANSWER: <letter>' for the"
                            " question at line %(line)s (a question ends with its ANSWER line)",
                            expected=expected,
                            line=draft.line,
                        ),
                    )
                )
                draft = None
            if draft is None:
                draft = _Draft(number, [line], len(result.errors))
            else:
                draft.stem.append(line)
    if draft is not None:
        result.errors.append(
            ParseError(draft.line, None, _("expected 'ANSWER: <letter>' to end this question"))
        )
    return result


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _add_option(
    draft: _Draft, option: re.Match[str], number: int, column: int, errors: list[ParseError]
) -> None:
    expected = _letter(len(draft.options))
    letter = unicodedata.normalize("NFKC", option.group(1))
    if letter != expected:
        message = _(
            "expected option %(expected)s, found %(found)s", expected=expected, found=letter
        )
        errors.append(ParseError(number, column, message))
    if not option.group(2).strip():
        message = _("expected the text of option %(letter)s", letter=letter)
        errors.append(ParseError(number, column, message))
    draft.options.append(option.group(2).strip())


def _finish(draft: _Draft, raw: str, number: int, result: ParseResult) -> None:
    letter = unicodedata.normalize("NFKC", raw).strip().upper()
    if len(draft.options) < 2:
        message = _(
            "expected at least 2 options before 'ANSWER:', found %(count)s",
            count=len(draft.options),
        )
        result.errors.append(ParseError(number, None, message))
    if not re.fullmatch(r"[A-Z]", letter):
        if raw.strip():
            message = _(
                "expected one option letter after 'ANSWER:', found %(found)s",
                found=repr(raw.strip()),
            )
        else:
            message = _("expected one option letter after 'ANSWER:', found nothing")
        result.errors.append(ParseError(number, None, message))
    elif ord(letter) - ord("A") >= len(draft.options) >= 2:
        last = _letter(len(draft.options) - 1)
        message = _(
            "ANSWER: %(letter)s names no option (the options are A to %(last)s)",
            letter=letter,
            last=last,
        )
        result.errors.append(ParseError(number, None, message))
    if len(result.errors) > draft.errors:
        return
    right = ord(letter) - ord("A")
    options = [
        {"id": option_id(k), "text": text, "fraction": 1.0 if k == right else 0.0}
        for k, text in enumerate(draft.options)
    ]
    definition = {
        "type": "single_choice",
        "stem": "\n".join(draft.stem).strip(),
        "options": options,
        "shuffle": True,
    }
    result.questions.append(ParsedQuestion([], definition, draft.line))
