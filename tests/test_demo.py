"""The demo company and the commands around it."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.organisation.models import Department, Employee, EmployeeStatus, Team
from tests.conftest import login


def test_demo_builds_a_believable_company(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    people = db.session.scalars(sa.select(Employee)).all()
    assert 75 <= len(people) <= 90
    assert all(p.is_demo for p in people)
    assert all("\u4e00" <= p.name[0] <= "\u9fff" for p in people)  # Chinese names
    teams = set(db.session.scalars(sa.select(Team.name)))
    assert {"售前咨询组", "售后一组", "售后二组", "投诉处理组", "技术支持组", "质检组"} <= teams
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) >= 4
    recent = [p for p in people if (p.created_at.date() - p.hire_date).days <= 14]
    assert len(recent) >= 3 and all(p.status == EmployeeStatus.ONBOARDING for p in recent)
    assert all(
        t.lead is not None
        for t in db.session.scalars(sa.select(Team))
        if t.name.endswith("组") and t.name not in ("人力资源组", "系统管理组")
    )
    for username in ("admin", "hr", "lead", "mentor", "newhire"):
        assert login(app.test_client(), username, "lms-demo").status_code == 302
    newhire = db.session.scalar(sa.select(Employee).where(Employee.username == "newhire"))
    assert newhire.supervisor.username == "lead"


def test_demo_twice_is_harmless(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already present" in second.output


def test_demo_refuses_a_real_database(runner, make):
    make.employee("real")
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "not demo people" in result.output
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1


def test_import_command(runner, make, tmp_path):
    make.team("售后一组")
    db.session.commit()
    good = tmp_path / "people.csv"
    good.write_text("工号,姓名,入职日期,团队\nD001,周杰,2026-11-01,售后一组\n", encoding="utf-8")
    result = runner.invoke(args=["employees", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output and "initial password" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("工号,姓名,入职日期,团队\nD002,林,2026-11-01,无此组\n", encoding="utf-8")
    result = runner.invoke(args=["employees", "import", str(bad)])
    assert result.exit_code != 0
    assert "line 2, column D" in result.output and "Nothing was imported" in result.output
