"""Promotions: the lead proposes (with a readiness snapshot), HR approves (the post changes and
the change is recorded at the effective date, the plan's target is reached, people are told)
or rejects; one open proposal per person; concurrent approvals promote once; leads propose
only for their own people."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms import clock
from lms.career import promotions
from lms.career.models import CareerPlan, Promotion, PromotionStatus
from lms.career.promotions import PromotionError
from lms.extensions import db
from lms.notifications.models import Notification
from lms.organisation.models import Employee, PostChange
from tests.career import factories as cf
from tests.conftest import csrf_token, login
from tests.mentorship.test_concurrency import _fresh, _isolated
from tests.test_concurrency import _race


@pytest.fixture
def world(make):
    """A team with its lead, an agent who can step up to senior agent, and HR."""
    agent_post = make.post("客服专员", level=1)
    senior_post = make.post("高级客服专员", level=2)
    step = cf.step(agent_post, senior_post)
    cf.requirement(step, "tenure", months=6)
    lead = make.employee("lead", roles={"supervisor"}, name="组长")
    team = make.team("售后一组", lead=lead)
    agent = make.employee(
        "agent", team=team, post=agent_post, name="小王", hire_date=dt.date(2024, 1, 1)
    )
    hr = make.employee("hr", roles={"hr"}, name="人事")
    db.session.commit()
    return {
        "agent": agent,
        "lead": lead,
        "hr": hr,
        "step": step,
        "team": team,
        "from": agent_post,
        "to": senior_post,
    }


def _kinds(person: Employee) -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(Notification.kind).where(Notification.employee_id == person.id)
        )
    )


def _propose(world, actor=None, rationale="稳定优秀"):
    return promotions.propose(
        world["agent"],
        world["step"],
        rationale=rationale,
        actor=actor or world["lead"],
        today=clock.today(),
        now=clock.now(),
    )


def test_lead_proposes_and_hr_approves_through_the_pages(app, world):
    agent, lead, hr = world["agent"], world["lead"], world["hr"]
    cf.plan(agent, world["to"])
    db.session.commit()
    lead_client = app.test_client()
    login(lead_client, "lead")
    url = f"/career/promotions/propose/{agent.employee_no}"
    page = lead_client.get(url)
    assert page.status_code == 200
    assert "高级客服专员" in page.get_data(as_text=True)
    response = lead_client.post(
        url,
        data={
            "csrf_token": csrf_token(lead_client, url),
            "step": str(world["step"].id),
            "rationale": "连续两季度满意度第一",
        },
    )
    assert response.status_code == 302
    promotion = db.session.scalar(sa.select(Promotion))
    assert promotion.status == PromotionStatus.PROPOSED
    assert promotion.proposed_by_id == lead.id
    assert (promotion.from_post_id, promotion.to_post_id) == (world["from"].id, world["to"].id)
    assert promotion.readiness["percent"] == 100 and promotion.readiness["ready"] is True
    assert "promotion_proposed" in _kinds(hr)
    assert "连续两季度满意度第一" in lead_client.get("/career/promotions/mine").get_data(
        as_text=True
    )

    hr_client = app.test_client()
    login(hr_client, "hr")
    listing = hr_client.get("/career/promotions").get_data(as_text=True)
    assert "小王" in listing and "100 %" in listing
    effective = clock.today() - dt.timedelta(days=3)
    response = hr_client.post(
        f"/career/promotions/{promotion.id}/approve",
        data={
            "csrf_token": csrf_token(hr_client, "/career/promotions"),
            "effective_on": effective.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert agent.post_id == world["to"].id
    change = db.session.scalar(sa.select(PostChange))
    assert change.changed_at.date() == effective
    assert (change.source, change.changed_by_id) == ("promotion", hr.id)
    assert (change.from_post_id, change.to_post_id) == (world["from"].id, world["to"].id)
    assert promotion.status == PromotionStatus.APPROVED
    assert (promotion.post_change_id, promotion.effective_on) == (change.id, effective)
    plan = db.session.scalar(sa.select(CareerPlan).where(CareerPlan.employee_id == agent.id))
    assert plan.target_post_id is None
    assert "promotion_approved" in _kinds(agent)
    assert "promotion_proposal_approved" in _kinds(lead)
    decided = hr_client.get("/career/promotions?sort=person").get_data(as_text=True)
    assert 'data-testid="decided-table"' in decided and "小王" in decided


def test_a_plan_aiming_elsewhere_keeps_its_target(world, make):
    other = make.post("质检专员", level=2)
    cf.step(world["from"], other, kind="branch")
    cf.plan(world["agent"], other)
    promotion = _propose(world)
    promotions.approve(
        promotion,
        actor=world["hr"],
        effective_on=clock.today(),
        today=clock.today(),
        now=clock.now(),
    )
    db.session.commit()
    plan = db.session.scalar(sa.select(CareerPlan))
    assert plan.target_post_id == other.id
    change = db.session.scalar(sa.select(PostChange))
    assert change.changed_at == clock.now() or change.changed_at.date() == clock.today()


def test_a_second_open_proposal_is_refused_cleanly(app, world, monkeypatch):
    _propose(world)
    db.session.commit()
    with pytest.raises(PromotionError, match="already has an open promotion proposal"):
        _propose(world, actor=world["hr"])
    db.session.rollback()
    # the same refusal when the check is raced and only the unique index catches it
    monkeypatch.setattr(promotions, "open_proposal", lambda _id: None)
    with pytest.raises(PromotionError, match="already has an open promotion proposal"):
        _propose(world, actor=world["hr"])
    db.session.rollback()
    monkeypatch.undo()

    hr_client = app.test_client()
    login(hr_client, "hr")
    url = f"/career/promotions/propose/{world['agent'].employee_no}"
    response = hr_client.post(
        url,
        data={
            "csrf_token": csrf_token(hr_client, url),
            "step": str(world["step"].id),
            "rationale": "再提一次",
        },
    )
    assert response.status_code == 400
    assert "waiting for HR" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 1


def test_after_a_decision_a_new_proposal_may_follow(world):
    first = _propose(world)
    promotions.reject(first, actor=world["hr"], note="再积累半年", now=clock.now())
    assert "promotion_proposal_rejected" in _kinds(world["lead"])
    second = _propose(world)
    assert second.id != first.id
    with pytest.raises(PromotionError, match="Say why"):
        promotions.reject(second, actor=world["hr"], note="  ", now=clock.now())
    promotions.withdraw(second, actor=world["lead"], now=clock.now())
    assert second.status == PromotionStatus.WITHDRAWN
    with pytest.raises(PromotionError, match="already been decided"):
        promotions.approve(
            second,
            actor=world["hr"],
            effective_on=clock.today(),
            today=clock.today(),
            now=clock.now(),
        )


def test_only_the_proposer_withdraws(app, world, make):
    promotion = _propose(world)
    make.employee("boss2", roles={"supervisor"})
    db.session.commit()
    other = app.test_client()
    login(other, "boss2")
    url = f"/career/promotions/{promotion.id}/withdraw"
    assert other.post(url, data={"csrf_token": csrf_token(other, "/account")}).status_code == 404
    lead = app.test_client()
    login(lead, "lead")
    response = lead.post(url, data={"csrf_token": csrf_token(lead, "/career/promotions/mine")})
    assert response.status_code == 302
    db.session.refresh(promotion)
    assert promotion.status == PromotionStatus.WITHDRAWN


def test_effective_date_rules_and_nobody_approves_themselves(world, make):
    promotion = _propose(world)
    today = clock.today()
    for day, message in (
        (None, "Give the date"),
        (today + dt.timedelta(days=1), "future"),
        (dt.date(2023, 12, 31), "cannot be before"),
    ):
        with pytest.raises(PromotionError, match=message):
            promotions.approve(
                promotion, actor=world["hr"], effective_on=day, today=today, now=clock.now()
            )
    hr_agent = make.employee("hr2", roles={"hr"}, post=world["from"])
    own = promotions.propose(
        hr_agent, world["step"], rationale="自荐", actor=world["hr"], today=today, now=clock.now()
    )
    with pytest.raises(PromotionError, match="own promotion"):
        promotions.approve(own, actor=hr_agent, effective_on=today, today=today, now=clock.now())
    assert promotion.status == PromotionStatus.PROPOSED


def test_approval_is_refused_when_the_post_changed_meanwhile(world, make):
    promotion = _propose(world)
    world["agent"].post_id = make.post("质检专员").id
    db.session.commit()
    with pytest.raises(PromotionError, match="post has changed"):
        promotions.approve(
            promotion,
            actor=world["hr"],
            effective_on=clock.today(),
            today=clock.today(),
            now=clock.now(),
        )
    db.session.refresh(promotion)
    assert promotion.status == PromotionStatus.PROPOSED  # the savepoint undid the decision
    assert db.session.scalar(sa.select(sa.func.count(PostChange.id))) == 0


def test_a_lead_cannot_propose_outside_their_team(app, world, make):
    outsider = make.employee("outsider", post=world["from"], team=make.team())
    make.employee("plain")
    db.session.commit()
    lead = app.test_client()
    login(lead, "lead")
    url = f"/career/promotions/propose/{outsider.employee_no}"
    assert lead.get(url).status_code == 404
    response = lead.post(
        url,
        data={
            "csrf_token": csrf_token(lead, "/account"),
            "step": str(world["step"].id),
            "rationale": "x",
        },
    )
    assert response.status_code == 404
    assert lead.get("/career/promotions/propose/NOBODY").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 0
    with pytest.raises(PromotionError):
        promotions.propose(
            outsider,
            world["step"],
            rationale="x",
            actor=world["lead"],
            today=clock.today(),
            now=clock.now(),
        )
    plain = app.test_client()
    login(plain, "plain")
    assert plain.get(f"/career/promotions/propose/{world['agent'].employee_no}").status_code == 404
    assert plain.get("/career/promotions").status_code == 403
    assert lead.get("/career/promotions").status_code == 403


def test_a_step_from_another_post_is_refused(world, make):
    elsewhere = cf.step(make.post(), world["to"])
    with pytest.raises(PromotionError, match="current post") as refused:
        promotions.propose(
            world["agent"],
            elsewhere,
            rationale="x",
            actor=world["lead"],
            today=clock.today(),
            now=clock.now(),
        )
    assert refused.value.field == "step"


def test_rejecting_needs_a_note_on_the_page(app, world):
    promotion = _propose(world)
    db.session.commit()
    hr = app.test_client()
    login(hr, "hr")
    url = f"/career/promotions/{promotion.id}/reject"
    response = hr.post(url, data={"csrf_token": csrf_token(hr, "/career/promotions"), "note": ""})
    assert response.status_code == 400
    db.session.refresh(promotion)
    assert promotion.status == PromotionStatus.PROPOSED
    response = hr.post(
        url, data={"csrf_token": csrf_token(hr, "/career/promotions"), "note": "再积累半年"}
    )
    assert response.status_code == 302
    db.session.refresh(promotion)
    assert (promotion.status, promotion.decision_note) == (PromotionStatus.REJECTED, "再积累半年")


@pytest.mark.concurrency
def test_two_hr_approving_at_once_promote_once(app, world, make):
    make.employee("hr2", roles={"hr"})
    promotion = _propose(world)
    db.session.commit()
    promotion_id, today = promotion.id, clock.today()

    def work(i: int) -> str:
        actor = db.session.scalar(
            sa.select(Employee).where(Employee.username == ("hr" if i % 2 else "hr2"))
        )
        try:
            promotions.approve(
                db.session.get(Promotion, promotion_id),
                actor=actor,
                effective_on=today,
                today=today,
                now=clock.now(),
            )
        except PromotionError:
            db.session.rollback()
            return "refused"
        return "approved"

    outcomes = _race(_isolated(app, work), 4)
    assert sorted(outcomes) == ["approved", "refused", "refused", "refused"]
    _fresh()
    assert db.session.scalar(sa.select(sa.func.count(PostChange.id))) == 1
    assert db.session.get(Employee, world["agent"].id).post_id == world["to"].id
    assert _kinds(world["agent"]).count("promotion_approved") == 1


def test_a_future_effective_date_is_shown_on_the_approval_form(app, world):
    promotion = _propose(world)
    db.session.commit()
    hr = app.test_client()
    login(hr, "hr")
    tomorrow = clock.today() + dt.timedelta(days=1)
    response = hr.post(
        f"/career/promotions/{promotion.id}/approve",
        data={
            "csrf_token": csrf_token(hr, "/career/promotions"),
            "effective_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    response = hr.post(
        f"/career/promotions/{promotion.id}/approve",
        data={"csrf_token": csrf_token(hr, "/career/promotions"), "effective_on": "not a day"},
    )
    assert response.status_code == 400
    db.session.refresh(promotion)
    assert promotion.status == PromotionStatus.PROPOSED
    assert db.session.get(Employee, world["agent"].id).post_id == world["from"].id


def test_proposing_for_someone_without_a_post_or_step_says_why(app, world, make):
    no_post = make.employee(team=world["team"])
    dead_end = make.employee(team=world["team"], post=world["to"])
    db.session.commit()
    lead = app.test_client()
    login(lead, "lead")
    page = lead.get(f"/career/promotions/propose/{no_post.employee_no}").get_data(as_text=True)
    assert "has no post yet" in page and 'data-testid="propose-form"' not in page
    page = lead.get(f"/career/promotions/propose/{dead_end.employee_no}").get_data(as_text=True)
    assert "No step leads out of" in page
    url = f"/career/promotions/propose/{dead_end.employee_no}"
    response = lead.post(
        url, data={"csrf_token": csrf_token(lead, url), "step": "1", "rationale": "x"}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 0


def test_hr_does_not_approve_a_proposal_of_their_own(world, make):
    today = clock.today()
    proposal = _propose(world, actor=world["hr"])
    with pytest.raises(PromotionError, match="Another HR person"):
        promotions.approve(
            proposal, actor=world["hr"], effective_on=today, today=today, now=clock.now()
        )
    other_hr = make.employee("hr-2", roles={"hr"})
    promotions.approve(proposal, actor=other_hr, effective_on=today, today=today, now=clock.now())
    assert proposal.status == PromotionStatus.APPROVED
