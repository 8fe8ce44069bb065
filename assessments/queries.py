"""Read-only queries for the question bank's pages: the category tree with its question
counts, the question list, the tags in use, one question with its tags, and a question's
versions. Each runs a fixed number of statements whatever the size of the bank.

The queries of HR's quiz pages are in ``assessments.reports``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from assessments.models import Question, QuestionCategory, QuestionTag, QuestionVersion
from lms.extensions import db
from lms.organisation.models import Employee

# --- the category tree ----------------------------------------------------------------------


@dataclass
class Node:
    category: QuestionCategory
    path: str
    depth: int
    own: int = 0  # questions directly in it
    total: int = 0  # questions in it and below
    children: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    roots: list[Node]
    nodes: dict[int, Node]

    def below(self, category_id: int) -> list[int]:
        """The category's id and the ids of every category below it."""
        found, queue = [], [self.nodes[category_id]]
        while queue:
            node = queue.pop()
            found.append(node.category.id)
            queue.extend(node.children)
        return found

    def flat(self, exclude: int | None = None) -> list[Node]:
        """Depth first, by name; without ``exclude`` and what is below it."""
        out: list[Node] = []

        def walk(nodes: list[Node]) -> None:
            for node in nodes:
                if node.category.id != exclude:
                    out.append(node)
                    walk(node.children)

        walk(self.roots)
        return out


def category_tree(locale: str) -> Tree:
    """Every category with its path (names in ``locale``) and question counts, subcategories
    included (two statements: the categories, and one grouped count)."""
    categories = db.session.scalars(sa.select(QuestionCategory)).all()
    counts = dict(
        db.session.execute(
            sa.select(Question.category_id, sa.func.count(Question.id))
            .where(Question.archived.is_(False))
            .group_by(Question.category_id)
        ).all()
    )
    nodes = {c.id: Node(c, "", 0, own=counts.get(c.id, 0)) for c in categories}
    roots = []
    for node in sorted(nodes.values(), key=lambda n: n.category.display_name(locale)):
        parent = nodes.get(node.category.parent_id) if node.category.parent_id else None
        (parent.children if parent else roots).append(node)

    def settle(node: Node, prefix: str, depth: int) -> int:
        node.path = prefix + node.category.display_name(locale)
        node.depth = depth
        node.total = node.own + sum(settle(c, node.path + " / ", depth + 1) for c in node.children)
        return node.total

    for root in roots:
        settle(root, "", 0)
    return Tree(roots, nodes)


# --- the question list ----------------------------------------------------------------------

BANK_SORTS = ("created", "title", "type", "version")


@dataclass
class BankFilter:
    category: int | None = None
    subcategories: bool = True
    q: str = ""
    type: str | None = None
    tag: str | None = None
    archived: bool = False
    sort: str = "created"
    descending: bool = True


def question_list_query(f: BankFilter, tree: Tree) -> sa.Select:
    """The bank's questions as filtered and sorted, with their current versions and tags
    loaded eagerly."""
    version = QuestionVersion
    title = sa.func.coalesce(version.definition["title"].as_string(), "")
    stem = sa.func.coalesce(version.definition["stem"].as_string(), "")
    query = (
        sa.select(Question)
        .join(version, version.id == Question.current_version_id)
        .options(contains_eager(Question.current_version), selectinload(Question.tags))
    )
    if f.category is not None:
        ids = tree.below(f.category) if f.subcategories else [f.category]
        query = query.where(Question.category_id.in_(ids))
    if not f.archived:
        query = query.where(Question.archived.is_(False))
    if f.type:
        query = query.where(version.type == f.type)
    if f.tag:
        query = query.where(
            sa.exists().where(QuestionTag.question_id == Question.id, QuestionTag.tag == f.tag)
        )
    if f.q:
        needle = f.q.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(stem).contains(needle, autoescape=True),
                sa.func.lower(title).contains(needle, autoescape=True),
            )
        )
    keys = {
        "created": (Question.created_at,),
        "title": (sa.func.lower(sa.func.coalesce(sa.func.nullif(title, ""), stem)),),
        "type": (version.type,),
        "version": (version.number,),
    }[f.sort]
    order = [key.desc() if f.descending else key for key in keys]
    return query.order_by(*order, Question.id.desc() if f.descending else Question.id)


def tags_in_use(limit: int = 500) -> Sequence[str]:
    """The tags of the bank's questions, alphabetically (one statement)."""
    return db.session.scalars(
        sa.select(QuestionTag.tag).distinct().order_by(QuestionTag.tag).limit(limit)
    ).all()


# --- one question ---------------------------------------------------------------------------


def question_with_tags(question_id: int) -> Question | None:
    """The question with its current version and tags; None when it does not exist or has
    no version."""
    question = db.session.scalar(
        sa.select(Question)
        .where(Question.id == question_id)
        .options(selectinload(Question.current_version), selectinload(Question.tags))
    )
    if question is None or question.current_version is None:
        return None
    return question


def question_version(question: Question, number: int) -> QuestionVersion | None:
    """The question's version with this number (one statement)."""
    return db.session.scalar(
        sa.select(QuestionVersion).where(
            QuestionVersion.question_id == question.id, QuestionVersion.number == number
        )
    )


def version_history(question: Question) -> Sequence[sa.Row]:
    """(number, created_at, author's name) of each version of the question, newest first."""
    return db.session.execute(
        sa.select(QuestionVersion.number, QuestionVersion.created_at, Employee.name)
        .outerjoin(Employee, Employee.id == QuestionVersion.created_by_id)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.number.desc())
    ).all()
