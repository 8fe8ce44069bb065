"""``scenario``: a customer case (e.g. a chat transcript) with weighted parts, each a
question of another type (not a scenario, not a description).

View::

    {"type": "scenario", "stem" ("" when none), "stem_en"?, "case", "case_en"?,
     "parts": [{"id", "weight", "question": <the part's own view>}, ...]}

Prepared state: ``{"parts": {part id: the part's state}}``. Parsed response:
``{part id: the part's parsed response or None}`` for every part. The grade is the weighted
mean of the parts' fractions; while a part waits for a person the fraction is None, and
``details["parts"]`` maps every part id to its automatic fraction (None for that part), so a
grader's mark completes it (``weighted_fraction``).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessments.types.base import (
    REGISTRY,
    Definition,
    Grade,
    ResponseError,
    question_type,
    register,
)
from assessments.types.choice import CheckedType, Checker, settle, stem_view

NOT_A_PART = ("scenario", "description")


def weighted_fraction(
    definition: Definition, fractions: Mapping[str, float | None]
) -> float | None:
    """The weighted mean of the parts' fractions (part id -> fraction); None while a part has
    none."""
    total = score = 0.0
    for part in definition["parts"]:
        fraction = fractions.get(part["id"])
        if fraction is None:
            return None
        total += part["weight"]
        score += part["weight"] * fraction
    return settle(score / total)


def is_manual(definition: Definition) -> bool:
    """Whether answers to this question (or to a part of it) may wait for a person."""
    if definition.get("type") == ScenarioType.name:
        return any(is_manual(part["question"]) for part in definition["parts"])
    kind = REGISTRY.get(definition.get("type"))
    return bool(kind and kind.manual)


def _check_part(question: dict, path: str, checker: Checker) -> None:
    kind_name = checker.get(question, "type", "text", f"{path}.type")
    if kind_name is None:
        return
    kind = REGISTRY.get(kind_name)
    if kind_name in NOT_A_PART:
        checker.add(
            _("“%(k)s” cannot be a “%(type)s” question.", k=checker.at(path), type=kind_name)
        )
    elif kind is None:
        checker.add(
            _("“%(k)s” has an unknown type “%(type)s”.", k=checker.at(path), type=kind_name)
        )
    elif isinstance(kind, CheckedType):
        sub = Checker(checker.at(path))
        kind.check(question, sub)
        checker.problems.extend(sub.problems)
    else:
        checker.problems.extend(f"{checker.at(path)}: {p}" for p in kind.validate(question))


@register
class ScenarioType(CheckedType):
    name = "scenario"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition, stem_required=False)
        checker.get(definition, "case", "text")
        checker.get(definition, "case_en", "text", required=False)
        parts = checker.entries(definition, "parts")
        checker.ids(parts, "parts")
        for path, part in parts:
            weight = checker.get(part, "weight", "number", f"{path}.weight")
            if weight is not None and weight <= 0:
                checker.add(_("“%(k)s” must be greater than 0.", k=checker.at(f"{path}.weight")))
            question = checker.get(part, "question", "map", f"{path}.question")
            if question is not None:
                _check_part(question, f"{path}.question", checker)

    def prepare(self, definition, rng, shuffle):
        return {
            "parts": {
                part["id"]: question_type(part["question"]["type"]).prepare(
                    part["question"], rng, shuffle
                )
                for part in definition["parts"]
            }
        }

    def public_view(self, definition, state):
        states = (state or {}).get("parts")
        states = states if isinstance(states, dict) else {}
        view = stem_view(definition)
        view["case"] = definition["case"]
        if definition.get("case_en"):
            view["case_en"] = definition["case_en"]
        view["parts"] = []
        for part in definition["parts"]:
            question = part["question"]
            part_state = states.get(part["id"])
            view["parts"].append(
                {
                    "id": part["id"],
                    "weight": part["weight"],
                    "question": question_type(question["type"]).public_view(
                        question, part_state if isinstance(part_state, dict) else {}
                    ),
                }
            )
        return view

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        ids = {part["id"] for part in definition["parts"]}
        if not isinstance(raw, dict) or not set(raw) <= ids:
            raise ResponseError(_l("Answer the parts of this scenario."))
        parsed = {}
        for part in definition["parts"]:
            question, answer = part["question"], raw.get(part["id"])
            kind = question_type(question["type"])
            parsed[part["id"]] = None if answer is None else kind.parse_response(question, answer)
        return parsed

    def grade(self, definition, response):
        response = response or {}
        fractions, feedback = {}, []
        for part in definition["parts"]:
            question = part["question"]
            result = question_type(question["type"]).grade(question, response.get(part["id"]))
            fractions[part["id"]] = result.fraction
            if result.feedback:
                feedback.append(result.feedback)
        return Grade(
            weighted_fraction(definition, fractions),
            "\n\n".join(feedback),
            details={"parts": fractions},
        )

    def right_answer(self, definition):
        lines = []
        for part in definition["parts"]:
            question = part["question"]
            answer = question_type(question["type"]).right_answer(question)
            if answer:
                lines.append(f"{part['id']}: {answer}")
        return "\n".join(lines)
