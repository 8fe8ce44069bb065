"""The monthly service-KPI import: a CSV/XLSX file (an upload or ``lms career import-kpis``) or
the rows of ``POST /api/v1/kpis``, validated all-or-nothing and written set-wise.

A file is wide: 工号/employee_no, 月份/month (YYYY-MM; YYYY/MM, a date of that month or an
Excel date cell also do), an optional 姓名/name column that is not checked, then one column
per metric headed by its code, Chinese name or English name. An empty cell is no figure (a
figure already stored stays). Every problem of every row is reported with its line and
column, and nothing is written unless there is none. A clean import inserts new figures and
updates changed ones on (employee, metric, month), so importing the same figures again
changes none of them; every accepted import is recorded as a ``KpiImport``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.career import kpi_import_rows as checks
from lms.career.kpi_import_rows import Figure, FigureStatus, Problem, RawRow
from lms.career.kpis import (
    EMPLOYEE_HEADERS,
    MONTH_HEADERS,
    NAME_HEADERS,
    all_metrics,
    fold,
)
from lms.career.models import KpiImport, KpiMetric, KpiValue
from lms.db import serialise
from lms.extensions import db
from lms.organisation.importer import ImportFileError, column_letter, read_table
from lms.organisation.models import Employee

API_MAX_ROWS = 5000  # rows per call of POST /api/v1/kpis
PREVIEW_ROWS = 50


@dataclass
class PreviewRow:
    line: int
    employee_no: str
    name: str
    month: dt.date
    values: dict[str, float]  # metric code -> figure
    figures: dict[str, Figure] = field(default_factory=dict)  # metric code -> its figure


@dataclass
class KpiReport:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    metrics: list[KpiMetric] = field(default_factory=list)  # the metrics given, in order
    preview: list[PreviewRow] = field(default_factory=list)  # the first rows, for a preview
    people: int = 0
    months: int = 0
    import_id: int | None = None  # the KpiImport written, None when checked only
    conflict: bool = False  # a concurrent import wrote the same figures first

    @property
    def ok(self) -> bool:
        return not self.problems

    def _count(self, status: FigureStatus) -> int:
        return sum(1 for figure in self.figures if figure.status == status)

    @property
    def created(self) -> int:
        return self._count(FigureStatus.NEW)

    @property
    def updated(self) -> int:
        return self._count(FigureStatus.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(FigureStatus.UNCHANGED)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "figures": len(self.figures),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "people": self.people,
            "months": self.months,
        }


# --- reading a file ---------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _headers(
    header: list[Any], metrics: list[KpiMetric], report: KpiReport
) -> dict[int, tuple[str, str]]:
    """Column index -> (key, reference for messages); key is employee_no, month, name or a
    metric code."""
    labels: dict[str, str] = {}
    for metric in metrics:
        for label in (metric.code, metric.name, metric.name_en):
            if label:
                labels.setdefault(fold(label), metric.code)
    for key, aliases in (
        ("employee_no", EMPLOYEE_HEADERS),
        ("month", MONTH_HEADERS),
        ("name", NAME_HEADERS),
    ):
        labels.update(dict.fromkeys(aliases, key))
    mapping: dict[int, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        if _blank(raw):
            continue
        text, column = " ".join(str(raw).split()), column_letter(index)
        key = labels.get(fold(text))
        if key is None:
            report.problems.append(Problem(1, column, _("Unknown column “%(v)s”.", v=text)))
        elif key in seen:
            message = _(
                "Column “%(v)s” appears twice (also column %(other)s).", v=text, other=seen[key]
            )
            report.problems.append(Problem(1, column, message))
        else:
            seen[key] = column
            mapping[index] = (key, f"{column} ({text})")
    for key, header_name in (("employee_no", "工号 / employee_no"), ("month", "月份 / month")):
        if key not in seen:
            message = _("Missing required column “%(v)s”.", v=header_name)
            report.problems.append(Problem(1, None, message))
    if not set(seen) - {"employee_no", "month", "name"} and not report.problems:
        message = _("The file has no metric columns; head them with the metric codes or names.")
        report.problems.append(Problem(1, None, message))
    return mapping


def _rows_of_table(
    table: list[tuple[int, list[Any]]], metrics: list[KpiMetric], report: KpiReport
) -> list[RawRow]:
    mapping = _headers(table[0][1], metrics, report)
    if report.problems:
        return []
    rows = []
    for line, cells in table[1:]:
        if all(_blank(c) for c in cells):
            continue
        row = RawRow(line)
        for index, (key, ref) in mapping.items():
            row.refs[key] = ref
            if key != "name" and index < len(cells) and not _blank(cells[index]):
                row.cells[key] = cells[index]
        for index, cell in enumerate(cells):
            if index not in mapping and not _blank(cell):
                message = _("This cell has no column header (a comma without quotes?).")
                report.problems.append(Problem(line, column_letter(index), message))
        rows.append(row)
    return rows


# --- reading API rows -------------------------------------------------------------------


def _rows_of_json(items: list[Any], metrics: list[KpiMetric], report: KpiReport) -> list[RawRow]:
    codes = {metric.code for metric in metrics}
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            report.problems.append(Problem(index, None, _("Each row must be a JSON object.")))
            continue
        row = RawRow(index)
        for key, value in item.items():
            key = str(key)
            if key not in codes and key not in ("employee_no", "month"):
                message = _(
                    "Unknown field “%(v)s”: give employee_no, month and metric codes.", v=key
                )
                report.problems.append(Problem(index, key, message, key))
                continue
            row.refs[key] = key
            if not _blank(value):
                row.cells[key] = value
        row.refs.setdefault("employee_no", "employee_no")
        row.refs.setdefault("month", "month")
        rows.append(row)
    return rows


# --- the checks, shared -----------------------------------------------------------------


def _check(
    rows: list[RawRow], metrics: list[KpiMetric], today: dt.date, report: KpiReport, *, api: bool
) -> None:
    by_code = {metric.code: metric for metric in metrics}
    parsed = checks.parse_rows(rows, by_code, today, report.problems, api=api)
    numbers = {row.employee_no for row in parsed if row.employee_no}
    people: dict[str, tuple[int, str]] = {}
    if numbers:
        people = {
            number: (person_id, name)
            for number, person_id, name in db.session.execute(
                sa.select(Employee.employee_no, Employee.id, Employee.name).where(
                    Employee.employee_no.in_(sorted(numbers))
                )
            )
        }
    for row in parsed:
        if row.employee_no and row.employee_no not in people:
            message = _("Unknown employee number “%(v)s”.", v=row.employee_no)
            report.problems.append(
                Problem(row.line, row.refs["employee_no"], message, "employee_no")
            )
    report.problems.sort(key=lambda p: (p.line, p.column or ""))
    if report.problems:
        return
    used = {code for row in parsed for code in row.values}
    report.metrics = [metric for metric in metrics if metric.code in used]
    ids = {people[row.employee_no][0] for row in parsed}
    months = {row.month for row in parsed}
    existing = checks.existing_figures(ids, {by_code[c].id for c in used}, months)
    for row in parsed:
        person_id, name = people[row.employee_no]
        preview = PreviewRow(row.line, row.employee_no, name, row.month, row.values)
        for code, value in row.values.items():
            figure = checks.classify(person_id, by_code[code].id, row.month, value, existing)
            report.figures.append(figure)
            preview.figures[code] = figure
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(preview)
    report.people, report.months = len(ids), len(months)


def _write(
    report: KpiReport,
    *,
    source: str,
    filename: str | None,
    actor: Employee | None,
    now: dt.datetime,
) -> None:
    savepoint = db.session.begin_nested()
    try:
        record = KpiImport(
            source=source,
            filename=(filename or None) and filename[:255],
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            imported_by_id=actor.id if actor is not None else None,
            imported_at=now,
        )
        db.session.add(record)
        db.session.flush()
        new = [
            {
                "employee_id": f.employee_id,
                "metric_id": f.metric_id,
                "month": f.month,
                "value": f.value,
                "import_id": record.id,
                "updated_at": now,
            }
            for f in report.figures
            if f.status == FigureStatus.NEW
        ]
        if new:
            db.session.execute(sa.insert(KpiValue), new)
        changed = [
            {"id": f.existing_id, "value": f.value, "import_id": record.id, "updated_at": now}
            for f in report.figures
            if f.status == FigureStatus.UPDATED
        ]
        if changed:
            db.session.execute(sa.update(KpiValue), changed)
    except IntegrityError:
        savepoint.rollback()
        message = _(
            "Someone imported figures for the same people at the same moment; nothing was "
            "imported. Try again."
        )
        report.problems.append(Problem(0, None, message))
        report.conflict = True
        return
    savepoint.commit()
    report.import_id = record.id


def _run(
    report: KpiReport,
    read,
    *,
    source: str,
    filename: str | None,
    actor: Employee | None,
    now: dt.datetime,
    dry_run: bool,
    api: bool,
) -> KpiReport:
    if not dry_run:
        # One import at a time, so a second import of the same figures sees the first one's.
        serialise(db.session, "kpi-import")
    metrics = all_metrics()
    rows = read(metrics)
    report.rows = len(rows)
    if not rows:  # a header problem, or nothing but the header
        if not report.problems:
            report.problems.append(Problem(0, None, _("There are no rows of figures.")))
        return report
    _check(rows, metrics, now.date(), report, api=api)
    if report.ok and not dry_run:
        _write(report, source=source, filename=filename, actor=actor, now=now)
    return report


def import_file(
    filename: str,
    data: bytes,
    *,
    actor: Employee | None,
    now: dt.datetime,
    source: str = "upload",
    dry_run: bool = False,
    max_rows: int = 20000,
) -> KpiReport:
    """Check a CSV/XLSX file and, unless ``dry_run`` or a problem was found, write it. The
    caller commits when ``report.ok`` (and rolls back otherwise)."""
    report = KpiReport()
    try:
        table = read_table(filename, data)
    except ImportFileError as error:
        report.problems.append(Problem(0, None, str(error)))
        return report
    if not table:
        report.problems.append(Problem(0, None, _("The file is empty.")))
        return report
    if len(table) - 1 > max_rows:
        message = _("The file has more than %(n)d rows; split it.", n=max_rows)
        report.problems.append(Problem(0, None, message))
        return report
    return _run(
        report,
        lambda metrics: _rows_of_table(table, metrics, report),
        source=source,
        filename=filename,
        actor=actor,
        now=now,
        dry_run=dry_run,
        api=False,
    )


def import_rows(
    items: list[Any], *, actor: Employee | None, now: dt.datetime, dry_run: bool = False
) -> KpiReport:
    """The same for the rows of ``POST /api/v1/kpis`` (objects keyed by employee_no, month
    and metric codes); a problem's ``line`` is the row's index in ``items``, from 0."""
    report = KpiReport()
    return _run(
        report,
        lambda metrics: _rows_of_json(items, metrics, report),
        source="api",
        filename=None,
        actor=actor,
        now=now,
        dry_run=dry_run,
        api=True,
    )


def recent_imports(limit: int = 20) -> list[KpiImport]:
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            sa.select(KpiImport)
            .options(joinedload(KpiImport.imported_by))
            .order_by(KpiImport.imported_at.desc(), KpiImport.id.desc())
            .limit(limit)
        )
    )
