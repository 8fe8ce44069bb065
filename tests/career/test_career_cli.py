"""``lms career ladders | readiness | succession``: what they print in either language, and
refusals as clear messages with exit code 2."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms import clock
from lms.extensions import db
from lms.organisation.models import Employee
from tests.career import factories as cf

TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def world(make):
    agent = make.post("客服专员", level=1)
    agent.title_en = "Service Agent"
    lead_post = make.post("客服组长", level=3)
    lead_post.title_en = "Team Lead"
    lead_post.is_key = True
    step = cf.step(agent, lead_post, ladder_=cf.ladder("管理通道", "Management track"))
    course = cf.course("投诉处理", "Complaint Handling")
    cf.requirement(step, "course", course=course, position=1)
    cf.requirement(step, "tenure", months=12, position=2)
    ready = make.employee(post=agent, employee_no="E1", name="王芳", hire_date=dt.date(2024, 1, 1))
    cf.enrol(ready, course, lessons_done=2)
    make.employee(post=agent, employee_no="E2", name="李娜", hire_date=dt.date(2026, 5, 1))
    make.employee(post=lead_post, employee_no="E3", name="赵强")
    db.session.commit()
    return step


def invoke(runner, *args):
    with clock.frozen(dt.datetime(2026, 11, 15, 4, tzinfo=dt.UTC)):
        return runner.invoke(args=["career", *args])


def test_ladders_prints_steps_and_requirements(runner, world):
    result = invoke(runner, "ladders", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Management track"
    assert lines[1] == "  Service Agent L1 → Team Lead L3 (promotion)"
    assert lines[2] == "    - Course 《Complaint Handling》 completed"
    assert lines[3] == "    - At least 12 months in the current post"
    chinese = invoke(runner, "ladders", "--lang", "zh_CN").output
    assert "管理通道" in chinese and "《投诉处理》" in chinese and "客服专员 L1" in chinese


def test_readiness_prints_the_evidence(runner, world):
    result = invoke(runner, "readiness", "E2", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "李娜 (E2) → Team Lead: 25 %, ready within a year (about 6 months)"
    assert lines[1] == "  [not met] Course 《Complaint Handling》 completed — Not enrolled yet"
    assert lines[2] == (
        "  [partly met] At least 12 months in the current post — "
        "6 of 12 months in the post since May 1, 2026"
    )
    ready = invoke(runner, "readiness", "E1", "--target", "客服组长", "--lang", "en")
    assert ready.output.splitlines()[0] == "王芳 (E1) → Team Lead: 100 %, ready now"


def test_readiness_refusals_exit_2(runner, world):
    unknown = invoke(runner, "readiness", "NOPE", "--lang", "en")
    assert unknown.exit_code == 2 and "No employee has the number NOPE." in unknown.output
    no_post = invoke(runner, "readiness", "E1", "--target", "宇航员", "--lang", "en")
    assert no_post.exit_code == 2 and "No post has the id or title 宇航员." in no_post.output
    no_step = invoke(runner, "readiness", "E3", "--lang", "en")
    assert no_step.exit_code == 2
    assert "No promotion step leads out of Team Lead; name a target post." in no_step.output


def test_succession_prints_the_ranked_slate(runner, world):
    result = invoke(runner, "succession", "Team Lead", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Team Lead: 1 ready now, 1 within a year, 0 later"
    assert lines[1] == "  1. 王芳 (E1, Service Agent) 100 %, ready now"
    assert lines[2] == "  2. 李娜 (E2, Service Agent) 25 %, ready within a year (about 6 months)"
    assert lines[3] == "       - Course 《Complaint Handling》 completed — Not enrolled yet"
    missing = invoke(runner, "succession", "宇航员")
    assert missing.exit_code == 2


def test_learning_plan_enrols_the_gaps_once(runner, world, make):
    from courses.models import Enrolment

    make.employee("hr-user", roles={"hr"})
    make.employee("plain-user")
    db.session.commit()
    refused = invoke(runner, "learning-plan", "E2", "--by", "plain-user", "--target", "客服组长")
    assert refused.exit_code == 2 and "not HR" in refused.output
    first = invoke(runner, "learning-plan", "E2", "--by", "hr-user", "--target", "客服组长")
    assert first.exit_code == 0, first.output
    assert "Complaint Handling" in first.output and "1 item(s) added" in first.output
    again = invoke(runner, "learning-plan", "E2", "--by", "hr-user")
    assert again.exit_code == 0 and "0 item(s) added" in again.output
    person_id = db.session.scalar(sa.select(Employee.id).where(Employee.employee_no == "E2"))
    count = sa.select(sa.func.count()).where(Enrolment.employee_id == person_id)
    assert db.session.scalar(count) == 1
    unknown = invoke(runner, "learning-plan", "E2", "--by", "hr-user", "--target", "无此岗位")
    assert unknown.exit_code == 2 and "No post" in unknown.output
