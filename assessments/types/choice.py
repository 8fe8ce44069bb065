"""Choice questions (``single_choice``, ``multiple_choice``, ``true_false``), and the small
toolkit the type modules share to check a definition and build the learner's view.

Problems name the place in the definition with 1-based positions, e.g.
``options[2].fraction`` or ``parts[1].question.answers[3].text``.

Views (``public_view``) of the choice types::

    {"type": "single_choice", "stem": ..., "stem_en"?: ...,
     "options": [{"id": "b", "text": ..., "text_en"?: ...}, ...]}   # in the prepared order
    {"type": "true_false", "stem": ..., "stem_en"?: ...}

Prepared state: ``{"order": [option ids]}`` (empty for true/false). Parsed responses: an option
id (single), a list of option ids in the definition's order (multiple), a bool (true/false);
``None`` when not answered.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessments.types.base import Definition, Grade, QuestionType, ResponseError, register

EPSILON = 1e-9  # "fraction 1.0" and interval ends are compared with this slack
SUM_TOLERANCE = 0.001  # the positive fractions of a multiple choice add up to 1 ± this


def is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float
        return False


def is_full(fraction: float) -> bool:
    return abs(fraction - 1.0) <= EPSILON


def settle(fraction: float) -> float:
    """Clamp to 0..1 and round float noise away (0.30000000000000004 becomes 0.3)."""
    return round(min(1.0, max(0.0, fraction)), 7)


def kind_name(kind: str) -> str:
    return {
        "text": _("text"),
        "number": _("a number"),
        "int": _("a whole number"),
        "bool": _("true or false"),
        "list": _("a list"),
        "map": _("a mapping"),
    }[kind]


_KINDS = {
    "text": lambda v: isinstance(v, str),
    "number": is_number,
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "map": lambda v: isinstance(v, dict),
}


class Checker:
    """Collects every problem of a definition (nothing is raised on the first one)."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.problems: list[str] = []

    def at(self, path: str) -> str:
        return f"{self.prefix}.{path}" if self.prefix else path

    def add(self, message: str) -> None:
        self.problems.append(message)

    def wrong_kind(self, path: str, kind: str) -> None:
        self.add(_("“%(k)s” must be %(kind)s.", k=self.at(path), kind=kind_name(kind)))

    def get(
        self, mapping: dict, key: str, kind: str, path: str | None = None, *, required: bool = True
    ) -> Any:
        """The value under ``key`` when it has the right kind, else None (and a problem).
        Required text must not be blank."""
        path = path or key
        value = mapping.get(key)
        if value is None:
            if required:
                self.add(_("“%(k)s” is required.", k=self.at(path)))
            return None
        if not _KINDS[kind](value):
            self.wrong_kind(path, kind)
            return None
        if kind == "text" and required and not value.strip():
            self.add(_("“%(k)s” is required.", k=self.at(path)))
            return None
        return value

    def between(self, value: float, path: str, low: float, high: float) -> bool:
        if low <= value <= high:
            return True
        self.add(
            _(
                "“%(k)s” must be between %(low)s and %(high)s.",
                k=self.at(path),
                low=number_text(low),
                high=number_text(high),
            )
        )
        return False

    def not_negative(self, value: float, path: str) -> bool:
        if value >= 0:
            return True
        self.add(_("“%(k)s” must not be negative.", k=self.at(path)))
        return False

    def not_above(self, low: float, high: float, low_path: str, high_path: str) -> None:
        if low > high:
            self.add(
                _(
                    "“%(k)s” must not be greater than “%(other)s”.",
                    k=self.at(low_path),
                    other=self.at(high_path),
                )
            )

    def entries(
        self, mapping: dict, key: str, path: str | None = None, *, minimum: int = 1
    ) -> list[tuple[str, dict]]:
        """The mappings listed under ``key`` with their paths; too few or non-mappings are
        problems."""
        path = path or key
        items = self.get(mapping, key, "list", path)
        if items is None:
            return []
        if len(items) < minimum:
            if minimum == 1:
                self.add(_("“%(k)s” must not be empty.", k=self.at(path)))
            else:
                self.add(_("“%(k)s” needs at least %(n)d entries.", k=self.at(path), n=minimum))
        found = []
        for index, item in enumerate(items, 1):
            if isinstance(item, dict):
                found.append((f"{path}[{index}]", item))
            else:
                self.wrong_kind(f"{path}[{index}]", "map")
        return found

    def ids(self, entries: list[tuple[str, dict]], list_path: str) -> list[str]:
        """Each entry's required text ``id``; an id used twice is a problem."""
        ids = [self.get(entry, "id", "text", f"{path}.id") for path, entry in entries]
        for duplicate in sorted(i for i, n in Counter(filter(None, ids)).items() if n > 1):
            self.add(
                _(
                    "The id “%(id)s” is used more than once in “%(k)s”.",
                    id=duplicate,
                    k=self.at(list_path),
                )
            )
        return [i for i in ids if i is not None]

    def texts(self, mapping: dict, key: str, path: str | None = None) -> list[str]:
        """An optional list of non-blank texts."""
        path = path or key
        items = self.get(mapping, key, "list", path, required=False)
        if items is None:
            return []
        if not all(isinstance(item, str) and item.strip() for item in items):
            self.add(_("Each item of “%(k)s” must be text.", k=self.at(path)))
        return [item for item in items if isinstance(item, str)]

    def fraction(self, entry: dict, path: str, low: float) -> float | None:
        value = self.get(entry, "fraction", "number", f"{path}.fraction")
        if value is None or not self.between(value, f"{path}.fraction", low, 1):
            return None
        return value

    def needs_full_marks(self, fractions: list[float | None], path: str) -> None:
        """At least one entry worth full marks (checked once every fraction is valid)."""
        if fractions and None not in fractions and not any(is_full(f) for f in fractions):
            self.add(_("At least one entry of “%(k)s” must have fraction 1.", k=self.at(path)))

    def common(self, definition: Definition, *, stem_required: bool = True) -> None:
        """The keys every definition may carry."""
        self.get(definition, "title", "text", required=False)
        self.get(definition, "stem", "text", required=stem_required)
        self.get(definition, "stem_en", "text", required=False)
        self.get(definition, "general_feedback", "text", required=False)
        self.texts(definition, "tags")


