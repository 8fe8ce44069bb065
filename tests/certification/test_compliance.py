"""The compliance view: people × certifications with derived states, filters, the team lead's
scope, exports and a fixed number of statements."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lms import clock
from lms.certification import compliance
from lms.certification.models import PersonCertification, Standing
from lms.extensions import db
from lms.organisation.models import EmployeeStatus
from tests.certification.conftest import at
from tests.conftest import login
from tests.test_query_counts import count_statements

TODAY = dt.date(2027, 3, 1)
NOW = at(TODAY)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def hold(person, certification, *, certified=None, expires=None, window=None, due=None):
    """A holder with the given dates (the stored status as the sweeps would leave it)."""
    if expires is not None and expires <= TODAY:
        status = Standing.EXPIRED
    elif window is not None and window <= TODAY:
        status = Standing.DUE
    else:
        status = Standing.CERTIFIED if certified else Standing.ASSIGNED
    holder = PersonCertification(
        employee_id=person.id,
        certification_id=certification.id,
        status=status,
        certified_on=certified,
        expires_on=expires,
        window_opens_on=window,
        due_on=due if due is not None else days(-400),
        assigned_at=NOW - dt.timedelta(days=400),
    )
    db.session.add(holder)
    db.session.flush()
    return holder


def valid(person, certification, left: int, window_days: int = 10):
    return hold(
        person,
        certification,
        certified=days(-100),
        expires=days(left),
        window=days(left - window_days),
    )


class Grid(HTMLParser):
    """employee no → certification id → the cell's data attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: dict[str, dict[int, dict[str, str]]] = {}
        self._person: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        data = dict(attrs)
        if tag == "tr" and "data-person" in data:
            self._person = data["data-person"]
            self.rows[self._person] = {}
        elif tag == "td" and self._person and "data-certification" in data:
            self.rows[self._person][int(data["data-certification"])] = data
            self._cell = data
        elif self._person and tag == "div":
            for key in ("data-expires", "data-days-left", "data-due"):
                if key in data:
                    self._cell[key] = data[key]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._person = None


@pytest.fixture
def world(make, certs):
    """A lead with a team of five and one direct report elsewhere, HR, and holders in every
    state of certification A on 1 March 2027 (and two of certification B)."""
    a = certs.certification(title="认证甲", title_en="Cert A")
    b = certs.certification(title="认证乙", title_en="Cert B")
    lead = make.employee("lead", roles={"supervisor"})
    hr = make.employee("hr", roles={"hr"})
    mentor = make.employee("mentor", roles={"mentor"})
    employee = make.employee("employee")
    north = make.department(name="北区")
    north.name_en = "North"
    mine = make.team(name="一组", lead=lead, department=north)
    other = make.team(name="二组")
    empty = make.team(name="三组")
    post = make.post(title="客服专员", level=1)
    p = {}
    for key, team, supervisor in [
        ("far", mine, None),
        ("in20", mine, None),
        ("in45", mine, None),
        ("due", mine, None),
        ("late_first", mine, None),
        ("in75", other, lead),  # the lead's direct report in another team
        ("expired", other, None),
        ("pending", other, None),
        ("today", other, None),
        ("in30", other, None),
    ]:
        p[key] = make.employee(
            team=team, supervisor=supervisor, post=post, name=f"员工-{key}", password=None
        )
    valid(p["far"], a, 200)
    hold(p["far"], b, due=days(5))  # a first certification pending
    valid(p["in20"], a, 20)
    valid(p["in45"], a, 45)
    valid(p["due"], a, 10, window_days=30)  # the renewal window opened 20 days ago
    hold(p["late_first"], a, due=days(-3))
    valid(p["in75"], a, 75)
    hold(p["expired"], a, certified=days(-200), expires=days(-5), window=days(-35))
    hold(p["pending"], a, due=days(10))
    hold(p["today"], a, certified=days(-90), expires=TODAY, window=days(-30))
    valid(p["in30"], a, 30)
    valid(p["in30"], b, 300)
    gone = make.employee(team=mine, status=EmployeeStatus.LEFT, name="员工-gone")
    hold(gone, a, due=days(-30))
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "lead": lead,
        "hr": hr,
        "mentor": mentor,
        "employee": employee,
        "people": p,
        "mine": mine,
        "other": other,
        "empty": empty,
        "north": north,
    }


def _get(client, url: str):
    with clock.frozen(NOW):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def _people(client, query: str = "") -> list[str]:
    html = _get(client, "/certifications/compliance" + query).get_data(as_text=True)
    return list(Grid(html).rows)


EVERYONE = (
    "far",
    "in20",
    "in45",
    "due",
    "late_first",
    "in75",
    "expired",
    "pending",
    "today",
    "in30",
)


def _names(world, *keys: str) -> set[str]:
    return {world["people"][k].employee_no for k in keys}


