"""HR's report on mentorship outcomes: completion rate, ratings and time to sign-off,
overall and per mentor (a fixed number of statements)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.extensions import db
from lms.mentorship.models import Mentorship, MentorshipKind, MentorshipStatus
from lms.mentorship.queries import with_people
from lms.organisation.models import Employee


@dataclass
class Outcomes:
    finished: int = 0
    completed: int = 0
    ratings: int = 0
    average_rating: float | None = None
    median_days_to_sign_off: float | None = None
    active: int = 0
    per_mentor: list[dict] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.finished if self.finished else None


def outcomes() -> Outcomes:
    """Onboarding mentorship outcomes overall and per mentor (two statements)."""
    result = Outcomes()
    rows = db.session.execute(
        sa.select(
            Mentorship.mentor_id,
            Mentorship.status,
            Mentorship.started_on,
            Mentorship.ended_on,
            Mentorship.rating,
        ).where(
            Mentorship.kind == MentorshipKind.ONBOARDING,
            Mentorship.started_on.is_not(None),
        )
    ).all()
    per_mentor: dict[int, dict] = defaultdict(
        lambda: {"active": 0, "completed": 0, "ended": 0, "ratings": [], "days": []}
    )
    days_all, ratings_all = [], []
    for mentor_id, status, started, ended, rating in rows:
        entry = per_mentor[mentor_id]
        if status == MentorshipStatus.ACTIVE:
            entry["active"] += 1
            result.active += 1
        elif status == MentorshipStatus.COMPLETED:
            entry["completed"] += 1
            entry["days"].append((ended - started).days)
            days_all.append((ended - started).days)
        elif status == MentorshipStatus.ENDED:
            entry["ended"] += 1
        if rating is not None:
            entry["ratings"].append(rating)
            ratings_all.append(rating)
    result.completed = sum(e["completed"] for e in per_mentor.values())
    result.finished = result.completed + sum(e["ended"] for e in per_mentor.values())
    result.ratings = len(ratings_all)
    result.average_rating = statistics.fmean(ratings_all) if ratings_all else None
    result.median_days_to_sign_off = statistics.median(days_all) if days_all else None
    names = dict(
        db.session.execute(
            sa.select(Employee.id, Employee.name).where(Employee.id.in_(per_mentor))
        ).all()
    )
    for mentor_id, entry in per_mentor.items():
        finished = entry["completed"] + entry["ended"]
        result.per_mentor.append(
            {
                "mentor_id": mentor_id,
                "name": names.get(mentor_id, "?"),
                "active": entry["active"],
                "completed": entry["completed"],
                "ended": entry["ended"],
                "completion_rate": entry["completed"] / finished if finished else None,
                "average_rating": statistics.fmean(entry["ratings"]) if entry["ratings"] else None,
                "ratings": len(entry["ratings"]),
                "median_days": statistics.median(entry["days"]) if entry["days"] else None,
            }
        )
    result.per_mentor.sort(key=lambda e: e["name"])
    return result


def recent_ratings(limit: int = 20) -> list[Mentorship]:
    """The latest ratings with comments, for HR only."""
    return list(
        db.session.scalars(
            with_people(sa.select(Mentorship))
            .where(Mentorship.rated_at.is_not(None))
            .order_by(Mentorship.rated_at.desc())
            .limit(limit)
        )
    )
