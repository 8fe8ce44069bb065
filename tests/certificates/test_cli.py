"""``lms certificates``: render into a directory, list, revoke and issue-missing; refusals are a
clear message with exit code 2 and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from courses import enrolment
from lms import clock
from lms.certificates.models import Certificate, CertificateAward
from lms.extensions import db
from lms.storage import storage

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def invoke(runner, *args):
    with clock.frozen(NOW):
        return runner.invoke(args=["certificates", *args])


def stored(certificate) -> bytes:
    pdf = f"%PDF-1.7 stand-in for {certificate.serial}".encode()
    certificate.pdf_key = storage().put(pdf)
    certificate.rendered_version = certificate.design.version
    return pdf


@pytest.fixture
def issued(make, certificates):
    team = make.team("售后一组")
    design = certificates.design()
    course = certificates.catalogue.course("returns-basics", lessons=1)
    people = [
        make.employee(team=team, employee_no="A001", name="张伟"),
        make.employee(team=team, employee_no="A002", name="Ana Lima"),
        make.employee(employee_no="B001", name="李娜"),
    ]
    made = [
        certificates.certificate(
            person=person,
            course=course if n < 2 else None,
            design=design,
            issued_on=dt.date(2026, 5, n + 1),
        )
        for n, person in enumerate(people)
    ]
    pdfs = [stored(c) for c in made]
    db.session.commit()
    return {"team": team, "course": course, "certificates": made, "pdfs": pdfs}


def test_render_writes_the_selected_pdfs_into_a_directory(runner, issued, tmp_path):
    first, second, _third = issued["certificates"]
    out = tmp_path / "out"
    result = invoke(
        runner, "render", "--team", "售后一组", "--from", "2026-05-01", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "2 certificates into" in result.output and "2/2 ready" in result.output
    assert "Wrote 2 PDFs" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"{first.serial}-张伟.pdf",
        f"{second.serial}-Ana Lima.pdf",
    ]
    assert (out / f"{first.serial}-张伟.pdf").read_bytes() == issued["pdfs"][0]

    by_id = invoke(
        runner,
        "render",
        "--team",
        str(issued["team"].id),
        "--course",
        "returns-basics",
        "--to",
        "2026-05-01",
        "--out",
        str(tmp_path / "one"),
        "--workers",
        "1",
    )
    assert by_id.exit_code == 0, by_id.output
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{first.serial}-张伟.pdf"]


def test_render_refuses_unknown_names_and_bad_dates(runner, issued, tmp_path):
    out = str(tmp_path / "never")
    for args, message in (
        (["--team", "没有这个组"], "No team '没有这个组'"),
        (["--course", "no-such-course"], "No course 'no-such-course'"),
        (["--certification", "no-such-cert"], "No certification 'no-such-cert'"),
        (["--from", "2026-06-01", "--to", "2026-05-01"], "--from is after --to"),
    ):
        result = invoke(runner, "render", *args, "--out", out)
        assert result.exit_code == 2 and message in result.output, result.output
    bad_date = invoke(runner, "render", "--from", "1/5/2026", "--out", out)
    assert bad_date.exit_code == 2 and "Invalid value for '--from'" in bad_date.output
    nothing = invoke(runner, "render", "--from", "2030-01-01", "--out", out)
    assert nothing.exit_code == 0 and "No certificates match" in nothing.output
    assert not (tmp_path / "never").exists()


def test_list_shows_certificates_newest_first(runner, issued):
    first, second, third = issued["certificates"]
    third.pdf_key, third.rendered_version = None, None
    first.design.version = 2  # stored PDFs of the old version are stale
    db.session.commit()
    result = invoke(runner, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("serial")
    assert [line.split()[0] for line in lines[1:]] == [third.serial, second.serial, first.serial]
    assert "none" in lines[1] and "stale" in lines[2] and "valid" in lines[3]
    assert "张伟" in lines[3]
    mine = invoke(runner, "list", "--employee", "A002")
    assert [line.split()[0] for line in mine.output.splitlines()[1:]] == [second.serial]
    unknown = invoke(runner, "list", "--employee", "Z999")
    assert unknown.exit_code == 2 and "No employee 'Z999'" in unknown.output
    short = invoke(runner, "list", "--limit", "1")
    assert "first 1 shown" in short.output


def test_revoke_by_serial_with_a_reason(runner, issued):
    first = issued["certificates"][0]
    result = invoke(runner, "revoke", first.serial, "--reason", "颁发错误")
    assert result.exit_code == 0, result.output
    assert f"Revoked {first.serial}" in result.output
    db.session.expire_all()
    assert first.revoked_at is not None and first.revocation_reason == "颁发错误"
    again = invoke(runner, "revoke", first.serial, "--reason", "again")
    assert again.exit_code == 2 and "revoked already" in again.output
    blank = invoke(runner, "revoke", issued["certificates"][1].serial, "--reason", "  ")
    assert blank.exit_code == 2 and "reason" in blank.output
    missing = invoke(runner, "revoke", "2026-999999", "--reason", "x")
    assert missing.exit_code == 2 and "No certificate '2026-999999'" in missing.output
    db.session.expire_all()
    assert issued["certificates"][1].revoked_at is None


def test_issue_missing_issues_what_completions_are_owed(runner, make, certificates):
    course = certificates.catalogue.course("owed-course", lessons=1)
    person = make.employee(name="周杰")
    with clock.frozen(NOW):
        mine = enrolment.enrol(person, course, now=NOW)
        for lesson in course.current_version.lessons:
            enrolment.complete_lesson(mine, lesson, now=NOW)
    certificates.award(course=course)  # the award comes after the completion
    db.session.commit()
    result = invoke(runner, "issue-missing")
    assert result.exit_code == 0, result.output
    assert "Issued 1 missing certificates." in result.output
    holders = db.session.scalars(sa.select(Certificate.holder_name)).all()
    assert holders == ["周杰"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateAward)) == 1
    assert "Issued 0 missing certificates." in invoke(runner, "issue-missing").output