def test_grid_shows_each_holders_state_colour_and_expiry(client, world):
    login(client, "hr")
    grid = Grid(_get(client, "/certifications/compliance").get_data(as_text=True)).rows
    a, b, p = world["a"].id, world["b"].id, world["people"]
    expected = {
        "far": ("certified", "green", "200"),
        "in20": ("certified", "amber", "20"),
        "in45": ("certified", "green", "45"),
        "due": ("due", "amber", "10"),
        "late_first": ("overdue", "red", None),
        "in75": ("certified", "green", "75"),
        "expired": ("expired", "red", "-5"),
        "pending": ("assigned", "amber", None),
        "today": ("expired", "red", "0"),
        "in30": ("certified", "amber", "30"),
    }
    assert set(grid) == _names(world, *expected)  # not the person who left
    for key, (state, level, left) in expected.items():
        cell = grid[p[key].employee_no][a]
        assert (cell["data-state"], cell["data-level"], cell.get("data-days-left")) == (
            state,
            level,
            left,
        ), key
    assert grid[p["in20"].employee_no][a]["data-expires"] == days(20).isoformat()
    assert grid[p["late_first"].employee_no][a]["data-due"] == days(-3).isoformat()
    assert grid[p["far"].employee_no][b]["data-state"] == "assigned"
    assert grid[p["in30"].employee_no][b]["data-level"] == "green"
    assert grid[p["in20"].employee_no][b]["data-level"] == "none"  # not assigned: empty


def test_sql_state_agrees_with_the_model(app, world):
    holders = db.session.scalars(sa.select(PersonCertification)).all()
    derived = dict(
        db.session.execute(
            sa.select(PersonCertification.id, compliance.state_expression(TODAY))
        ).all()
    )
    for holder in holders:
        model = holder.state(TODAY)
        if model == "assigned" and holder.due_on < TODAY:
            model = "overdue"
        assert derived[holder.id] == model


def test_summary_counts_in_one_grouped_query(client, world):
    login(client, "hr")
    html = _get(client, "/certifications/compliance").get_data(as_text=True)
    counts = dict(re.findall(r'data-count="(\w+)"[^>]*>(?:<a[^>]*>)?([^<]*)<', html))
    # 12 holders: A for ten people, B for two; valid: far, in20, in45, due, in75, in30 (A) and
    # in30 (B); due: the open window and two pending first certifications
    assert counts["holders"] == "12"
    assert counts["valid_percent"] == "58%"
    assert counts["due"] == "3"
    assert counts["overdue"] == "3"  # late_first, expired, today
    assert (counts["expiring_30"], counts["expiring_60"], counts["expiring_90"]) == ("3", "4", "5")


FILTERS = [
    ("?state=overdue", {"late_first", "expired", "today"}),
    ("?state=expiring_30", {"in20", "due", "in30"}),
    ("?state=expiring_60", {"in20", "due", "in30", "in45"}),
    ("?state=expiring_90", {"in20", "due", "in30", "in45", "in75"}),
    ("?state=valid", {"far", "in20", "in45", "due", "in75", "in30"}),
    ("?state=not_certified", {"far", "late_first", "expired", "pending", "today"}),
    ("?team={mine}", {"far", "in20", "in45", "due", "late_first"}),
    ("?department={north}", {"far", "in20", "in45", "due", "late_first"}),
    ("?team={other}&state=overdue", {"expired", "today"}),
    ("?certification={b}", {"far", "in30"}),
    ("?certification={b}&state=valid", {"in30"}),
    ("?q=员工-in", {"in20", "in45", "in75", "in30"}),
    ("?state=unknown&team=x", set(EVERYONE)),
]


def test_filters_give_exactly_the_expected_people(client, world):
    login(client, "hr")
    ids = {k: world[k].id for k in ("mine", "other", "north", "b")}
    for query, keys in FILTERS:
        assert set(_people(client, query.format(**ids))) == _names(world, *keys), query


def test_sorted_by_soonest_deadline(client, world):
    login(client, "hr")
    p = world["people"]
    # the earliest of each person's expiry dates or first certification due dates
    soonest = ["expired", "late_first", "today", "far", "due", "pending", "in20", "in30", "in45"]
    assert _people(client, "?sort=expiry") == [p[k].employee_no for k in [*soonest, "in75"]]
    latest = _people(client, "?sort=expiry&dir=desc")
    assert latest[:2] == [p["in75"].employee_no, p["in45"].employee_no]
    by_name = _people(client, "?sort=name")
    assert by_name == sorted(
        by_name, key=lambda no: next(v.name for v in p.values() if v.employee_no == no)
    )


def test_a_team_lead_sees_only_their_people(client, world):
    login(client, "lead")
    mine = {"far", "in20", "in45", "due", "late_first", "in75"}
    assert set(_people(client)) == _names(world, *mine)
    ids = {k: world[k].id for k in ("mine", "other", "empty", "north")}
    # another team's filter narrows to the lead's own people in it (a direct report), no more
    assert set(_people(client, "?team={other}".format(**ids))) == _names(world, "in75")
    assert _people(client, "?team={empty}".format(**ids)) == []
    assert set(_people(client, "?state=overdue")) == _names(world, "late_first")
    html = _get(client, "/certifications/compliance").get_data(as_text=True)
    assert 'name="department"' not in html  # HR's filter only
    assert world["people"]["expired"].name not in html
    counts = dict(re.findall(r'data-count="(\w+)"[^>]*>(?:<a[^>]*>)?([^<]*)<', html))
    assert counts["holders"] == "7" and counts["overdue"] == "1"
    with clock.frozen(NOW):
        exported = client.get("/certifications/compliance.csv?team={other}".format(**ids))
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == [world["people"]["in75"].employee_no]


