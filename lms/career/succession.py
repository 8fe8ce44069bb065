"""Succession slates for key posts: candidates ranked by readiness.

Interface (the engine writes it; the HR screens and the API use it):

- ``key_posts(today) -> list[KeyPostSummary]`` — every post flagged ``is_key``, with the
  number of candidates ready now, ready within a year and later (set-wise, bounded statements).
- ``slate(post_id, today) -> Slate | None`` — None when the post does not exist. Candidates are
  the active people in a post with a step into the key post, plus anyone whose career plan
  targets it; each with their ``Readiness`` for that step; ranked ready now first, then by
  months to ready, then by readiness percent (descending), then by name.

Candidates: people with status active in a post from which a step leads into the key post,
and anyone not gone (onboarding or active) whose career plan targets the key post and stands
in such a post (a plan whose target no step reaches from the person's post adds nobody: there
is no step to evaluate). People already in the key post are not candidates.

Statements: a handful (the posts, the steps into them, the people, the plans) plus
``readiness.evaluate``'s — the same for ten people or ten thousand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from lms.career import readiness
from lms.career.models import CareerPlan, CareerStep
from lms.career.readiness import Horizon, Readiness
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Post


@dataclass
class Candidate:
    employee: Employee
    readiness: Readiness

    @property
    def horizon(self) -> Horizon:
        return self.readiness.horizon


@dataclass
class Slate:
    post: Post
    candidates: list[Candidate] = field(default_factory=list)

    def by_horizon(self, horizon: Horizon) -> list[Candidate]:
        return [c for c in self.candidates if c.horizon == horizon]


@dataclass
class KeyPostSummary:
    post: Post
    ready_now: int
    ready_within_year: int
    later: int


def _candidate_pairs(post_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each post, its candidates as (employee_id, step_id) pairs. Three statements."""
    if not post_ids:
        return {}
    steps = db.session.execute(
        sa.select(CareerStep.id, CareerStep.from_post_id, CareerStep.to_post_id).where(
            CareerStep.to_post_id.in_(post_ids)
        )
    ).all()
    into: dict[tuple[int, int], int] = {(f, t): step_id for step_id, f, t in steps}
    from_posts = sorted({f for _s, f, _t in steps})
    pairs: dict[int, dict[int, int]] = {post_id: {} for post_id in post_ids}
    if from_posts:
        people = db.session.execute(
            sa.select(Employee.id, Employee.post_id).where(
                Employee.post_id.in_(from_posts), Employee.status == EmployeeStatus.ACTIVE
            )
        )
        leaving: dict[int, list[int]] = {}
        for _s, f, t in steps:
            leaving.setdefault(f, []).append(t)
        for person_id, post_id in people:
            for target in leaving.get(post_id, ()):
                pairs[target][person_id] = into[(post_id, target)]
    planned = db.session.execute(
        sa.select(Employee.id, Employee.post_id, CareerPlan.target_post_id)
        .join(CareerPlan, CareerPlan.employee_id == Employee.id)
        .where(CareerPlan.target_post_id.in_(post_ids), Employee.status != EmployeeStatus.LEFT)
    )
    for person_id, post_id, target in planned:
        step_id = into.get((post_id, target))
        if step_id is not None:
            pairs[target][person_id] = step_id
    return {post_id: sorted(found.items()) for post_id, found in pairs.items()}


def _rank(candidate: Candidate) -> tuple:
    r = candidate.readiness
    return (not r.ready, r.months_to_ready, -r.percent, candidate.employee.name, r.employee_id)


def key_posts(today: dt.date) -> list[KeyPostSummary]:
    """Every key post (by level, highest first, then title) with its candidates counted by
    horizon."""
    posts = list(
        db.session.scalars(
            sa.select(Post).where(Post.is_key.is_(True)).order_by(Post.level.desc(), Post.title)
        )
    )
    pairs = _candidate_pairs([post.id for post in posts])
    found = readiness.evaluate([pair for ps in pairs.values() for pair in ps], today)
    summaries = []
    for post in posts:
        counts = Counter(found[pair].horizon for pair in pairs.get(post.id, ()) if pair in found)
        summaries.append(
            KeyPostSummary(
                post=post,
                ready_now=counts[Horizon.NOW],
                ready_within_year=counts[Horizon.YEAR],
                later=counts[Horizon.LATER],
            )
        )
    return summaries


def slate(post_id: int, today: dt.date) -> Slate | None:
    """The ranked candidates for a post (key or not), each with their readiness."""
    post = db.session.get(Post, post_id)
    if post is None:
        return None
    pairs = _candidate_pairs([post.id])[post.id]
    found = readiness.evaluate(pairs, today)
    people = _employees([p for p, _s in pairs])
    candidates = [
        Candidate(employee=people[p], readiness=found[(p, s)])
        for p, s in pairs
        if (p, s) in found and p in people
    ]
    candidates.sort(key=_rank)
    return Slate(post=post, candidates=candidates)


def _employees(ids: list[int]) -> dict[int, Employee]:
    """The candidates with their team and post (one statement; everyone when they are many,
    so the bound parameters stay few)."""
    from lms.career.requirements_base import among

    wanted = set(ids)
    if not wanted:
        return {}
    people = db.session.scalars(
        sa.select(Employee)
        .where(among(Employee.id, wanted), Employee.status != EmployeeStatus.LEFT)
        .options(
            joinedload(Employee.team),
            joinedload(Employee.post),
            lazyload(Employee.role_grants),  # not shown; selectin would batch by 500
        )
    ).unique()
    return {person.id: person for person in people if person.id in wanted}
