"""The characters of a GIFT question: each with its line and column, and whether it came from
an escape (``\\=``), which makes it text and never markup.

Markup characters have full-width twins that a Chinese author types by accident; they count
as markup only in markup positions (see :func:`is_mark` and its callers), so the author's
text keeps its own characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assessments.formats import ParseError
from assessments.formats.messages import LazyMessage

# Escapes: Moodle's \\ \: \# \= \~ \{ \} \n, the full-width twins, and \> \% (written before a
# '>' that would otherwise make an arrow, or a '%' that would otherwise start a weight).
ESCAPES = {"n": "\n"} | {c: c for c in "\\:#=~{}>%：＃＝～｛｝＞％"}
HASH = "#＃"
EQUALS = "=＝"
TILDE = "~～"
COLON = ":："
PERCENT = "%％"
DASH = "-－"
GREATER = ">＞"
CLOSE = "}｝"
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
FORMAT_PREFIX = re.compile(r"\[(html|markdown|plain|moodle)\]")
_TF_BLOCK = re.compile(r"\s*(T|TRUE|F|FALSE)\s*([#}]|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Ch:
    c: str
    line: int
    col: int
    escaped: bool = False


Span = list[Ch]


def scan(lines: list[tuple[int, str]]) -> Span:
    """The characters of a question's lines (joined by newlines), escapes resolved."""
    out: Span = []
    for k, (number, line) in enumerate(lines):
        if k:
            previous_number, previous = lines[k - 1]
            out.append(Ch("\n", previous_number, len(previous) + 1))
        i = 0
        while i < len(line):
            if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in ESCAPES:
                out.append(Ch(ESCAPES[line[i + 1]], number, i + 1, escaped=True))
                i += 2
            else:
                out.append(Ch(line[i], number, i + 1))
                i += 1
    return out


def is_mark(ch: Ch, chars: str) -> bool:
    return not ch.escaped and ch.c in chars


def is_space(ch: Ch) -> bool:
    return not ch.escaped and ch.c.isspace()


def text_of(span: Span) -> str:
    return "".join(ch.c for ch in span)


def strip(span: Span) -> Span:
    start, end = 0, len(span)
    while start < end and is_space(span[start]):
        start += 1
    while end > start and is_space(span[end - 1]):
        end -= 1
    return span[start:end]


def find(span: Span, chars: str, start: int = 0, end: int | None = None) -> int:
    """The index of the first unescaped character of ``chars``, or -1."""
    end = len(span) if end is None else end
    return next((i for i in range(start, end) if is_mark(span[i], chars)), -1)


def find_arrow(span: Span) -> int:
    """``->`` (or ``－>``, ``-＞``, ``－＞``), or -1."""
    return next(
        (
            i
            for i in range(len(span) - 1)
            if is_mark(span[i], DASH) and is_mark(span[i + 1], GREATER)
        ),
        -1,
    )


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width (for numbers and T/F only)."""
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()


def looks_like_block(chars: Span, i: int) -> bool:
    """Whether the full-width ``｛`` at ``i`` opens answers rather than text."""
    rest = strip(chars[i + 1 :])
    if not rest:
        return False
    if is_mark(rest[0], CLOSE + "=~#%＝～＃％"):
        return True
    return bool(_TF_BLOCK.match(fold(text_of(rest[:8]))))


def error(ch: Ch | None, message: LazyMessage, line: int = 1) -> ParseError:
    if ch is None:
        return ParseError(line, None, message)
    return ParseError(ch.line, ch.col, message)


# Text formats: the definitions hold Markdown; [html] is kept as it is (and marked),
# [plain] is escaped so that it shows as typed, [moodle] keeps its line breaks.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def convert(text: str, fmt: str | None) -> str:
    """Text in a GIFT text format to the Markdown of a definition."""
    if fmt == "plain":
        text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
        text = _LINE_START.sub(r"\1\\\2", text)
        text = _NUMBERED.sub(r"\1\\\2", text)
        return text.replace("\n", "\\\n")
    if fmt == "moodle":
        return text.replace("\n", "\\\n")
    return text
