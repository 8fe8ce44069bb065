"""The monthly KPI import from CSV (UTF-8 with BOM, GB18030) and XLSX, and ``lms career
import-kpis``: bad rows write nothing and every problem names its line and column; a clean file
is written set-wise; importing it again changes nothing; a changed figure is updated."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from lms import clock
from lms.career import kpis
from lms.career.kpi_import import import_file
from lms.career.models import KpiImport, KpiMetric, KpiValue
from lms.extensions import db
from tests.test_query_counts import count_statements

NOW = dt.datetime(2026, 11, 15, 2, 0, tzinfo=dt.UTC)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def people(app, make):
    kpis.ensure_default_metrics()
    hr = make.employee("hr", roles={"hr"})
    found = {
        "hr": hr,
        "a": make.employee(employee_no="C1001", name="王芳"),
        "b": make.employee(employee_no="C1002", name="李娜"),
    }
    db.session.commit()
    return found


def stored() -> dict[tuple[str, str, dt.date], float]:
    from lms.organisation.models import Employee

    rows = db.session.execute(
        sa.select(Employee.employee_no, KpiMetric.code, KpiValue.month, KpiValue.value)
        .join(Employee, Employee.id == KpiValue.employee_id)
        .join(KpiMetric, KpiMetric.id == KpiValue.metric_id)
    )
    return {(no, code, month): value for no, code, month, value in rows}


def run(data: bytes, filename: str = "kpi.csv", actor=None, **kwargs):
    return import_file(filename, data, actor=actor, now=NOW, **kwargs)


def problems(report) -> list[tuple[int, str | None]]:
    return [(p.line, p.column) for p in report.problems]


def test_bad_rows_write_nothing_and_each_row_is_named(people):
    data = csv_bytes(
        [
            ["工号", "月份", "客户满意度", "投诉率"],
            ["C1001", "2026-10", "93.5", "0.4"],  # fine
            ["C9999", "2026-10", "90", "0.5"],  # unknown employee
            ["C1002", "2026-12", "91", "0.3"],  # a month in the future
            ["C1002", "2026-10", "130", "0.2"],  # a percentage of 130
            ["C1001", "2026-09", "abc", "1.5%"],  # not a number
            ["C1001", "2026-10", "92", ""],  # the same person and month again
            ["", "2026/13", "", "-1"],  # no employee, no such month, below the range
        ]
    )
    report = run(data, actor=people["hr"])
    assert not report.ok
    assert problems(report) == [
        (3, "A (工号)"),
        (4, "B (月份)"),
        (5, "C (客户满意度)"),
        (6, "C (客户满意度)"),
        (7, "A (工号)"),
        (8, "A (工号)"),
        (8, "B (月份)"),
        (8, "D (投诉率)"),
    ]
    messages = [p.message for p in report.problems]
    assert "C9999" in messages[0]
    assert "2026-12" in messages[1] and "future" in messages[1]
    assert "130" in messages[2] and "100" in messages[2]
    assert "abc" in messages[3]
    assert "line 2" in messages[4]
    assert stored() == {}
    assert db.session.scalar(sa.select(sa.func.count(KpiImport.id))) == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["工号", "月份", "csat", "满意度"], [(1, "D")]),  # unknown column
        (["工号", "月份", "csat", "客户满意度"], [(1, "D")]),  # the same metric twice
        (["工号", "csat"], [(1, None)]),  # no month column
        (["employee_no", "month", "name"], [(1, None)]),  # no metric column
    ],
)
def test_header_problems(people, header, expected):
    report = run(csv_bytes([header, ["C1001", "2026-10", "90", "91"][: len(header)]]))
    assert problems(report) == expected
    assert stored() == {}


def test_a_cell_without_a_header_is_refused(people):
    report = run("工号,月份,tickets\r\nC1001,2026-10,1,240\r\n".encode())  # unquoted comma
    assert problems(report) == [(2, "D")]
    assert stored() == {}


def test_a_file_that_cannot_be_read(people):
    assert "xlsx" in run(b"PK\x03\x04 broken", "kpi.xlsx").problems[0].message.lower()
    assert run(b"", "kpi.csv").problems[0].line == 0
    assert run(csv_bytes([["工号", "月份", "csat"]])).problems[0].message


def test_a_clean_utf8_file_with_bom_is_written_and_recorded(people):
    data = csv_bytes(
        [
            ["employee_no", "姓名", "Month", "CSAT", "complaint rate", "首次解决率", "tickets"],
            ["C1001", "王芳", "2026-10", "92.5%", "0.4", "", "1,240"],
            ["C1002", "李娜", "2026/9", "88", "1.25%", "70.25", "600"],
            ["C1002", "李娜", "2026-11-03", "90.04", "", "", ""],
            ["", "", "", "", "", "", ""],  # a blank line is skipped
        ]
    )
    report = run(data, "十月.csv", actor=people["hr"])
    assert report.ok, report.problems
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 8, 0, 0)
    assert (report.people, report.months) == (2, 3)
    db.session.commit()
    assert stored() == {
        ("C1001", "csat", dt.date(2026, 10, 1)): 92.5,
        ("C1001", "complaint_rate", dt.date(2026, 10, 1)): 0.4,
        ("C1001", "tickets", dt.date(2026, 10, 1)): 1240.0,
        ("C1002", "csat", dt.date(2026, 9, 1)): 88.0,
        ("C1002", "complaint_rate", dt.date(2026, 9, 1)): 1.25,
        ("C1002", "fcr", dt.date(2026, 9, 1)): 70.2,  # kept to the metric's 1 decimal
        ("C1002", "tickets", dt.date(2026, 9, 1)): 600.0,
        ("C1002", "csat", dt.date(2026, 11, 1)): 90.0,
    }
    record = db.session.scalars(sa.select(KpiImport)).one()
    assert (record.source, record.filename, record.rows, record.created, record.updated) == (
        "upload",
        "十月.csv",
        3,
        8,
        0,
    )
    assert record.imported_by_id == people["hr"].id and record.imported_at == NOW
    assert report.import_id == record.id


def test_a_gb18030_file(people):
    data = csv_bytes(
        [["工号", "月份", "客户满意度", "质检得分"], ["C1001", "2026年10月", "93.5", "91"]],
        encoding="gb18030",
    )
    report = run(data)
    assert report.ok, report.problems
    db.session.commit()
    assert stored() == {
        ("C1001", "csat", dt.date(2026, 10, 1)): 93.5,
        ("C1001", "qa_score", dt.date(2026, 10, 1)): 91.0,
    }


def test_an_xlsx_workbook_with_date_cells(people, make):
    from openpyxl import Workbook

    make.employee(employee_no="2001")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "月份", "平均首次响应时长", "Handled tickets", "投诉率"])
    sheet.append(["C1001", dt.datetime(2026, 10, 1), 35.4, 620, 0.5])
    sheet.append([2001, dt.date(2026, 9, 30), 41, 580, None])  # a numeric employee number
    sheet.append(["C1002", "2026-08", "38", "", "0.35%"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "kpi.xlsx")
    assert report.ok, report.problems
    assert report.created == 7
    db.session.commit()
    assert stored() == {
        ("C1001", "frt", dt.date(2026, 10, 1)): 35.0,
        ("C1001", "tickets", dt.date(2026, 10, 1)): 620.0,
        ("C1001", "complaint_rate", dt.date(2026, 10, 1)): 0.5,
        ("2001", "frt", dt.date(2026, 9, 1)): 41.0,
        ("2001", "tickets", dt.date(2026, 9, 1)): 580.0,
        ("C1002", "frt", dt.date(2026, 8, 1)): 38.0,
        ("C1002", "complaint_rate", dt.date(2026, 8, 1)): 0.35,
    }


def test_an_xlsx_problem_names_the_cell(people):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "月份", "csat"])
    sheet.append(["C1001", dt.datetime(2027, 1, 1), 130])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "kpi.xlsx")
    assert problems(report) == [(2, "B (月份)"), (2, "C (csat)")]


def test_importing_the_same_file_again_changes_nothing(people):
    data = csv_bytes(
        [
            ["工号", "月份", "csat", "fcr", "frt"],
            ["C1001", "2026-10", "93.5", "80", "30"],
            ["C1002", "2026-10", "89", "75", "45"],
        ]
    )
    first = run(data)
    db.session.commit()
    before = {
        row.id: (row.value, row.import_id, row.updated_at)
        for row in db.session.scalars(sa.select(KpiValue))
    }
    second = run(data)
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    db.session.commit()
    after = {
        row.id: (row.value, row.import_id, row.updated_at)
        for row in db.session.scalars(sa.select(KpiValue))
    }
    assert after == before and all(v[1] == first.import_id for v in after.values())
    records = db.session.scalars(sa.select(KpiImport).order_by(KpiImport.id)).all()
    assert [(r.created, r.updated) for r in records] == [(6, 0), (0, 0)]


def test_a_changed_figure_is_updated_and_an_empty_cell_keeps_the_stored_one(people):
    run(csv_bytes([["工号", "月份", "csat", "fcr"], ["C1001", "2026-10", "93.5", "80"]]))
    db.session.commit()
    report = run(
        csv_bytes(
            [
                ["工号", "月份", "csat", "fcr", "qa_score"],
                ["C1001", "2026-10", "95", "", "88"],
                ["C1002", "2026-10", "90", "", ""],
            ]
        )
    )
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    db.session.commit()
    assert stored() == {
        ("C1001", "csat", dt.date(2026, 10, 1)): 95.0,
        ("C1001", "fcr", dt.date(2026, 10, 1)): 80.0,
        ("C1001", "qa_score", dt.date(2026, 10, 1)): 88.0,
        ("C1002", "csat", dt.date(2026, 10, 1)): 90.0,
    }
    updated = db.session.scalars(sa.select(KpiValue).where(KpiValue.value == 95.0)).one()
    assert updated.import_id == report.import_id


def test_a_dry_run_writes_nothing(people):
    data = csv_bytes([["工号", "月份", "csat"], ["C1001", "2026-10", "93.5"]])
    report = run(data, dry_run=True)
    assert report.ok and report.created == 1 and report.import_id is None
    db.session.commit()
    assert stored() == {} and db.session.scalar(sa.select(sa.func.count(KpiImport.id))) == 0


def test_a_new_metric_is_a_column_at_once(people):
    kpis.save_metric(
        None,
        {
            "code": "aht",
            "name": "平均处理时长",
            "name_en": "Average handling time",
            "unit": "s",
            "higher_is_better": False,
            "min_value": 0,
            "max_value": 3600,
            "decimals": 0,
            "aggregate": "mean",
        },
    )
    report = run(csv_bytes([["工号", "月份", "平均处理时长"], ["C1001", "2026-10", "300"]]))
    assert report.ok and report.created == 1
    percent = run(csv_bytes([["工号", "月份", "aht"], ["C1001", "2026-10", "30%"]]))
    assert problems(percent) == [(2, "C (aht)")]  # only percentages may end with %


def test_the_statements_do_not_grow_with_the_rows(people, make):
    for n in range(60):
        make.employee(employee_no=f"D{n:03d}")
    db.session.commit()

    def rows(count: int) -> bytes:
        body = [["工号", "月份", "csat", "fcr", "tickets"]]
        body += [[f"D{n:03d}", "2026-10", "90", "80", str(n)] for n in range(count)]
        return csv_bytes(body)

    counts = []
    for size in (5, 60):
        run(rows(size))  # figures stored, so the second run updates some and adds others
        db.session.rollback()
        with count_statements() as statements:
            report = run(rows(size))
        assert report.ok and report.created == size * 3
        db.session.rollback()
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- the command --------------------------------------------------------------------------


def write(tmp_path, name: str, rows: list[list[object]]):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def test_the_command_dry_run_then_import(people, runner, tmp_path):
    path = write(tmp_path, "kpi.csv", [["工号", "月份", "csat"], ["C1001", "2026-10", "93.5"]])
    with clock.frozen(NOW):
        result = runner.invoke(args=["career", "import-kpis", str(path), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "1 new" in result.output and "Dry run" in result.output
        assert stored() == {}
        result = runner.invoke(args=["career", "import-kpis", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 0 unchanged" in result.output
    assert stored() == {("C1001", "csat", dt.date(2026, 10, 1)): 93.5}
    assert db.session.scalars(sa.select(KpiImport.source)).one() == "cli"


def test_the_command_refuses_a_bad_file_with_exit_code_2(people, runner, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        [["工号", "月份", "csat"], ["C9999", "2026-10", "90"], ["C1001", "2099-01", "130"]],
    )
    with clock.frozen(NOW):
        result = runner.invoke(args=["career", "import-kpis", str(path), "--dry-run"])
        assert result.exit_code == 2
        result = runner.invoke(args=["career", "import-kpis", str(path)])
    assert result.exit_code == 2
    assert "bad.csv: line 2, column A (工号)" in result.output
    assert "line 3, column B (月份)" in result.output
    assert "line 3, column C (csat)" in result.output
    assert "Nothing was imported" in result.output
    assert stored() == {}
    missing = runner.invoke(args=["career", "import-kpis", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "Cannot read" in missing.output


def test_the_command_lists_the_metrics(people, runner):
    result = runner.invoke(args=["career", "metrics"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == [m.code for m in kpis.all_metrics()]
    assert "lower is better" in lines[2] and "unit=s" in lines[2]
