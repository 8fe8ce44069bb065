"""HR's career screens as pages: succession (both languages, hidden from everyone else), the
promotion and rotation lists, the proposal form's readiness per step, and a bounded number of
statements whatever the number of candidates or proposals."""

from __future__ import annotations

import datetime as dt

import pytest

from lms import clock
from lms.career import promotions, rotations
from lms.extensions import db
from tests.career import factories as cf
from tests.conftest import login
from tests.test_query_counts import count_statements


@pytest.fixture
def ladder(make):
    """客服专员 → 高级客服专员 → 客服组长 (a key post needing 12 months in post and a course)."""
    agent = cf.post("客服专员", "Agent", level=1)
    senior = cf.post("高级客服专员", "Senior agent", level=2)
    lead = cf.post("客服组长", "Team lead", level=3, is_key=True)
    into_senior = cf.step(agent, senior)
    into_lead = cf.step(senior, lead)
    cf.requirement(into_lead, "tenure", months=12)
    cf.requirement(into_lead, "course", course=cf.course("团队管理", "Team Management"))
    boss = make.employee("boss", roles={"supervisor"})
    team = make.team("售后一组", lead=boss)
    return {
        "agent": agent,
        "senior": senior,
        "lead": lead,
        "into_senior": into_senior,
        "into_lead": into_lead,
        "team": team,
        "boss": boss,
    }


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _seniors(make, ladder, n: int, start: int = 0):
    for i in range(start, start + n):
        make.employee(
            post=ladder["senior"],
            team=ladder["team"],
            name=f"候选人{i:03d}",
            hire_date=dt.date(2020, 1, 1) if i % 2 else clock.today() - dt.timedelta(days=100),
        )


def test_succession_pages_in_both_languages(app, make, ladder):
    make.employee("hr", roles={"hr"})
    make.employee("hrzh", roles={"hr"}, locale="zh_CN")
    _seniors(make, ladder, 4)
    db.session.commit()

    english = _client(app, "hr")
    page = english.get("/career/succession").get_data(as_text=True)
    assert "Team lead" in page and 'data-testid="key-posts"' in page
    slate = english.get(f"/career/succession/{ladder['lead'].id}")
    assert slate.status_code == 200
    text = slate.get_data(as_text=True)
    assert "候选人000" in text and "/career/people/" in text
    assert 'data-horizon="year"' in text and 'data-horizon="later"' in text
    assert "Team Management" in text  # the course gap, labelled in English

    chinese = _client(app, "hrzh")
    page = chinese.get("/career/succession").get_data(as_text=True)
    assert "客服组长" in page
    text = chinese.get(f"/career/succession/{ladder['lead'].id}").get_data(as_text=True)
    assert "候选人001" in text and "团队管理" in text
    assert chinese.get("/career/succession/999999").status_code == 404


@pytest.mark.parametrize("roles", [set(), {"mentor"}, {"supervisor"}])
def test_succession_is_for_hr_only(app, make, ladder, roles):
    make.employee("someone", roles=roles)
    db.session.commit()
    client = _client(app, "someone")
    assert client.get("/career/succession").status_code == 403
    assert client.get(f"/career/succession/{ladder['lead'].id}").status_code == 403


def test_no_key_post_yet_says_what_to_do(app, make):
    make.employee("hr", roles={"hr"})
    db.session.commit()
    page = _client(app, "hr").get("/career/succession").get_data(as_text=True)
    assert "empty-state" in page and "/career/posts" in page


def test_propose_page_shows_readiness_for_each_step(app, make, ladder):
    qa = cf.post("质检专员", "QA specialist", level=2)
    cf.step(ladder["senior"], qa, kind="branch")
    person = make.employee(
        post=ladder["senior"], team=ladder["team"], hire_date=clock.today() - dt.timedelta(days=60)
    )
    db.session.commit()
    page = _client(app, "boss").get(f"/career/promotions/propose/{person.employee_no}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Team lead" in text and "QA specialist" in text
    assert text.count('name="step"') == 2
    assert "Team Management" in text  # a gap of the step into 客服组长
    assert "100 %" in text  # the branch has no requirements


def _count_page(client, url: str) -> int:
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_succession_statements_do_not_grow_with_candidates(app, make, ladder):
    make.employee("hr", roles={"hr"})
    _seniors(make, ladder, 5)
    db.session.commit()
    client = _client(app, "hr")
    urls = ["/career/succession", f"/career/succession/{ladder['lead'].id}"]
    small = [_count_page(client, url) for url in urls]
    _seniors(make, ladder, 25, start=5)
    db.session.commit()
    large = [_count_page(client, url) for url in urls]
    assert large == small, f"5 candidates: {small}, 30 candidates: {large}"


def _propose_for(make, ladder, n: int, start: int = 0) -> None:
    boss = ladder["boss"]
    for i in range(start, start + n):
        person = make.employee(post=ladder["senior"], team=ladder["team"], name=f"提名{i:03d}")
        promotions.propose(
            person,
            ladder["into_lead"],
            rationale=f"理由{i}",
            actor=boss,
            today=clock.today(),
            now=clock.now(),
        )


def test_promotions_page_statements_do_not_grow_with_proposals(app, make, ladder):
    hr = make.employee("hr", roles={"hr"})
    _propose_for(make, ladder, 5)
    for promotion in promotions.open_proposals()[:2]:  # the history is never empty here
        promotions.reject(promotion, actor=hr, note="再等等", now=clock.now())
    db.session.commit()
    client = _client(app, "hr")
    small = _count_page(client, "/career/promotions")
    _propose_for(make, ladder, 25, start=5)
    for promotion in promotions.open_proposals()[:8]:
        promotions.reject(promotion, actor=hr, note="再等等", now=clock.now())
    db.session.commit()
    large = _count_page(client, "/career/promotions")
    assert large == small, f"5 proposals: {small}, 30 proposals: {large}"
    page = client.get("/career/promotions").get_data(as_text=True)
    assert "提名029" in page and "Team Management" in page  # the snapshot's gap
    assert page.count('data-testid="approve-form"') == 20  # 30 proposed, 10 rejected


def test_rotation_pages_statements_do_not_grow(app, make, ladder):
    make.employee("hr", roles={"hr"})
    host = make.employee("host", roles={"supervisor"})
    hr = make.employee("hr2", roles={"hr"})
    today = clock.today()

    def plan(n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            person = make.employee(team=ladder["team"], name=f"轮岗{i:03d}")
            rotations.create(
                rotations.RotationData(
                    employee_no=person.employee_no,
                    host_supervisor_no=host.employee_no,
                    starts_on=today - dt.timedelta(days=30),
                    ends_on=today - dt.timedelta(days=i % 3),
                    objectives="熟悉质检",
                    host_team_id=make.team().id,
                ),
                actor=hr,
                now=clock.now(),
            )

    plan(5)
    db.session.commit()
    hr_client, host_client = _client(app, "hr"), _client(app, "host")
    small = [
        _count_page(hr_client, "/career/rotations"),
        _count_page(host_client, "/career/rotations/hosting"),
    ]
    plan(25, start=5)
    db.session.commit()
    large = [
        _count_page(hr_client, "/career/rotations"),
        _count_page(host_client, "/career/rotations/hosting"),
    ]
    assert large == small
    hosting = host_client.get("/career/rotations/hosting").get_data(as_text=True)
    assert "轮岗029" in hosting


def test_hosting_nothing_says_so(app, make):
    make.employee("nobody")
    db.session.commit()
    page = _client(app, "nobody").get("/career/rotations/hosting")
    assert page.status_code == 200
    assert "You host no job rotation" in page.get_data(as_text=True)
