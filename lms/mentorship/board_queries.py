"""Read-only queries of HR's matching board, eligibility list and rules page: a fixed
number of statements whatever the number of new hires and mentors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from courses import queries as course_queries
from courses.models import Course
from lms.extensions import db
from lms.mentorship import eligibility, queries
from lms.mentorship.eligibility import MentorStanding
from lms.mentorship.models import MentorProfile, Mentorship, MentorshipSettings
from lms.mentorship.proposals import unmatched_new_hires
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee, Team


@dataclass
class Board:
    hires: list[Employee]  # new hires with neither a proposal nor a mentor
    proposals: list[Mentorship]
    mentors: list[MentorStanding]  # eligible mentors, with their capacity and load
    teams: dict[int, Team] = field(default_factory=dict)
    max_score: int = 0  # the sum of the matching weights

    @property
    def with_free_places(self) -> list[MentorStanding]:
        return [s for s in self.mentors if s.free > 0]

    @property
    def free_places(self) -> int:
        return sum(s.free for s in self.mentors)

    def options_for(self, mentee_id: int, *, besides: int | None = None) -> list[MentorStanding]:
        """Eligible mentors with a free place who could take this mentee (``besides``: the
        mentor already proposed, left out)."""
        return [s for s in self.with_free_places if s.person.id not in (mentee_id, besides)]


def board(today: dt.date) -> Board:
    rules = eligibility.settings()
    hires = list(
        db.session.scalars(
            unmatched_new_hires().options(joinedload(Employee.team), joinedload(Employee.post))
        )
    )
    return Board(
        hires=hires,
        proposals=queries.proposals(),
        mentors=eligibility.eligible_mentors(rules, today),
        teams=org_queries.teams_by_id(),
        max_score=sum((rules.weights or {}).values()),
    )


def own_capacities() -> dict[int, int]:
    """Mentors who have their own capacity rather than the default."""
    rows = db.session.execute(
        sa.select(MentorProfile.employee_id, MentorProfile.capacity).where(
            MentorProfile.capacity.is_not(None)
        )
    )
    return dict(rows.all())


def load_percent(standing: MentorStanding) -> int:
    """How full a mentor is, for a bar (a mentor with no places counts as full)."""
    if standing.capacity <= 0:
        return 100
    return min(100, round(100 * standing.load / standing.capacity))


# --- the rules page -------------------------------------------------------------------


@dataclass
class EligibilityPreview:
    """How many of the people who hold the mentor role (or mentees) may mentor, now and
    under the rules being edited, and who would change."""

    total: int
    now: int
    new: int
    gained: list[Employee] = field(default_factory=list)
    lost: list[Employee] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost)


def eligibility_preview(
    rules: MentorshipSettings, values: dict[str, Any] | None, today: dt.date
) -> EligibilityPreview:
    """Evaluate the eligibility rules in ``values`` (None: the stored ones) without saving
    them: an unsaved copy of the settings goes through the same rule check."""
    current = eligibility.standings(rules, today)
    now_ok = {s.person.id for s in current if s.eligible}
    new_ok = now_ok
    if values is not None:
        draft = MentorshipSettings(
            min_tenure_months=values["min_tenure_months"],
            required_course_id=values["required_course_id"],
            default_capacity=values["default_capacity"],
        )
        new_ok = {s.person.id for s in eligibility.standings(draft, today) if s.eligible}
    people = [s.person for s in current]
    return EligibilityPreview(
        total=len(current),
        now=len(now_ok),
        new=len(new_ok),
        gained=[p for p in people if p.id in new_ok - now_ok],
        lost=[p for p in people if p.id in now_ok - new_ok],
    )


def course_choices(rules: MentorshipSettings, lang: str) -> list[tuple[str, str]]:
    """Published courses for the required-course select, and the one required now even if
    it is no longer published (so that saving other rules keeps it)."""
    courses = course_queries.catalogue(course_queries.CatalogueFilter())
    pairs = [(str(c.id), f"{_title(c, lang)} ({c.slug})") for c in courses]
    current = rules.required_course_id
    if current is not None and str(current) not in {value for value, _label in pairs}:
        course = db.session.get(Course, current)
        if course is not None:
            pairs.append((str(course.id), f"{_title(course, lang)} ({course.slug})"))
    return pairs


def _title(course: Course, lang: str) -> str:
    return course.current_version.display_title(lang) if course.current_version else course.slug


def required_course(rules: MentorshipSettings) -> Course | None:
    if rules.required_course_id is None:
        return None
    return db.session.scalar(
        sa.select(Course)
        .options(joinedload(Course.current_version))
        .where(Course.id == rules.required_course_id)
    )
