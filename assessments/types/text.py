"""Typed answers: ``short_answer`` (compared after normalisation, ``*`` as a wildcard) and
``numerical`` (intervals: a value ± tolerance, or min..max).

Views: ``{"type", "stem", "stem_en"?}``, plus ``"unit"`` for a numerical question with one.
Parsed responses: the stripped text (short answer), a float (numerical); ``None`` when blank.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessments.types.base import Definition, Grade, ResponseError, register
from assessments.types.choice import (
    EPSILON,
    CheckedType,
    Checker,
    is_full,
    is_number,
    number_text,
    settle,
    stem_view,
)

SHORT_ANSWER_MAX = 1000
NUMBER_MAX = 100  # characters of a typed number

# Characters written without spaces between them: CJK radicals, symbols and punctuation, kana,
# bopomofo, unified ideographs (extension A, the basic block, the compatibility block and the
# supplementary planes). Hangul is not among them: Korean separates words with spaces.
CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")
_UNESCAPED_STAR = re.compile(r"(?<!\\)\*")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def normalise_answer(text: str, case_sensitive: bool = False) -> str:
    """The form in which typed answers are compared: Unicode NFKC (full-width letters, digits
    and punctuation become half-width), lower case unless ``case_sensitive`` (Unicode case
    folding, so that ß, ς and the like compare sensibly), leading and trailing whitespace
    removed, every run of whitespace (the ideographic space too) made one space, and the spaces
    between two CJK characters removed: "七 天　无理由" and "七天无理由" compare equal, and
    "ＡＢＣ" equals "abc" unless case matters."""
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        text = unicodedata.normalize("NFKC", text.casefold())
    text = " ".join(text.split())
    return _SPACE_BETWEEN_CJK.sub("", text)


@functools.lru_cache(maxsize=2048)
def _wildcard_parts(answer: str, case_sensitive: bool) -> tuple[str, ...]:
    """The literal pieces between the wildcards of an accepted answer (``\\*`` is a star)."""
    text = normalise_answer(answer, case_sensitive)
    return tuple(part.replace("\\*", "*") for part in _UNESCAPED_STAR.split(text))


def matches(answer: str, response: str, case_sensitive: bool = False) -> bool:
    """Whether a typed response matches an accepted answer, ``*`` standing for any run of
    characters (Moodle's rule). Linear in the response: no regular expression that an
    author's many stars could make slow."""
    parts = _wildcard_parts(answer, case_sensitive)
    text = normalise_answer(response, case_sensitive)
    if len(parts) == 1:
        return text == parts[0]
    first, *middle, last = parts
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _best(answers: list[dict], accepts) -> Grade:
    """The highest fraction among accepted answers, with the first such answer's feedback."""
    best = None
    for answer in answers:
        if accepts(answer) and (best is None or answer["fraction"] > best["fraction"]):
            best = answer
    if best is None:
        return Grade(0.0)
    return Grade(settle(best["fraction"]), best.get("feedback") or "")


@register
class ShortAnswer(CheckedType):
    name = "short_answer"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        checker.get(definition, "case_sensitive", "bool", required=False)
        answers = checker.entries(definition, "answers")
        fractions = []
        for path, answer in answers:
            checker.get(answer, "text", "text", f"{path}.text")
            checker.get(answer, "feedback", "text", f"{path}.feedback", required=False)
            fractions.append(checker.fraction(answer, path, 0))
        checker.needs_full_marks(fractions, "answers")

    def public_view(self, definition, state):
        return stem_view(definition)

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > SHORT_ANSWER_MAX:
            raise ResponseError(
                _l("Write your answer as text of at most %(n)d characters.", n=SHORT_ANSWER_MAX)
            )
        return raw.strip() or None

    def grade(self, definition, response):
        if not response:
            return Grade(0.0)
        case_sensitive = bool(definition.get("case_sensitive", False))
        return _best(definition["answers"], lambda a: matches(a["text"], response, case_sensitive))

    def right_answer(self, definition):
        return " / ".join(a["text"] for a in definition["answers"] if is_full(a["fraction"]))


def interval(answer: dict) -> tuple[float, float]:
    if "value" in answer:
        tolerance = answer.get("tolerance") or 0
        return answer["value"] - tolerance, answer["value"] + tolerance
    return answer["min"], answer["max"]


def contains(answer: dict, value: float) -> bool:
    low, high = interval(answer)
    slack = EPSILON * max(1.0, abs(low), abs(high))  # 3 ± 0.1 accepts 3.1
    return low - slack <= value <= high + slack


@register
class Numerical(CheckedType):
    name = "numerical"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        checker.get(definition, "unit", "text", required=False)
        answers = checker.entries(definition, "answers")
        fractions = []
        for path, answer in answers:
            ranged = "min" in answer or "max" in answer
            if ranged and "value" in answer:
                checker.add(
                    _(
                        "Give either “value” or “min” and “max” in “%(k)s”, not both.",
                        k=checker.at(path),
                    )
                )
            elif ranged:
                low = checker.get(answer, "min", "number", f"{path}.min")
                high = checker.get(answer, "max", "number", f"{path}.max")
                if low is not None and high is not None:
                    checker.not_above(low, high, f"{path}.min", f"{path}.max")
            else:
                checker.get(answer, "value", "number", f"{path}.value")
                tolerance = checker.get(
                    answer, "tolerance", "number", f"{path}.tolerance", required=False
                )
                if tolerance is not None:
                    checker.not_negative(tolerance, f"{path}.tolerance")
            checker.get(answer, "feedback", "text", f"{path}.feedback", required=False)
            fractions.append(checker.fraction(answer, path, 0))
        checker.needs_full_marks(fractions, "answers")

    def public_view(self, definition, state):
        view = stem_view(definition)
        if definition.get("unit"):
            view["unit"] = definition["unit"]
        return view

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        if is_number(raw):
            return float(raw)
        if isinstance(raw, str) and len(raw) <= NUMBER_MAX:
            text = unicodedata.normalize("NFKC", raw).strip()
            if not text:
                return None
            if _NUMBER.fullmatch(text):
                return float(text)
        raise ResponseError(_l("Enter a number such as 12 or -0.5."))

    def grade(self, definition, response):
        if response is None:
            return Grade(0.0)
        return _best(definition["answers"], lambda a: contains(a, response))

    def right_answer(self, definition):
        shown = []
        for answer in definition["answers"]:
            if not is_full(answer["fraction"]):
                continue
            if "value" not in answer:
                text = f"{number_text(answer['min'])}–{number_text(answer['max'])}"
            elif answer.get("tolerance"):
                text = f"{number_text(answer['value'])} ± {number_text(answer['tolerance'])}"
            else:
                text = number_text(answer["value"])
            shown.append(f"{text} {definition['unit']}" if definition.get("unit") else text)
        return " / ".join(shown)
