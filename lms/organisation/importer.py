"""Bulk import of employees from CSV (UTF-8 with or without BOM, or GB18030) and XLSX.

Every row is validated first; any problem is reported with its line and column and nothing is
written. A clean file is written in one transaction: existing employee numbers are updated,
new ones created, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.db import serialise
from lms.extensions import db
from lms.organisation import services
from lms.organisation.fields import FIELDS, Field, FieldError, field_for_header
from lms.organisation.models import Employee


@dataclass
class Problem:
    line: int
    column: str | None
    message: str


@dataclass
class CreatedAccount:
    employee_no: str
    name: str
    login: str
    password: str


@dataclass
class ImportReport:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: list[CreatedAccount] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8."))


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for values in reader:
            rows.append((reader.line_num, values))
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)d is not valid CSV: %(error)s", line=reader.line_num, error=str(error))
        ) from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def read_table(filename: str, data: bytes) -> list[tuple[int, list[Any]]]:
    name = (filename or "").lower()
    if not data:
        raise ImportFileError(_("The file is empty."))
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    if name.endswith(".xls"):
        raise ImportFileError(_("Old .xls workbooks are not supported; save the file as .xlsx."))
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    columns: dict[str, str]  # field name -> column reference for messages


def _map_headers(header: list[Any], report: ImportReport) -> dict[int, Field]:
    mapping: dict[int, Field] = {}
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        if _is_blank(raw):
            continue
        column = column_letter(index)
        found = field_for_header(str(raw))
        if found is None:
            report.problems.append(
                Problem(1, column, _("Unknown column “%(v)s”.", v=str(raw).strip()))
            )
        elif found.name in seen:
            report.problems.append(
                Problem(
                    1,
                    column,
                    _(
                        "Column “%(v)s” appears twice (also column %(other)s).",
                        v=str(raw).strip(),
                        other=seen[found.name],
                    ),
                )
            )
        else:
            mapping[index] = found
            seen[found.name] = column
    for required in (f for f in FIELDS if f.required):
        if required.name not in seen:
            report.problems.append(
                Problem(
                    1,
                    None,
                    _(
                        "Missing required column “%(v)s” (%(zh)s).",
                        v=required.name,
                        zh=required.aliases[0],
                    ),
                )
            )
    return mapping


def _parse_rows(
    table: list[tuple[int, list[Any]]], mapping: dict[int, Field], report: ImportReport
) -> list[_Row]:
    rows: list[_Row] = []
    for line, cells in table[1:]:
        if all(_is_blank(c) for c in cells):
            continue
        row = _Row(line, {}, {})
        for index, fld in mapping.items():
            value = cells[index] if index < len(cells) else None
            ref = f"{column_letter(index)} ({fld.label})"
            row.columns[fld.name] = ref
            if _is_blank(value):
                if fld.required:
                    report.problems.append(Problem(line, ref, _("This field is required.")))
                continue
            try:
                row.values[fld.name] = fld.parse(value)
            except FieldError as error:
                report.problems.append(Problem(line, ref, str(error)))
        rows.append(row)
    return rows


def _check_rows(rows: list[_Row], report: ImportReport) -> services.References:
    numbers_in_file: dict[str, int] = {}
    for key in ("employee_no", "username", "email"):
        first_line: dict[str, int] = {}
        for row in rows:
            value = row.values.get(key)
            if value is None:
                continue
            if value in first_line:
                report.problems.append(
                    Problem(
                        row.line,
                        row.columns[key],
                        _(
                            "“%(v)s” appears again (first on line %(first)d).",
                            v=value,
                            first=first_line[value],
                        ),
                    )
                )
            else:
                first_line[value] = row.line
        if key == "employee_no":
            numbers_in_file = first_line

    supervisors = {r.values["supervisor"] for r in rows if r.values.get("supervisor")}
    refs = services.References.load(set(numbers_in_file) | supervisors)

    # e-mail and username held by someone else in the database
    for key, column in (("email", Employee.email), ("username", Employee.username)):
        wanted = {r.values[key]: r for r in rows if r.values.get(key)}
        if not wanted:
            continue
        holders = db.session.execute(
            sa.select(column, Employee.employee_no).where(column.in_(list(wanted)))
        ).all()
        for value, holder_no in holders:
            row = wanted[value]
            if row.values.get("employee_no") != holder_no:
                report.problems.append(
                    Problem(
                        row.line,
                        row.columns[key],
                        _("“%(v)s” already belongs to employee %(no)s.", v=value, no=holder_no),
                    )
                )

    for row in rows:
        for key, resolve in (("team", refs.team), ("post", refs.post)):
            if row.values.get(key):
                try:
                    resolve(row.values[key])
                except FieldError as error:
                    report.problems.append(Problem(row.line, row.columns[key], str(error)))
        number = row.values.get("supervisor")
        if number:
            if number == row.values.get("employee_no"):
                report.problems.append(
                    Problem(
                        row.line,
                        row.columns["supervisor"],
                        _("Nobody can be their own supervisor."),
                    )
                )
            elif number not in refs.people and number not in numbers_in_file:
                report.problems.append(
                    Problem(
                        row.line,
                        row.columns["supervisor"],
                        _("Unknown supervisor employee number “%(v)s”.", v=number),
                    )
                )
    return refs


def import_employees(
    filename: str, data: bytes, *, actor: Employee | None, now: dt.datetime, max_rows: int = 20000
) -> ImportReport:
    """Validate the whole file, then write all of it or nothing. The caller commits when
    ``report.ok``; otherwise nothing has been written."""
    report = ImportReport()
    try:
        table = read_table(filename, data)
    except ImportFileError as error:
        report.problems.append(Problem(0, None, str(error)))
        return report
    if not table:
        report.problems.append(Problem(0, None, _("The file is empty.")))
        return report
    if len(table) - 1 > max_rows:
        report.problems.append(
            Problem(0, None, _("The file has more than %(n)d rows; split it.", n=max_rows))
        )
        return report
    # One import at a time, so a second upload of the same file validates against what the
    # first one wrote (and updates instead of colliding).
    serialise(db.session, "employee-import")
    mapping = _map_headers(table[0][1], report)
    if report.problems:
        return report
    rows = _parse_rows(table, mapping, report)
    report.rows = len(rows)
    if not rows and not report.problems:
        report.problems.append(Problem(0, None, _("The file has no employee rows.")))
        return report
    refs = _check_rows(rows, report)  # reference checks too, so every problem shows at once
    report.problems.sort(key=lambda p: (p.line, p.column or ""))
    if report.problems:
        return report
    _write(rows, refs, report, actor=actor, now=now)
    return report


def _write(
    rows: list[_Row],
    refs: services.References,
    report: ImportReport,
    *,
    actor: Employee | None,
    now: dt.datetime,
) -> None:
    savepoint = db.session.begin_nested()
    created, moved, status_changed, standing = [], [], [], []
    try:
        new_people: list[tuple[_Row, Employee]] = []
        for row in rows:
            values = {k: v for k, v in row.values.items() if k != "supervisor"}
            existing = refs.people.get(row.values["employee_no"])
            if existing is None:
                person = services.create_employee(
                    values, actor=actor, now=now, refs=refs, source="import"
                )
                refs.people[person.employee_no] = person
                new_people.append((row, person))
                created.append(person.id)
            else:
                changed = services.apply_values(
                    existing, values, refs=refs, actor=actor, now=now, source="import"
                )
                row.values["_changed"] = changed["any"]
                if changed["post"]:
                    moved.append(existing.id)
                if changed["status"]:
                    status_changed.append(existing.id)
                if changed["standing"]:
                    standing.append(existing.id)
        for row in rows:  # supervisors last: they may be rows further down the file
            if row.values.get("supervisor"):
                person = refs.people[row.values["employee_no"]]
                changed = services.apply_values(
                    person,
                    {"supervisor": row.values["supervisor"]},
                    refs=refs,
                    actor=actor,
                    now=now,
                    source="import",
                )
                if changed["any"]:
                    row.values["_changed"] = True
        for row, person in new_people:
            password = services.give_initial_password(person, row.values.get("initial_password"))
            report.created.append(
                CreatedAccount(
                    person.employee_no, person.name, person.username or person.employee_no, password
                )
            )
        existing_rows = [
            r
            for r in rows
            if r.values["employee_no"] not in {p.employee_no for _r, p in new_people}
        ]
        report.updated = sum(1 for r in existing_rows if r.values.get("_changed"))
        report.unchanged = len(existing_rows) - report.updated
        db.session.flush()
        services.announce(created, moved, status_changed, now, standing)
    except services.OrganisationError as error:
        savepoint.rollback()
        report.problems.append(Problem(row.line, row.columns.get(error.field or ""), str(error)))
        report.created.clear()
        return
    except IntegrityError:
        savepoint.rollback()
        report.problems.append(
            Problem(
                0,
                None,
                _(
                    "Someone changed these people at the same moment; nothing was imported. "
                    "Upload the file again."
                ),
            )
        )
        report.created.clear()
        return
    savepoint.commit()
