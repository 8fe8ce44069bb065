"""The matching rules: first as pure functions (no app, no database): shift overlap across
shifts and time zones, a score that explains itself, and a plan that fills places fairly and
never beyond them; then a batch of new hires imported and proposed through the database."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.extensions import db
from lms.mentorship import proposals, services
from lms.mentorship.matching import (
    FACTORS,
    MentorFacts,
    PersonFacts,
    factor_values,
    plan,
    score,
    shift_overlap,
)
from lms.mentorship.models import DEFAULT_WEIGHTS, Mentorship, MentorshipStatus
from lms.notifications import message
from lms.organisation.importer import import_employees
from lms.organisation.models import Employee
from tests.mentorship.conftest import NOW, loads, new_hires_csv, notes, open_per_mentor

SUMMER = dt.date(2026, 7, 1)  # London on BST (UTC+1)
WINTER = dt.date(2026, 1, 15)  # London on GMT (UTC+0)
PROPERTY = settings(max_examples=80, deadline=None, database=None)


def person(
    pid: int,
    *,
    team: int | None = 1,
    department: int | None = 1,
    post: int | None = 1,
    level: int | None = 1,
    shift: str | None = "day",
    timezone: str = "Asia/Shanghai",
) -> PersonFacts:
    return PersonFacts(pid, team, department, post, level, shift, timezone)


def mentor(pid: int, capacity: int = 3, load: int = 0, **fields) -> MentorFacts:
    return MentorFacts(person(pid, **fields), capacity=capacity, load=load)


# --- shift overlap ----------------------------------------------------------------------


def test_same_shift_and_zone_overlap_fully():
    for shift in ("morning", "day", "evening", "night", None):
        a, b = person(1, shift=shift), person(2, shift=shift)
        assert shift_overlap(a, b, SUMMER) == 1.0


def test_none_shift_means_day():
    assert shift_overlap(person(1, shift=None), person(2, shift="day"), SUMMER) == 1.0


def test_day_shift_shanghai_and_london_barely_meet():
    shanghai, london = person(1), person(2, timezone="Europe/London")
    # Shanghai 09-18 is 01-10 UTC; London's day is 08-17 UTC in summer, 09-18 in winter.
    assert shift_overlap(shanghai, london, SUMMER) == pytest.approx(2 / 9)
    assert shift_overlap(shanghai, london, WINTER) == pytest.approx(1 / 9)
    assert shift_overlap(london, shanghai, WINTER) == pytest.approx(1 / 9)


def test_evening_in_shanghai_is_daytime_in_london():
    evening = person(1, shift="evening")  # 16-24 local = 08-16 UTC
    london_day = person(2, timezone="Europe/London")
    assert shift_overlap(evening, london_day, SUMMER) == 1.0  # London day 08-17 UTC
    assert shift_overlap(evening, london_day, WINTER) == pytest.approx(7 / 8)  # 09-18 UTC


def test_day_and_night_shift_in_one_zone_never_meet():
    assert shift_overlap(person(1, shift="day"), person(2, shift="night"), SUMMER) == 0.0
    assert shift_overlap(person(1, shift="morning"), person(2, shift="evening"), SUMMER) == 0.0


def test_overlap_is_the_share_of_the_mentees_hours():
    morning, day = person(1, shift="morning"), person(2, shift="day")
    # morning 08-16 (8 h), day 09-18 (9 h): 7 common hours
    assert shift_overlap(morning, day, SUMMER) == pytest.approx(7 / 8)
    assert shift_overlap(day, morning, SUMMER) == pytest.approx(7 / 9)


def test_unknown_time_zone_counts_as_utc():
    assert shift_overlap(person(1, timezone="Mars/Olympus"), person(2, timezone="UTC"), SUMMER) == 1


# --- score ------------------------------------------------------------------------------


def _by_factor(reasons):
    return {r["factor"]: r for r in reasons}


def test_score_explains_each_factor_and_the_points_add_up():
    mentee = person(1, team=1, department=1, post=1, level=1)
    best = MentorFacts(person(2, team=1, post=1), capacity=4, load=1, passed=3, graded=4)
    total, reasons = score(mentee, best, DEFAULT_WEIGHTS, SUMMER)
    assert [r["factor"] for r in reasons] == list(FACTORS)
    why = _by_factor(reasons)
    assert why["team"] == {"factor": "team", "points": 30.0, "why": "same_team"}
    assert why["post"] == {"factor": "post", "points": 15.0, "why": "same_post"}
    assert why["shift"] == {"factor": "shift", "points": 20.0, "percent": 100}
    assert why["load"] == {"factor": "load", "points": 15.0, "free": 3, "capacity": 4}
    # (3 + 1) / (4 + 2): smoothed results
    assert why["results"] == {"factor": "results", "points": 10.0, "percent": 67, "graded": 4}
    assert total == pytest.approx(sum(r["points"] for r in reasons)) == pytest.approx(90.0)


def test_score_reasons_for_a_distant_mentor():
    mentee = person(1, team=1, department=1, post=1, level=1)
    other = MentorFacts(
        person(2, team=2, department=2, post=9, level=5, timezone="Europe/London"),
        capacity=2,
        load=2,
    )
    total, reasons = score(mentee, other, DEFAULT_WEIGHTS, WINTER)
    why = _by_factor(reasons)
    assert why["team"]["why"] == "other_team" and why["team"]["points"] == 0
    assert why["post"]["why"] == "other_post" and why["post"]["points"] == 0
    assert why["shift"]["percent"] == 11 and why["shift"]["points"] == pytest.approx(2.2)
    assert why["load"] == {"factor": "load", "points": 0.0, "free": 0, "capacity": 2}
    assert why["results"]["percent"] == 50 and why["results"]["graded"] == 0
    assert total == pytest.approx(sum(r["points"] for r in reasons))


def test_same_department_and_level_above_earn_their_share():
    mentee = person(1, team=1, department=7, post=1, level=2)
    senior = mentor(2, team=2, department=7, post=5, level=3)
    why = _by_factor(score(mentee, senior, DEFAULT_WEIGHTS, SUMMER)[1])
    assert why["team"] == {"factor": "team", "points": 15.0, "why": "same_department"}
    assert why["post"] == {"factor": "post", "points": 15.0, "why": "level_above"}
    junior = mentor(3, team=2, department=7, post=5, level=1)  # below is no match
    assert _by_factor(score(mentee, junior, DEFAULT_WEIGHTS, SUMMER)[1])["post"]["points"] == 0


def test_hr_weights_scale_the_points():
    mentee = person(1)
    twin = mentor(2)
    weights = {"team": 100, "post": 0, "shift": 0, "load": 0, "results": 0}
    total, reasons = score(mentee, twin, weights, SUMMER)
    assert total == 100.0
    assert [r["points"] for r in reasons] == [100.0, 0.0, 0.0, 0.0, 0.0]
    # a factor missing from the weights counts nothing
    assert score(mentee, twin, {"team": 10}, SUMMER)[0] == 10.0


@PROPERTY
@given(
    st.integers(1, 10),
    st.integers(0, 10),
    st.integers(0, 20),
    st.integers(0, 20),
    st.sampled_from(["morning", "day", "evening", "night"]),
    st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York", "UTC"]),
    st.dictionaries(st.sampled_from(FACTORS), st.integers(0, 100)),
)
def test_points_always_add_up(capacity, load, passed, graded, shift, zone, weights):
    them = MentorFacts(
        person(2, team=3, shift=shift, timezone=zone),
        capacity=capacity,
        load=min(load, capacity),
        passed=min(passed, graded),
        graded=graded,
    )
    total, reasons = score(person(1), them, weights, SUMMER)
    assert len(reasons) == len(FACTORS)
    assert total == pytest.approx(sum(r["points"] for r in reasons), abs=0.05)
    assert 0 <= total <= sum(weights.values()) + 0.05
    assert all(0 <= v <= 1 for v in factor_values(person(1), them, SUMMER))


# --- plan ---------------------------------------------------------------------------------


def _mentees(count: int, first_id: int = 1000) -> list[PersonFacts]:
    return [person(first_id + i) for i in range(count)]


def test_forty_new_hires_for_thirty_places():
    mentors = [mentor(i, capacity=3) for i in range(1, 11)]
    matches = plan(_mentees(40), mentors, DEFAULT_WEIGHTS, SUMMER)
    matched = [m for m in matches if m.mentor is not None]
    assert len(matches) == 40 and len(matched) == 30
    assert [m.mentee.id for m in matches if m.mentor is None] == list(range(1030, 1040))
    assert all(m.score == 0 and m.reasons is None for m in matches if m.mentor is None)
    assert [m.load for m in mentors] == [3] * 10
    counts = {m.person.id: 0 for m in mentors}
    for match in matched:
        counts[match.mentor.person.id] += 1
    assert set(counts.values()) == {3}


@pytest.mark.parametrize("hires", [40, 43, 7])
def test_equal_mentors_share_a_batch_evenly(hires):
    mentors = [mentor(i, capacity=5) for i in range(1, 11)]
    matches = plan(_mentees(hires), mentors, DEFAULT_WEIGHTS, SUMMER)
    assert all(m.mentor is not None for m in matches)
    loads = [m.load for m in mentors]
    assert sum(loads) == hires and max(loads) - min(loads) <= 1


def test_each_proposal_is_explained_before_the_place_is_taken():
    only = mentor(1, capacity=2)
    first, second = plan(_mentees(2), [only], DEFAULT_WEIGHTS, SUMMER)
    assert _by_factor(first.reasons)["load"]["free"] == 2
    assert _by_factor(second.reasons)["load"]["free"] == 1
    assert first.score > second.score


def test_plan_prefers_the_better_fit_until_it_is_full():
    close = mentor(1, capacity=2, team=1)
    far = mentor(2, capacity=5, team=2, department=2)
    matches = plan(_mentees(4), [far, close], DEFAULT_WEIGHTS, SUMMER)
    assert [m.mentor.person.id for m in matches][:2] == [1, 1]
    assert [m.mentor.person.id for m in matches][2:] == [2, 2]
    assert (close.load, far.load) == (2, 2)


def test_plan_skips_full_mentors_zero_capacity_and_the_mentee_themselves():
    full = mentor(1, capacity=2, load=2)
    none = mentor(2, capacity=0)
    self_ = mentor(1000, capacity=3)
    matches = plan(_mentees(1), [full, none, self_], DEFAULT_WEIGHTS, SUMMER)
    assert matches[0].mentor is None
    assert (full.load, none.load, self_.load) == (2, 0, 0)


def test_plan_with_no_mentors_leaves_everyone_unmatched():
    assert [m.mentor for m in plan(_mentees(3), [], DEFAULT_WEIGHTS, SUMMER)] == [None] * 3


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=8),
    st.integers(0, 40),
    st.dictionaries(st.sampled_from(FACTORS), st.integers(0, 50)),
)
def test_plan_never_exceeds_capacity(places, hires, weights):
    mentors = [
        mentor(i + 1, capacity=cap, load=min(load, cap), team=i % 3)
        for i, (cap, load) in enumerate(places)
    ]
    free = sum(m.free for m in mentors)
    matches = plan(_mentees(hires), mentors, weights, SUMMER)
    assert all(0 <= m.load <= m.capacity for m in mentors)
    assert sum(1 for m in matches if m.mentor is not None) == min(hires, free)
    assert [m.mentee.id for m in matches] == [p.id for p in _mentees(hires)]


# --- through the database -----------------------------------------------------------------


def test_forty_imported_new_hires_get_thirty_proposals(make, mentors, hr):
    team = make.team("售后一组")
    crew = {mentors.mentor(team).id for _ in range(10)}
    db.session.commit()

    report = import_employees("new-hires.csv", new_hires_csv(40), actor=hr, now=NOW)
    assert report.ok, report.problems
    assert len(report.created) == 40
    db.session.commit()

    rows = db.session.scalars(sa.select(Mentorship)).all()
    assert len(rows) == 30
    assert {p.status for p in rows} == {MentorshipStatus.PROPOSED}
    assert {p.mentor_id for p in rows} == crew
    assert all(p.score > 0 and len(p.reasons) == 5 for p in rows)
    assert len({p.mentee_id for p in rows}) == 30
    assert loads() == dict.fromkeys(crew, (3, 3))
    assert open_per_mentor() == dict.fromkeys(crew, 3)
    # the first thirty in the file (same hire date: in the order created) have a mentor
    matched = set(
        db.session.scalars(
            sa.select(Employee.employee_no).join(Mentorship, Mentorship.mentee_id == Employee.id)
        )
    )
    assert matched == {f"N{i:04d}" for i in range(1, 31)}
    [note] = notes("mentees_unmatched", hr)
    assert note.params == {"count": 10}
    assert message(note).startswith("10 new hires have no mentor")

    # proposing again finds no place; a mentor given two more places takes two more
    again = proposals.propose(None, now=NOW)
    assert again.matched == [] and len(again.unmatched) == 10
    first = min(crew)
    services.set_capacity(db.session.get(Employee, first), 5)
    more = proposals.propose(None, now=NOW)
    assert [m.mentor_id for m in more.matched] == [first, first] and len(more.unmatched) == 8
    assert loads()[first] == (5, 5)
    assert [n.params["count"] for n in notes("mentees_unmatched", hr)] == [10, 10, 8]
