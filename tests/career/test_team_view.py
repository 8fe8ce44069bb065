"""The team lead's readiness page: their people only (HR picks any team), each with the next
step, readiness, horizon, gaps and endorsement; summary counts; sorting and paging; endorsing
from the table; and a statement count that does not grow with the team."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.career import plans
from lms.career.models import Endorsement
from lms.extensions import db
from tests.career import factories as cf
from tests.career.test_plans import NOW, build
from tests.conftest import csrf_from, login
from tests.test_query_counts import count_statements


@pytest.fixture
def world(make):
    return build(make)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-person="([^"]+)"', html)


def summary(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-horizon="(\w+)">(\d+)<', html)}


def test_the_lead_sees_their_people_with_readiness(world, make, client):
    p = world.person
    cf.enrol(p, world.course_a, lessons_done=2)
    cf.endorse(p, world.up, world.boss)
    ready = make.employee(team=world.team, post=world.senior, name="张伟")  # senior: to 客服组长
    make.employee(post=world.agent, name="外人")  # not in the team
    db.session.commit()
    login(client, "boss")
    html = client.get("/career/team").get_data(as_text=True)
    assert sorted(rows(html)) == sorted([p.employee_no, ready.employee_no])
    line = html.split(f'data-person="{p.employee_no}"')[1].split("</tr>")[0]
    assert "Senior Customer Service Agent" in line  # the first promotion from 客服专员
    assert "50 %" in line and 'data-endorsed="yes"' in line
    assert "Withdraw" in line and f"/career/promotions/propose/{p.employee_no}" in line
    other = html.split(f'data-person="{ready.employee_no}"')[1].split("</tr>")[0]
    assert "Team Lead" in other and "100 %" in other  # a step with no requirements
    assert summary(html) == {"now": 1, "year": 1, "later": 0, "none": 0}


def test_the_target_step_replaces_the_first_promotion(world, client):
    plans.set_target(world.person, world.qa.id, world.person, NOW)
    db.session.commit()
    login(client, "boss")
    html = client.get("/career/team").get_data(as_text=True)
    line = html.split(f'data-person="{world.person.employee_no}"')[1].split("</tr>")[0]
    assert "QA Specialist" in line and 'data-endorsed="no"' in line


def test_endorsing_from_the_table_returns_to_it(world, client):
    db.session.commit()
    login(client, "boss")
    html = client.get("/career/team?sort=readiness&dir=desc").get_data(as_text=True)
    response = client.post(
        f"/career/people/{world.person.employee_no}/endorsement",
        data={
            "csrf_token": csrf_from(html),
            "step": str(world.up.id),
            "next": "/career/team?sort=readiness&dir=desc",
        },
    )
    assert response.status_code == 302
    assert response.location.endswith("/career/team?sort=readiness&dir=desc")
    assert db.session.scalar(sa.select(Endorsement.endorser_role)) == "lead"
    elsewhere = client.post(
        f"/career/people/{world.person.employee_no}/endorsement",
        data={"csrf_token": csrf_from(html), "step": str(world.up.id), "next": "https://evil"},
    )
    assert elsewhere.location.endswith("#endorsements")


def test_sorting_and_paging(world, make, client, app):
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        make.employee(team=world.team, post=world.senior, name=f"员工{n}")
    db.session.commit()
    login(client, "boss")
    first = client.get("/career/team?sort=readiness").get_data(as_text=True)
    assert rows(first)[0] == world.person.employee_no  # 0 % first when ascending
    desc = client.get("/career/team?sort=readiness&dir=desc&page=2").get_data(as_text=True)
    assert rows(desc)[-1] == world.person.employee_no  # last when descending
    assert "4 people" in first
    assert len(rows(first)) == 2
    assert client.get("/career/team?sort=nonsense&page=99").status_code == 200


def test_hr_picks_a_team_and_others_are_refused(world, make, client, app):
    other_team = make.team("售后三组")
    far = make.employee(team=other_team, post=world.agent, name="远方")
    db.session.commit()
    login(client, "hr")
    everyone = client.get("/career/team").get_data(as_text=True)
    assert 'data-testid="team-picker"' in everyone
    assert {world.person.employee_no, far.employee_no} <= set(rows(everyone))
    picked = client.get(f"/career/team?team={other_team.id}").get_data(as_text=True)
    assert rows(picked) == [far.employee_no]
    assert "Endorse" not in picked.split("<tbody>")[1]  # HR is not their lead

    staff = app.test_client()
    login(staff, "agent")
    assert staff.get("/career/team").status_code == 403


def test_a_supervisor_without_people_sees_an_empty_state(world, client):
    db.session.commit()
    login(client, "otherboss")
    html = client.get("/career/team").get_data(as_text=True)
    assert 'data-testid="no-team"' in html and world.person.employee_no not in html


def test_statements_do_not_grow_with_the_team(world, make, client):
    metric = cf.metric()
    cf.requirement(world.up, "kpi", metric=metric, months=3, threshold=90)
    cf.requirement(world.up, "tenure", months=6)
    db.session.commit()
    login(client, "boss")

    def add(n: int) -> None:
        for i in range(n):
            person = make.employee(team=world.team, post=world.agent, supervisor=world.boss)
            cf.kpis(person, metric, {cf.month(NOW.date(), -1): 91.0})
            if i % 2:
                cf.enrol(person, world.course_a, lessons_done=1)
                cf.endorse(person, world.up, world.boss)
        db.session.commit()

    def measure() -> int:
        with count_statements() as statements:
            response = client.get("/career/team?sort=readiness")
            assert response.status_code == 200
        return len(statements)

    add(4)  # with the person: 5 members
    small = measure()
    add(25)  # 30 members
    large = measure()
    assert large == small, f"{small} statements for 5 people, {large} for 30"
    assert small <= 25, small
