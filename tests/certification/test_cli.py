"""``lms certifications``: list, assign, status and require-recertification; every refusal is a
clear message with exit code 2 and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms import clock
from lms.certification import services
from lms.certification.models import PersonCertification, Standing
from lms.extensions import db
from lms.organisation.models import Employee
from tests.certification.conftest import QUARTERS, T0, at, complete

D = dt.date


@pytest.fixture
def company(make, certs):
    team = make.team("售后一组")
    post = make.post("客服专员")
    people = [
        make.employee(team=team, post=post, employee_no=f"A00{n}", name=f"员工{n}")
        for n in range(1, 4)
    ]
    certification = certs.certification(
        slug="product-quarterly",
        title="产品知识季度复训",
        active_months=3,
        window_days=30,
        expiry_base="fixed",
        fixed_dates=QUARTERS,
    )
    db.session.commit()
    return certification, people


def invoke(runner, *args, day: dt.date = D(2027, 1, 20)):
    with clock.frozen(at(day, 9)):
        return runner.invoke(args=["certifications", *args])


def holders(certification) -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            sa.select(Employee.employee_no)
            .join(PersonCertification, PersonCertification.employee_id == Employee.id)
            .where(PersonCertification.certification_id == certification.id)
        )
    )


def test_list_shows_the_rules_and_holders_by_state(runner, company, certs):
    certification, (first, second, _third) = company
    certs.certification(slug="retired", active=False)
    services.assign(certification, employee_ids=[first.id, second.id], actor=None, now=T0)
    complete(first, certification.courses[0].course, at(D(2027, 1, 10)))
    result = invoke(runner, "list")
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "product-quarterly" in row)
    assert f"{certification.id}" in line and "3 months" in line and "30 days" in line
    assert "fixed 01-01,04-01,07-01,10-01" in line and "certified 1, assigned 1" in line
    assert "产品知识季度复训" in result.output
    retired = next(row for row in result.output.splitlines() if "retired" in row)
    assert "(inactive)" in retired and "none" in retired


def test_list_without_certifications(runner, app):
    result = invoke(runner, "list")
    assert result.exit_code == 0 and "No certifications." in result.output


def test_assign_people_a_team_a_post_or_everyone(runner, company, make):
    certification, _people = company
    cid = str(certification.id)
    result = invoke(runner, "assign", cid, "--employees", "A001, A002")
    assert result.exit_code == 0, result.output
    assert "Assigned product-quarterly to 2 people" in result.output
    assert holders(certification) == ["A001", "A002"]
    result = invoke(runner, "assign", cid, "--team", "售后一组")
    assert result.exit_code == 0 and "to 1 people" in result.output
    make.employee(employee_no="B001")
    db.session.commit()
    assert "to 0 people" in invoke(runner, "assign", cid, "--post", "客服专员").output
    result = invoke(runner, "assign", cid, "--everyone")
    assert result.exit_code == 0 and "to 1 people" in result.output
    assert holders(certification) == ["A001", "A002", "A003", "B001"]


def test_assign_refusals_exit_2_and_write_nothing(runner, company):
    certification, _people = company
    cid = str(certification.id)
    cases = [
        (["assign", cid, "--employees", "A001,X404,X405"], "Unknown employee numbers: X404, X405"),
        (["assign", cid], "Give exactly one of"),
        (["assign", cid, "--team", "售后一组", "--everyone"], "Give exactly one of"),
        (["assign", cid, "--team", "无此组"], "No team '无此组'."),
        (["assign", cid, "--post", "nobody"], "No post 'nobody'."),
        (["assign", cid, "--department", "nowhere"], "No department 'nowhere'."),
        (["assign", cid, "--employees", " , "], "--employees needs employee numbers"),
        (["assign", "999999", "--everyone"], "No certification 999999."),
    ]
    for args, message in cases:
        result = invoke(runner, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert holders(certification) == []
    certification.active = False
    db.session.commit()
    result = invoke(runner, "assign", cid, "--everyone")
    assert result.exit_code == 2 and "is not active" in result.output
    assert holders(certification) == []


def test_status_shows_state_and_expiry(runner, company):
    certification, (first, second, third) = company
    services.assign(certification, employee_ids=[first.id, second.id], actor=None, now=T0)
    complete(first, certification.courses[0].course, at(D(2027, 1, 10)))
    result = invoke(runner, "status", "A001")
    assert result.exit_code == 0, result.output
    assert "A001 员工1" in result.output
    line = next(row for row in result.output.splitlines() if "product-quarterly" in row)
    assert "certified" in line and "expires 2027-04-01 (71 days left)" in line
    assert "renewal from 2027-03-02" in line and "cycle 1" in line
    expired = invoke(runner, "status", "A001", day=D(2027, 4, 3)).output
    assert "expired" in expired and "expired 2027-04-01 (2 days ago)" in expired
    assert "first due 2027-02-04" in invoke(runner, "status", "A002").output
    assert "No certifications." in invoke(runner, "status", "A003").output
    missing = invoke(runner, "status", "NOPE")
    assert missing.exit_code == 2 and "No employee 'NOPE'." in missing.output


def test_require_recertification_previews_then_applies(runner, company, certs):
    from courses import services as course_services

    certification, (first, second, _third) = company
    course = certification.courses[0].course
    services.assign(certification, employee_ids=[first.id, second.id], actor=None, now=T0)
    complete(first, course, at(D(2027, 1, 10)))
    with clock.frozen(at(D(2027, 1, 15))):
        draft = course_services.draft_of(course, now=clock.now())
        draft.change_note = "新品上市"
        course_services.publish(course, actor=None, now=clock.now())
    db.session.commit()
    cid = str(certification.id)
    args = ["require-recertification", cid, "--course", course.slug, "--by", "2027-02-28"]
    preview = invoke(runner, *args)
    assert preview.exit_code == 0, preview.output
    assert "1 holders of product-quarterly were certified on an older version" in preview.output
    assert "Preview only" in preview.output
    holder = db.session.scalar(
        sa.select(PersonCertification).where(PersonCertification.employee_id == first.id)
    )
    assert holder.status == Standing.CERTIFIED and holder.required_by is None
    applied = invoke(runner, *args, "--yes")
    assert applied.exit_code == 0, applied.output
    assert "1 holders must renew by 2027-02-28" in applied.output
    db.session.expire_all()
    assert (holder.status, holder.required_by) == (Standing.DUE, D(2027, 2, 28))


def test_require_recertification_refusals_exit_2(runner, company, certs):
    certification, _people = company
    course = certification.courses[0].course
    other = certs.catalogue.course("unrelated-course")
    db.session.commit()
    cid = str(certification.id)
    cases = [
        (["999999", "--course", course.slug, "--by", "2027-03-01"], "No certification 999999."),
        ([cid, "--course", "nope", "--by", "2027-03-01"], "No course 'nope'."),
        ([cid, "--course", other.slug, "--by", "2027-03-01"], "is not part of product-quarterly"),
        ([cid, "--course", course.slug, "--by", "2027-01-20"], "--by must be after today"),
        ([cid, "--course", course.slug, "--by", "1 March"], "Invalid value for '--by'"),
        ([cid, "--course", course.slug], "Missing option '--by'"),
    ]
    for args, message in cases:
        result = invoke(runner, "require-recertification", *args, "--yes")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
