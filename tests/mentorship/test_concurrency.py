"""Mentors' places under real concurrency: threads, each in its own app context with its own
session and connection, on the suite's database (SQLite file or PostgreSQL server)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.mentorship import eligibility, proposals, services
from lms.mentorship.models import HOLDS_SLOT, Mentorship, MentorshipStatus
from lms.organisation.importer import import_employees
from lms.organisation.models import Employee
from tests.mentorship.conftest import NOW, loads, new_hires_csv, notes, open_per_mentor
from tests.test_concurrency import _race

pytestmark = pytest.mark.concurrency


def _isolated(app, work: Callable[[int], object]) -> Callable[[int], object]:
    """``work`` run in a fresh context (as a request would be) inside its own app context,
    committing at the end; its session is removed whatever happens."""

    def run(i: int) -> object:
        def body() -> object:
            with app.app_context():
                try:
                    result = work(i)
                    db.session.commit()
                    return result
                finally:
                    db.session.remove()

        return contextvars.Context().run(body)

    return run


def _fresh() -> None:
    """Forget what the test's session holds, so it reads what the threads wrote."""
    db.session.rollback()
    db.session.expire_all()


def _check_places() -> dict[int, tuple[int, int]]:
    places = loads()
    assert all(0 <= load <= limit for load, limit in places.values()), places
    held = open_per_mentor()
    assert {i: load for i, (load, _limit) in places.items() if load} == held
    open_count = db.session.scalar(
        sa.select(sa.func.count(Mentorship.id)).where(Mentorship.status.in_(HOLDS_SLOT))
    )
    assert sum(load for load, _limit in places.values()) == open_count
    return places


@pytest.mark.parametrize("auto_assign", [False, True])
def test_two_imports_at_once_never_overfill_a_mentor(app, make, mentors, hr, auto_assign):
    eligibility.settings().auto_assign = auto_assign
    team = make.team("售后一组")
    crew = [mentors.mentor(team) for _ in range(3)]
    for person, capacity in zip(crew, (2, 1, 2), strict=True):
        services.set_capacity(person, capacity)
    db.session.commit()
    files = [new_hires_csv(6, prefix="A"), new_hires_csv(6, prefix="B")]

    def run_import(i: int) -> int:
        report = import_employees(f"batch-{i}.csv", files[i], actor=None, now=NOW)
        assert report.ok, report.problems
        return len(report.created)

    assert _race(_isolated(app, run_import), 2) == [6, 6]

    _fresh()
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1 + 3 + 12
    places = _check_places()
    assert places == {crew[0].id: (2, 2), crew[1].id: (1, 1), crew[2].id: (2, 2)}
    rows = db.session.scalars(sa.select(Mentorship)).all()
    assert len(rows) == 5 and len({m.mentee_id for m in rows}) == 5
    wanted = MentorshipStatus.ACTIVE if auto_assign else MentorshipStatus.PROPOSED
    assert {m.status for m in rows} == {wanted}
    assert sum(n.params["count"] for n in notes("mentees_unmatched", hr)) == 12 - 5


def test_eight_proposals_for_one_new_hire_make_one(app, mentors, hr):
    team = mentors.make.team("售后一组")
    crew = [mentors.mentor(team) for _ in range(2)]
    for person in crew:
        services.set_capacity(person, 3)
    hire_id = mentors.new_hire(team).id
    db.session.commit()

    def propose(_i: int) -> int:
        return len(proposals.propose([hire_id], now=NOW).matched)

    assert sum(_race(_isolated(app, propose))) == 1

    _fresh()
    [only] = db.session.scalars(sa.select(Mentorship)).all()
    assert only.mentee_id == hire_id and only.status == MentorshipStatus.PROPOSED
    places = _check_places()
    assert sorted(load for load, _limit in places.values()) == [0, 1]
    assert notes("mentees_unmatched") == []


def test_eight_proposals_for_many_hires_fill_each_place_once(app, mentors, hr):
    team = mentors.make.team("售后一组")
    crew = [mentors.mentor(team) for _ in range(3)]
    for person in crew:
        services.set_capacity(person, 2)
    hire_ids = [mentors.new_hire(team).id for _ in range(10)]
    db.session.commit()

    def propose(i: int) -> int:
        # each thread starts with a different hire, all of them overlapping
        return len(proposals.propose(hire_ids[i % 3 :], now=NOW).matched)

    assert sum(_race(_isolated(app, propose))) == 6

    _fresh()
    assert _check_places() == {p.id: (2, 2) for p in crew}
    mentees = db.session.scalars(sa.select(Mentorship.mentee_id)).all()
    assert len(mentees) == len(set(mentees)) == 6
