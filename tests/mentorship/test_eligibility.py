"""Who may mentor: each of HR's rules excludes on its own, tenure counts calendar months
(month ends and leap years included), and nobody ineligible is ever proposed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from courses import enrolment
from courses.models import Enrolment, EnrolmentSource
from lms.extensions import db
from lms.mentorship import eligibility, proposals, services
from lms.mentorship.eligibility import months_before
from lms.mentorship.models import MentorProfile, Mentorship
from lms.organisation.models import EmployeeStatus
from tests.courses.conftest import CatalogueFactory
from tests.mentorship.conftest import NOW

TODAY = NOW.date()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),
        (dt.date(2028, 2, 29), 48, dt.date(2024, 2, 29)),
        (dt.date(2026, 5, 31), 3, dt.date(2026, 2, 28)),
        (dt.date(2026, 7, 31), 1, dt.date(2026, 6, 30)),
        (dt.date(2026, 1, 15), 1, dt.date(2025, 12, 15)),
        (dt.date(2026, 1, 31), 13, dt.date(2024, 12, 31)),
        (dt.date(2026, 9, 1), 12, dt.date(2025, 9, 1)),
        (dt.date(2026, 9, 1), 0, dt.date(2026, 9, 1)),
        (dt.date(2026, 9, 1), 240, dt.date(2006, 9, 1)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def _completed(person, course) -> Enrolment:
    """A completed enrolment, written directly (whatever the person's status now)."""
    row = Enrolment(
        employee_id=person.id,
        course_id=course.id,
        version_id=course.current_version_id,
        source=EnrolmentSource.ASSIGNMENT,
        created_at=NOW,
        completed_at=NOW,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _checks(person, today=TODAY) -> dict[str, bool] | None:
    rules = eligibility.settings()
    found = eligibility.standings(rules, today, ids=[person.id])
    return found[0].checks if found else None


def _failing(person, today=TODAY) -> set[str]:
    checks = _checks(person, today)
    assert checks is not None, "not on the list at all"
    return {name for name, ok in checks.items() if not ok}


def test_an_eligible_mentor_passes_every_rule(mentors):
    mentor = mentors.mentor()
    assert _checks(mentor) == dict.fromkeys(eligibility.CHECKS, True)


def test_without_the_mentor_role_nobody_is_listed(mentors, make):
    assert _checks(make.employee(hire_date=dt.date(2020, 1, 1))) is None


def test_someone_still_holding_mentees_is_listed_without_the_role(mentors, make):
    former = mentors.mentor()
    hire = mentors.new_hire()
    proposals.propose([hire.id], now=NOW)
    former.set_roles({"employee"})
    db.session.flush()
    assert _failing(former) == {"role"}


@pytest.mark.parametrize("status", [EmployeeStatus.ONBOARDING, EmployeeStatus.LEFT])
def test_only_active_employees_mentor(mentors, status):
    assert _failing(mentors.mentor(status=status)) == {"active"}


def test_an_improvement_plan_excludes(mentors):
    assert _failing(mentors.mentor(on_improvement_plan=True)) == {"no_plan"}


@pytest.mark.parametrize(
    ("today", "months", "hired", "eligible"),
    [
        (TODAY, 12, dt.date(2025, 9, 1), True),
        (TODAY, 12, dt.date(2025, 9, 2), False),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28), True),  # month end
        (dt.date(2026, 3, 31), 1, dt.date(2026, 3, 1), False),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29), True),  # leap year
        (dt.date(2025, 2, 28), 12, dt.date(2024, 2, 28), True),
        (dt.date(2025, 2, 28), 12, dt.date(2024, 2, 29), False),  # not a full year yet
        (dt.date(2026, 3, 31), 0, dt.date(2026, 3, 31), True),
    ],
)
def test_tenure_counts_calendar_months(mentors, today, months, hired, eligible):
    eligibility.settings().min_tenure_months = months
    person = mentors.mentor(hire_date=hired)
    assert _failing(person, today) == (set() if eligible else {"tenure"})


def test_the_required_course_must_be_completed(mentors):
    course = CatalogueFactory().course("mentor-training", lessons=1)
    eligibility.settings().required_course_id = course.id
    untrained = mentors.mentor()
    started = mentors.mentor()
    trained = mentors.mentor()
    enrolment.enrol(started, course, now=NOW)
    _completed(trained, course)
    _completed(untrained, CatalogueFactory().course("something-else", lessons=1))
    assert _failing(untrained) == {"course"}
    assert _failing(started) == {"course"}
    assert _failing(trained) == set()


def test_several_failures_are_all_reported(mentors):
    person = mentors.mentor(
        status=EmployeeStatus.LEFT, hire_date=dt.date(2026, 8, 1), on_improvement_plan=True
    )
    assert _failing(person) == {"active", "tenure", "no_plan"}


def test_standings_use_each_mentors_capacity_and_load(mentors):
    own, default = mentors.mentor(), mentors.mentor()
    services.set_capacity(own, 5)
    proposals.propose([mentors.new_hire().id], now=NOW)
    by_id = {s.person.id: s for s in eligibility.standings(eligibility.settings(), TODAY)}
    assert by_id[own.id].capacity == 5
    assert by_id[default.id].capacity == eligibility.settings().default_capacity == 3
    assert by_id[own.id].load + by_id[default.id].load == 1
    assert by_id[own.id].free + by_id[default.id].free == 7


def test_ineligible_mentors_are_never_proposed(mentors, make):
    course = CatalogueFactory().course("mentor-training", lessons=1)
    rules = eligibility.settings()
    rules.required_course_id = course.id
    team = make.team("售后一组")
    post = make.post("客服专员")
    # every ineligible one is the perfect fit: same team, same post, empty
    excluded = [
        make.employee(team=team, post=post, hire_date=dt.date(2020, 1, 1)),  # no mentor role
        mentors.mentor(team, post=post, status=EmployeeStatus.LEFT),
        mentors.mentor(team, post=post, status=EmployeeStatus.ONBOARDING),
        mentors.mentor(team, post=post, hire_date=dt.date(2025, 10, 1)),  # 11 months
        mentors.mentor(team, post=post),  # the course not completed
        mentors.mentor(team, post=post, on_improvement_plan=True),
    ]
    for person in excluded[:4] + excluded[5:]:
        _completed(person, course)
    # the one eligible mentor works elsewhere, on another post
    chosen = mentors.mentor(make.team("售后二组"), hire_date=dt.date(2025, 9, 1))
    _completed(chosen, course)
    hires = [mentors.new_hire(team, post=post) for _ in range(5)]

    report = proposals.propose([h.id for h in hires], now=NOW)
    assert [m.mentor_id for m in report.matched] == [chosen.id] * 3
    assert len(report.unmatched) == 2
    assert set(db.session.scalars(sa.select(Mentorship.mentor_id))) == {chosen.id}
    assert db.session.scalars(sa.select(MentorProfile.employee_id)).all() == [chosen.id]
