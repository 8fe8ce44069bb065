"""HR's assignment, enrolment-rule and curriculum pages, and the team lead's view."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from courses import assignment, enrolment
from courses.models import (
    Curriculum,
    CurriculumCourse,
    CurriculumEnrolment,
    Enrolment,
    EnrolmentRule,
    EnrolmentSource,
)
from lms import clock
from lms.extensions import db
from lms.organisation import services as org
from lms.organisation.models import Employee, EmployeeStatus
from tests.conftest import csrf_token, login
from tests.test_query_counts import count_statements

HR_PAGES = [
    "/manage/assign",
    "/manage/rules",
    "/manage/rules/new",
    "/manage/curricula",
    "/manage/curricula/new",
]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def enrolled_ids(course=None) -> set[int]:
    query = sa.select(Enrolment.employee_id)
    if course is not None:
        query = query.where(Enrolment.course_id == course.id)
    return set(db.session.scalars(query))


def total_enrolments() -> int:
    return db.session.scalar(sa.select(sa.func.count(Enrolment.id)))


@pytest.fixture
def hr(app, make):
    person = make.employee("hr", roles={"hr"})
    db.session.commit()
    return person


@pytest.fixture
def hr_client(app, hr):
    client = app.test_client()
    login(client, "hr")
    return client


def assign_form(client, **values) -> dict:
    data = {
        "course": "",
        "curriculum": "",
        "employees": "",
        "team": "",
        "post": "",
        "department": "",
        "due_on": "",
        "csrf_token": csrf_token(client, "/manage/assign"),
    }
    return data | {k: str(v) for k, v in values.items()}


def post_assign(client, **values):
    return client.post("/manage/assign", data=assign_form(client, **values), follow_redirects=True)


# --- assignment ------------------------------------------------------------------------------


def test_assign_page_lists_published_courses_and_groups(hr_client, make, catalogue):
    catalogue.course("returns-basics", title="退货基础")
    catalogue.course("draft-only", publish=False)
    make.team("售后一组")
    page = text(hr_client.get("/manage/assign"))
    assert "returns-basics" in page and "draft-only" not in page
    assert "售后一组" in page


def test_assign_a_course_to_a_team(hr_client, make, catalogue):
    course = catalogue.course()
    team, other = make.team(), make.team()
    members = [make.employee(team=team) for _ in range(3)]
    make.employee(team=team, status=EmployeeStatus.LEFT)
    outsider = make.employee(team=other)
    due = clock.today() + dt.timedelta(days=14)

    response = post_assign(hr_client, course=course.id, team=team.id, due_on=due.isoformat())
    assert response.status_code == 200
    assert "3 people enrolled; 0 were already enrolled." in text(response)
    assert enrolled_ids(course) == {p.id for p in members}
    assert outsider.id not in enrolled_ids()
    rows = db.session.scalars(sa.select(Enrolment)).all()
    assert {(e.due_on, e.source) for e in rows} == {(due, EnrolmentSource.ASSIGNMENT)}

    again = post_assign(hr_client, course=course.id, team=team.id)
    assert "0 people enrolled; 3 were already enrolled." in text(again)
    assert total_enrolments() == 3


def test_assign_to_listed_employee_numbers(hr_client, make, catalogue):
    course = catalogue.course()
    people = [make.employee(employee_no=f"C{n}") for n in range(1, 6)]
    make.employee(employee_no="C9")  # not listed
    response = post_assign(hr_client, course=course.id, employees="C1, C2、C3\nC4  C5,C1")
    assert "5 people enrolled" in text(response)
    assert enrolled_ids(course) == {p.id for p in people}


def test_unknown_employee_numbers_are_named_and_nothing_is_written(hr_client, make, catalogue):
    course = catalogue.course()
    make.employee(employee_no="C1")
    response = post_assign(hr_client, course=course.id, employees="C1 ZZ404，QQ1")
    page = text(response)
    assert response.status_code == 200
    assert "Unknown employee numbers: ZZ404、QQ1." in page
    assert 'class="form-control is-invalid"' in response.get_data(as_text=True)
    assert total_enrolments() == 0


def test_assign_to_a_post_and_to_a_department(hr_client, make, catalogue):
    first, second = catalogue.course(), catalogue.course()
    agent, senior = make.post("客服专员"), make.post("高级客服专员")
    agents = [make.employee(post=agent) for _ in range(2)]
    make.employee(post=senior)
    assert "2 people enrolled" in text(post_assign(hr_client, course=first.id, post=agent.id))
    assert enrolled_ids(first) == {p.id for p in agents}

    dept, elsewhere = make.department("售后服务部"), make.department("物流部")
    teams = [make.team(department=dept) for _ in range(2)]
    inside = [make.employee(team=t) for t in teams]
    make.employee(team=make.team(department=elsewhere))
    assert "2 people enrolled" in text(post_assign(hr_client, course=second.id, department=dept.id))
    assert enrolled_ids(second) == {p.id for p in inside}


def test_assignment_refusals_show_on_the_form(hr_client, make, catalogue):
    course = catalogue.course()
    team = make.team()
    person = make.employee(team=team, employee_no="C1")
    make.employee(employee_no="GONE1", status=EmployeeStatus.LEFT, name="离职员工")
    late = make.employee(team=team, hire_date=clock.today() + dt.timedelta(days=30), name="新人甲")

    past = (clock.today() - dt.timedelta(days=1)).isoformat()
    page = text(post_assign(hr_client, course=course.id, team=team.id, due_on=past))
    assert "The due date is in the past." in page

    soon = (clock.today() + dt.timedelta(days=5)).isoformat()
    page = text(post_assign(hr_client, course=course.id, team=team.id, due_on=soon))
    assert f"before {late.name}'s hire date" in page

    page = text(post_assign(hr_client, course=course.id, employees="C1 GONE1"))
    assert "离职员工 has left the company and cannot be enrolled." in page

    page = text(post_assign(hr_client, employees="C1"))
    assert "Choose a course or a curriculum." in page
    curriculum = Curriculum(slug="path", title="路径", due_days=30)
    curriculum.items = [CurriculumCourse(course=course, position=0)]
    db.session.add(curriculum)
    page = text(post_assign(hr_client, course=course.id, curriculum=curriculum.id, employees="C1"))
    assert "Choose a course or a curriculum." in page
    page = text(post_assign(hr_client, course=course.id))
    assert "Choose who to assign" in page
    page = text(post_assign(hr_client, course=course.id, employees="C1", team=team.id))
    assert "not both" in page
    assert total_enrolments() == 0 and person.id not in enrolled_ids()


def test_assigning_a_curriculum_enrols_in_every_course(hr_client, make, catalogue):
    courses = [catalogue.course() for _ in range(3)]
    curriculum = Curriculum(slug="onboarding", title="入职培训", due_days=30)
    curriculum.items = [CurriculumCourse(course=c, position=i) for i, c in enumerate(courses)]
    db.session.add(curriculum)
    team = make.team()
    people = [make.employee(team=team) for _ in range(2)]
    enrolment.enrol(people[0], courses[0], now=clock.now())  # already in the first course

    page = text(post_assign(hr_client, curriculum=curriculum.id, team=team.id))
    assert "5 course enrolments created for 2 people; 1 already existed." in page
    for course in courses:
        assert enrolled_ids(course) == {p.id for p in people}
    assert db.session.scalar(sa.select(sa.func.count(CurriculumEnrolment.id))) == 2


# --- enrolment rules -----------------------------------------------------------------------


def rule_form(client, **values) -> dict:
    data = {
        "name": "",
        "course": "",
        "curriculum": "",
        "post": "",
        "team": "",
        "department": "",
        "employee_status": "",
        "due_basis": "",
        "due_days": "",
        "csrf_token": csrf_token(client, "/manage/rules/new"),
    }
    return data | {k: str(v) for k, v in values.items()}


def test_a_rule_enrols_matching_people_now_and_new_hires_later(hr_client, make, catalogue):
    course = catalogue.course(title="退货流程")
    agent, senior = make.post("客服专员"), make.post("高级客服专员")
    hired = [dt.date(2026, 3, 1), dt.date(2026, 3, 10), dt.date(2026, 4, 2)]
    newcomers = [
        make.employee(post=agent, status=EmployeeStatus.ONBOARDING, hire_date=d) for d in hired
    ]
    make.employee(post=agent, status=EmployeeStatus.ACTIVE)  # not onboarding
    make.employee(post=senior, status=EmployeeStatus.ONBOARDING)  # another post

    form = rule_form(
        hr_client,
        name="新客服入职",
        course=course.id,
        post=agent.id,
        employee_status="onboarding",
        due_basis="hire",
        due_days=30,
    )
    response = hr_client.post("/manage/rules/new", data=form, follow_redirects=True)
    page = text(response)
    assert "Rule created; 3 people enrolled." in page
    assert "新客服入职" in page and "Post: 客服专员" in page and "Hire date + 30 days" in page
    rule = db.session.scalar(sa.select(EnrolmentRule))
    dues = dict(db.session.execute(sa.select(Enrolment.employee_id, Enrolment.due_on)).all())
    assert dues == {p.id: d + dt.timedelta(days=30) for p, d in zip(newcomers, hired, strict=True)}
    assert rule.created_by_id is not None

    person, _password = org.save_employee(
        None,
        {
            "employee_no": "N1",
            "name": "新人",
            "hire_date": dt.date(2026, 5, 20),
            "post": "客服专员",
        },
        actor=None,
        now=clock.now(),
    )
    mine = db.session.scalar(sa.select(Enrolment).where(Enrolment.employee_id == person.id))
    assert mine.rule_id == rule.id and mine.due_on == dt.date(2026, 6, 19)
    listing = response.get_data(as_text=True)
    assert f'data-rule="{rule.id}"' in listing
    assert '<td class="text-end">4</td>' in hr_client.get("/manage/rules").get_data(as_text=True)


def test_rule_form_refusals(hr_client, make, catalogue):
    course = catalogue.course()
    draft = catalogue.course(publish=False)
    cases = [
        ({"name": "x", "due_basis": "hire", "due_days": 30}, "Choose a course or a curriculum."),
        ({"name": "x", "course": course.id, "due_basis": "hire"}, "Give the number of days."),
        ({"name": "x", "course": course.id, "due_days": 3}, "Choose what the days count from."),
        ({"name": "x", "course": course.id, "due_basis": "hire", "due_days": 9999}, "3650"),
        ({"name": "x", "course": draft.id}, "Not a valid choice"),
    ]
    for values, message in cases:
        response = hr_client.post("/manage/rules/new", data=rule_form(hr_client, **values))
        assert response.status_code == 200 and message in text(response), values
    assert db.session.scalar(sa.select(sa.func.count(EnrolmentRule.id))) == 0


def test_toggle_a_rule_off_and_on(hr_client, make, catalogue):
    course = catalogue.course()
    agent = make.post("客服专员")
    first = make.employee(post=agent)
    rule, created = assignment.create_rule(
        name="全体客服",
        course=course,
        curriculum=None,
        post_id=agent.id,
        team_id=None,
        department_id=None,
        employee_status=None,
        due_days_after_hire=None,
        due_days_after_enrolment=14,
        actor=None,
        now=clock.now(),
    )
    assert created == 1
    token = csrf_token(hr_client, "/manage/rules")
    url = f"/manage/rules/{rule.id}/toggle"

    page = text(
        hr_client.post(url, data={"csrf_token": token, "active": "0"}, follow_redirects=True)
    )
    assert "Rule deactivated" in page and "Disabled" in page
    db.session.refresh(rule)
    assert rule.active is False
    later = make.employee(post=agent)  # a rule that is off enrols nobody
    assignment.apply_rules_to([later.id], now=clock.now())
    assert enrolled_ids(course) == {first.id}

    page = text(
        hr_client.post(url, data={"csrf_token": token, "active": "1"}, follow_redirects=True)
    )
    assert "Rule activated; 1 people enrolled." in page
    db.session.refresh(rule)
    assert rule.active is True and enrolled_ids(course) == {first.id, later.id}
    page = text(
        hr_client.post(url, data={"csrf_token": token, "active": "1"}, follow_redirects=True)
    )
    assert "Rule activated; 0 people enrolled." in page  # idempotent

    assert hr_client.post(url, data={"csrf_token": token}).status_code == 400
    assert hr_client.post(url, data={"active": "0"}).status_code == 400
    assert (
        hr_client.post("/manage/rules/999999/toggle", data={"csrf_token": token, "active": "0"})
    ).status_code == 404


# --- curricula -------------------------------------------------------------------------------


def curriculum_form(client, path="/manage/curricula/new", **values) -> dict:
    data = {
        "slug": "agent-onboarding",
        "title": "新客服入职路径",
        "title_en": "Agent onboarding",
        "summary": "三门课。",
        "summary_en": "",
        "due_days": "45",
        "course_slugs": "",
        "csrf_token": csrf_token(client, path),
    }
    return data | {k: str(v) for k, v in values.items()}


def test_create_and_edit_a_curriculum(hr_client, catalogue):
    a, b, c = catalogue.course("aa-basics"), catalogue.course("bb-more"), catalogue.course("cc-x")
    response = hr_client.post(
        "/manage/curricula/new",
        data=curriculum_form(hr_client, course_slugs="aa-basics\n\nbb-more\r\ncc-x\n"),
        follow_redirects=True,
    )
    page = text(response)
    assert "The curriculum 新客服入职路径 has been saved." in page
    assert "agent-onboarding" in page and "45 days" in page
    curriculum = db.session.scalar(sa.select(Curriculum))
    assert [i.course_id for i in curriculum.items] == [a.id, b.id, c.id]

    path = "/manage/curricula/agent-onboarding"
    form = text(hr_client.get(path))
    assert "aa-basics\nbb-more\ncc-x" in form
    response = hr_client.post(
        path,
        data=curriculum_form(
            hr_client, path, slug="agent-path", due_days=60, course_slugs="cc-x\naa-basics"
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    curriculum = db.session.scalar(sa.select(Curriculum))
    assert curriculum.slug == "agent-path" and curriculum.due_days == 60
    assert [i.course_id for i in curriculum.items] == [c.id, a.id]
    assert hr_client.get(path).status_code == 404
    listing = text(hr_client.get("/manage/curricula"))
    assert "Agent onboarding" in listing and "60 days" in listing


def test_curriculum_validation_messages(hr_client, catalogue):
    catalogue.course("aa-basics")
    catalogue.course("dd-draft", publish=False)
    existing = Curriculum(slug="taken", title="已有", due_days=30)
    db.session.add(existing)
    cases = [
        (
            {"slug": "Bad Slug!", "course_slugs": "aa-basics"},
            "A slug has 2 to 80 lowercase letters",
        ),
        ({"slug": "taken", "course_slugs": "aa-basics"}, "The slug taken is taken."),
        ({"due_days": "0", "course_slugs": "aa-basics"}, "between 1 and 3650 days"),
        ({"due_days": "4000", "course_slugs": "aa-basics"}, "between 1 and 3650 days"),
        ({"course_slugs": ""}, "Add at least one course."),
        ({"course_slugs": "aa-basics\nno-such"}, "Line 2: there is no course “no-such”."),
        (
            {"course_slugs": "aa-basics\naa-basics"},
            "Line 2: the course “aa-basics” is already on line 1.",
        ),
        ({"course_slugs": "dd-draft"}, "Line 1: the course “dd-draft” is not published."),
    ]
    for values, message in cases:
        response = hr_client.post(
            "/manage/curricula/new", data=curriculum_form(hr_client, **values)
        )
        assert response.status_code == 200 and message in text(response), values
    assert db.session.scalar(sa.select(sa.func.count(Curriculum.id))) == 1
    assert hr_client.get("/manage/curricula/no-such-path").status_code == 404


# --- the team lead's view ------------------------------------------------------------------


@pytest.fixture
def team_world(make, catalogue):
    lead = make.employee("lead", roles={"supervisor"}, name="组长")
    team = make.team("售后一组", lead=lead)
    other_team = make.team("售后二组")
    course = catalogue.course(title="退货流程")
    on_time = make.employee(team=team, name="按时员工")
    late = make.employee(team=team, name="逾期员工")
    direct = make.employee(supervisor=lead, name="直属员工")
    stranger = make.employee(team=other_team, name="别组员工")
    today = clock.today()
    enrolment.enrol(on_time, course, now=clock.now(), due_on=today + dt.timedelta(days=10))
    enrolment.enrol(late, course, now=clock.now(), due_on=today - dt.timedelta(days=3))
    enrolment.enrol(direct, course, now=clock.now())
    enrolment.enrol(stranger, course, now=clock.now(), due_on=today - dt.timedelta(days=5))
    db.session.commit()
    return {"lead": lead, "team": team, "other_team": other_team, "course": course}


def test_team_page_shows_only_the_supervisors_people_overdue_first(app, team_world):
    client = app.test_client()
    login(client, "lead")
    response = client.get("/team/learning")
    assert response.status_code == 200
    page = text(response)
    assert "别组员工" not in page
    names = re.findall(r"(按时员工|逾期员工|直属员工)", page)
    assert names == ["逾期员工", "按时员工", "直属员工"]
    assert 'class="table-danger"' in page
    assert re.search(r'data-status="overdue">1<', page)
    assert re.search(r'data-status="open">3<', page)
    assert "Assign training" not in page  # not HR

    # a completed enrolment is hidden by default and shown under "completed"
    done = db.session.scalar(
        sa.select(Enrolment).join(Enrolment.employee).where(Employee.name == "按时员工")
    )
    for lesson in done.version.lessons:
        enrolment.complete_lesson(done, lesson, now=clock.now())
    page = text(client.get("/team/learning"))
    assert "按时员工" not in page
    page = text(client.get("/team/learning?status=completed"))
    assert "按时员工" in page and "逾期员工" not in page
    page = text(client.get("/team/learning?status=all&sort=person&dir=desc"))
    assert re.findall(r"(按时员工|逾期员工|直属员工)", page) == ["逾期员工", "直属员工", "按时员工"]
    assert text(client.get("/team/learning?sort=course")).count("退货流程") == 2


def test_hr_sees_everyone_with_a_team_filter(hr_client, team_world):
    page = text(hr_client.get("/team/learning"))
    assert "别组员工" in page and "逾期员工" in page
    page = text(hr_client.get(f"/team/learning?team={team_world['other_team'].id}"))
    assert "别组员工" in page and "逾期员工" not in page


def test_team_page_empty_state(app, make, hr_client):
    lead = make.employee("lonely", roles={"supervisor"})
    make.team(lead=lead)
    db.session.commit()
    client = app.test_client()
    login(client, "lonely")
    page = text(client.get("/team/learning"))
    assert "Nobody in your team has training assigned yet." in page
    assert "/manage/assign" not in page
    page = text(hr_client.get("/team/learning"))
    assert "Nobody in your team has training assigned yet." in page
    assert 'href="/manage/assign"' in page


@pytest.mark.parametrize("role", ["employee", "mentor", "supervisor"])
def test_hr_pages_are_forbidden_to_others(app, make, catalogue, role):
    make.employee(role, roles={role})
    curriculum = Curriculum(slug="path", title="路径", due_days=30)
    db.session.add(curriculum)
    rule, _n = assignment.create_rule(
        name="r",
        course=catalogue.course(),
        curriculum=None,
        post_id=None,
        team_id=None,
        department_id=None,
        employee_status=None,
        due_days_after_hire=None,
        due_days_after_enrolment=None,
        actor=None,
        now=clock.now(),
    )
    db.session.commit()
    client = app.test_client()
    login(client, role)
    token = csrf_token(client, "/profile")
    for path in [*HR_PAGES, "/manage/curricula/path"]:
        assert client.get(path).status_code == 403, path
    posts = [p for p in HR_PAGES if p not in ("/manage/rules", "/manage/curricula")]
    for path in [*posts, "/manage/curricula/path", f"/manage/rules/{rule.id}/toggle"]:
        assert client.post(path, data={"csrf_token": token, "active": "0"}).status_code == 403
    expected = 200 if role == "supervisor" else 403
    assert client.get("/team/learning").status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in [*HR_PAGES, "/team/learning"]:
        assert client.get(path).status_code == 302


# --- bounded statements --------------------------------------------------------------------


def test_statements_do_not_grow_with_enrolments(app, make, catalogue, hr):
    lead = make.employee("lead", roles={"supervisor"})
    team = make.team(lead=lead)
    agent = make.post("客服专员")
    courses = [catalogue.course() for _ in range(3)]
    curriculum = Curriculum(slug="path", title="路径", due_days=30)
    curriculum.items = [CurriculumCourse(course=courses[2], position=0)]
    db.session.add(curriculum)
    for target in ({"course": courses[0]}, {"curriculum": curriculum}):
        assignment.create_rule(
            name="规则",
            course=target.get("course"),
            curriculum=target.get("curriculum"),
            post_id=agent.id,
            team_id=None,
            department_id=None,
            employee_status=None,
            due_days_after_hire=40,
            due_days_after_enrolment=None,
            actor=hr,
            now=clock.now(),
        )

    def add_people(agents: int, others: int) -> None:
        """Agents get three enrolments (one by hand, two by the rules), others one."""
        ids = []
        for i in range(agents + others):
            person = make.employee(team=team, post=agent if i < agents else None)
            ids.append(person.id)
            due = clock.today() + dt.timedelta(days=(-5 if i % 3 == 0 else 5))
            e = enrolment.enrol(person, courses[1], now=clock.now(), due_on=due)
            if i % 4 == 0:
                enrolment.complete_lesson(e, e.version.lessons[0], now=clock.now())
        assignment.apply_rules_to(ids, now=clock.now())
        db.session.commit()

    hr_client = app.test_client()
    login(hr_client, "hr")
    lead_client = app.test_client()
    login(lead_client, "lead")
    pages = [
        (lead_client, "/team/learning"),
        (lead_client, "/team/learning?status=all&sort=course"),
        (hr_client, "/team/learning"),
        (hr_client, "/manage/rules"),
        (hr_client, "/manage/curricula"),
    ]

    def measure() -> list[int]:
        counts = []
        for client, url in pages:
            with count_statements() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
        return counts

    add_people(1, 2)
    assert total_enrolments() == 5
    small = measure()
    add_people(18, 1)
    assert total_enrolments() == 60
    large = measure()
    assert large == small, dict(
        zip([u for _c, u in pages], zip(small, large, strict=True), strict=True)
    )
    assert max(small) <= 20, small
