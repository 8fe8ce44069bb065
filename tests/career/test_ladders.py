"""HR's ladder editor: ladders, steps and requirements are validated with clear messages (never
a 500), requirements keep only their kind's fields, ordering, posts' descriptions and key flag,
and who may edit."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from lms import clock
from lms.career import ladders
from lms.career.ladders import LadderError, RequirementData, StepData
from lms.career.models import CareerLadder, CareerStep, Endorser, RequirementKind, StepRequirement
from lms.extensions import db
from tests.career import factories as cf
from tests.conftest import csrf_token, login


@pytest.fixture
def hr_client(app, make):
    make.employee("hr", roles={"hr"})
    db.session.commit()
    client = app.test_client()
    login(client, "hr")
    return client


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- services ----------------------------------------------------------------------------------


def test_course_requirement_without_course_is_refused_with_a_message(make):
    step = cf.step(make.post(), make.post())
    with pytest.raises(LadderError) as refused:
        ladders.add_requirement(step, RequirementData(kind="course"))
    assert refused.value.field == "course"
    assert "course" in refused.value.message.lower()
    assert _count(StepRequirement) == 0


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("certification", {}, "certification"),
        ("tenure", {}, "months"),
        ("tenure", {"months": 0}, "months"),
        ("tenure", {"months": 121}, "months"),
        ("kpi", {"months": 3, "threshold": 92}, "metric"),
        ("kpi", {"metric": True, "threshold": 92}, "months"),
        ("kpi", {"metric": True, "months": 3}, "threshold"),
        ("kpi", {"metric": True, "months": 3, "threshold": math.nan}, "threshold"),
        ("kpi", {"metric": True, "months": 3, "threshold": 130}, "threshold"),
        ("endorsement", {}, "endorser"),
        ("endorsement", {"endorser": "boss"}, "endorser"),
        ("rotation", {}, "count"),
        ("mentoring", {"count": 51}, "count"),
        ("nonsense", {}, "kind"),
    ],
)
def test_each_kind_needs_its_fields(make, kind, fields, field):
    step = cf.step(make.post(), make.post())
    if fields.pop("metric", None):
        metric = cf.metric()
        metric.min_value, metric.max_value = 0, 100
        fields["metric_id"] = metric.id
    with pytest.raises(LadderError) as refused:
        ladders.add_requirement(step, RequirementData(kind=kind, **fields))
    assert refused.value.field == field
    assert refused.value.message


def test_a_requirement_keeps_only_the_fields_its_kind_reads(make):
    step = cf.step(make.post(), make.post())
    course = cf.course()
    metric = cf.metric()
    requirement = ladders.add_requirement(
        step,
        RequirementData(kind="course", course_id=course.id, months=6, threshold=90, count=2),
    )
    assert (requirement.course_id, requirement.months, requirement.threshold) == (
        course.id,
        None,
        None,
    )
    assert requirement.count is None
    ladders.update_requirement(
        requirement,
        RequirementData(
            kind="kpi", course_id=course.id, metric_id=metric.id, months=3, threshold=92
        ),
    )
    db.session.commit()
    stored = db.session.get(StepRequirement, requirement.id)
    assert stored.kind == RequirementKind.KPI
    assert (stored.course_id, stored.metric_id, stored.months, stored.threshold) == (
        None,
        metric.id,
        3,
        92,
    )


def test_every_kind_saves_when_complete(make):
    step = cf.step(make.post(), make.post())
    cert = cf.certification()
    metric = cf.metric()
    for data in (
        RequirementData(kind="course", course_id=cf.course().id),
        RequirementData(kind="certification", certification_id=cert.id),
        RequirementData(kind="tenure", months=12),
        RequirementData(kind="kpi", metric_id=metric.id, months=3, threshold=92),
        RequirementData(kind="endorsement", endorser="lead"),
        RequirementData(kind="rotation", count=1),
        RequirementData(kind="mentoring", count=2),
    ):
        ladders.add_requirement(step, data)
    db.session.commit()
    db.session.refresh(step)
    assert [r.kind for r in step.requirements] == list(RequirementKind)
    assert step.requirements[4].endorser == Endorser.LEAD


def test_the_same_requirement_twice_is_refused(make):
    step = cf.step(make.post(), make.post())
    ladders.add_requirement(step, RequirementData(kind="tenure", months=6))
    with pytest.raises(LadderError, match="already"):
        ladders.add_requirement(step, RequirementData(kind="tenure", months=12))
    ladders.add_requirement(step, RequirementData(kind="endorsement", endorser="lead"))
    ladders.add_requirement(step, RequirementData(kind="endorsement", endorser="mentor"))
    assert _count(StepRequirement) == 3


def test_a_step_from_a_post_to_itself_is_refused(make):
    ladder = cf.ladder()
    post = make.post()
    with pytest.raises(LadderError) as refused:
        ladders.add_step(ladder, StepData(post.id, post.id), now=clock.now())
    assert refused.value.field == "to_post"
    assert "another post" in refused.value.message
    assert _count(CareerStep) == 0


def test_a_duplicate_step_is_refused_naming_its_ladder(make):
    first = cf.ladder(name="管理通道")
    other = cf.ladder(name="专业通道")
    agent, senior = make.post("客服专员"), make.post("高级客服专员", level=2)
    ladders.add_step(first, StepData(agent.id, senior.id, "promotion"), now=clock.now())
    with pytest.raises(LadderError) as refused:
        ladders.add_step(other, StepData(agent.id, senior.id, "lateral"), now=clock.now())
    assert "管理通道" in refused.value.message and "客服专员" in refused.value.message
    # editing another step into the same pair is refused too
    third = ladders.add_step(other, StepData(senior.id, agent.id, "lateral"), now=clock.now())
    with pytest.raises(LadderError):
        ladders.update_step(third, StepData(agent.id, senior.id, "lateral"))


def test_unknown_posts_and_kinds_are_refused(make):
    ladder = cf.ladder()
    post = make.post()
    with pytest.raises(LadderError) as refused:
        ladders.add_step(ladder, StepData(None, post.id), now=clock.now())
    assert refused.value.field == "from_post"
    with pytest.raises(LadderError) as refused:
        ladders.add_step(ladder, StepData(post.id, 999999), now=clock.now())
    assert refused.value.field == "to_post"
    with pytest.raises(LadderError) as refused:
        ladders.add_step(ladder, StepData(post.id, make.post().id, "jump"), now=clock.now())
    assert refused.value.field == "kind"


def test_ladder_names_are_required_and_unique(app):
    ladders.create_ladder(ladders.LadderData(name="管理通道"), now=clock.now())
    with pytest.raises(LadderError, match="name"):
        ladders.create_ladder(ladders.LadderData(name="  "), now=clock.now())
    with pytest.raises(LadderError, match="Another ladder"):
        ladders.create_ladder(ladders.LadderData(name="管理通道"), now=clock.now())


def test_moving_renumbers_and_swaps(make):
    ladder = cf.ladder()
    a, b, c = (make.post() for _ in range(3))
    one = cf.step(a, b, ladder_=ladder)
    two = cf.step(b, c, ladder_=ladder)
    three = cf.step(a, c, ladder_=ladder)  # all at position 0, as seeding may leave them
    ladders.move_step(three, -1)
    db.session.refresh(ladder)
    assert [s.id for s in ladder.steps] == [one.id, three.id, two.id]
    ladders.move_step(one, +1)
    ladders.move_step(one, +5)  # past the end stays last
    db.session.refresh(ladder)
    assert [s.id for s in ladder.steps] == [three.id, two.id, one.id]


def test_deleting_a_ladder_takes_its_steps_and_requirements(make):
    ladder = cf.ladder()
    step = cf.step(make.post(), make.post(), ladder_=ladder)
    cf.requirement(step, "tenure", months=6)
    ladders.delete_ladder(ladder)
    db.session.commit()
    assert (_count(CareerLadder), _count(CareerStep), _count(StepRequirement)) == (0, 0, 0)


# --- pages -------------------------------------------------------------------------------------


def test_hr_adds_a_course_requirement_without_a_course_and_reads_why(hr_client, make):
    step = cf.step(make.post(), make.post())
    url = f"/career/steps/{step.id}/requirements/new"
    response = hr_client.post(
        url, data={"csrf_token": csrf_token(hr_client, url), "kind": "course", "course": ""}
    )
    assert response.status_code == 200
    assert "Choose the course to be completed." in response.get_data(as_text=True)
    assert _count(StepRequirement) == 0

    course = cf.course(title="投诉处理", title_en="Complaint Handling")
    db.session.commit()
    response = hr_client.post(
        url,
        data={"csrf_token": csrf_token(hr_client, url), "kind": "course", "course": str(course.id)},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(StepRequirement.course_id)) == course.id


def test_hr_step_form_refuses_self_and_duplicate_steps_cleanly(hr_client, make):
    ladder = cf.ladder()
    a, b = make.post("客服专员"), make.post("客服组长", level=3)
    cf.step(a, b, ladder_=ladder)
    db.session.commit()
    url = f"/career/ladders/{ladder.id}/steps/new"
    same = {"from_post": str(a.id), "to_post": str(a.id), "kind": "promotion"}
    page = hr_client.post(url, data={"csrf_token": csrf_token(hr_client, url), **same})
    assert page.status_code == 200
    assert "A step must lead to another post." in page.get_data(as_text=True)
    again = {"from_post": str(a.id), "to_post": str(b.id), "kind": "branch"}
    page = hr_client.post(url, data={"csrf_token": csrf_token(hr_client, url), **again})
    assert page.status_code == 200
    assert "There is already a step from 客服专员 to 客服组长" in page.get_data(as_text=True)
    assert _count(CareerStep) == 1


def test_hr_creates_edits_and_deletes_a_ladder(hr_client, make):
    token = csrf_token(hr_client, "/career/ladders/new")
    response = hr_client.post(
        "/career/ladders/new",
        data={"csrf_token": token, "name": "管理通道", "name_en": "Management"},
    )
    assert response.status_code == 302
    ladder = db.session.scalar(sa.select(CareerLadder))
    assert (ladder.name, ladder.name_en) == ("管理通道", "Management")
    response = hr_client.post("/career/ladders/new", data={"csrf_token": token, "name": "管理通道"})
    assert "Another ladder has this name." in response.get_data(as_text=True)

    edit = f"/career/ladders/{ladder.id}/edit"
    hr_client.post(
        edit,
        data={
            "csrf_token": csrf_token(hr_client, edit),
            "name": "管理通道",
            "description": "带团队",
        },
    )
    db.session.refresh(ladder)
    assert ladder.description == "带团队"

    cf.step(make.post(), make.post(), ladder_=ladder)
    db.session.commit()
    assert hr_client.post(f"/career/ladders/{ladder.id}/delete").status_code == 400  # no token
    assert _count(CareerLadder) == 1
    response = hr_client.post(
        f"/career/ladders/{ladder.id}/delete",
        data={"csrf_token": csrf_token(hr_client, "/career/ladders")},
    )
    assert response.status_code == 302
    assert (_count(CareerLadder), _count(CareerStep)) == (0, 0)


def test_ladders_page_shows_steps_by_level_with_their_requirements(app, make, hr_client):
    ladder = cf.ladder(name="管理通道", name_en="Management track")
    agent = make.post("客服专员", level=1)
    agent.title_en = "Agent"
    lead = make.post("客服组长", level=3)
    lead.title_en = "Team lead"
    step = cf.step(agent, lead, ladder_=ladder)
    cf.requirement(step, "tenure", months=12)
    make.employee("agent")
    zh = make.employee("zhhr", roles={"hr"}, locale="zh_CN")
    db.session.commit()

    page = hr_client.get("/career/ladders").get_data(as_text=True)
    assert "Management track" in page and "Agent" in page and "Team lead" in page
    assert 'data-kind="tenure"' in page and "12" in page
    assert "Add step" in page

    chinese = app.test_client()
    login(chinese, zh.username)
    page = chinese.get("/career/ladders").get_data(as_text=True)
    assert "管理通道" in page and "客服组长" in page

    agent_client = app.test_client()
    login(agent_client, "agent")
    page = agent_client.get("/career/ladders")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "客服组长" in text or "Team lead" in text
    assert "Add step" not in text and "/delete" not in text
    assert agent_client.get(f"/career/steps/{step.id}/edit").status_code == 403


def test_post_editor_sets_description_and_key_flag(hr_client, make, app):
    post = make.post("客服组长", level=3)
    make.employee("agent")
    db.session.commit()
    url = f"/career/posts/{post.id}"
    response = hr_client.post(
        url,
        data={
            "csrf_token": csrf_token(hr_client, url),
            "description": "带领 8–12 人的小组",
            "description_en": "Leads a team of 8–12",
            "is_key": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(post)
    assert (post.description, post.description_en, post.is_key) == (
        "带领 8–12 人的小组",
        "Leads a team of 8–12",
        True,
    )
    assert "Leads a team" in hr_client.get("/career/posts").get_data(as_text=True)
    other = app.test_client()
    login(other, "agent")
    assert other.get(url).status_code == 403


def test_requirement_form_marks_each_field_with_its_kinds(hr_client, make):
    step = cf.step(make.post(), make.post())
    db.session.commit()
    page = hr_client.get(f"/career/steps/{step.id}/requirements/new").get_data(as_text=True)
    assert 'data-kinds="kpi"' in page and 'data-kinds="tenure kpi"' in page
    assert "js/career-hr.js" in page
