"""HR's certification pages through HTTP: the list, the editor with its preview, rules,
assignment by employee number, required recertification and the holders list."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from courses import services as course_services
from lms import clock
from lms.certification import services
from lms.certification.models import (
    Certification,
    CertificationRule,
    CourseCertificationPrerequisite,
    PersonCertification,
    Standing,
)
from lms.extensions import db
from tests.certification.conftest import T0, at, complete
from tests.conftest import csrf_from, login
from tests.test_query_counts import count_statements

D = dt.date


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def holders_of(certification) -> dict[int, PersonCertification]:
    db.session.expire_all()
    return {
        h.employee_id: h
        for h in db.session.scalars(
            sa.select(PersonCertification).where(
                PersonCertification.certification_id == certification.id
            )
        )
    }


@pytest.fixture
def hr(make):
    person = make.employee("hr", roles={"hr"})
    db.session.commit()
    return person


@pytest.fixture
def hr_client(hr, sign_in):
    return sign_in(hr)


def post(client, page: str, url: str, data: dict):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def form_data(courses, **values) -> dict:
    data = {
        "slug": "product-2027",
        "title": "产品知识认证",
        "title_en": "Product knowledge",
        "description": "",
        "active_months": "3",
        "window_days": "30",
        "expiry_base": "fixed",
        "fixed_dates": "01-01, 04-01, 07-01, 10-01",
        "min_active_days": "0",
        "initial_due_days": "30",
        "reminder_days": "-14, -7, -1, 1",
        "escalation-0-to": "supervisor",
        "escalation-0-days": "1",
        "escalation-1-to": "",
        "escalation-1-days": "",
        "escalation-2-to": "",
        "escalation-2-days": "",
        "initial_course_ids": [str(c.id) for c in courses],
        "active": "y",
        "action": "save",
    }
    return data | values


def certification_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Certification))


# --- access ------------------------------------------------------------------------------------


def test_hr_pages_refuse_employees_and_mentors(app, make, certs):
    certification = certs.certification()
    rule, _n = services.add_rule(
        certification,
        post_id=None,
        team_id=None,
        department_id=None,
        everyone=True,
        actor=None,
        now=T0,
    )
    make.employee("emp")
    make.employee("men", roles={"mentor"})
    make.employee("lead", roles={"supervisor"})
    make.employee("adm", roles={"admin"})
    db.session.commit()
    base = f"/certifications/manage/{certification.id}"
    pages = ["/certifications/manage", "/certifications/manage/new", base, f"{base}/holders"]
    posts = [
        f"{base}/rules",
        f"{base}/rules/{rule.id}/delete",
        f"{base}/assign",
        f"{base}/recertify",
        base,
    ]
    for name in ("emp", "men", "lead"):
        client = app.test_client()
        login(client, name)
        token = csrf_from(client.get("/certifications").get_data(as_text=True))
        assert [client.get(url).status_code for url in pages] == [403] * len(pages), name
        assert [client.post(url, data={"csrf_token": token}).status_code for url in posts] == [
            403
        ] * len(posts), name
    client = app.test_client()
    login(client, "adm")
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)


# --- creating ----------------------------------------------------------------------------------


def test_create_refuses_a_bad_fixed_date_and_no_course_writing_nothing(certs, hr_client):
    course = certs.catalogue.course("returns-101", lessons=1)
    db.session.commit()
    new = "/certifications/manage/new"
    page = text(hr_client.get(new))
    assert "Returns" not in page and f'value="{course.id}"' in page  # published course offered

    bad_date = post(hr_client, new, new, form_data([course], fixed_dates="01-01, 13-01"))
    assert bad_date.status_code == 200
    assert "“13-01” is not a date in the form MM-DD." in text(bad_date)
    assert 'value="01-01, 13-01"' in text(bad_date)  # what was typed is kept

    no_course = post(hr_client, new, new, form_data([]))
    assert no_course.status_code == 200
    assert "Choose at least one course." in text(no_course)

    bad_days = post(hr_client, new, new, form_data([course], reminder_days="-14, soon"))
    assert "Write whole days separated by commas" in text(bad_days)
    assert certification_count() == 0

    gated = certs.catalogue.course("advanced-returns", lessons=1)
    db.session.commit()
    created = post(hr_client, new, new, form_data([course], gated_course_ids=[str(gated.id)]))
    assert created.status_code == 302
    certification = db.session.scalar(sa.select(Certification))
    assert created.location.endswith(f"/certifications/manage/{certification.id}")
    assert (certification.slug, certification.expiry_base) == ("product-2027", "fixed")
    assert certification.fixed_dates == ["01-01", "04-01", "07-01", "10-01"]
    assert certification.reminder_days == [-14, -7, -1, 1]
    assert certification.escalation == [{"to": "supervisor", "days": 1}]
    assert [c.course_id for c in certification.courses] == [course.id]
    assert db.session.scalar(sa.select(CourseCertificationPrerequisite.course_id)) == gated.id
    listing = text(hr_client.get("/certifications/manage"))
    assert "Product knowledge" in listing and "3 months" in listing


# --- editing with a preview --------------------------------------------------------------------


def test_a_new_window_is_previewed_with_its_exact_effect_then_saved(make, certs, hr_client):
    certification = certs.certification(active_months=12, window_days=30, expiry_base="completion")
    course = certification.courses[0].course
    people = [make.employee() for _ in range(4)]
    services.assign(certification, employee_ids=[p.id for p in people], actor=None, now=T0)
    db.session.commit()
    for person, day in zip(people, (D(2027, 1, 10), D(2027, 2, 10), D(2027, 3, 10)), strict=False):
        complete(person, course, at(day))  # expiring 10 Jan, 10 Feb and 10 Mar 2028
    url = f"/certifications/manage/{certification.id}"
    values = form_data(
        [course],
        slug=certification.slug,
        expiry_base="completion",
        active_months="12",
        fixed_dates="",
        window_days="75",
    )
    with clock.frozen(at(D(2027, 12, 1))):
        preview = post(hr_client, url, url, values | {"action": "preview"})
        assert preview.status_code == 200
        assert "This will open the renewal window for 2 people today (of 3 certified)." in text(
            preview
        )
        assert holders_of(certification)[people[0].id].window_opens_on == D(2027, 12, 11)

        unconfirmed = post(hr_client, url, url, values)  # saving without having seen it
        assert unconfirmed.status_code == 200
        assert "Check the effect, then save again." in text(unconfirmed)
        db.session.expire_all()
        assert db.session.get(Certification, certification.id).window_days == 30

        saved = post(hr_client, url, url, values | {"confirmed": "75"})
        assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certification, certification.id).window_days == 75
    windows = {pid: h.window_opens_on for pid, h in holders_of(certification).items()}
    assert windows[people[0].id] == D(2027, 10, 27)
    assert windows[people[1].id] == D(2027, 11, 27)
    assert windows[people[2].id] == D(2027, 12, 26)
    assert windows[people[3].id] is None  # never certified


def test_a_change_that_opens_no_window_saves_at_once(certs, hr_client):
    certification = certs.certification(title="旧标题")
    db.session.commit()
    url = f"/certifications/manage/{certification.id}"
    course = certification.courses[0].course
    values = form_data(
        [course], slug=certification.slug, title="新标题", expiry_base="expiry", fixed_dates=""
    )
    assert post(hr_client, url, url, values).status_code == 302
    db.session.expire_all()
    assert db.session.get(Certification, certification.id).title == "新标题"


# --- rules, assignment, recertification -----------------------------------------------------


def test_a_rule_is_previewed_then_added_and_assigns(make, certs, hr_client):
    certification = certs.certification()
    team = make.team(name="售后二组")
    members = [make.employee(team=team) for _ in range(3)]
    services.assign(certification, employee_ids=[members[0].id], actor=None, now=T0)
    db.session.commit()
    url = f"/certifications/manage/{certification.id}"
    rules_url = f"{url}/rules"

    nothing = post(hr_client, url, rules_url, {"post": "", "team": "", "department": ""})
    assert "Choose a post, a team, a department or everyone." in text(nothing)

    preview = post(hr_client, url, rules_url, {"team": str(team.id), "action": "preview"})
    assert preview.status_code == 200
    assert "This rule assigns 2 people now." in text(preview)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificationRule)) == 0

    added = post(hr_client, url, rules_url, {"team": str(team.id), "action": "confirm"})
    assert added.status_code == 302
    rule = db.session.scalar(sa.select(CertificationRule))
    assert rule.team_id == team.id and rule.active
    assert set(holders_of(certification)) == {m.id for m in members}
    page = text(hr_client.get(url))
    assert f'data-rule="{rule.id}"' in page and "Team: 售后二组" in page
    assert "Rule added: 2 people assigned." in page

    removed = post(hr_client, url, f"{rules_url}/{rule.id}/delete", {})
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(CertificationRule, rule.id).active is False
    assert len(holders_of(certification)) == 3  # those assigned keep it
    assert post(hr_client, url, f"{rules_url}/{rule.id}/delete", {}).status_code == 404


def test_assign_by_employee_numbers(make, certs, hr_client):
    certification = certs.certification()
    amy = make.employee(employee_no="E1001")
    bob = make.employee(employee_no="E1002")
    db.session.commit()
    url = f"/certifications/manage/{certification.id}"
    unknown = post(hr_client, url, f"{url}/assign", {"employees": "E1001, NOPE"})
    assert unknown.status_code == 200
    assert "Unknown employee numbers: NOPE." in text(unknown)
    assert holders_of(certification) == {}
    done = post(hr_client, url, f"{url}/assign", {"employees": "E1001\nE1002、E1001"})
    assert done.status_code == 302
    assert set(holders_of(certification)) == {amy.id, bob.id}
    assert "2 of the 2 people listed assigned." in text(hr_client.get(url))


def test_recertification_is_previewed_then_required(make, certs, hr_client):
    certification = certs.certification(active_months=12, window_days=30, expiry_base="expiry")
    course = certification.courses[0].course
    early = [make.employee() for _ in range(2)]
    services.assign(certification, employee_ids=[p.id for p in early], actor=None, now=T0)
    db.session.commit()
    for person in early:
        complete(person, course, at(D(2027, 1, 10)))
    course_services.draft_of(course, now=T0)
    course_services.publish(course, actor=None, now=at(D(2027, 2, 1)))
    late = make.employee()
    services.assign(certification, employee_ids=[late.id], actor=None, now=at(D(2027, 2, 2)))
    db.session.commit()
    complete(late, course, at(D(2027, 2, 3)))  # on the new version
    url = f"/certifications/manage/{certification.id}"
    recertify = f"{url}/recertify"
    values = {"course": str(course.id), "by": "2027-04-30"}
    with clock.frozen(at(D(2027, 3, 1))):
        past = post(hr_client, url, recertify, {"course": str(course.id), "by": "2027-02-01"})
        assert "Choose a date after today." in text(past)
        preview = post(hr_client, url, recertify, values | {"action": "preview"})
        assert "2 people are certified on an older version of Course" in text(preview)
        assert all(h.required_by is None for h in holders_of(certification).values())
        done = post(hr_client, url, recertify, values | {"action": "confirm"})
        assert done.status_code == 302
    holders = holders_of(certification)
    for person in early:
        assert holders[person.id].required_by == D(2027, 4, 30)
        assert holders[person.id].status == Standing.DUE
        assert holders[person.id].expires_on == D(2027, 4, 30)
    assert holders[late.id].status == Standing.CERTIFIED and holders[late.id].required_by is None


# --- the holders list and counts ----------------------------------------------------------------


def test_holders_list_filters_by_state_and_sorts_by_expiry(make, certs, hr_client):
    certification = certs.certification(active_months=3, window_days=30, expiry_base="completion")
    course = certification.courses[0].course
    people = [make.employee(name=f"员工{i}") for i in range(4)]
    services.assign(certification, employee_ids=[p.id for p in people], actor=None, now=T0)
    db.session.commit()
    complete(people[0], course, at(D(2027, 1, 20)))  # expires 20 Apr
    complete(people[1], course, at(D(2027, 1, 10)))  # expires 10 Apr: due on 20 Mar
    complete(people[2], course, at(D(2027, 2, 1)))  # expires 1 May
    url = f"/certifications/manage/{certification.id}/holders"
    ids = {p.id: h.id for p, h in ((p, holders_of(certification)[p.id]) for p in people)}
    with clock.frozen(at(D(2027, 3, 20))):
        page = text(hr_client.get(url))
        order = [page.index(f'data-holder="{ids[p.id]}"') for p in people[:3]]
        assert order[1] < order[0] < order[2]  # by expiry
        assert page.index(f'data-holder="{ids[people[3].id]}"') > order[2]  # no expiry last
        desc = text(hr_client.get(url + "?sort=expiry&dir=desc"))
        assert desc.index(f'data-holder="{ids[people[2].id]}"') < desc.index(
            f'data-holder="{ids[people[1].id]}"'
        )
        due = text(hr_client.get(url + "?state=due"))
        assert f'data-holder="{ids[people[1].id]}"' in due
        assert f'data-holder="{ids[people[0].id]}"' not in due
        listing = text(hr_client.get("/certifications/manage"))
    counts = listing.split('data-testid="state-counts"')[1].split("</td>")[0]
    assert "Certified 2" in counts and "Renewal due 1" in counts and "Assigned 1" in counts
    detail = hr_client.get(f"/certifications/{ids[people[1].id]}")
    assert detail.status_code == 200


def test_manage_list_statements_do_not_grow(certs, hr_client, make):
    def measure() -> int:
        with count_statements() as statements:
            assert hr_client.get("/certifications/manage").status_code == 200
        return len(statements)

    person = make.employee()
    for _ in range(1):
        c = certs.certification()
        services.assign(c, employee_ids=[person.id], actor=None, now=T0)
    db.session.commit()
    measure()
    one = measure()
    for _ in range(4):
        c = certs.certification()
        services.assign(c, employee_ids=[person.id], actor=None, now=T0)
    db.session.commit()
    assert measure() == one
