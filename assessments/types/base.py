"""The interface every question type implements, and the registry of types.

A question's *definition* is a JSON-able dict (stored on the question version). Common keys:

- ``type``: the registry name (``single_choice``, ``multiple_choice``, ``true_false``,
  ``short_answer``, ``numerical``, ``matching``, ``ordering``, ``essay``, ``scenario``,
  ``description``)
- ``title`` (str, optional), ``stem`` (Markdown, Chinese or the author's language),
  ``stem_en`` (optional), ``general_feedback`` (Markdown, optional), ``tags`` (list of str)

and the keys of its type (see each class). Grading takes data, never the HTTP request:
``grade(definition, response) -> Grade`` with a fraction in 0..1 (None while a person must
grade it) and feedback.

Per attempt a type may ``prepare`` state (e.g. the shuffled order of options) that is
stored with the attempt so a reload shows the same order; ``public_view`` is what may be sent
to the browser during the attempt — never the key, never fractions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, ClassVar

Definition = dict[str, Any]


class DefinitionError(ValueError):
    """The definition is not valid for its type; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ResponseError(ValueError):
    """A response that cannot be understood for this question (a 4xx for the client)."""


@dataclass(frozen=True)
class Grade:
    fraction: float | None  # 0..1; None: waits for a person (essay, rubric)
    feedback: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_manual(self) -> bool:
        return self.fraction is None


class QuestionType:
    """One kind of question. Subclasses set ``name`` and implement the methods."""

    name: ClassVar[str]
    manual: ClassVar[bool] = False  # graded by a person

    def validate(self, definition: Definition) -> list[str]:
        """Every problem with the definition (empty when valid)."""
        raise NotImplementedError

    def prepare(self, definition: Definition, rng: random.Random, shuffle: bool) -> dict:
        """Per-attempt state, e.g. ``{"order": [...]}``; stored with the attempt."""
        return {}

    def public_view(self, definition: Definition, state: dict) -> dict:
        """What the learner may see while answering: no key, no fractions, no feedback."""
        raise NotImplementedError

    def parse_response(self, definition: Definition, raw: Any) -> Any:
        """Normalise a submitted response (from a form or JSON); ResponseError if invalid."""
        raise NotImplementedError

    def grade(self, definition: Definition, response: Any) -> Grade:
        """Fraction 0..1 and feedback for a parsed response (None response: not answered)."""
        raise NotImplementedError

    def right_answer(self, definition: Definition) -> str:
        """The correct answer in words, for the review once the quiz allows it."""
        raise NotImplementedError


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    if cls.name in REGISTRY:
        raise ValueError(f"question type {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls()
    return cls


def question_type(name: str) -> QuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise DefinitionError([f"unknown question type {name!r}"]) from None


def validate(definition: Definition) -> None:
    """Raise DefinitionError unless the definition is valid for its type."""
    if not isinstance(definition, dict) or not isinstance(definition.get("type"), str):
        raise DefinitionError(["a definition is a mapping with a 'type'"])
    problems = question_type(definition["type"]).validate(definition)
    if problems:
        raise DefinitionError(problems)
