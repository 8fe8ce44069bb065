"""HR's administration pages: people, departments, teams, posts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.models import ApiToken
from lms.accounts.services import create_token
from lms.extensions import db
from lms.organisation import events
from lms.organisation.models import Department, Employee, Post, PostChange, Team
from tests.conftest import csrf_token, login


@pytest.fixture
def hr_client(app, make):
    make.employee("hr", roles={"hr"}, locale="en")
    make.team("售后一组")
    make.post("客服专员")
    make.post("高级客服专员", level=2)
    db.session.commit()
    client = app.test_client()
    login(client, "hr")
    return client


def person_form(token: str, **changes) -> dict:
    data = {
        "employee_no": "F1001",
        "name": "钱多多",
        "hire_date": "2026-11-18",
        "status": "onboarding",
        "team": "售后一组",
        "post": "客服专员",
        "email": "",
        "phone": "",
        "supervisor": "",
        "username": "",
        "locale": "zh_CN",
        "timezone": "Asia/Shanghai",
        "roles": ["employee"],
        "csrf_token": token,
    }
    return data | changes


def test_create_a_person_and_hand_over_the_password(hr_client):
    created = []
    events.employees_created.connect(
        lambda _s, **kw: created.extend(kw["employee_ids"]), weak=False
    )
    try:
        token = csrf_token(hr_client, "/people/new")
        response = hr_client.post("/people/new", data=person_form(token))
    finally:
        events.employees_created.receivers.clear()
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="initial-password"' in page
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == "F1001"))
    assert person.must_change_password and created == [person.id]


def test_form_errors_rerender_with_messages_and_keep_input(hr_client):
    token = csrf_token(hr_client, "/people/new")
    response = hr_client.post(
        "/people/new", data=person_form(token, employee_no="bad no", email="nope", supervisor="X0")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "employee number has 1 to 32" in page and "not a valid e-mail" in page
    assert 'value="钱多多"' in page
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1


def test_duplicate_employee_number_is_refused(hr_client):
    token = csrf_token(hr_client, "/people/new")
    hr_client.post("/people/new", data=person_form(token))
    response = hr_client.post("/people/new", data=person_form(token, name="另一个"))
    assert "already in use" in response.get_data(as_text=True)


def test_edit_changes_post_and_keeps_history(hr_client):
    token = csrf_token(hr_client, "/people/new")
    hr_client.post("/people/new", data=person_form(token))
    response = hr_client.post(
        "/people/F1001/edit",
        data=person_form(token, post="高级客服专员", status="active", roles=["employee", "mentor"]),
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == "F1001"))
    assert person.post.title == "高级客服专员" and person.roles == {"employee", "mentor"}
    history = db.session.scalars(
        sa.select(PostChange).where(PostChange.employee_id == person.id).order_by(PostChange.id)
    ).all()
    assert [h.to_post.title for h in history] == ["客服专员", "高级客服专员"]
    page = hr_client.get("/people/F1001").get_data(as_text=True)
    assert "Post history" in page and "高级客服专员" in page


def test_marking_someone_as_left_ends_their_access_but_keeps_them(app, hr_client, make):
    person = make.employee("leaver", employee_no="F2001")
    token_row, secret = create_token(person, "x", clock.now())
    db.session.commit()
    their_browser = app.test_client()
    login(their_browser, "leaver")
    response = hr_client.post(
        "/people/F2001/deactivate", data={"csrf_token": csrf_token(hr_client, "/people/F2001")}
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert str(person.status) == "left" and person.left_on is not None
    assert their_browser.get("/").status_code == 302
    assert login(app.test_client(), "leaver").status_code == 200  # refused
    assert db.session.get(ApiToken, token_row.id).revoked_at is not None
    assert (
        hr_client.get("/api/v1/teams", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    assert 'href="/people/F2001"' in hr_client.get("/people?status=left").get_data(as_text=True)


def test_hr_cannot_deactivate_themselves(hr_client):
    hr = db.session.scalar(sa.select(Employee).where(Employee.username == "hr"))
    hr_client.post(
        f"/people/{hr.employee_no}/deactivate",
        data={"csrf_token": csrf_token(hr_client, "/people")},
    )
    db.session.refresh(hr)
    assert str(hr.status) == "active"


def test_reset_password_issues_a_new_one(app, hr_client, make):
    make.employee("forgetful", employee_no="F3001")
    db.session.commit()
    response = hr_client.post(
        "/people/F3001/reset-password", data={"csrf_token": csrf_token(hr_client, "/people/F3001")}
    )
    page = response.get_data(as_text=True)
    import re

    password = re.search(r'data-testid="initial-password">([^<]+)<', page).group(1)
    client = app.test_client()
    assert login(client, "forgetful", password).status_code == 302
    assert client.get("/").location.endswith("/account/password")


def test_people_list_searches_filters_sorts_and_pages(hr_client, make):
    team = db.session.scalar(sa.select(Team))
    for i in range(30):
        make.employee(employee_no=f"G{i:03d}", name=f"员工{i:02d}", team=team if i % 2 else None)
    db.session.commit()
    page = hr_client.get("/people").get_data(as_text=True)
    assert "Showing 1–25 of 31" in page
    assert "员工07" in hr_client.get("/people?q=员工07").get_data(as_text=True)
    assert "Showing 1–1 of 1" in hr_client.get("/people?q=员工07").get_data(as_text=True)
    filtered = hr_client.get(f"/people?team={team.id}").get_data(as_text=True)
    assert "of 15" in filtered
    desc = hr_client.get("/people?sort=name&dir=desc").get_data(as_text=True)
    assert desc.index("员工29") < desc.index("员工28")
    last = hr_client.get("/people?page=2").get_data(as_text=True)
    assert "Showing 26–31 of 31" in last
    empty = hr_client.get("/people?q=nobody-at-all").get_data(as_text=True)
    assert "Nobody matches these filters." in empty


def test_departments_teams_and_posts(hr_client):
    token = csrf_token(hr_client, "/organisation")
    assert (
        hr_client.post(
            "/organisation/departments/new",
            data={"name": "电商运营部", "name_en": "E-commerce", "csrf_token": token},
        ).status_code
        == 302
    )
    dept = db.session.scalar(sa.select(Department).where(Department.name == "电商运营部"))
    response = hr_client.post(
        "/organisation/teams/new",
        data={"name": "直播客服组", "department": dept.id, "lead": "NOPE", "csrf_token": token},
    )
    assert "Unknown employee number" in response.get_data(as_text=True)
    hr = db.session.scalar(sa.select(Employee).where(Employee.username == "hr"))
    assert (
        hr_client.post(
            "/organisation/teams/new",
            data={
                "name": "直播客服组",
                "department": dept.id,
                "lead": hr.employee_no,
                "csrf_token": token,
            },
        ).status_code
        == 302
    )
    team = db.session.scalar(sa.select(Team).where(Team.name == "直播客服组"))
    assert team.lead_id == hr.id
    duplicate = hr_client.post(
        "/organisation/posts/new", data={"title": "客服专员", "level": 1, "csrf_token": token}
    )
    assert "exists already" in duplicate.get_data(as_text=True)
    assert (
        hr_client.post(
            "/organisation/posts/new",
            data={
                "title": "直播客服",
                "title_en": "Live-stream agent",
                "level": 1,
                "csrf_token": token,
            },
        ).status_code
        == 302
    )
    assert db.session.scalar(sa.select(Post).where(Post.title == "直播客服")).title_en
    overview = hr_client.get("/organisation").get_data(as_text=True)
    assert "直播客服组" in overview and "E-commerce" in overview


def test_import_template_is_excel_friendly(hr_client):
    response = hr_client.get("/people/import/template.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    assert "工号" in response.get_data(as_text=True)
