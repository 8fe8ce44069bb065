"""The team lead's view of the team's readiness for each person's next step (their plan's
target, or else their first promotion): who is in the team, each person's readiness, whether
someone endorsed them, counts by horizon, sorting and paging — a bounded number of statements
whatever the team's size (the readiness itself is evaluated set-wise by the engine)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from lms.career import plans, readiness
from lms.career.readiness import Horizon, Readiness
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Post, Team

SORTS = ("name", "post", "next", "readiness", "horizon", "gaps", "endorsed")
HORIZON_ORDER = {Horizon.NOW: 0, Horizon.YEAR: 1, Horizon.LATER: 2}


@dataclass
class TeamRow:
    person: Employee
    readiness: Readiness | None
    next_post: Post | None
    endorsed: bool  # a standing endorsement by anyone for the next step
    endorsed_by_me: bool
    leads: bool  # the viewer is this person's supervisor or team lead

    @property
    def horizon(self) -> Horizon | None:
        return self.readiness.horizon if self.readiness else None

    @property
    def gaps(self) -> int | None:
        return len(self.readiness.gaps) if self.readiness else None


def _active() -> sa.ColumnElement[bool]:
    return Employee.status != EmployeeStatus.LEFT


def members(viewer: Employee, team_id: int | None, everyone: bool) -> list[Employee]:
    """The people the viewer leads (their supervisor, or the lead of their team); with
    ``everyone`` (HR) the chosen team's people, or everybody for no team."""
    query = (
        sa.select(Employee)
        .where(_active(), Employee.id != viewer.id)
        .options(
            joinedload(Employee.post),
            joinedload(Employee.team),
            lazyload(Employee.role_grants),  # not needed here: no batch of SELECTs per 500
        )
    )
    if everyone:
        if team_id is not None:
            query = query.where(Employee.team_id == team_id)
    else:
        led = sa.select(Team.id).where(Team.lead_id == viewer.id)
        query = query.where(sa.or_(Employee.supervisor_id == viewer.id, Employee.team_id.in_(led)))
    return list(db.session.scalars(query.order_by(Employee.name, Employee.id)).unique())


def team_choices(viewer: Employee, everyone: bool) -> list[Team]:
    query = sa.select(Team).order_by(Team.name)
    if not everyone:
        query = query.where(Team.lead_id == viewer.id)
    return list(db.session.scalars(query))


def rows(people: list[Employee], viewer: Employee, today: dt.date) -> list[TeamRow]:
    if not people:
        return []
    found: dict[int, Readiness | None] = readiness.for_people(people, today)
    ready = {pid: r for pid, r in found.items() if r is not None}
    post_ids = {r.to_post_id for r in ready.values()}
    posts = (
        {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(post_ids)))}
        if post_ids
        else {}
    )
    endorsements = plans.active_endorsements(
        list(ready), sorted({r.step_id for r in ready.values()})
    )
    endorsed = {(e.employee_id, e.step_id) for e in endorsements}
    mine = {(e.employee_id, e.step_id) for e in endorsements if e.endorser_id == viewer.id}
    result = []
    for person in people:
        r = ready.get(person.id)
        key = (person.id, r.step_id) if r else None
        result.append(
            TeamRow(
                person=person,
                readiness=r,
                next_post=posts.get(r.to_post_id) if r else None,
                endorsed=key in endorsed,
                endorsed_by_me=key in mine,
                leads=person.supervisor_id == viewer.id
                or (person.team is not None and person.team.lead_id == viewer.id),
            )
        )
    return result


def summary(team: list[TeamRow]) -> dict[str, int]:
    counts = Counter(str(row.horizon) if row.horizon else "none" for row in team)
    return {key: counts.get(key, 0) for key in ("now", "year", "later", "none")}


def sort_rows(team: list[TeamRow], key: str, descending: bool, lang: str) -> list[TeamRow]:
    """Rows in the chosen order; people without a next step always last."""

    def name(row: TeamRow) -> tuple:
        return (row.person.name, row.person.id)

    def value(row: TeamRow):
        if key == "post":
            return row.person.post.display_name(lang) if row.person.post else ""
        if key == "next":
            return row.next_post.display_name(lang) if row.next_post else ""
        if key == "readiness":
            return row.readiness.percent
        if key == "horizon":
            return HORIZON_ORDER[row.horizon]
        if key == "gaps":
            return row.gaps
        if key == "endorsed":
            return row.endorsed
        return row.person.name

    ordered = sorted(team, key=name)
    if key == "name":
        return list(reversed(ordered)) if descending else ordered
    needs_step = key in ("readiness", "horizon", "gaps", "next")
    with_value = [r for r in ordered if not needs_step or r.readiness is not None]
    without = [r for r in ordered if needs_step and r.readiness is None]
    return sorted(with_value, key=value, reverse=descending) + without


class ListPage:
    """A page of an in-memory list, with what ``_macros.pager`` reads."""

    def __init__(self, items: list, page: int, per_page: int) -> None:
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, math.ceil(self.total / per_page))
        self.page = min(max(page, 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = items[start : start + per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=2, left_current=2, right_current=4, right_edge=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current - 1 < number < self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number
