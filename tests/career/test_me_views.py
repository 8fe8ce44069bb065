"""My career and the person page: both languages, readiness with its gaps, the target form,
the learning plan button, goals, conversations and endorsements through the pages, and who
may see another person's career (404 for everyone else)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.career import plans
from lms.career.models import CareerConversation, CareerGoal, Endorsement, LearningPlanItem
from lms.extensions import db
from tests.career import factories as cf
from tests.career.test_plans import NOW, build
from tests.conftest import csrf_from, login


@pytest.fixture
def world(make):
    return build(make)


def page(client, url="/career", status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def post(client, url, data, form_page="/career"):
    token = csrf_from(page(client, form_page))
    return client.post(url, data={"csrf_token": token, **data})


def percent(html: str) -> int:
    return int(re.search(r'data-testid="readiness-percent">(\d+) %', html).group(1))


def test_my_career_shows_ladder_readiness_and_gaps_in_both_languages(world, sign_in):
    plans.set_target(world.person, world.senior.id, world.person, NOW)
    cf.enrol(world.person, world.course_a, lessons_done=2)
    client = sign_in(world.person)

    html = page(client)
    assert "My career" in html and "You are here" in html
    assert 'data-state="current"' in html and 'data-state="target"' in html
    assert "Senior Customer Service Agent" in html and "QA Specialist" in html
    assert percent(html) == 25  # one of four requirements met
    gaps = html.split('data-testid="gaps"')[1].split("</ul>")[0]
    assert gaps.count("<li>") == 3
    assert "Calming Upset Customers" in gaps and "Endorsed by the team lead" in gaps
    assert "Create my learning plan" in html

    switched = client.post("/language", data={"csrf_token": csrf_from(html), "lang": "zh_CN"})
    assert switched.status_code == 302
    html = page(client)
    assert '<html lang="zh-CN">' in html
    assert "高级客服专员" in html and "质检专员" in html and "客服管理通道" in html
    assert "Senior Customer Service Agent" not in html
    assert percent(html) == 25
    gaps = html.split('data-testid="gaps"')[1].split("</ul>")[0]
    assert gaps.count("<li>") == 3 and "情绪安抚" in gaps


def test_empty_states_say_what_to_do_next(app, make, world, sign_in):
    make.employee("drifter", post=make.post("外包岗"))
    db.session.commit()
    elsewhere = app.test_client()
    login(elsewhere, "drifter")
    html = page(elsewhere)
    assert "Ask HR to place your post on a career ladder" in html
    assert 'data-testid="ladder"' not in html

    client = sign_in(world.person)
    html = page(client)
    assert "Choose a target post" in html and 'data-testid="no-target"' in html
    assert "No learning plan yet" in html


def test_choosing_the_target_and_refusing_an_unreachable_one(world, sign_in):
    client = sign_in(world.person)
    url = f"/career/people/{world.person.employee_no}/target"
    response = post(client, url, {"target": str(world.qa.id)})
    assert response.status_code == 302 and response.location.endswith("/career#readiness")
    assert plans.plan_of(world.person).target_post_id == world.qa.id

    refused = post(client, url, {"target": str(world.lead_post.id)})
    assert refused.status_code == 400
    assert "not a step from the current post" in refused.get_data(as_text=True)
    junk = post(client, url, {"target": "abc"})
    assert junk.status_code == 400
    db.session.expire_all()
    assert plans.plan_of(world.person).target_post_id == world.qa.id


def test_the_learning_plan_button_enrols_the_gaps(world, sign_in):
    client = sign_in(world.person)
    url = f"/career/people/{world.person.employee_no}/learning-plan"
    early = post(client, url, {})
    assert early.status_code == 400 and "Choose a target post first." in early.get_data(True)
    plans.set_target(world.person, world.senior.id, world.person, NOW)
    response = post(client, url, {})
    assert response.status_code == 302
    html = page(client)
    assert "3 items were added to the learning plan." in html
    table = html.split('data-testid="plan-items"')[1].split("</table>")[0]
    assert "Complaint Handling" in table and "Service Certification" in table
    assert table.count('data-status="not_started"') == 3
    again = post(client, url, {})
    assert again.status_code == 302
    assert "already holds every missing" in page(client)
    assert db.session.scalar(sa.select(sa.func.count(LearningPlanItem.id))) == 3


def test_goals_through_the_page(world, sign_in):
    client = sign_in(world.person)
    no = world.person.employee_no
    bad = post(client, f"/career/people/{no}/goals", {"horizon": "short", "text": ""})
    assert bad.status_code == 400
    assert (
        post(client, f"/career/people/{no}/goals", {"horizon": "mid", "text": "x"}).status_code
        == 400
    )
    ok = post(
        client, f"/career/people/{no}/goals", {"horizon": "long", "text": "三年内成为客服主管"}
    )
    assert ok.status_code == 302
    goal = db.session.scalar(sa.select(CareerGoal))
    assert goal.horizon == "long" and goal.text == "三年内成为客服主管"
    assert post(client, f"/career/people/{no}/goals/{goal.id}/done", {}).status_code == 302
    db.session.refresh(goal)
    assert goal.done_on is not None
    assert 'data-done="yes"' in page(client)
    assert post(client, f"/career/people/{no}/goals/{goal.id}/delete", {}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CareerGoal.id))) == 0


@pytest.mark.parametrize("viewer", ["boss", "mentor", "hr"])
def test_lead_mentor_and_hr_see_the_person_page(world, viewer, client):
    db.session.commit()
    login(client, viewer)
    html = page(client, f"/career/people/{world.person.employee_no}")
    assert "Career of 李娜" in html
    assert 'data-testid="conversation-form"' in html


@pytest.mark.parametrize("viewer", ["stranger", "otherboss"])
def test_others_get_404_for_the_person_page_and_its_writes(world, viewer, client):
    db.session.commit()
    login(client, viewer)
    no = world.person.employee_no
    page(client, f"/career/people/{no}", status=404)
    token = csrf_from(page(client))
    for url in ("target", "learning-plan", "goals", "conversations", "endorsement"):
        response = client.post(f"/career/people/{no}/{url}", data={"csrf_token": token})
        assert response.status_code == 404, url
    page(client, "/career/people/NO-SUCH", status=404)


def test_the_person_sees_conversations_read_only(world, sign_in):
    plans.log_conversation(world.person, world.boss, NOW.date(), "谈了晋升方向", "先完成认证", NOW)
    client = sign_in(world.person)
    html = page(client)
    assert "谈了晋升方向" in html and "先完成认证" in html
    assert 'data-testid="conversation-form"' not in html
    token = csrf_from(html)
    refused = client.post(
        f"/career/people/{world.person.employee_no}/conversations",
        data={"csrf_token": token, "held_on": NOW.date().isoformat(), "notes": "自己写"},
    )
    assert refused.status_code == 403


def test_lead_logs_a_conversation_and_endorses_which_meets_the_requirement(world, client):
    plans.set_target(world.person, world.senior.id, world.person, NOW)
    db.session.commit()
    login(client, "boss")
    no = world.person.employee_no
    here = f"/career/people/{no}"
    html = page(client, here)
    assert 'data-testid="propose-promotion"' in html
    assert f"/career/promotions/propose/{no}" in html
    before = percent(html)

    future = post(
        client,
        f"{here}/conversations",
        {"held_on": "2999-01-01", "notes": "x"},
        here,
    )
    assert future.status_code == 400
    logged = post(
        client,
        f"{here}/conversations",
        {"held_on": NOW.date().isoformat(), "notes": "季度职业面谈", "next_steps": "报名课程"},
        here,
    )
    assert logged.status_code == 302
    assert db.session.scalar(sa.select(CareerConversation.notes)) == "季度职业面谈"

    endorsed = post(
        client, f"{here}/endorsement", {"step": str(world.up.id), "comment": "稳"}, here
    )
    assert endorsed.status_code == 302
    row = db.session.scalar(sa.select(Endorsement))
    assert row.endorser_role == "lead" and row.endorser_id == world.boss.id
    html = page(client, here)
    assert percent(html) > before
    assert 'data-kind="endorsement" data-status="met"' in html
    assert "Withdraw my endorsement" in html

    withdrawn = post(client, f"{here}/endorsement/withdraw", {"step": str(world.up.id)}, here)
    assert withdrawn.status_code == 302
    db.session.refresh(row)
    assert row.withdrawn_at is not None
    assert percent(page(client, here)) == before


def test_hr_sets_the_target_and_creates_the_plan_but_may_not_endorse(world, client):
    db.session.commit()
    login(client, "hr")
    no = world.person.employee_no
    here = f"/career/people/{no}"
    assert post(client, f"{here}/target", {"target": str(world.senior.id)}, here).status_code == 302
    html = page(client, here)
    assert "Create the learning plan" in html and 'data-testid="endorse-form"' not in html
    assert 'data-testid="propose-promotion"' not in html  # the lead proposes, HR decides
    assert post(client, f"{here}/learning-plan", {}, here).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(LearningPlanItem.id))) == 3
    refused = post(client, f"{here}/endorsement", {"step": str(world.up.id)}, here)
    assert refused.status_code == 403


def test_the_mentor_may_not_set_the_target(world, client):
    db.session.commit()
    login(client, "mentor")
    here = f"/career/people/{world.person.employee_no}"
    html = page(client, here)
    assert 'data-testid="target-form"' not in html
    assert 'data-testid="propose-promotion"' not in html
    response = post(client, f"{here}/target", {"target": str(world.senior.id)}, here)
    assert response.status_code == 403


def test_kpi_post_history_and_rotations_are_shown(world, make, sign_in):
    today = NOW.date()
    metric = cf.metric()
    cf.kpis(world.person, metric, {cf.month(today, -1): 93.5})
    cf.post_change(world.person, world.agent, changed_at=NOW)
    cf.rotation(
        world.person,
        make.team("质检组"),
        starts_on=today.replace(day=1),
        ends_on=today,
        status="evaluated",
        passed=True,
    )
    html = page(sign_in(world.person))
    kpis = html.split('data-testid="kpis"')[1].split("</table>")[0]
    assert "CSAT" in kpis and "93.5 %" in kpis
    assert "Customer Service Agent" in html.split('data-testid="post-history"')[1]
    rotations = html.split('data-testid="rotations"')[1]
    assert "质检组" in rotations and "Passed" in rotations
