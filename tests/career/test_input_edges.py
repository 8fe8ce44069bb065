"""Ids and numbers as people type them: too large for the database, or digits that are not
ASCII, get a 404 or a form message, never a 500; lead rights need the supervisor role."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.career import plans
from lms.extensions import db
from tests.career import factories as cf
from tests.conftest import csrf_token, login

HUGE = "9" * 25


@pytest.fixture
def agent(make):
    agent_post = make.post("客服专员", level=1)
    lead_post = make.post("客服组长", level=3)
    cf.step(agent_post, lead_post)
    person = make.employee("agent", post=agent_post, hire_date=dt.date(2024, 1, 1))
    make.employee("hr", roles={"hr"})
    db.session.commit()
    return person


@pytest.mark.parametrize(
    "path",
    [
        f"/career/rotations/{HUGE}",
        f"/career/promotions/{HUGE}/approve",
        f"/career/ladders/{HUGE}/edit",
        f"/career/succession/{HUGE}",
        f"/career/kpis/metrics/{HUGE}",
    ],
)
def test_huge_ids_are_not_found(app, agent, path):
    client = app.test_client()
    login(client, "hr")
    assert client.get(path).status_code in (404, 405)


def test_huge_or_odd_numbers_in_the_own_career_pages(app, agent):
    client = app.test_client()
    login(client, "agent")
    token = csrf_token(client, "/career")
    no = agent.employee_no
    response = client.post(f"/career/people/{no}/goals/{HUGE}/done", data={"csrf_token": token})
    assert response.status_code == 404
    for step in ("²", HUGE, "-1"):
        response = client.post(
            f"/career/people/{no}/endorsement", data={"csrf_token": token, "step": step}
        )
        assert response.status_code < 500


def test_team_page_and_hr_filters_take_odd_numbers(app, agent, make):
    make.employee("boss", roles={"supervisor"})
    db.session.commit()
    client = app.test_client()
    login(client, "hr")
    assert client.get("/career/team?page=²").status_code == 200
    assert client.get(f"/career/rotations?team={HUGE}").status_code == 200


def test_a_supervisor_without_the_role_is_no_lead(app, make, agent):
    former = make.employee("former-lead")  # recorded as supervisor, role since removed
    agent.supervisor_id = former.id
    db.session.commit()
    assert not plans.leads(agent, former)
    client = app.test_client()
    login(client, "former-lead")
    assert client.get(f"/career/people/{agent.employee_no}").status_code == 404
