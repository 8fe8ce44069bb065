"""Matching new hires with mentors: a score that explains itself, and a fair plan.

Pure functions over plain facts, so the service, the CLI and the benchmark share them and
tests need no database. The score weighs (with HR's weights, each factor 0..1):

- team: same team 1, same department 0.5;
- post: same post, or the mentor one level above the mentee's, 1;
- shift: how much of the mentee's working hours the mentor works too (shift and time zone);
- load: the share of the mentor's places still free;
- results: how the mentor's past mentees did in quizzes (smoothed, 0.5 with no data).

``plan`` gives each mentee, oldest hire first, the best mentor with a free place; a place
taken lowers that mentor's load factor, so a batch spreads instead of piling up.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lms.organisation.models import SHIFTS

FACTORS = ("team", "post", "shift", "load", "results")


@dataclass(frozen=True)
class PersonFacts:
    id: int
    team_id: int | None
    department_id: int | None
    post_id: int | None
    post_level: int | None
    shift: str | None
    timezone: str


@dataclass
class MentorFacts:
    person: PersonFacts
    capacity: int
    load: int
    passed: int = 0  # graded quiz attempts of their past and present mentees that passed
    graded: int = 0

    @property
    def free(self) -> int:
        return self.capacity - self.load


@dataclass
class Match:
    mentee: PersonFacts
    mentor: MentorFacts | None
    score: float = 0.0
    reasons: list[dict[str, Any]] | None = None


@lru_cache(maxsize=256)
def _utc_hours(shift: str | None, timezone: str, day: dt.date) -> frozenset[int]:
    start, end = SHIFTS[shift or "day"]
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    offset = dt.datetime.combine(day, dt.time(12), zone).utcoffset() or dt.timedelta()
    shift_hours = int(offset.total_seconds() // 3600)
    return frozenset((hour - shift_hours) % 24 for hour in range(start, end))


def shift_overlap(mentee: PersonFacts, mentor: PersonFacts, day: dt.date) -> float:
    """The share of the mentee's working hours in which the mentor works too."""
    theirs = _utc_hours(mentee.shift, mentee.timezone, day)
    return len(theirs & _utc_hours(mentor.shift, mentor.timezone, day)) / len(theirs)


def _team(mentee: PersonFacts, them: PersonFacts) -> tuple[float, str]:
    if them.team_id is not None and them.team_id == mentee.team_id:
        return 1.0, "same_team"
    if them.department_id is not None and them.department_id == mentee.department_id:
        return 0.5, "same_department"
    return 0.0, "other_team"


def _post(mentee: PersonFacts, them: PersonFacts) -> tuple[float, str]:
    if them.post_id is not None and them.post_id == mentee.post_id:
        return 1.0, "same_post"
    if (
        them.post_level is not None
        and mentee.post_level is not None
        and them.post_level == mentee.post_level + 1
    ):
        return 1.0, "level_above"
    return 0.0, "other_post"


def factor_values(
    mentee: PersonFacts, mentor: MentorFacts, day: dt.date
) -> tuple[float, float, float, float, float]:
    """Each factor's value (0..1), in the order of ``FACTORS``."""
    return (
        _team(mentee, mentor.person)[0],
        _post(mentee, mentor.person)[0],
        shift_overlap(mentee, mentor.person, day),
        mentor.free / mentor.capacity if mentor.capacity else 0.0,
        (mentor.passed + 1) / (mentor.graded + 2),
    )


def score(
    mentee: PersonFacts, mentor: MentorFacts, weights: dict[str, int], day: dt.date
) -> tuple[float, list[dict[str, Any]]]:
    """The weighted score (0..sum of weights) and, per factor, why."""
    values = factor_values(mentee, mentor, day)
    details = (
        {"why": _team(mentee, mentor.person)[1]},
        {"why": _post(mentee, mentor.person)[1]},
        {"percent": round(values[2] * 100)},
        {"free": mentor.free, "capacity": mentor.capacity},
        {"percent": round(values[4] * 100), "graded": mentor.graded},
    )
    reasons = [
        {"factor": name, "points": round(value * weights.get(name, 0), 1), **detail}
        for name, value, detail in zip(FACTORS, values, details, strict=True)
    ]
    return round(sum(r["points"] for r in reasons), 1), reasons


def plan(
    mentees: list[PersonFacts],
    mentors: list[MentorFacts],
    weights: dict[str, int],
    day: dt.date,
) -> list[Match]:
    """The best mentor with a free place for each mentee, in the order given. ``mentors``'
    loads are raised as places are taken."""
    weight = tuple(weights.get(name, 0) for name in FACTORS)
    matches = []
    for mentee in mentees:
        best: MentorFacts | None = None
        best_total = -1.0
        for mentor in mentors:
            if mentor.load >= mentor.capacity or mentor.person.id == mentee.id:
                continue
            values = factor_values(mentee, mentor, day)
            total = sum(v * w for v, w in zip(values, weight, strict=True))
            if total > best_total + 1e-9:
                best, best_total = mentor, total
        if best is None:
            matches.append(Match(mentee, None))
            continue
        total, reasons = score(mentee, best, weights, day)  # explained before it is taken
        best.load += 1
        matches.append(Match(mentee, best, total, reasons))
    return matches
