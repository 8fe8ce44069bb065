"""The career API: ladders for any API user, a person's readiness for them, their lead, HR and
admin (404 for anyone else), succession slates for HR, with JSON errors and the OpenAPI
entries."""

from __future__ import annotations

import datetime as dt

import pytest

from lms import clock
from lms.accounts.services import create_token
from lms.organisation.models import Employee
from tests.career import factories as cf

TODAY = dt.date(2026, 11, 15)
NOON = dt.datetime(2026, 11, 15, 4, tzinfo=dt.UTC)


def bearer(person: Employee) -> dict[str, str]:
    _token, secret = create_token(person, "test", clock.now())
    return {"Authorization": f"Bearer {secret}"}


def get(client, url: str, person: Employee):
    with clock.frozen(NOON):
        return client.get(url, headers=bearer(person))


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status
    return error["message"]


@pytest.fixture
def world(make):
    agent = make.post("客服专员", level=1)
    agent.title_en = "Service Agent"
    lead_post = make.post("客服组长", level=3)
    lead_post.title_en = "Team Lead"
    lead_post.is_key = True
    track = cf.ladder("管理通道", "Management track")
    step = cf.step(agent, lead_post, ladder_=track)
    course = cf.course("投诉处理", "Complaint Handling")
    csat = cf.metric("csat", "满意度", "CSAT")
    cf.requirement(step, "course", course=course, position=1)
    cf.requirement(step, "kpi", metric=csat, months=3, threshold=92, position=2)
    lead = make.employee("lead", roles={"supervisor"}, locale="zh_CN")
    team = make.team(lead=lead)
    person = make.employee("li", post=agent, team=team, employee_no="E100", name="李娜")
    cf.kpis(person, csat, {cf.month(TODAY, k): v for k, v in ((-3, 88), (-2, 90), (-1, 90.5))})
    cf.enrol(person, course, lessons_done=2)
    return {
        "agent": agent,
        "lead_post": lead_post,
        "step": step,
        "lead": lead,
        "person": person,
        "team": team,
        "stranger": make.employee("zhang", team=make.team()),
        "hr": make.employee("hr", roles={"hr"}),
    }


def test_ladders_for_any_api_user_in_both_languages(client, world):
    response = get(client, "/api/v1/career-ladders", world["stranger"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    [ladder] = body["items"]
    assert ladder["name"] == "管理通道" and ladder["name_en"] == "Management track"
    assert [p["title"] for p in ladder["posts"]] == ["客服专员", "客服组长"]
    assert ladder["posts"][1]["is_key"] is True
    [step] = ladder["steps"]
    assert step["kind"] == "promotion" and step["to_post_id"] == world["lead_post"].id
    course, kpi = step["requirements"]
    assert course["kind"] == "course"
    assert course["label"]["en"] == "Course 《Complaint Handling》 completed"
    assert "《投诉处理》" in course["label"]["zh_CN"]
    assert kpi["metric"] == "csat" and kpi["months"] == 3 and kpi["threshold"] == 92
    assert kpi["label"]["en"] == "CSAT average over the last 3 months ≥ 92 %"
    assert "满意度" in kpi["label"]["zh_CN"]


def test_readiness_for_the_lead_and_404_for_others(client, world):
    url = "/api/v1/employees/E100/readiness?lang=en"
    body = get(client, url, world["lead"]).get_json()
    assert body["employee"]["employee_no"] == "E100" and body["employee"]["name"] == "李娜"
    assert body["step_id"] == world["step"].id and body["to_post"] == "Team Lead"
    assert body["ready"] is False and body["horizon"] == "year"
    assert body["percent"] == 98 and body["months_to_ready"] == 3 and body["lang"] == "en"
    course, kpi = body["findings"]
    assert course["status"] == "met" and course["evidence"].startswith("Completed on ")
    assert kpi["status"] == "not_met"
    assert kpi["evidence"] == "CSAT 3-month average 89.5 %, needs 92 %"

    for who in ("person", "hr"):
        assert get(client, url, world[who]).status_code == 200
    assert "E100" in error_of(get(client, url, world["stranger"]), 404)
    error_of(get(client, "/api/v1/employees/NOPE/readiness", world["hr"]), 404)


def test_readiness_language_defaults_to_the_caller(client, world):
    body = get(client, "/api/v1/employees/E100/readiness", world["lead"]).get_json()
    assert body["lang"] == "zh_CN"  # the lead reads Chinese
    assert body["to_post"] == "客服组长"
    assert "满意度" in body["findings"][1]["evidence"]
    assert "《投诉处理》" in body["findings"][0]["label"]
    message = error_of(get(client, "/api/v1/employees/E100/readiness?lang=fr", world["hr"]), 400)
    assert "en, zh_CN" in message


def test_readiness_target_by_title_or_id_and_errors(client, world):
    base = "/api/v1/employees/E100/readiness?lang=en&target="
    by_title = get(client, base + "客服组长", world["hr"]).get_json()
    by_id = get(client, base + str(world["lead_post"].id), world["hr"]).get_json()
    assert by_title["step_id"] == by_id["step_id"] == world["step"].id
    assert error_of(get(client, base + "宇航员", world["hr"]), 404) == (
        "No post has the id or title 宇航员."
    )
    assert error_of(get(client, base + "Service Agent", world["hr"]), 422) == (
        "No career step leads from Service Agent to Service Agent."
    )


def test_succession_for_hr_only(client, world):
    url = "/api/v1/succession/客服组长?lang=en"
    body = get(client, url, world["hr"]).get_json()
    assert body["post"]["title"] == "客服组长" and body["post"]["is_key"] is True
    assert body["counts"] == {"now": 0, "year": 1, "later": 0}
    [candidate] = body["candidates"]
    assert candidate["rank"] == 1 and candidate["employee_no"] == "E100"
    assert candidate["post"] == "Service Agent" and candidate["horizon"] == "year"
    assert candidate["readiness"]["percent"] == 98  # the KPI gap counts 0.95
    by_id = get(client, f"/api/v1/succession/{world['lead_post'].id}", world["hr"])
    assert by_id.get_json()["candidates"][0]["employee_no"] == "E100"
    error_of(get(client, url, world["lead"]), 403)
    assert error_of(get(client, "/api/v1/succession/宇航员", world["hr"]), 404) == (
        "No post has the id or title 宇航员."
    )


def test_unauthenticated_calls_are_refused(client, world):
    assert client.get("/api/v1/career-ladders").status_code == 401
    assert client.get("/api/v1/employees/E100/readiness").status_code == 401


def test_openapi_documents_the_career_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/career-ladders", "/employees/{employee_no}/readiness", "/succession/{post}"):
        assert "get" in paths[path], path


def test_odd_targets_answer_4xx_not_500(client, world):
    for target in ("99999999999999999999", "²", "x" * 500, "0"):
        url = f"/api/v1/employees/E100/readiness?target={target}"
        assert get(client, url, world["hr"]).status_code == 404, target
        assert get(client, f"/api/v1/succession/{target}", world["hr"]).status_code == 404
