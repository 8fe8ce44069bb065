"""Readiness for a step: explanations in both languages, the horizon and months estimate,
the steps out of a post, the default step per person, and a statement count that does not
grow with the number of people."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import event

from lms.career import readiness
from lms.career.readiness import Horizon, Status, TargetError
from lms.extensions import db
from tests.career import factories as cf

TODAY = dt.date(2026, 11, 15)
AUG, SEP, OCT = (cf.month(TODAY, k) for k in (-3, -2, -1))


@contextlib.contextmanager
def count_statements():
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def ladder(make):
    """客服专员 → 客服组长 (promotion), → 质检专员 (branch), → 培训助理 (lateral)."""
    agent = make.post("客服专员", level=1)
    agent.title_en = "Service Agent"
    lead = make.post("客服组长", level=3)
    lead.title_en = "Team Lead"
    qa = make.post("质检专员", level=2)
    trainer = make.post("培训助理", level=1)
    track = cf.ladder("管理通道", "Management track")
    lateral = cf.step(agent, trainer, ladder_=track, kind="lateral")
    branch = cf.step(agent, qa, ladder_=track, kind="branch")
    promotion = cf.step(agent, lead, ladder_=track, position=1)
    return {"agent": agent, "lead": lead, "qa": qa, "trainer": trainer, "track": track} | {
        "promotion": promotion,
        "branch": branch,
        "lateral": lateral,
    }


def test_explanations_in_both_languages(make, ladder):
    person = make.employee(post=ladder["agent"], hire_date=dt.date(2024, 1, 1))
    course = cf.course("投诉处理", "Complaint Handling")
    csat = cf.metric("csat", "满意度", "CSAT")
    certification = cf.certification("客服认证", "Service Certification")
    cf.hold(
        person, certification, certified_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 11, 14)
    )
    cf.kpis(person, csat, {AUG: 88.0, SEP: 90.0, OCT: 90.5})
    step = ladder["promotion"]
    cf.requirement(step, "course", course=course, position=1)
    cf.requirement(step, "kpi", metric=csat, months=3, threshold=92, position=2)
    cf.requirement(step, "certification", certification=certification, position=3)

    with force_locale("en"):
        en = readiness.for_person(person, ladder["lead"].id, TODAY)
    with force_locale("zh_CN"):
        zh = readiness.for_person(person, ladder["lead"].id, TODAY)

    course_en, kpi_en, cert_en = en.findings
    assert course_en.label == "Course 《Complaint Handling》 completed"
    assert kpi_en.label == "CSAT average over the last 3 months ≥ 92 %"
    assert kpi_en.evidence == "CSAT 3-month average 89.5 %, needs 92 %"
    assert cert_en.evidence == "Expired on Nov 14, 2026"
    assert en.to_post_name == "Team Lead"

    course_zh, kpi_zh, cert_zh = zh.findings
    assert "《投诉处理》" in course_zh.label and "Complaint" not in course_zh.label
    assert "满意度" in kpi_zh.label and "CSAT" not in kpi_zh.label
    assert "满意度" in kpi_zh.evidence and "89.5 %" in kpi_zh.evidence
    assert "2026年11月14日" in cert_zh.evidence
    assert "《客服认证》" in cert_zh.label
    assert zh.to_post_name == "客服组长"
    # the language changes the words, never the judgement
    assert [f.status for f in zh.findings] == [f.status for f in en.findings]


def test_horizon_and_months_to_ready(make, ladder):
    person = make.employee(post=ladder["agent"], hire_date=dt.date(2026, 3, 1))
    step = ladder["promotion"]
    assert readiness.for_person(person, ladder["lead"].id, TODAY).horizon == Horizon.NOW
    assert readiness.for_person(person, ladder["lead"].id, TODAY).percent == 100  # no rules

    cf.requirement(step, "tenure", months=12)  # 8 of 12: 4 months to go
    cf.requirement(step, "course", course=cf.course())  # a month
    found = readiness.for_person(person, ladder["lead"].id, TODAY)
    assert not found.ready and len(found.gaps) == 2
    assert found.months_to_ready == 4 and found.horizon == Horizon.YEAR
    assert found.percent == round(100 * (8 / 12 + 0) / 2)

    cf.requirement(step, "kpi", metric=cf.metric(), months=12, threshold=90)
    later = readiness.for_person(person, ladder["lead"].id, TODAY)
    assert later.months_to_ready == 12 and later.horizon == Horizon.LATER


def test_as_json_carries_every_finding(make, ladder):
    person = make.employee(post=ladder["agent"], employee_no="E1001")
    course = cf.course()
    cf.requirement(ladder["promotion"], "course", course=course)
    with force_locale("en"):
        body = readiness.for_person(person, ladder["lead"].id, TODAY).as_json()
    assert body["employee_no"] == "E1001" and body["step_id"] == ladder["promotion"].id
    assert body["to_post_id"] == ladder["lead"].id and body["to_post"] == "Team Lead"
    assert body["percent"] == 0 and body["ready"] is False
    assert body["horizon"] == "year" and body["months_to_ready"] == 1
    assert body["step_kind"] == "promotion"
    [finding] = body["findings"]
    assert finding == {
        "requirement_id": finding["requirement_id"],
        "kind": "course",
        "status": "not_met",
        "progress": 0.0,
        "label": "Course 《Complaint Handling》 completed",
        "evidence": "Not enrolled yet",
        "months_to_close": 1,
        "course_id": course.id,
        "certification_id": None,
    }


def test_reachable_steps_promotion_then_branch_then_lateral(ladder):
    steps = readiness.reachable_steps(ladder["agent"].id)
    assert [s.kind for s in steps] == ["promotion", "branch", "lateral"]
    assert readiness.reachable_steps(ladder["lead"].id) == []
    assert readiness.reachable_steps(None) == []


def test_for_person_without_a_step_is_none(make, ladder):
    person = make.employee(post=ladder["lead"])
    assert readiness.for_person(person, ladder["agent"].id, TODAY) is None
    nowhere = make.employee(post=None)
    assert readiness.for_person(nowhere, ladder["lead"].id, TODAY) is None


def test_for_people_uses_the_plan_else_the_first_promotion(make, ladder):
    planner = make.employee(post=ladder["agent"])
    cf.plan(planner, ladder["qa"])
    plain = make.employee(post=ladder["agent"])
    stuck = make.employee(post=ladder["trainer"])  # no step out
    aimless = make.employee(post=ladder["agent"])
    cf.plan(aimless, ladder["trainer"].__class__(title="未连通岗位", level=5))
    found = readiness.for_people([planner, plain, stuck, aimless], TODAY)
    assert found[planner.id].step_id == ladder["branch"].id
    assert found[plain.id].step_id == ladder["promotion"].id
    assert found[stuck.id] is None
    assert found[aimless.id].step_id == ladder["promotion"].id  # no step to the plan's post


def test_resolve_names_what_is_wrong(make, ladder):
    person = make.employee(post=ladder["agent"], name="李娜")
    with force_locale("en"):
        assert readiness.resolve(person, "Team Lead", TODAY).step_id == ladder["promotion"].id
        assert readiness.resolve(person, str(ladder["qa"].id), TODAY).step_id == (
            ladder["branch"].id
        )
        assert readiness.resolve(person, None, TODAY).step_id == ladder["promotion"].id
        with pytest.raises(TargetError) as missing:
            readiness.resolve(person, "宇航员", TODAY)
        assert missing.value.status == 404
        assert missing.value.message == "No post has the id or title 宇航员."
        lead = make.employee(post=ladder["lead"])
        with pytest.raises(TargetError) as no_step:
            readiness.resolve(lead, "客服专员", TODAY)
        assert no_step.value.status == 422
        assert no_step.value.message == "No career step leads from Team Lead to Service Agent."
        with pytest.raises(TargetError) as no_default:
            readiness.resolve(lead, None, TODAY)
        assert "No promotion step leads out of Team Lead" in no_default.value.message


def _crowd(make, ladder, n: int, team) -> list:
    """n people with data for every requirement kind."""
    csat = cf.metric()
    course = cf.course()
    people = []
    for i in range(n):
        person = make.employee(post=ladder["agent"], team=team)
        cf.kpis(person, csat, {SEP: 90.0 + i % 5, OCT: 91.0})
        if i % 2:
            cf.enrol(person, course, lessons_done=1)
        cf.mentorship(person, make.employee(), signed_off=bool(i % 3))
        people.append(person)
    return people


def test_evaluate_statements_do_not_grow_with_people(make, ladder):
    step = ladder["promotion"]
    certification = cf.certification()
    lead = make.employee(name="组长")
    team = make.team(lead=lead)
    cf.requirement(step, "course", course=cf.course())
    cf.requirement(step, "certification", certification=certification)
    cf.requirement(step, "tenure", months=6)
    cf.requirement(step, "kpi", metric=cf.metric(), months=3, threshold=92)
    cf.requirement(step, "endorsement", endorser="lead")
    cf.requirement(step, "rotation", count=1)
    cf.requirement(step, "mentoring", count=2)

    def measure(people) -> int:
        pairs = [(p.id, step.id) for p in people]
        db.session.commit()
        db.session.expire_all()
        with count_statements() as statements:
            found = readiness.evaluate(pairs, TODAY)
        assert len(found) == len(people)
        assert all(len(r.findings) == 7 for r in found.values())
        return len(statements)

    few = _crowd(make, ladder, 5, team)
    cf.endorse(few[0], step, lead)
    small = measure(few)
    many = few + _crowd(make, ladder, 45, team)
    large = measure(many)
    assert small == large, f"{small} statements for 5 people, {large} for 50"
    assert small <= 12, small
    met = readiness.evaluate([(few[0].id, step.id)], TODAY)[(few[0].id, step.id)]
    assert met.findings[4].status == Status.MET  # the endorsement, among the 7
