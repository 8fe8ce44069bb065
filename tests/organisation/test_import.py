"""Bulk import: validate everything, then write all or nothing, reporting line and column."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from lms import clock
from lms.extensions import db
from lms.organisation.importer import import_employees
from lms.organisation.models import Employee, PostChange
from tests.conftest import csrf_token

HEADER = "工号,姓名,入职日期,团队,岗位,上级工号,邮箱"
GOOD_ROWS = [
    "C2001,张伟,2026-11-10,售后一组,客服专员,L0001,zhangwei@example.com",
    "C2002,李娜,2026/11/12,售后一组,客服专员,L0001,",
    "C2003,王芳,2026.11.15,售后一组,客服专员,C2001,",
]


@pytest.fixture
def org(make):
    team = make.team("售后一组")
    post = make.post("客服专员")
    lead = make.employee("lead", employee_no="L0001", roles={"supervisor"}, team=team)
    db.session.commit()
    return {"team": team, "post": post, "lead": lead}


def run(text: str | bytes, filename: str = "people.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    report = import_employees(filename, data, actor=None, now=clock.now())
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Employee.id)))


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_clean_file_creates_everyone_with_accounts(org):
    report = run(csv_text(*GOOD_ROWS))
    assert report.ok, report.problems
    assert [a.employee_no for a in report.created] == ["C2001", "C2002", "C2003"]
    wang = db.session.scalar(sa.select(Employee).where(Employee.employee_no == "C2003"))
    assert wang.supervisor.employee_no == "C2001"  # a supervisor further up the same file
    assert wang.must_change_password and wang.password_hash
    assert wang.roles == {"employee"}
    assert str(wang.status) == "onboarding"
    assert wang.post.title == "客服专员"
    assert db.session.scalar(sa.select(sa.func.count(PostChange.id))) == 3


def test_reimport_updates_instead_of_duplicating(org):
    assert run(csv_text(*GOOD_ROWS)).ok
    before = count()
    again = run(csv_text(*GOOD_ROWS))
    assert again.ok and again.created == [] and again.unchanged == 3 and again.updated == 0
    changed = run(csv_text(GOOD_ROWS[0].replace("张伟", "张伟伟")))
    assert changed.updated == 1
    assert count() == before
    assert (
        db.session.scalar(sa.select(Employee.name).where(Employee.employee_no == "C2001"))
        == "张伟伟"
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_encodings(org, encoding):
    report = run(csv_text(*GOOD_ROWS).encode(encoding))
    assert report.ok, report.problems
    assert (
        db.session.scalar(sa.select(Employee.name).where(Employee.employee_no == "C2002")) == "李娜"
    )


def test_english_headers_and_tabs(org):
    text = (
        "employee_no\tname\thire_date\tteam\tpost\nC3001\tAnna Li\t2026-11-01\t售后一组\t客服专员\n"
    )
    assert run(text).ok


def test_xlsx(org):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "入职日期", "团队", "岗位", "角色"])
    import datetime as dt

    sheet.append([4001, "赵敏", dt.datetime(2026, 11, 3), "售后一组", "客服专员", "导师"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "people.xlsx")
    assert report.ok, report.problems
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == "4001"))
    assert person.hire_date.isoformat() == "2026-11-03"
    assert person.roles == {"employee", "mentor"}


@pytest.mark.parametrize(
    ("rows", "line", "column", "message"),
    [
        (["C2001,张伟,2026-13-45,售后一组,客服专员,,"], 2, "C", "is not a date"),
        (["C2001,张伟,2026-11-01,售前组,客服专员,,"], 2, "D", "Unknown team"),
        (["C2001,张伟,2026-11-01,售后一组,总裁,,"], 2, "E", "Unknown post"),
        (["C2001,张伟,2026-11-01,售后一组,客服专员,NOPE,"], 2, "F", "Unknown supervisor"),
        (["C2001,张伟,2026-11-01,售后一组,客服专员,C2001,"], 2, "F", "own supervisor"),
        (["C2001,张伟,2026-11-01,售后一组,客服专员,,not-an-email"], 2, "G", "e-mail"),
        (["C2001,,2026-11-01,售后一组,客服专员,,"], 2, "B", "required"),
        (["C2001,张伟,2026-11-01,,,,", "C2001,李娜,2026-11-01,,,,"], 3, "A", "appears again"),
        (["C 2001,张伟,2026-11-01,,,,"], 2, "A", "employee number"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(org, rows, line, column, message):
    before = count()
    report = run(
        csv_text(GOOD_ROWS[0], *rows) if line > 2 and "appears" not in message else csv_text(*rows)
    )
    assert not report.ok
    problem = report.problems[0]
    assert (problem.line, problem.column.split(" ")[0]) == (line, column)
    assert message in problem.message
    assert count() == before


def test_one_bad_row_among_good_ones_writes_nothing(org):
    rows = GOOD_ROWS[:2] + ["C2009,错误,not-a-date,售后一组,客服专员,,"] + GOOD_ROWS[2:]
    report = run(csv_text(*rows))
    assert [p.line for p in report.problems] == [4]
    assert count() == 1  # only the lead of the fixture


def test_every_problem_is_reported_at_once(org):
    report = run(csv_text("C1,,bad,nowhere,,,", "C2,x,2026-01-01,,nopost,,"))
    assert [(p.line, p.column.split(" ")[0]) for p in report.problems] == [
        (2, "B"),
        (2, "C"),
        (2, "D"),
        (3, "E"),
    ]


def test_email_belonging_to_someone_else_is_refused(org, make):
    make.employee("taken", email="zhangwei@example.com")
    db.session.commit()
    report = run(csv_text(GOOD_ROWS[0]))
    assert "already belongs to" in report.problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("姓名,入职日期\n张伟,2026-01-01\n", "Missing required column"),
        ("工号,姓名,入职日期,生日\nC1,张伟,2026-01-01,1990-01-01\n", "Unknown column"),
        ("工号,姓名,入职日期,工号\nC1,张伟,2026-01-01,C1\n", "appears twice"),
        ("工号,姓名,入职日期\n", "no employee rows"),
        ("", "empty"),
    ],
)
def test_broken_headers(org, text, message):
    report = run(text)
    assert message in report.problems[0].message


def test_wrong_file_kinds(org):
    assert "XLSX" in run(b"not a zip", "people.xlsx").problems[0].message
    assert ".xlsx" in run(b"whatever", "people.xls").problems[0].message
    assert "Upload a .csv" in run(b"whatever", "people.pdf").problems[0].message
    assert "UTF-8" in run("工号".encode("utf-16"), "people.csv").problems[0].message


def test_unbalanced_quotes_are_reported_with_the_line(org):
    report = run('工号,姓名,入职日期\nC1,"张伟,2026-01-01\n')
    assert not report.ok


def test_upload_through_the_page(client, org, make):
    make.employee("hr", roles={"hr"}, locale="en")
    db.session.commit()
    from tests.conftest import login

    login(client, "hr")
    token = csrf_token(client, "/people/import")
    bad = csv_text(GOOD_ROWS[0], "C2002,李娜,2026-02-30,售后一组,客服专员,,")
    response = client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "people.csv")},
    )
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page and "2026-02-30" in page
    assert count() == 2
    good = csv_text(*GOOD_ROWS)
    response = client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(good.encode()), "people.csv")},
    )
    page = response.get_data(as_text=True)
    assert "Import complete." in page
    assert count() == 5


def test_oversized_upload_is_refused(app, client, org, make):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    make.employee("hr", roles={"hr"}, locale="en")
    db.session.commit()
    from tests.conftest import login

    login(client, "hr")
    token = csrf_token(client, "/people/import")
    response = client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"x" * 5000), "people.csv")},
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
