"""Questions a person grades (``essay``, optionally with a rubric) and text without marks
(``description``).

Views::

    {"type": "essay", "stem", "stem_en"?, "response_format": "text", "min_words"?, "max_words"?,
     "rubric"?: {"criteria": [{"id", "name", "name_en"?, "levels": [{"descriptor"}, ...]}]}}
    {"type": "description", "stem", "stem_en"?}

The rubric is shown without its points. An essay's parsed response is the stripped text
(``None`` when blank); an unanswered essay is worth 0 at once, an answered one waits for a
person (``Grade(None)``, with ``details["words"]``). Word limits are shown, not enforced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessments.types.base import Definition, DefinitionError, Grade, ResponseError, register
from assessments.types.choice import CheckedType, Checker, is_number, settle, stem_view
from assessments.types.text import CJK

ESSAY_MAX = 20_000
RESPONSE_FORMATS = ("text",)

_WORD = re.compile(f"(?=\\w)[{CJK}]|(?:(?![{CJK}])[\\w'’])+")


def word_count(text: str) -> int:
    """Words as a reader counts them: every CJK character (not punctuation) is one, as is every
    run of other letters and digits."""
    return len(_WORD.findall(text or ""))


def _check_rubric(rubric: object, checker: Checker) -> None:
    if not isinstance(rubric, dict):
        checker.wrong_kind("rubric", "map")
        return
    before = len(checker.problems)
    criteria = checker.entries(rubric, "criteria", "rubric.criteria")
    checker.ids(criteria, "rubric.criteria")
    most = 0.0
    for path, criterion in criteria:
        checker.get(criterion, "name", "text", f"{path}.name")
        checker.get(criterion, "name_en", "text", f"{path}.name_en", required=False)
        levels = checker.entries(criterion, "levels", f"{path}.levels", minimum=2)
        points = []
        for level_path, level in levels:
            checker.get(level, "descriptor", "text", f"{level_path}.descriptor")
            value = checker.get(level, "points", "number", f"{level_path}.points")
            if value is not None and checker.not_negative(value, f"{level_path}.points"):
                points.append(value)
        most += max(points, default=0.0)
    if criteria and len(checker.problems) == before and most <= 0:
        checker.add(_("Some level of “%(k)s” must be worth points.", k=checker.at("rubric")))


def rubric_maximum(rubric: Mapping) -> float:
    return sum(max(level["points"] for level in c["levels"]) for c in rubric["criteria"])


def _points(value: object) -> float | None:
    """A score as a number (a form sends "3")."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    return float(value) if is_number(value) else None


def grade_with_rubric(definition: Definition, scores: Mapping[str, float]) -> float:
    """The fraction an essay earns from a grader's rubric: for each criterion id, the points of
    the level chosen; their sum divided by the most points the rubric allows. ResponseError
    (a ValueError) unless every criterion is scored with one of its levels' points."""
    rubric = definition.get("rubric")
    if not rubric:
        raise DefinitionError([_("This question has no rubric.")])
    criteria = {criterion["id"]: criterion for criterion in rubric["criteria"]}
    if not isinstance(scores, Mapping) or set(scores) != set(criteria):
        raise ResponseError(_l("Score every criterion of the rubric with one of its levels."))
    total = 0.0
    for criterion_id, criterion in criteria.items():
        points = _points(scores[criterion_id])
        if points is None or not any(
            abs(points - level["points"]) <= 1e-9 for level in criterion["levels"]
        ):
            raise ResponseError(_l("Score every criterion of the rubric with one of its levels."))
        total += points
    return settle(total / rubric_maximum(rubric))


@register
class Essay(CheckedType):
    name = "essay"
    manual = True

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        response_format = checker.get(definition, "response_format", "text", required=False)
        if response_format is not None and response_format not in RESPONSE_FORMATS:
            checker.add(
                _(
                    "“%(k)s” must be one of: %(choices)s.",
                    k=checker.at("response_format"),
                    choices=", ".join(RESPONSE_FORMATS),
                )
            )
        limits = {}
        for key in ("min_words", "max_words"):
            value = checker.get(definition, key, "int", required=False)
            if value is not None and checker.not_negative(value, key):
                limits[key] = value
        if len(limits) == 2:
            checker.not_above(limits["min_words"], limits["max_words"], "min_words", "max_words")
        checker.get(definition, "grader_info", "text", required=False)
        if definition.get("rubric") is not None:
            _check_rubric(definition["rubric"], checker)

    def public_view(self, definition, state):
        view = stem_view(definition)
        view["response_format"] = definition.get("response_format") or "text"
        for key in ("min_words", "max_words"):
            if definition.get(key) is not None:
                view[key] = definition[key]
        if definition.get("rubric"):
            view["rubric"] = {"criteria": []}
            for criterion in definition["rubric"]["criteria"]:
                shown = {"id": criterion["id"], "name": criterion["name"]}
                if criterion.get("name_en"):
                    shown["name_en"] = criterion["name_en"]
                shown["levels"] = [{"descriptor": lv["descriptor"]} for lv in criterion["levels"]]
                view["rubric"]["criteria"].append(shown)
        return view

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > ESSAY_MAX:
            raise ResponseError(
                _l("Write your answer as text of at most %(n)d characters.", n=ESSAY_MAX)
            )
        return raw.strip() or None

    def grade(self, definition, response):
        if not response:
            return Grade(0.0, details={"words": 0})
        return Grade(None, details={"words": word_count(response)})

    def right_answer(self, definition):
        return ""


@register
class Description(CheckedType):
    """Text between questions (GIFT's description): no response, no marks in a quiz."""

    name = "description"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)

    def public_view(self, definition, state):
        return stem_view(definition)

    def parse_response(self, definition, raw):
        return None

    def grade(self, definition, response):
        return Grade(1.0)

    def right_answer(self, definition):
        return ""
