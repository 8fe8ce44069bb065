"""The question bank: nested categories (per track by default), questions with versions and
tags. Editing a question makes a new version; attempts keep the version they were given."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from assessments.models import Question, QuestionCategory, QuestionTag, QuestionVersion
from assessments.types import DefinitionError, validate
from courses.models import Track
from lms.extensions import db
from lms.organisation.models import Employee

TAG = re.compile(r"^[\w\u4e00-\u9fff-]{1,50}$")


class BankError(ValueError):
    def __init__(self, message: str, field: str | None = None, problems: list[str] | None = None):
        super().__init__(message)
        self.field = field
        self.problems = problems or []


def save_category(
    category: QuestionCategory | None,
    *,
    name: str,
    name_en: str | None,
    parent: QuestionCategory | None,
    track: Track | None = None,
) -> QuestionCategory:
    name = (name or "").strip()
    if not name or "/" in name or len(name) > 100:
        raise BankError(_("A category name has 1 to 100 characters and no '/'."), "name")
    if category is not None and parent is not None:
        walker = parent
        while walker is not None:
            if walker.id == category.id:
                raise BankError(_("A category cannot be inside itself."), "parent")
            walker = walker.parent
    clash = db.session.scalar(
        sa.select(QuestionCategory).where(
            QuestionCategory.parent_id == (parent.id if parent else None),
            QuestionCategory.name == name,
        )
    )
    if clash is not None and clash is not category:
        raise BankError(_("This category exists already."), "name")
    category = category or QuestionCategory()
    category.name, category.name_en = name, (name_en or "").strip() or None
    category.parent, category.track = parent, track
    db.session.add(category)
    db.session.flush()
    return category


def category_by_path(path: list[str], *, create: bool = False) -> QuestionCategory | None:
    """The category at this path of names (created on the way when asked)."""
    parent = None
    for name in [p.strip() for p in path if p.strip()]:
        found = db.session.scalar(
            sa.select(QuestionCategory).where(
                QuestionCategory.parent_id == (parent.id if parent else None),
                QuestionCategory.name == name,
            )
        )
        if found is None:
            if not create:
                return None
            found = save_category(None, name=name, name_en=None, parent=parent)
        parent = found
    return parent


def category_path(category: QuestionCategory) -> list[str]:
    names = []
    walker: QuestionCategory | None = category
    while walker is not None:
        names.append(walker.name)
        walker = walker.parent
    return list(reversed(names))


def _clean_tags(tags: list[str] | None) -> list[str]:
    cleaned = []
    for tag in tags or []:
        tag = tag.strip()
        if not tag:
            continue
        if not TAG.match(tag):
            raise BankError(_("A tag has letters, digits, '-' or '_' (at most 50)."), "tags")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _checked(definition: dict) -> dict:
    try:
        validate(definition)
    except DefinitionError as error:
        raise BankError(
            _("The question is not valid: %(p)s", p="; ".join(str(p) for p in error.problems)),
            "definition",
            [str(p) for p in error.problems],
        ) from None
    return definition


def create_question(
    category: QuestionCategory,
    definition: dict,
    *,
    actor: Employee | None,
    now: dt.datetime,
    tags: list[str] | None = None,
) -> Question:
    definition = _checked(definition)
    question = Question(
        category=category, created_by_id=actor.id if actor else None, created_at=now
    )
    question.tags = [QuestionTag(tag=t) for t in _clean_tags(tags)]
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(
        question_id=question.id,
        number=1,
        type=definition["type"],
        definition=definition,
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    db.session.flush()
    return question


def edit_question(
    question: Question,
    definition: dict,
    *,
    actor: Employee | None,
    now: dt.datetime,
    tags: list[str] | None = None,
    category: QuestionCategory | None = None,
) -> QuestionVersion:
    """A new version (the old ones stay for the attempts that used them). An unchanged
    definition makes no version."""
    definition = _checked(definition)
    if tags is not None:
        question.tags = [QuestionTag(tag=t) for t in _clean_tags(tags)]
    if category is not None:
        question.category = category
    current = question.current_version
    if current is not None and current.definition == definition:
        db.session.flush()
        return current
    number = (
        db.session.scalar(
            sa.select(sa.func.max(QuestionVersion.number)).where(
                QuestionVersion.question_id == question.id
            )
        )
        or 0
    ) + 1
    version = QuestionVersion(
        question_id=question.id,
        number=number,
        type=definition["type"],
        definition=definition,
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    if current is not None:  # the images come along to the new version
        from assessments.images import copy_images

        copy_images(current, version)
    question.current_version = version
    db.session.flush()
    return version


def archive_question(question: Question, archived: bool = True) -> None:
    """Archived questions leave random draws; quizzes naming them keep working."""
    question.archived = archived
    db.session.flush()