def number_text(value: float) -> str:
    """3 for 3.0, 0.5 for 0.5: the shortest text that reads back as the same number."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def stem_view(definition: Definition) -> dict:
    view = {"type": definition["type"], "stem": definition.get("stem") or ""}
    if definition.get("stem_en"):
        view["stem_en"] = definition["stem_en"]
    return view


def in_order(ids: list[str], order: Any) -> list[str]:
    """``ids`` in a prepared ``order``; an order that is not a permutation of ``ids`` (missing,
    or stale) falls back to ``ids`` as given."""
    strings = isinstance(order, list) and all(isinstance(i, str) for i in order)
    if strings and Counter(order) == Counter(ids):
        return list(order)
    return list(ids)


class CheckedType(QuestionType):
    """A type whose ``check`` adds problems to a Checker (so a scenario can prefix them)."""

    def check(self, definition: Definition, checker: Checker) -> None:
        raise NotImplementedError

    def validate(self, definition: Definition) -> list[str]:
        checker = Checker()
        self.check(definition, checker)
        return checker.problems


def _label(option: dict) -> str:
    """ "B. 7 天内" for an option "b"; just the text when the id is not a single letter."""
    option_id = option["id"]
    if len(option_id) == 1 and option_id.isascii() and option_id.isalpha():
        return f"{option_id.upper()}. {option['text']}"
    return option["text"]


class _Options(CheckedType):
    minimum_fraction = -1.0

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        checker.get(definition, "shuffle", "bool", required=False)
        options = checker.entries(definition, "options", minimum=2)
        checker.ids(options, "options")
        fractions = []
        for path, option in options:
            checker.get(option, "text", "text", f"{path}.text")
            checker.get(option, "text_en", "text", f"{path}.text_en", required=False)
            checker.get(option, "feedback", "text", f"{path}.feedback", required=False)
            fractions.append(checker.fraction(option, path, self.minimum_fraction))
        if options and None not in fractions:
            self.check_fractions(fractions, checker)

    def check_fractions(self, fractions: list[float], checker: Checker) -> None:
        raise NotImplementedError

    def prepare(self, definition, rng, shuffle):
        order = [option["id"] for option in definition["options"]]
        if shuffle and definition.get("shuffle", True):
            rng.shuffle(order)
        return {"order": order}

    def public_view(self, definition, state):
        options = {option["id"]: option for option in definition["options"]}
        view = stem_view(definition)
        view["options"] = []
        for option_id in in_order(list(options), (state or {}).get("order")):
            shown = {"id": option_id, "text": options[option_id]["text"]}
            if options[option_id].get("text_en"):
                shown["text_en"] = options[option_id]["text_en"]
            view["options"].append(shown)
        return view


@register
class SingleChoice(_Options):
    name = "single_choice"

    def check_fractions(self, fractions, checker):
        checker.needs_full_marks(fractions, "options")

    def parse_response(self, definition, raw):
        if raw is None or raw == "":
            return None
        ids = {option["id"] for option in definition["options"]}
        if isinstance(raw, str) and raw.strip() in ids:
            return raw.strip()
        raise ResponseError(_l("Choose one of the options."))

    def grade(self, definition, response):
        for option in definition["options"]:
            if option["id"] == response:
                return Grade(settle(option["fraction"]), option.get("feedback") or "")
        return Grade(0.0)

    def right_answer(self, definition):
        return " / ".join(_label(o) for o in definition["options"] if is_full(o["fraction"]))


@register
class MultipleChoice(_Options):
    """The chosen fractions are added up in the definition's order (so the order of the
    response never matters) and divided by the sum of the positive fractions, so that choosing
    exactly the positive options is worth exactly 1 even when they add up to 0.999."""

    name = "multiple_choice"

    def check_fractions(self, fractions, checker):
        total = sum(f for f in fractions if f > 0)
        if abs(total - 1.0) > SUM_TOLERANCE:
            checker.add(
                _(
                    "The positive fractions of “%(k)s” must add up to 1 (they add up to "
                    "%(total)s).",
                    k=checker.at("options"),
                    total=number_text(round(total, 4)),
                )
            )

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        ids = [option["id"] for option in definition["options"]]
        if (
            not isinstance(raw, list | tuple)
            or not all(isinstance(i, str) for i in raw)
            or len(set(raw)) != len(raw)
            or not set(raw) <= set(ids)
        ):
            raise ResponseError(_l("Choose options from the list, each at most once."))
        chosen = set(raw)
        return [i for i in ids if i in chosen]

    def grade(self, definition, response):
        chosen = set(response or ())
        if not chosen:
            return Grade(0.0)
        options = definition["options"]
        positive = sum(o["fraction"] for o in options if o["fraction"] > 0)
        score = sum(o["fraction"] for o in options if o["id"] in chosen)
        feedback = [o["feedback"] for o in options if o["id"] in chosen and o.get("feedback")]
        return Grade(settle(score / positive), "\n\n".join(feedback))

    def right_answer(self, definition):
        return "; ".join(_label(o) for o in definition["options"] if o["fraction"] > 0)


_TRUE = {"true", "t", "1"}
_FALSE = {"false", "f", "0"}


@register
class TrueFalse(CheckedType):
    name = "true_false"

    def check(self, definition, checker):
        checker.common(definition)
        checker.get(definition, "answer", "bool")
        checker.get(definition, "feedback_true", "text", required=False)
        checker.get(definition, "feedback_false", "text", required=False)

    def public_view(self, definition, state):
        return stem_view(definition)

    def parse_response(self, definition, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ResponseError(_l("Answer true or false."))

    def grade(self, definition, response):
        if response is None:
            return Grade(0.0)
        feedback = definition.get("feedback_true" if response else "feedback_false") or ""
        return Grade(1.0 if response == definition["answer"] else 0.0, feedback)

    def right_answer(self, definition):
        return _("True") if definition["answer"] else _("False")
