"""A person's record shows their training to whoever may see the person."""

from __future__ import annotations

import datetime as dt

import pytest

from courses import enrolment, services
from courses.models import Tier
from lms import clock
from lms.extensions import db
from tests.conftest import login
from tests.test_query_counts import count_statements


def text(response) -> str:
    return response.get_data(as_text=True)


def published_course(slug: str, title: str, title_en: str | None, lessons: int = 2):
    course = services.create_course(
        services.CourseFields(
            slug=slug,
            title=title,
            title_en=title_en,
            summary="简介",
            summary_en=None,
            track=services.ensure_tracks()[0],
            tier=Tier.FOUNDATION,
            estimated_minutes=10,
            self_enrolment=True,
        ),
        actor=None,
        now=clock.now(),
    )
    module = services.save_module(course.versions[0], None, "单元", None)
    for i in range(lessons):
        services.save_lesson(
            module,
            None,
            services.LessonFields(
                key=f"l{i}", title=f"课时{i}", title_en=None, body="内容", minutes=5
            ),
        )
    services.publish(course, actor=None, now=clock.now())
    return course


@pytest.fixture
def world(make):
    lead = make.employee("lead", roles={"supervisor"}, locale="en")
    team = make.team(lead=lead)
    agent = make.employee("agent", team=team, name="李思雨", employee_no="10005", locale="zh_CN")
    make.employee("hr", roles={"hr"}, locale="en")
    make.employee("other", locale="en")
    returns = published_course("returns", "退换货政策", "Returns and refunds")
    empathy = published_course("empathy", "共情沟通", None)
    today = clock.today()
    late = enrolment.enrol(agent, returns, now=clock.now(), due_on=today - dt.timedelta(days=2))
    enrolment.complete_lesson(late, late.version.lessons[0], now=clock.now())
    enrolment.enrol(agent, empathy, now=clock.now(), due_on=today + dt.timedelta(days=9))
    db.session.commit()
    return {"lead": lead, "agent": agent}


def page_as(app, username: str, path: str = "/people/10005"):
    client = app.test_client()
    login(client, username)
    return client.get(path)


def training_card(page: str) -> str:
    return page[page.index('data-testid="training"') :]


def test_hr_sees_the_training_with_titles_in_their_language(app, world):
    response = page_as(app, "hr")
    assert response.status_code == 200
    card = training_card(text(response))
    assert "Returns and refunds" in card and "共情沟通" in card  # no English title: Chinese
    assert 'data-status="overdue"' in card and 'data-status="not_started"' in card
    assert "1/2" in card and "0/2" in card
    assert card.index("Returns and refunds") < card.index("共情沟通")  # most urgent first


def test_the_supervisor_sees_it_and_goes_back_to_team_learning(app, world):
    page = text(page_as(app, "lead"))
    assert "Returns and refunds" in training_card(page)
    breadcrumb = page[page.index('<ol class="breadcrumb">') : page.index("</ol>")]
    assert 'href="/team/learning"' in breadcrumb and "/people<" not in breadcrumb


def test_the_person_sees_their_own_training_in_chinese(app, world):
    page = text(page_as(app, "agent"))
    card = training_card(page)
    assert "培训" in page and "退换货政策" in card
    assert 'href="/courses/returns"' in card
    assert 'href="/team/learning"' not in page


def test_others_get_not_found(app, world):
    assert page_as(app, "other").status_code == 404


def test_empty_training_says_what_to_do(app, world, make):
    make.employee(employee_no="20001")
    db.session.commit()
    page = text(page_as(app, "hr", "/people/20001"))
    assert "No training has been assigned yet." in page and 'href="/manage/assign"' in page


def test_statements_do_not_grow_with_enrolments(app, world):
    client = app.test_client()
    login(client, "hr")

    def measure() -> int:
        with count_statements() as statements:
            assert client.get("/people/10005").status_code == 200
        return len(statements)

    small = measure()
    for n in range(4):
        course = published_course(f"more-{n}", f"课程{n}", None)
        enrolment.enrol(world["agent"], course, now=clock.now())
    db.session.commit()
    assert measure() == small


def test_roles_are_named_plainly(app, world):
    page = text(page_as(app, "hr", "/people/" + world["lead"].employee_no))
    assert "Team lead" in page
