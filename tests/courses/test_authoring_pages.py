"""HR's course authoring pages: the course list and form, the structure editor, lessons with
their Markdown preview and files, publication and history, and who is enrolled."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from courses import attachments, enrolment, prerequisites, queries, services
from courses.models import (
    Attachment,
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    Lesson,
    Module,
    Tier,
    VersionStatus,
)
from lms import clock
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.test_query_counts import count_statements

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture
def hr(make, client):
    person = make.employee("hr", roles={"hr"})
    db.session.commit()
    login(client, "hr")
    return person


def token(client) -> str:
    return csrf_token(client, "/manage/courses")


def post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


def draft_of(course: Course) -> CourseVersion:
    return db.session.scalar(
        sa.select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.status == VersionStatus.DRAFT
        )
    )


def lesson_keys(module: Module) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Lesson.key).where(Lesson.module_id == module.id).order_by(Lesson.position)
        )
    )


def new_course_form(catalogue, **changes) -> dict:
    data = {
        "slug": "handling-complaints",
        "title": "投诉处理",
        "title_en": "Handling complaints",
        "summary": "如何处理客户投诉。",
        "summary_en": "How to handle complaints.",
        "track": str(catalogue.tracks["communication"].id),
        "tier": "1",
        "estimated_minutes": "45",
        "self_enrolment": "y",
        "default_prerequisites": "y",
    }
    data.update(changes)
    return data


def upload_file(client, path: str, filename: str, data: bytes):
    """A multipart upload encoded in memory (the test client would spool a large body to a
    temporary file that it never closes)."""
    values = {"csrf_token": token(client), "file": FileStorage(io.BytesIO(data), filename)}
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def lesson_form(key: str, title: str, body: str = "", **changes) -> dict:
    data = {"key": key, "title": title, "title_en": "", "minutes": "10", "required": "y"}
    data.update(body=body, **changes)
    return data


# --- creating and structuring a course ----------------------------------------------------------


def test_create_course_add_module_and_lessons_then_reorder_and_edit(client, hr, catalogue):
    assert client.get("/manage/courses/new").status_code == 200
    response = post(client, "/manage/courses/new", new_course_form(catalogue))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manage/courses/handling-complaints")
    course = services.course_by_slug("handling-complaints")
    assert course.status == CourseStatus.DRAFT and course.owner_id == hr.id
    assert draft_of(course).title_en == "Handling complaints"

    page = client.get("/manage/courses/handling-complaints")
    assert page.status_code == 200 and "Add the first module" in text(page)

    response = post(
        client,
        "/manage/courses/handling-complaints/modules/new",
        {"title": "基础", "title_en": "Basics"},
    )
    assert response.status_code == 302
    module = draft_of(course).modules[0]
    for key, title in (("listen", "倾听"), ("apologise", "致歉"), ("resolve", "解决")):
        response = post(
            client, f"/manage/modules/{module.id}/lessons/new", lesson_form(key, title, "内容")
        )
        assert response.status_code == 302, text(response)[:500]
    assert lesson_keys(module) == ["listen", "apologise", "resolve"]

    resolve = db.session.scalar(sa.select(Lesson).where(Lesson.key == "resolve"))
    response = post(client, f"/manage/lessons/{resolve.id}/move", {"direction": "up"})
    assert response.status_code == 302
    assert lesson_keys(module) == ["listen", "resolve", "apologise"]
    listen = db.session.scalar(sa.select(Lesson).where(Lesson.key == "listen"))
    post(client, f"/manage/lessons/{listen.id}/move", {"direction": "down"})
    assert lesson_keys(module) == ["resolve", "listen", "apologise"]
    post(client, f"/manage/lessons/{listen.id}/move", {"direction": "down"})
    post(client, f"/manage/lessons/{listen.id}/move", {"direction": "down"})  # already last
    assert lesson_keys(module) == ["resolve", "apologise", "listen"]
    assert post(client, f"/manage/lessons/{listen.id}/move", {"direction": "x"}).status_code == 400

    page = text(client.get("/manage/courses/handling-complaints"))
    assert page.index("解决") < page.index("致歉") < page.index("倾听")

    body = "# 倾听\n\n先**听完**，再回应。\n\n| 步骤 | 说明 |\n|---|---|\n| 1 | 复述 <问题> |\n"
    response = post(
        client,
        f"/manage/lessons/{listen.id}",
        lesson_form("listen", "认真倾听", body, title_en="Listen", minutes="15", required=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert listen.body == body and listen.title == "认真倾听" and listen.minutes == 15
    assert listen.required is False
    page = text(client.get(f"/manage/lessons/{listen.id}"))
    assert "复述 &lt;问题&gt;" in page  # the textarea holds the text, escaped
    assert "<strong>听完</strong>" in page and "<table>" in page  # the preview, rendered


def test_a_fresh_installation_gets_the_standard_tracks(client, hr):
    page = client.get("/manage/courses/new")
    assert page.status_code == 200 and "Product knowledge" in text(page)
    assert "There are no other courses yet to require." in text(page)
    assert len(queries.tracks()) == 4


def test_course_form_shows_service_messages_on_fields(client, hr, catalogue):
    catalogue.course("taken")
    response = post(client, "/manage/courses/new", new_course_form(catalogue, slug="taken"))
    assert response.status_code == 200 and "The slug taken is taken." in text(response)
    response = post(client, "/manage/courses/new", new_course_form(catalogue, slug="Bad Slug"))
    assert response.status_code == 200 and "A slug has 2 to 80" in text(response)
    response = post(
        client,
        "/manage/courses/new",
        new_course_form(catalogue, slug="ok-course", estimated_minutes="-1"),
    )
    assert response.status_code == 200
    assert services.course_by_slug("ok-course") is None


def test_lesson_rules_are_shown_on_the_form(client, hr, catalogue):
    course = catalogue.course("draft-course", publish=False)
    module = draft_of(course).modules[0]
    response = post(
        client,
        f"/manage/modules/{module.id}/lessons/new",
        lesson_form("lesson-1", "重复的键"),
    )
    assert response.status_code == 200
    assert "Another lesson of this course has the key lesson-1." in text(response)
    response = post(
        client,
        f"/manage/modules/{module.id}/lessons/new",
        lesson_form("video", "视频", video_url="https://evil.example.com/v.mp4"),
    )
    assert response.status_code == 200 and "Videos may only be embedded from" in text(response)
    response = post(
        client,
        f"/manage/modules/{module.id}/lessons/new",
        lesson_form("video", "视频", video_url="https://player.bilibili.com/player.html?bvid=1"),
    )
    assert response.status_code == 302
    assert len(lesson_keys(module)) == 3


def test_modules_can_be_renamed_and_deleted(client, hr, catalogue):
    course = catalogue.course("draft-course", publish=False)
    module = draft_of(course).modules[0]
    assert client.get(f"/manage/modules/{module.id}").status_code == 200
    response = post(client, f"/manage/modules/{module.id}", {"title": "新名称", "title_en": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert module.title == "新名称"
    lesson_id = module.lessons[0].id
    assert post(client, f"/manage/lessons/{lesson_id}/delete").status_code == 302
    assert len(lesson_keys(module)) == 1
    assert post(client, f"/manage/modules/{module.id}/delete").status_code == 302
    db.session.expire_all()
    assert draft_of(course).modules == []


# --- the Markdown preview -------------------------------------------------------------------------


def test_preview_renders_sanitised_html_and_needs_csrf(client, hr):
    markdown = (
        "## 标题\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(2)) "
        '[好的](https://example.com) <img src="x" onerror="alert(3)">'
    )
    headers = {"X-CSRFToken": token(client)}
    response = client.post("/manage/preview", json={"markdown": markdown}, headers=headers)
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<h2>标题</h2>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert "<a" in html and not re.search(r"href=\"\\s*javascript", html, re.I)
    assert "<img" not in html  # raw HTML is text, so no event handler either
    assert 'href="https://example.com"' in html

    assert client.post("/manage/preview", json={"markdown": "# x"}).status_code == 400
    assert (
        client.post(
            "/manage/preview", json={"markdown": "# x"}, headers={"X-CSRFToken": "forged"}
        ).status_code
        == 400
    )
    assert client.post("/manage/preview", json={"other": 1}, headers=headers).status_code == 400


def test_lesson_page_loads_the_preview_script(client, hr, catalogue):
    course = catalogue.course("draft-course", publish=False)
    lesson = draft_of(course).lessons[0]
    page = text(client.get(f"/manage/lessons/{lesson.id}"))
    assert 'src="/static/js/markdown-preview.js"' in page
    assert 'data-preview-url="/manage/preview"' in page
    assert "<script>" not in page  # nothing inline: the CSP forbids it


# --- attachments --------------------------------------------------------------------------------


def test_attachments_are_checked_and_can_be_removed(app, client, hr, catalogue):
    app.config["ATTACHMENT_MAX_MB"] = 1
    course = catalogue.course("draft-course", publish=False)
    lesson = draft_of(course).lessons[0]
    path = f"/manage/lessons/{lesson.id}/attachments"

    def upload(name: str, data: bytes):
        return upload_file(client, path, name, data)

    response = upload("退货流程.pdf", PDF)
    assert response.status_code == 302
    page = text(client.get(f"/manage/lessons/{lesson.id}"))
    assert "退货流程.pdf" in page and "application/pdf" in page

    response = upload("setup.exe", b"MZ\x90\x00")
    assert response.status_code == 200
    assert "Attach PDF, images" in text(response)
    response = upload("fake.pdf", b"#!/bin/sh\nrm -rf /\n")
    assert response.status_code == 200
    assert "content does not match its .pdf extension" in text(response)
    response = upload("big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 200 and "larger than 1 MB" in text(response)
    response = upload("退货流程.pdf", PDF)
    assert response.status_code == 200 and "already has a file called" in text(response)

    db.session.expire_all()
    assert [a.filename for a in lesson.attachments] == ["退货流程.pdf"]
    attachment = lesson.attachments[0]
    assert post(client, f"/manage/attachments/{attachment.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


# --- publication, versions and the course's life --------------------------------------------------


def test_publish_start_a_new_version_change_and_publish_again(client, hr, catalogue):
    course = catalogue.course("returns", lessons=2, publish=False)
    page = text(client.get("/manage/courses/returns"))
    assert "Publish version 1" in page

    response = post(client, "/manage/courses/returns/publish", {"change_note": "首次发布"})
    assert response.status_code == 302
    db.session.expire_all()
    assert course.status == CourseStatus.PUBLISHED and course.current_version.number == 1
    page = text(client.get("/manage/courses/returns"))
    assert "首次发布" in page and "First publication: 2 lessons." in page
    assert "Start a new version" in page and "Publish version" not in page

    assert post(client, "/manage/courses/returns/draft").status_code == 302
    draft = draft_of(course)
    assert draft.number == 2
    lesson = next(x for x in draft.lessons if x.key == "lesson-2")
    response = post(
        client,
        f"/manage/lessons/{lesson.id}",
        lesson_form("lesson-2", "七天无理由退货", "新的政策内容"),
    )
    assert response.status_code == 302

    response = post(client, "/manage/courses/returns/publish", {"change_note": ""})
    assert response.status_code == 302
    page = text(client.get("/manage/courses/returns"))
    assert "Changed lesson “七天无理由退货”." in page
    history = page[page.index('data-testid="version-history"') :]
    assert history.index('data-version="2"') < history.index('data-version="1"')
    assert "Retired" in history
    db.session.expire_all()
    assert course.current_version.number == 2


def test_publishing_an_empty_draft_is_refused_with_a_message(client, hr, catalogue):
    post(client, "/manage/courses/new", new_course_form(catalogue))
    response = post(
        client, "/manage/courses/handling-complaints/publish", {}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Add at least one lesson before publishing." in text(response)


def test_archive_and_restore(client, hr, catalogue):
    course = catalogue.course("returns")
    assert post(client, "/manage/courses/returns/archive").status_code == 302
    db.session.expire_all()
    assert course.status == CourseStatus.ARCHIVED
    assert "Restore" in text(client.get("/manage/courses/returns"))
    assert post(client, "/manage/courses/returns/restore").status_code == 302
    db.session.expire_all()
    assert course.status == CourseStatus.PUBLISHED
    assert client.post("/manage/courses/returns/archive").status_code == 400  # no CSRF token


def test_editing_titles_goes_into_the_draft_and_prerequisites_refuse_cycles(client, hr, catalogue):
    basics = catalogue.course("basics")
    advanced = catalogue.course("advanced", tier=Tier.ADVANCED)
    prerequisites.set_prerequisites(advanced, [basics])
    page = text(client.get("/manage/courses/basics/edit"))
    assert 'value="Course 1"' in page and "advanced" in page

    response = post(
        client,
        "/manage/courses/basics/edit",
        new_course_form(
            catalogue, slug="basics", title="基础课（新）", prerequisites=str(advanced.id)
        ),
    )
    assert response.status_code == 200
    assert "These prerequisites would make a cycle: basics → advanced → basics." in text(response)
    assert 'data-testid="prerequisites-error"' in text(response)
    db.session.expire_all()
    assert draft_of(basics) is None  # nothing was saved

    response = post(
        client,
        "/manage/courses/basics/edit",
        new_course_form(catalogue, slug="basics", title="基础课（新）", default_prerequisites=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert basics.current_version.title == "课程1"  # learners still see the published title
    assert draft_of(basics).title == "基础课（新）"
    assert basics.default_prerequisites is False

    response = post(
        client,
        "/manage/courses/advanced/edit",
        new_course_form(catalogue, slug="advanced-2", tier="2", prerequisites=[]),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/advanced-2")
    db.session.expire_all()
    assert advanced.slug == "advanced-2" and advanced.prerequisites == []


def test_published_versions_are_read_only_with_a_message(client, hr, catalogue):
    course = catalogue.course("returns")
    version = course.current_version
    module, lesson = version.modules[0], version.lessons[0]

    page = client.get(f"/manage/lessons/{lesson.id}")
    assert page.status_code == 200 and 'data-testid="read-only"' in text(page)
    assert client.get(f"/manage/modules/{module.id}").status_code == 200

    refused = "Only a draft can be changed"
    attempts = [
        (f"/manage/lessons/{lesson.id}", lesson_form("lesson-1", "改动", "新内容")),
        (f"/manage/lessons/{lesson.id}/move", {"direction": "down"}),
        (f"/manage/lessons/{lesson.id}/delete", {}),
        (f"/manage/modules/{module.id}", {"title": "改动"}),
        (f"/manage/modules/{module.id}/delete", {}),
        (f"/manage/modules/{module.id}/lessons/new", lesson_form("new-one", "新课时")),
    ]
    for path, data in attempts:
        response = post(client, path, data)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/manage/courses/returns")
        assert refused in text(client.get("/manage/courses/returns")), path

    response = upload_file(client, f"/manage/lessons/{lesson.id}/attachments", "a.pdf", PDF)
    assert response.status_code == 302
    assert refused in text(client.get("/manage/courses/returns"))
    response = post(client, "/manage/courses/returns/modules/new", {"title": "x"})
    assert response.status_code == 302
    db.session.expire_all()
    assert lesson.title == "课时1" and len(version.lessons) == 2 and lesson.attachments == []


# --- who is enrolled ----------------------------------------------------------------------------


def test_enrolments_list_shows_people_progress_and_filters(client, hr, make, catalogue):
    course = catalogue.course("returns", lessons=2)
    version = course.current_version
    team = make.team(name="售后一组")
    now = clock.now()
    fresh = make.employee(name="甲新人", team=team)
    halfway = make.employee(name="乙进行中", team=team)
    done = make.employee(name="丙已完成")
    late = make.employee(name="丁逾期")
    enrolment.enrol(fresh, course, now=now, source=enrolment.EnrolmentSource.SELF)
    e = enrolment.enrol(halfway, course, now=now)
    enrolment.complete_lesson(e, version.lessons[0], now=now)
    e = enrolment.enrol(done, course, now=now)
    for lesson in version.lessons:
        enrolment.complete_lesson(e, lesson, now=now)
    e = enrolment.enrol(late, course, now=now)
    e.due_on = clock.today() - dt.timedelta(days=3)

    response = client.get("/manage/courses/returns/enrolments")
    page = text(response)
    assert response.status_code == 200
    for person in (fresh, halfway, done, late):
        assert f'href="/people/{person.employee_no}"' in page
    assert "售后一组" in page and "Themselves" in page
    row = page[page.index(f'data-employee="{halfway.employee_no}"') :]
    assert 'data-testid="progress">1/2<' in row[: row.index("</tr>")]
    row = page[page.index(f'data-employee="{done.employee_no}"') :]
    assert 'data-testid="progress">2/2<' in row[: row.index("</tr>")]

    def shown(status: str) -> set[str]:
        html = text(client.get(f"/manage/courses/returns/enrolments?status={status}"))
        return set(re.findall(r'data-employee="([^"]+)"', html))

    assert shown("completed") == {done.employee_no}
    assert shown("in_progress") == {halfway.employee_no}
    assert shown("not_started") == {fresh.employee_no}
    assert shown("overdue") == {late.employee_no}

    by_name = text(client.get("/manage/courses/returns/enrolments?sort=name"))
    names = re.findall(r'data-employee="([^"]+)"', by_name)
    descending = text(client.get("/manage/courses/returns/enrolments?sort=name&dir=desc"))
    assert re.findall(r'data-employee="([^"]+)"', descending) == list(reversed(names))

    empty = catalogue.course("empty")
    assert "Nobody is enrolled yet." in text(client.get(f"/manage/courses/{empty.slug}/enrolments"))


def test_course_list_filters_and_counts(client, hr, make, catalogue):
    returns = catalogue.course("returns", track="product")
    catalogue.course("empathy", track="communication", tier=Tier.ADVANCED)
    catalogue.course("unpublished", publish=False)
    archived = catalogue.course("old-policy")
    services.archive(archived)
    services.draft_of(returns, now=clock.now())
    for _ in range(3):
        enrolment.enrol(make.employee(), returns, now=clock.now())

    def slugs(query: str = "") -> list[str]:
        html = text(client.get(f"/manage/courses{query}"))
        return re.findall(r'data-course="([^"]+)"', html)

    page = text(client.get("/manage/courses"))
    assert 'href="/manage/packages/import"' in page
    assert set(slugs()) == {"returns", "empathy", "unpublished", "old-policy"}
    row = page[page.index('data-course="returns"') :]
    row = row[: row.index("</tr>")]
    assert "v1" in row and "Draft v2" in row and ">3</a>" in row
    assert slugs("?status=draft") == ["unpublished"]
    assert slugs("?status=archived") == ["old-policy"]
    assert slugs("?track=communication") == ["empathy"]
    assert slugs("?tier=2") == ["empathy"]
    assert slugs("?q=empa") == ["empathy"]
    assert slugs("?sort=enrolled&dir=desc")[0] == "returns"
    assert slugs("?sort=slug") == ["empathy", "old-policy", "returns", "unpublished"]
    assert "No course matches these filters." in text(client.get("/manage/courses?q=nothing"))


# --- access and missing records -------------------------------------------------------------------


def _manage_urls(app, course: Course, lesson: Lesson, attachment: Attachment) -> list:
    values = {
        "slug": course.slug,
        "module_id": lesson.module_id,
        "lesson_id": lesson.id,
        "attachment_id": attachment.id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if app.view_functions[rule.endpoint].__module__ in (
            "courses.views.authoring",
            "courses.views.lessons",
        ):
            path = rule.build({k: values[k] for k in rule.arguments})[1]
            methods = rule.methods - {"HEAD", "OPTIONS"}
            urls.extend((method, path) for method in sorted(methods))
    return urls


def test_employees_get_403_on_every_manage_page(app, client, make, catalogue):
    course = catalogue.course("draft-course", publish=False)
    lesson = draft_of(course).lessons[0]
    attachment = attachments.add_attachment(lesson, "a.pdf", PDF)
    make.employee("worker")
    db.session.commit()
    login(client, "worker")
    csrf = csrf_token(client, "/")
    urls = _manage_urls(app, course, lesson, attachment)
    assert len(urls) >= 20
    for method, path in urls:
        response = client.open(
            path, method=method, data={"csrf_token": csrf}, headers={"X-CSRFToken": csrf}
        )
        assert response.status_code == 403, (method, path)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/manage/courses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_slugs_and_ids_give_404(client, hr):
    for path in (
        "/manage/courses/nope",
        "/manage/courses/nope/edit",
        "/manage/courses/nope/enrolments",
        "/manage/courses/nope/modules/new",
        "/manage/modules/999",
        "/manage/modules/999/lessons/new",
        "/manage/lessons/999",
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        "/manage/courses/nope/draft",
        "/manage/courses/nope/publish",
        "/manage/courses/nope/archive",
        "/manage/courses/nope/restore",
        "/manage/modules/999/delete",
        "/manage/lessons/999/move",
        "/manage/lessons/999/delete",
        "/manage/lessons/999/attachments",
        "/manage/attachments/999/delete",
    ):
        assert post(client, path).status_code == 404, path


# --- a bounded number of statements -----------------------------------------------------------


def _measure(client, url: str) -> int:
    with count_statements() as statements:
        response = client.get(url)
        assert response.status_code == 200
    return len(statements)


def _enrol_people(make, course: Course, n: int) -> None:
    version = course.current_version
    team = make.team()
    now = clock.now()
    for i in range(n):
        person = make.employee(team=team)
        e = enrolment.enrol(person, course, now=now, due_on=clock.today() + dt.timedelta(days=i))
        if i % 3 == 1:
            enrolment.complete_lesson(e, version.lessons[0], now=now)
        if i % 3 == 2:
            for lesson in version.lessons:
                enrolment.complete_lesson(e, lesson, now=now)
    db.session.flush()


def test_enrolment_list_statements_do_not_grow(app, client, hr, make, catalogue):
    course = catalogue.course("returns", lessons=2)
    url = "/manage/courses/returns/enrolments"
    _enrol_people(make, course, 5)
    small = _measure(client, url)
    _enrol_people(make, course, 55)
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 60
    assert _measure(client, url) == small
    assert _measure(client, url + "?sort=name&dir=desc&page=2") == small
    assert small <= 11  # with the navbar's unread-notification count


def test_course_list_statements_do_not_grow(app, client, hr, make, catalogue):
    def add_courses(n: int) -> None:
        for i in range(n):
            course = catalogue.course(lessons=1, publish=i % 4 != 0)
            if i % 4 == 1:
                services.draft_of(course, now=clock.now())
            if i % 4 == 2:
                enrolment.enrol(make.employee(), course, now=clock.now())

    add_courses(5)
    small = _measure(client, "/manage/courses")
    add_courses(55)
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 60
    assert _measure(client, "/manage/courses") == small
    assert _measure(client, "/manage/courses?sort=enrolled&dir=desc&page=2") == small
    assert small <= 11


def test_course_page_statements_do_not_grow_with_lessons(app, client, hr, catalogue):
    few = catalogue.course("few", lessons=2, publish=False)
    many = catalogue.course("many", lessons=30, publish=False)
    assert draft_of(few) and draft_of(many)
    assert _measure(client, "/manage/courses/few") == _measure(client, "/manage/courses/many")
