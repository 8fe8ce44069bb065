"""Questions with structure: ``matching`` (each prompt to one answer) and ``ordering`` (put
the items in order).

Views::

    {"type": "matching", "stem", "stem_en"?,
     "prompts": [{"id", "prompt", "prompt_en"?}, ...],       # the definition's order
     "choices": ["answer text", ...]}                        # shuffled, or sorted: never paired
    {"type": "ordering", "stem", "stem_en"?,
     "items": [{"id", "text", "text_en"?}, ...]}             # shuffled, never the right order

Prepared state: ``{"choices": [texts]}`` (matching), ``{"order": [item ids]}`` (ordering).
Parsed responses: ``{prompt id: answer text}`` with the answered prompts only, in the
definition's order (matching); the list of every item id in the learner's order (ordering).
"""

from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l

from assessments.types.base import Definition, Grade, ResponseError, register
from assessments.types.choice import CheckedType, Checker, in_order, settle, stem_view

RESHUFFLES = 10


def choices(definition: Definition) -> list[str]:
    """The answers and distractors, each text once, in the definition's order."""
    texts = [pair["answer"] for pair in definition["pairs"]]
    return list(dict.fromkeys(texts + list(definition.get("distractors") or [])))


@register
class Matching(CheckedType):
    name = "matching"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        pairs = checker.entries(definition, "pairs", minimum=2)
        checker.ids(pairs, "pairs")
        for path, pair in pairs:
            checker.get(pair, "prompt", "text", f"{path}.prompt")
            checker.get(pair, "prompt_en", "text", f"{path}.prompt_en", required=False)
            checker.get(pair, "answer", "text", f"{path}.answer")
        checker.texts(definition, "distractors")

    def prepare(self, definition, rng, shuffle):
        shown = sorted(choices(definition))
        if shuffle:
            rng.shuffle(shown)
        return {"choices": shown}

    def public_view(self, definition, state):
        view = stem_view(definition)
        view["prompts"] = []
        for pair in definition["pairs"]:
            prompt = {"id": pair["id"], "prompt": pair["prompt"]}
            if pair.get("prompt_en"):
                prompt["prompt_en"] = pair["prompt_en"]
            view["prompts"].append(prompt)
        view["choices"] = in_order(sorted(choices(definition)), (state or {}).get("choices"))
        return view

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        ids = [pair["id"] for pair in definition["pairs"]]
        known = set(choices(definition))
        if not isinstance(raw, dict) or not set(raw) <= set(ids):
            raise ResponseError(_l("Match each prompt with one of the choices."))
        parsed = {}
        for prompt_id in ids:
            chosen = raw.get(prompt_id)
            if chosen is None or chosen == "":
                continue
            if not isinstance(chosen, str) or chosen not in known:
                raise ResponseError(_l("Match each prompt with one of the choices."))
            parsed[prompt_id] = chosen
        return parsed

    def grade(self, definition, response):
        response = response or {}
        pairs = definition["pairs"]
        right = sum(1 for pair in pairs if response.get(pair["id"]) == pair["answer"])
        return Grade(settle(right / len(pairs)))

    def right_answer(self, definition):
        return "; ".join(f"{pair['prompt']} → {pair['answer']}" for pair in definition["pairs"])


def _neutral_order(items: list[dict]) -> list[str]:
    """An order that gives nothing away: by text; reversed should that be the right order."""
    right = [item["id"] for item in items]
    order = [item["id"] for item in sorted(items, key=lambda item: (item["text"], item["id"]))]
    return order[::-1] if order == right else order


@register
class Ordering(CheckedType):
    """Graded as Moodle's "relative to the next item": the adjacent pairs of the response
    that are adjacent, in that order, in the right order, out of n - 1."""

    name = "ordering"

    def check(self, definition: Definition, checker: Checker) -> None:
        checker.common(definition)
        items = checker.entries(definition, "items", minimum=2)
        checker.ids(items, "items")
        for path, item in items:
            checker.get(item, "text", "text", f"{path}.text")
            checker.get(item, "text_en", "text", f"{path}.text_en", required=False)

    def prepare(self, definition, rng, shuffle):
        right = [item["id"] for item in definition["items"]]
        if not shuffle:
            return {"order": _neutral_order(definition["items"])}
        order = list(right)
        for _attempt in range(RESHUFFLES):
            rng.shuffle(order)
            if order != right:
                return {"order": order}
        return {"order": right[1:] + right[:1]}

    def public_view(self, definition, state):
        items = {item["id"]: item for item in definition["items"]}
        order = in_order(list(items), (state or {}).get("order"))
        if order == list(items):  # not prepared (or stale): never show the right order
            order = _neutral_order(definition["items"])
        view = stem_view(definition)
        view["items"] = []
        for item_id in order:
            shown = {"id": item_id, "text": items[item_id]["text"]}
            if items[item_id].get("text_en"):
                shown["text_en"] = items[item_id]["text_en"]
            view["items"].append(shown)
        return view

    def parse_response(self, definition, raw):
        if raw is None:
            return None
        ids = [item["id"] for item in definition["items"]]
        if (
            not isinstance(raw, list | tuple)
            or not all(isinstance(i, str) for i in raw)
            or Counter(raw) != Counter(ids)
        ):
            raise ResponseError(_l("Put every item in order, each exactly once."))
        return list(raw)

    def grade(self, definition, response):
        if not response:
            return Grade(0.0)
        position = {item["id"]: index for index, item in enumerate(definition["items"])}
        adjacent = sum(
            1
            for before, after in zip(response, response[1:], strict=False)
            if before in position and after in position and position[after] == position[before] + 1
        )
        return Grade(settle(adjacent / (len(position) - 1)))

    def right_answer(self, definition):
        return " → ".join(item["text"] for item in definition["items"])
