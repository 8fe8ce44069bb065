"""Job rotations: HR plans them (validated: a host, ordered dates, a host supervisor who is not
the person, no overlap), cancels them; the host supervisor or HR evaluates once, from the last
day on; an evaluated, passed rotation shows in the person's history and counts for the
rotation requirement."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms import clock
from lms.career import readiness, rotations
from lms.career.models import Rotation, RotationStatus
from lms.career.rotations import RotationData, RotationError
from lms.extensions import db
from lms.notifications.models import Notification
from lms.organisation.models import Employee
from tests.career import factories as cf
from tests.conftest import csrf_token, login

D = dt.timedelta


@pytest.fixture
def world(make):
    home = make.team("售后一组")
    host_team = make.team("质检组")
    agent_post = make.post("客服专员")
    qa_post = make.post("质检专员", level=2)
    person = make.employee("agent", team=home, post=agent_post, name="小王")
    host = make.employee("host", roles={"supervisor"}, name="质检组长")
    hr = make.employee("hr", roles={"hr"})
    make.employee("other", roles={"supervisor"})
    db.session.commit()
    return {"person": person, "host": host, "hr": hr, "team": host_team, "post": qa_post}


def _data(world, start: dt.date, end: dt.date, **changes) -> RotationData:
    values = {
        "employee_no": world["person"].employee_no,
        "host_supervisor_no": world["host"].employee_no,
        "starts_on": start,
        "ends_on": end,
        "objectives": "熟悉质检流程",
        "host_team_id": world["team"].id,
    }
    values.update(changes)
    return RotationData(**values)


def _create(world, start, end, **changes) -> Rotation:
    return rotations.create(_data(world, start, end, **changes), actor=world["hr"], now=clock.now())


def test_hr_plans_a_rotation_and_both_people_are_told(world):
    today = clock.today()
    rotation = _create(world, today, today + D(days=60), host_post_id=world["post"].id)
    db.session.commit()
    assert rotation.status == RotationStatus.PLANNED
    assert rotations.host_label(rotation) == "质检组 · 质检专员"
    kinds = dict(db.session.execute(sa.select(Notification.employee_id, Notification.kind)).all())
    assert kinds == {world["person"].id: "rotation_assigned", world["host"].id: "rotation_hosting"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"employee_no": "NOBODY"}, "employee_no"),
        ({"host_supervisor_no": ""}, "host_supervisor_no"),
        ({"host_team_id": None}, "host_team"),
        ({"host_team_id": 999999}, "host_team"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on"),
        ({"objectives": "  "}, "objectives"),
    ],
)
def test_bad_rotations_are_refused_naming_the_field(world, changes, field):
    today = clock.today()
    values = {"start": today, "end": today + D(days=30)}
    if "starts_on" in changes:
        values["start"] = changes.pop("starts_on")
    if "ends_on" in changes:
        values["end"] = changes.pop("ends_on")
    with pytest.raises(RotationError) as refused:
        _create(world, values["start"], values["end"], **changes)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Rotation.id))) == 0


def test_the_host_supervisor_cannot_be_the_person(world):
    today = clock.today()
    with pytest.raises(RotationError, match="Someone else") as refused:
        _create(world, today, today + D(days=5), host_supervisor_no=world["person"].employee_no)
    assert refused.value.field == "host_supervisor_no"


def test_overlapping_rotations_are_refused(world):
    today = clock.today()
    first = _create(world, today, today + D(days=30))
    for start, end in (
        (today + D(days=30), today + D(days=40)),  # starts on the other's last day
        (today - D(days=10), today),  # ends on its first day
        (today + D(days=5), today + D(days=10)),  # inside
        (today - D(days=5), today + D(days=50)),  # around
    ):
        with pytest.raises(RotationError, match="already has a rotation"):
            _create(world, start, end)
    _create(world, today + D(days=31), today + D(days=60))  # the day after is fine
    rotations.cancel(first, actor=world["hr"], now=clock.now())
    _create(world, today + D(days=5), today + D(days=10))  # a cancelled one no longer blocks
    assert db.session.scalar(sa.select(sa.func.count(Rotation.id))) == 3


def test_evaluation_only_by_the_host_or_hr_from_the_last_day_and_once(world):
    today = clock.today()
    rotation = _create(world, today - D(days=30), today + D(days=1))
    kwargs = {"rating": 4, "passed": True, "evaluation": "很好", "now": clock.now()}
    with pytest.raises(RotationError, match="opens on"):
        rotations.evaluate(rotation, actor=world["host"], today=today, **kwargs)
    for outsider in (world["person"], _other(world)):
        with pytest.raises(RotationError, match="host supervisor or HR"):
            rotations.evaluate(rotation, actor=outsider, today=today + D(days=1), **kwargs)
    with pytest.raises(RotationError) as refused:
        rotations.evaluate(
            rotation, actor=world["host"], today=today + D(days=1), **{**kwargs, "rating": 6}
        )
    assert refused.value.field == "rating"
    rotations.evaluate(rotation, actor=world["host"], today=today + D(days=1), **kwargs)
    assert (rotation.status, rotation.passed) == (RotationStatus.EVALUATED, True)
    assert rotation.rating == 4
    assert rotation.evaluated_by_id == world["host"].id
    with pytest.raises(RotationError, match="already been evaluated"):
        rotations.evaluate(rotation, actor=world["hr"], today=today + D(days=2), **kwargs)
    with pytest.raises(RotationError, match="not yet evaluated"):
        rotations.cancel(rotation, actor=world["hr"], now=clock.now())


def _other(world):
    return db.session.scalar(sa.select(Employee).where(Employee.username == "other"))


def test_hr_may_evaluate_too(world):
    today = clock.today()
    rotation = _create(world, today - D(days=30), today)
    rotations.evaluate(
        rotation,
        actor=world["hr"],
        rating=2,
        passed=False,
        evaluation="目标未达成",
        today=today,
        now=clock.now(),
    )
    assert (rotation.status, rotation.passed) == (RotationStatus.EVALUATED, False)


def test_an_evaluated_passed_rotation_is_in_the_persons_history_and_counts(app, world, make):
    today = clock.today()
    rotation = _create(world, today - D(days=60), today - D(days=1))
    target = make.post("质检组长", level=3)
    step = cf.step(world["person"].post, target)
    cf.requirement(step, "rotation", count=1)
    db.session.commit()
    assert not readiness.for_person(world["person"], target.id, today).ready
    rotations.evaluate(
        rotation,
        actor=world["host"],
        rating=5,
        passed=True,
        evaluation="独立完成质检抽样",
        today=today,
        now=clock.now(),
    )
    db.session.commit()
    assert [r.id for r in rotations.history(world["person"].id)] == [rotation.id]
    assert readiness.for_person(world["person"], target.id, today).ready
    client = app.test_client()
    login(client, "agent")
    page = client.get("/career").get_data(as_text=True)
    assert "质检组" in page and "独立完成质检抽样" in page


# --- pages -------------------------------------------------------------------------------------


def test_hr_plans_a_rotation_through_the_form(app, world):
    client = app.test_client()
    login(client, "hr")
    today = clock.today()
    form = {
        "employee_no": world["person"].employee_no,
        "host_supervisor_no": world["host"].employee_no,
        "host_team": str(world["team"].id),
        "host_post": "",
        "starts_on": today.isoformat(),
        "ends_on": (today - D(days=1)).isoformat(),
        "objectives": "熟悉质检流程",
    }
    url = "/career/rotations/new"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **form})
    assert response.status_code == 400
    assert "The last day cannot be before the first." in response.get_data(as_text=True)
    form["ends_on"] = (today + D(days=30)).isoformat()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **form})
    assert response.status_code == 302
    rotation = db.session.scalar(sa.select(Rotation))
    assert rotation.created_by_id == world["hr"].id
    listing = client.get("/career/rotations?status=current&sort=person").get_data(as_text=True)
    assert "小王" in listing and 'data-phase="current"' in listing
    assert "小王" not in client.get("/career/rotations?status=due").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **form})
    assert "already has a rotation" in response.get_data(as_text=True)


def test_rotation_page_and_evaluation_access(app, world, make):
    today = clock.today()
    rotation = _create(world, today - D(days=30), today)
    lead = make.employee("lead", roles={"supervisor"})
    world["person"].team.lead_id = lead.id
    db.session.commit()
    url = f"/career/rotations/{rotation.id}"

    def client_for(username):
        client = app.test_client()
        login(client, username)
        return client

    for username in ("agent", "host", "hr", "lead"):
        assert client_for(username).get(url).status_code == 200, username
    assert client_for("other").get(url).status_code == 404
    agent = client_for("agent")
    evaluate = {"rating": "4", "passed": "yes", "evaluation": "好"}
    response = agent.post(
        url + "/evaluate", data={"csrf_token": csrf_token(agent, url), **evaluate}
    )
    assert response.status_code == 404
    lead_client = client_for("lead")
    response = lead_client.post(
        url + "/evaluate", data={"csrf_token": csrf_token(lead_client, url), **evaluate}
    )
    assert response.status_code == 404

    host = client_for("host")
    hosting = host.get("/career/rotations/hosting").get_data(as_text=True)
    assert 'data-testid="evaluations-due"' in hosting
    assert f'data-rotation="{rotation.id}"' in hosting
    token = csrf_token(host, url)
    response = host.post(url + "/evaluate", data={"csrf_token": token, "rating": "4"})
    assert response.status_code == 400
    response = host.post(url + "/evaluate", data={"csrf_token": csrf_token(host, url), **evaluate})
    assert response.status_code == 302
    db.session.refresh(rotation)
    assert (rotation.status, rotation.rating, rotation.passed) == (
        RotationStatus.EVALUATED,
        4,
        True,
    )
    response = host.post(
        url + "/evaluate",
        data={"csrf_token": csrf_token(host, url), **evaluate},
        follow_redirects=True,
    )
    assert "already been evaluated" in response.get_data(as_text=True)
    assert client_for("agent").get("/career/rotations").status_code == 403


def test_evaluating_before_the_last_day_is_refused_on_the_page(app, world):
    today = clock.today()
    rotation = _create(world, today, today + D(days=10))
    db.session.commit()
    host = app.test_client()
    login(host, "host")
    url = f"/career/rotations/{rotation.id}"
    page = host.get(url).get_data(as_text=True)
    assert 'data-testid="evaluation-form"' not in page
    evaluation = {"rating": "3", "passed": "no", "evaluation": "-"}
    response = host.post(
        url + "/evaluate",
        data={"csrf_token": csrf_token(host, url), **evaluation},
        follow_redirects=True,
    )
    assert "The evaluation opens on" in response.get_data(as_text=True)
    db.session.refresh(rotation)
    assert rotation.status == RotationStatus.PLANNED
