"""Question types as a registry: one class per type (see ``base``). Importing this package
registers the ten types."""

from assessments.types import choice, manual, scenario, structured, text  # noqa: F401  (register)
from assessments.types.base import (
    REGISTRY,
    Definition,
    DefinitionError,
    Grade,
    QuestionType,
    ResponseError,
    question_type,
    register,
    validate,
)

__all__ = [
    "REGISTRY",
    "Definition",
    "DefinitionError",
    "Grade",
    "QuestionType",
    "ResponseError",
    "question_type",
    "register",
    "validate",
]