@pytest.mark.parametrize("role", ["employee", "mentor"])
def test_people_without_a_lead_role_are_refused(client, world, role):
    login(client, role)
    for url in ("/certifications/compliance", "/certifications/compliance.csv"):
        assert client.get(url).status_code == 403
    assert client.get("/certifications/compliance.xlsx").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/certifications/compliance.xlsx")
    assert response.status_code == 302 and "/login" in response.location


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_and_xlsx_hold_every_matching_row(app, client, world):
    app.config["PAGE_SIZE"] = 2  # the exports are not paged
    login(client, "hr")
    p = world["people"]
    query = "?state=expiring_60&sort=expiry"
    with clock.frozen(NOW):
        as_csv = client.get("/certifications/compliance.csv" + query)
        as_xlsx = client.get("/certifications/compliance.xlsx" + query)
    assert as_csv.mimetype == "text/csv"
    assert as_csv.headers["Content-Disposition"] == "attachment; filename=compliance-2027-03-01.csv"
    rows = _csv_rows(as_csv)
    assert rows[0] == [
        "Employee number",
        "Name",
        "Team",
        "Department",
        "Post",
        "Certification",
        "State",
        "Certified on",
        "Expires on",
        "Days left",
        "Cycle",
    ]
    assert [r[0] for r in rows[1:]] == [p[k].employee_no for k in ("due", "in20", "in30", "in45")]
    team = world["mine"].name
    assert rows[1] == [
        p["due"].employee_no,
        "员工-due",
        team,
        "North",
        "客服专员",
        "Cert A",
        "Renewal due",
        days(-100).isoformat(),
        days(10).isoformat(),
        "10",
        "1",
    ]

    assert as_xlsx.headers["Content-Disposition"].endswith("compliance-2027-03-01.xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]

    def text(value) -> str:
        if value is None:
            return ""
        return value.date().isoformat() if isinstance(value, dt.datetime) else str(value)

    assert [[text(v) for v in r] for r in cells] == rows
    assert isinstance(cells[1][8], dt.datetime) and isinstance(cells[1][9], int)


def test_export_rows_one_per_person_and_certification(client, world):
    login(client, "hr")
    with clock.frozen(NOW):
        rows = _csv_rows(client.get("/certifications/compliance.csv?q=员工-far"))
    assert [(r[5], r[6], r[8], r[9]) for r in rows[1:]] == [
        ("Cert A", "Certified", days(200).isoformat(), "200"),
        ("Cert B", "Not certified yet", "", ""),
    ]


def test_exports_never_hold_formulas(client, world):
    formula = '=HYPERLINK("http://x")'
    world["people"]["far"].name = formula
    login(client, "hr")
    with clock.frozen(NOW):
        rows = _csv_rows(client.get("/certifications/compliance.csv?q=HYPERLINK"))
        book = client.get("/certifications/compliance.xlsx?q=HYPERLINK")
    assert [r[1] for r in rows[1:]] == ["'" + formula] * 2
    sheet = load_workbook(io.BytesIO(book.get_data())).active
    assert [(c.value, c.data_type) for c in sheet["B"][1:]] == [(formula, "s")] * 2


def test_export_headers_in_the_viewers_language(client, world):
    world["hr"].locale = "zh_CN"
    login(client, "hr")
    with clock.frozen(NOW):
        rows = _csv_rows(client.get("/certifications/compliance.csv?q=员工-far"))
    assert rows[0][:3] == ["工号", "姓名", "团队"]
    assert sorted(r[5] for r in rows[1:]) == sorted(["认证甲", "认证乙"])  # Chinese titles


def test_statements_do_not_grow_with_people_or_certifications(app, client, make, certs):
    hr = make.employee("hr", roles={"hr"})
    team = make.team()
    cert_list = [certs.certification()]

    def people(n: int) -> None:
        for _ in range(n):
            person = make.employee(team=team, password=None)
            for i, certification in enumerate(cert_list):
                valid(person, certification, 20 + 10 * i)

    def measure(query: str = "") -> int:
        with count_statements() as statements, clock.frozen(NOW):
            assert client.get("/certifications/compliance" + query).status_code == 200
        return len(statements)

    people(3)
    db.session.commit()
    login(client, "hr")
    assert hr.id
    small = measure()
    people(27)
    large = measure()
    assert large == small, f"{small} statements with 3 people, {large} with 30"
    for _ in range(3):
        cert_list.append(certs.certification())
    people(5)
    assert measure() == small, "4 certifications"
    assert measure(f"?sort=expiry&state=valid&team={team.id}") == small
    assert small <= 14
