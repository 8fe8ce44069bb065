"""Text formats for question banks: Moodle's GIFT (read and write) and Aiken (read).

The parsers are pure functions from text to a :class:`ParseResult`: the question *definitions*
(the dicts of ``assessments.types``) with their category path and first line, and every error
found, each with its line (and column when known) and what was expected there. A caller
imports nothing when ``errors`` is not empty. The parsers do not validate the definitions
against the question types; ``assessments.types.validate`` is the judge of that.

    from assessments.formats import aiken, gift

    result = gift.parse(text)
    if result.errors: ...
    text = gift.dump([(question.category, question.definition), ...])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessments.formats.messages import LazyMessage


@dataclass(frozen=True)
class ParseError:
    line: int  # 1-based
    column: int | None  # 1-based, in characters; None when the whole line is meant
    message: str | LazyMessage  # what was found and what was expected; str() translates

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedQuestion:
    category: list[str]  # e.g. ["客服", "退换货"]; [] before any $CATEGORY line
    definition: dict[str, Any]
    line: int  # the first line of the question


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def option_id(index: int) -> str:
    """The id of the option at ``index``: a, b, ..., z, aa, ab, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


__all__ = ["ParseError", "ParseResult", "ParsedQuestion", "option_id"]
