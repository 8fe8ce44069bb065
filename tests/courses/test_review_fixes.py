"""Fixes from the product review of the catalogue pages: titles instead of slugs, the change
log stored as data and put into words per reader, lesson headings and language, the lesson
reader's own button labels, the export button."""

from __future__ import annotations

import json

import pytest

from courses import changelog, enrolment, services
from courses.markdown import render
from courses.models import Tier
from lms import clock
from lms.extensions import db
from tests.conftest import login


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def hr_client(app, make):
    make.employee("hr", roles={"hr"}, locale="en")
    db.session.commit()
    client = app.test_client()
    login(client, "hr")
    return client


def signed_in(app, make, username: str, locale: str):
    person = make.employee(username, locale=locale)
    db.session.commit()
    client = app.test_client()
    login(client, username)
    return person, client


# --- HR's pages: export, titles, change log ----------------------------------------------------


def test_course_page_offers_the_package_export(hr_client, catalogue):
    catalogue.course("returns", title="退换货政策")
    page = text(hr_client.get("/manage/courses/returns"))
    assert 'href="/manage/courses/returns/export.zip"' in page and "Export package" in page
    response = hr_client.get("/manage/courses/returns/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"


def test_admin_pages_name_the_course_by_its_title(hr_client, catalogue):
    course = catalogue.course("returns-and-refunds")  # title 课程1, title_en "Course 1"
    lesson = course.current_version.lessons[0]
    module = course.current_version.modules[0]
    pages = {
        "/manage/courses/returns-and-refunds": "Course 1",
        "/manage/courses/returns-and-refunds/edit": "Edit “Course 1”",
        "/manage/courses/returns-and-refunds/enrolments": "Course 1",
        f"/manage/lessons/{lesson.id}": "Course 1",
        f"/manage/modules/{module.id}": "Course 1",
    }
    for path, title in pages.items():
        page = text(hr_client.get(path))
        breadcrumb = page[page.index('<ol class="breadcrumb">') : page.index("</ol>")]
        assert title in page, path
        assert "Course 1" in breadcrumb and "returns-and-refunds<" not in breadcrumb, path
        assert 'aria-label="Breadcrumb"' in page, path
    assert "Edit returns-and-refunds" not in text(hr_client.get(list(pages)[1]))


def test_a_course_that_has_only_a_draft_is_named_by_the_draft(hr_client, catalogue):
    catalogue.course("draft-only", title="草稿课程", publish=False)
    page = text(hr_client.get("/manage/courses/draft-only/edit"))
    assert "Edit “草稿课程”" in page


def test_enrolments_table_gives_progress_bars_room(hr_client, make, catalogue):
    course = catalogue.course("returns")
    enrolment.enrol(make.employee(employee_no="E00042"), course, now=clock.now())
    page = text(hr_client.get("/manage/courses/returns/enrolments"))
    assert 'class="text-nowrap progress-cell"' in page
    assert "<code>E00042</code>" not in page and "E00042" in page
    assert "Enrolled via" in page


def test_change_log_is_stored_as_data(catalogue):
    course = catalogue.course("returns", lessons=2)
    first = course.current_version
    assert json.loads(first.change_log) == [{"kind": "first", "n": 2}]
    draft = services.draft_of(course, now=clock.now())
    services.save_lesson(
        draft.modules[0],
        None,
        services.LessonFields(
            key="new", title="新课时", title_en="New lesson", body="x", minutes=5
        ),
    )
    services.update_course(
        course,
        services.CourseFields(
            slug="returns",
            title="新标题",
            title_en=None,
            summary="简介",
            summary_en=None,
            track=course.track,
            tier=Tier(course.tier),
            estimated_minutes=10,
            self_enrolment=True,
        ),
        actor=None,
        now=clock.now(),
    )
    second = services.publish(course, actor=None, now=clock.now())
    assert json.loads(second.change_log) == [
        {"kind": "added", "title": "新课时", "title_en": "New lesson"},
        {"kind": "summary"},
    ]


def test_change_log_is_put_into_words_in_the_readers_language(app, make, catalogue):
    course = catalogue.course("returns", lessons=2)
    version = course.current_version
    version.change_log = changelog.dumps(
        [{"kind": "changed", "title": "退货政策", "title_en": "Returns"}, {"kind": "reordered"}]
    )
    for username, locale, expected in [
        ("hr-en", "en", ["Changed lesson “Returns”.", "Reordered lessons."]),
        ("hr-zh", "zh_CN", ["修改课时“退货政策”。", "调整课时顺序。"]),
    ]:
        make.employee(username, roles={"hr"}, locale=locale)
        db.session.commit()
        client = app.test_client()
        login(client, username)
        page = text(client.get("/manage/courses/returns"))
        history = page[page.index('data-testid="change-log"') :]
        for line in expected:
            assert f"<li>{line}</li>" in history, (locale, line)


def test_old_plain_text_change_logs_are_shown_as_they_are(app):
    assert changelog.lines("新增课时“A”。\n\n调整了课时顺序。", "en") == [
        "新增课时“A”。",
        "调整了课时顺序。",
    ]
    assert changelog.lines(None, "en") == [] and changelog.lines("  ", "en") == []
    assert changelog.lines("42", "en") == ["42"]  # JSON, but not a list of entries
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert changelog.lines('[{"kind": "none"}, {"kind": "?"}]', "en") == [
            "No change to the content."
        ]
        assert changelog.lines('[{"kind": "first", "n": 3}]', "en") == [
            "First publication: 3 lessons."
        ]


# --- the learner's side -----------------------------------------------------------------------


def test_leading_title_heading_is_dropped_only_when_it_repeats_the_title():
    body = "# 退货政策\n\n内容。\n\n# 退货政策\n"
    assert str(render(body, drop_title=("退货政策", None))) == "<p>内容。</p>\n<h1>退货政策</h1>\n"
    assert "<h1>" in str(render("# 别的标题\n\n内容。", drop_title=("退货政策",)))
    assert "<h2>退货政策</h2>" in str(render("## 退货政策", drop_title=("退货政策",)))
    assert str(render(body)).startswith("<h1>退货政策</h1>")  # the editor's preview keeps it


def test_english_catalogue_names_locked_prerequisites_in_english(app, make, catalogue):
    catalogue.course("basic-comm", track="communication")  # 课程1 / Course 1
    catalogue.course("adv-comm", track="communication", tier=Tier.ADVANCED)
    _person, client = signed_in(app, make, "amy", "en")
    page = text(client.get("/courses"))
    assert "Locked: complete Course 1 first" in page


def test_lesson_reader_in_english_over_a_chinese_body(app, make, catalogue):
    course = catalogue.course("returns", lessons=2)  # bodies start with "# 课时N"
    person, client = signed_in(app, make, "amy", "en")
    enrolment.enrol(person, course, now=clock.now())
    db.session.commit()
    page = text(client.get("/courses/returns/lessons/lesson-1"))
    assert 'class="lesson-body" lang="zh-CN"' in page
    assert "This lesson is written in Chinese." in page
    assert "<h1>课时1</h1>" not in page  # the page title says it already
    assert "Mark as done · Next lesson →" in page
    assert ">Next<" not in page and "Next lesson" in page


def test_lesson_reader_in_chinese(app, make, catalogue):
    course = catalogue.course("returns", lessons=2)
    person, client = signed_in(app, make, "li", "zh_CN")
    mine = enrolment.enrol(person, course, now=clock.now())
    enrolment.complete_lesson(mine, course.current_version.lessons[0], now=clock.now())
    db.session.commit()
    page = text(client.get("/courses/returns/lessons/lesson-1"))
    assert 'lang="zh-CN" data-testid="lesson-body"' not in page
    assert "This lesson is written in Chinese." not in page
    assert "下一课时" in page and "下一页" not in page
    page = text(client.get("/courses/returns/lessons/lesson-2"))
    assert "上一课时" in page and "标记为已完成" in page
