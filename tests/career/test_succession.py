"""Succession slates: who is a candidate, the ranking, the counts per key post, and a bounded
statement count."""

from __future__ import annotations

import datetime as dt

from lms.career import succession
from lms.career.readiness import Horizon
from lms.organisation.models import EmployeeStatus
from tests.career import factories as cf
from tests.career.test_readiness import count_statements

TODAY = dt.date(2026, 11, 15)


def _key_ladder(make):
    senior = make.post("高级客服专员", level=2)
    agent = make.post("客服专员", level=1)
    lead = make.post("客服组长", level=3)
    lead.is_key = True
    into_lead = cf.step(senior, lead)
    cf.step(agent, senior)
    cf.requirement(into_lead, "tenure", months=12)
    return agent, senior, lead, into_lead


def test_slate_candidates_and_ranking(make):
    agent, senior, lead, _step = _key_ladder(make)
    make.employee(post=senior, name="甲", hire_date=dt.date(2024, 1, 1))  # ready
    make.employee(post=senior, name="乙", hire_date=dt.date(2026, 3, 1))  # 4 months to go
    make.employee(post=senior, name="丙", hire_date=dt.date(2026, 3, 1))  # 4 months to go
    make.employee(post=senior, name="丁", hire_date=dt.date(2026, 7, 1))  # 8 months to go
    make.employee(post=senior, status=EmployeeStatus.LEFT, name="离职")
    make.employee(post=lead, name="已是组长")
    newcomer = make.employee(
        post=senior, status=EmployeeStatus.ONBOARDING, name="新人", hire_date=dt.date(2026, 10, 1)
    )
    cf.plan(newcomer, lead)  # the plan brings an onboarding person in
    make.employee(post=senior, status=EmployeeStatus.ONBOARDING, name="无计划新人")
    make.employee(post=agent, name="专员")  # no step from 客服专员 into 客服组长

    slate = succession.slate(lead.id, TODAY)
    names = [c.employee.name for c in slate.candidates]
    # ready first; then by months to ready; equal months and percent: by name (丙 < 乙)
    assert names == ["甲", "丙", "乙", "丁", "新人"]
    assert [c.readiness.months_to_ready for c in slate.candidates] == [0, 4, 4, 8, 11]
    assert slate.candidates[0].horizon == Horizon.NOW
    assert [c.employee.name for c in slate.by_horizon(Horizon.NOW)] == ["甲"]
    assert len(slate.by_horizon(Horizon.YEAR)) == 4
    assert slate.post.id == lead.id


def test_ranking_uses_percent_before_name(make):
    _agent, senior, lead, step = _key_ladder(make)
    course = cf.course()
    cf.requirement(step, "course", course=course)
    a = make.employee(post=senior, name="阿", hire_date=dt.date(2024, 1, 1))
    b = make.employee(post=senior, name="波", hire_date=dt.date(2024, 1, 1))
    cf.enrol(b, course, lessons_done=1)  # same month to go, more progress
    names = [c.employee.name for c in succession.slate(lead.id, TODAY).candidates]
    assert names == ["波", "阿"]
    assert a.id


def test_slate_of_a_missing_post_is_none(app):
    assert succession.slate(999_999, TODAY) is None


def test_key_posts_count_by_horizon(make):
    _agent, senior, lead, step = _key_ladder(make)
    cf.requirement(step, "kpi", metric=cf.metric(), months=12, threshold=90)
    make.employee(post=senior, hire_date=dt.date(2024, 1, 1))  # KPI: 12 months → later
    other_key = make.post("客服主管", level=4)
    other_key.is_key = True
    summaries = succession.key_posts(TODAY)
    assert [s.post.title for s in summaries] == ["客服主管", "客服组长"]
    supervisor, team_lead = summaries
    assert (team_lead.ready_now, team_lead.ready_within_year, team_lead.later) == (0, 0, 1)
    assert (supervisor.ready_now, supervisor.ready_within_year, supervisor.later) == (0, 0, 0)


def test_slate_statements_do_not_grow_with_candidates(make):
    from lms.extensions import db

    _agent, senior, lead, step = _key_ladder(make)
    cf.requirement(step, "course", course=cf.course())
    cf.requirement(step, "mentoring", count=1)
    team = make.team()

    def measure() -> int:
        db.session.commit()
        db.session.expire_all()
        with count_statements() as statements:
            slate = succession.slate(lead.id, TODAY)
            for candidate in slate.candidates:  # what the slate page shows
                _ = candidate.employee.name, candidate.employee.team, candidate.employee.post
        return len(statements)

    for _ in range(3):
        make.employee(post=senior, team=team)
    small = measure()
    for _ in range(30):
        make.employee(post=senior, team=team)
    assert measure() == small
