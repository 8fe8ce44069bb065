"""The learner's side: home, catalogue, course page, lesson reader, attachments."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from courses import attachments, enrolment, services
from courses.models import Enrolment, Tier
from lms import clock
from lms.extensions import db
from tests.conftest import csrf_token, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def learner(app, make):
    person = make.employee("amy", locale="en", hire_date=dt.date(2026, 11, 1))
    db.session.commit()
    client = app.test_client()
    login(client, "amy")
    return person, client


def test_home_lists_assigned_courses_by_urgency_with_progress(learner, catalogue):
    person, client = learner
    late = catalogue.course("late-one", title="退换货政策")
    soon = catalogue.course("soon-one", title="共情沟通")
    enrolment.enrol(person, soon, now=clock.now(), due_on=clock.today() + dt.timedelta(days=5))
    enrolment.enrol(person, late, now=clock.now(), due_on=dt.date(2026, 11, 10))
    with clock.frozen(dt.datetime(2026, 11, 22, 8, tzinfo=dt.UTC)):
        page = client.get("/").get_data(as_text=True)
    assert page.index("退换货政策") < page.index("共情沟通")  # the overdue one first
    assert "Overdue by 12 days" in page and 'data-status="overdue"' in page


def test_continue_where_you_left_off(learner, catalogue):
    person, client = learner
    course = catalogue.course("resume-me", lessons=3)
    e = enrolment.enrol(person, course, now=clock.now())
    enrolment.complete_lesson(e, course.current_version.lessons[0], now=clock.now())
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="resume"' in page
    assert "/courses/resume-me/lessons/lesson-2" in page


def test_catalogue_groups_filters_searches_and_shows_locks(learner, catalogue):
    _person, client = learner
    catalogue.course("basic-comm", track="communication", title="共情沟通与投诉处理")
    catalogue.course("adv-comm", track="communication", tier=Tier.ADVANCED, title="复杂投诉案例")
    catalogue.course("returns", title="退换货与退款政策")
    catalogue.course("hidden-draft", title="草稿课程", publish=False)
    page = client.get("/courses").get_data(as_text=True)
    assert "共情沟通与投诉处理" in page and "草稿课程" not in page
    assert "Locked: complete 共情沟通与投诉处理 first" in page
    found = client.get("/courses?q=退换").get_data(as_text=True)  # Chinese search
    assert "退换货与退款政策" in found and "共情沟通" not in found
    assert "复杂投诉" in client.get("/courses?tier=2").get_data(as_text=True)
    assert "退换货" not in client.get("/courses?track=communication").get_data(as_text=True)
    assert "No course matches." in client.get("/courses?q=zzz").get_data(as_text=True)


def test_self_enrol_read_lessons_and_complete(learner, catalogue):
    person, client = learner
    course = catalogue.course("self-paced", lessons=2)
    token = csrf_token(client, "/courses/self-paced")
    assert client.get("/courses/self-paced/lessons/lesson-1").status_code == 302  # enrol first
    client.post("/courses/self-paced/enrol", data={"csrf_token": token})
    e = db.session.scalar(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    assert e is not None and e.source == "self"
    page = client.get("/courses/self-paced/lessons/lesson-1")
    assert page.status_code == 200 and "课时1" in page.get_data(as_text=True)
    assert "Lesson 1 of 2" in page.get_data(as_text=True)
    response = client.post(
        "/courses/self-paced/lessons/lesson-1/complete", data={"csrf_token": token}
    )
    assert response.location.endswith("/courses/self-paced/lessons/lesson-2")
    response = client.post(
        "/courses/self-paced/lessons/lesson-2/complete",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Congratulations! You have completed" in response.get_data(as_text=True)
    db.session.refresh(e)
    assert e.completed_at is not None and e.started_at is not None
    del course


def test_locked_and_closed_courses_cannot_be_self_enrolled(learner, catalogue):
    _person, client = learner
    catalogue.course("base-prod")
    catalogue.course("adv-prod", tier=Tier.ADVANCED)
    catalogue.course("hr-only", self_enrolment=False)
    page = client.get("/courses/adv-prod").get_data(as_text=True)
    assert "Complete these courses first" in page and "Enrol</button>" not in page
    token = csrf_token(client, "/courses/adv-prod")
    response = client.post(
        "/courses/adv-prod/enrol", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Complete these courses first" in response.get_data(as_text=True)
    client.post("/courses/hr-only/enrol", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_unpublished_and_unknown_courses_are_not_found(learner, catalogue):
    _person, client = learner
    catalogue.course("secret-draft", publish=False)
    assert client.get("/courses/secret-draft").status_code == 404
    assert client.get("/courses/nope").status_code == 404
    catalogue.course("real")
    assert client.get("/courses/real/lessons/nope").status_code == 302  # not enrolled


def test_lesson_reader_sanitises_markdown(learner, catalogue, make):
    person, client = learner
    course = catalogue.course("xss", publish=False)
    version = course.versions[0]
    services.save_lesson(
        version.modules[0],
        version.lessons[0],
        services.LessonFields(
            key="lesson-1",
            title="课时1",
            title_en=None,
            minutes=5,
            body="<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
            "<img src=x onerror=alert(3)>\n\n![a](https://evil.example/x.png)",
        ),
    )
    services.publish(course, actor=None, now=clock.now())
    enrolment.enrol(person, course, now=clock.now())
    page = client.get("/courses/xss/lessons/lesson-1").get_data(as_text=True)
    body = page.split('data-testid="lesson-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and 'href="javascript' not in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(3)&gt;" in body  # text
    assert "evil.example" not in body


def test_learners_keep_their_version_when_a_new_one_is_published(learner, catalogue):
    person, client = learner
    course = catalogue.course("versioned", lessons=2)
    token = csrf_token(client, "/courses/versioned")
    e = enrolment.enrol(person, course, now=clock.now())
    client.post("/courses/versioned/lessons/lesson-1/complete", data={"csrf_token": token})
    draft = services.draft_of(course, now=clock.now())
    services.save_lesson(
        draft.modules[0],
        draft.lessons[0],
        services.LessonFields(
            key="lesson-1", title="新版课时1", title_en=None, body="新内容", minutes=5
        ),
    )
    services.publish(course, actor=None, now=clock.now())
    db.session.commit()
    page = client.get("/courses/versioned/lessons/lesson-1").get_data(as_text=True)
    assert "课时1" in page and "新版课时1" not in page
    assert "a newer version has been published" in client.get("/courses/versioned").get_data(
        as_text=True
    )
    db.session.refresh(e)
    assert e.version.number == 1


def test_attachments_only_for_people_enrolled(app, learner, catalogue, make):
    person, client = learner
    course = catalogue.course("with-file", publish=False)
    lesson = course.versions[0].lessons[0]
    file = attachments.add_attachment(lesson, "退货单.pdf", PDF)
    services.publish(course, actor=None, now=clock.now())
    db.session.commit()
    url = f"/attachments/{file.id}/退货单.pdf"
    assert client.get(url).status_code == 404  # not enrolled
    enrolment.enrol(person, course, now=clock.now())
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    assert client.get(f"/attachments/{file.id}/other.pdf").status_code == 404
