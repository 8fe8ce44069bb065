"""The compliance view's exports: every matching holder (not one page), one row per person
and certification, as CSV (UTF-8 with a BOM, for Excel) or XLSX; text never runs as a
formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.certification.compliance import (
    ComplianceFilter,
    deadline,
    holders_in,
    state_condition,
    state_expression,
    state_labels,
)
from lms.certification.models import Certification
from lms.certification.models import PersonCertification as PC
from lms.extensions import db
from lms.organisation.models import Department, Employee, Post, Team


class ExportRow(NamedTuple):
    """One holder in an export, in the order of ``EXPORT_HEADERS``."""

    employee_no: str
    name: str
    team: str
    department: str
    post: str
    certification: str
    state: str
    certified_on: dt.date | None
    expires_on: dt.date | None
    days_left: int | None
    cycle_number: int


EXPORT_HEADERS = (
    _l("Employee number"),
    _l("Name"),
    _l("Team"),
    _l("Department"),
    _l("Post"),
    _l("Certification"),
    _l("State"),
    _l("Certified on"),
    _l("Expires on"),
    _l("Days left"),
    _l("Cycle"),
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _named(name, name_en, locale: str) -> str:
    return (name_en if locale == "en" and name_en else None) or name or ""


def export_rows(
    people: sa.Select,
    certification_ids: list[int],
    f: ComplianceFilter,
    today: dt.date,
    locale: str,
) -> list[ExportRow]:
    """Every holder meeting the filter (not one page), one row per person × certification."""
    query = (
        sa.select(
            Employee.employee_no,
            Employee.name,
            Team.name,
            Team.name_en,
            Department.name,
            Department.name_en,
            Post.title,
            Post.title_en,
            Certification.title,
            Certification.title_en,
            state_expression(today),
            PC.certified_on,
            PC.expires_on,
            PC.cycle_number,
        )
        .join(Employee, Employee.id == PC.employee_id)
        .join(Certification, Certification.id == PC.certification_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .outerjoin(Department, Department.id == Team.department_id)
        .outerjoin(Post, Post.id == Employee.post_id)
        .where(holders_in(people, certification_ids), state_condition(f.state, today))
    )
    name = (Employee.name, Employee.employee_no, Employee.id)
    title = (
        sa.func.coalesce(Certification.title_en, Certification.title)
        if locale == "en"
        else Certification.title
    )
    if f.sort == "expiry":
        first = deadline().desc() if f.descending else deadline().asc()
        query = query.order_by(deadline().is_(None), first, *name, title, PC.id)
    else:
        order = [c.desc() if f.descending else c.asc() for c in name]
        query = query.order_by(*order, title, PC.id)
    labels = state_labels()
    return [
        ExportRow(
            employee_no=r[0],
            name=r[1],
            team=_named(r[2], r[3], locale),
            department=_named(r[4], r[5], locale),
            post=_named(r[6], r[7], locale),
            certification=_named(r[8], r[9], locale),
            state=labels[r[10]],
            certified_on=r[11],
            expires_on=r[12],
            days_left=None if r[12] is None else (r[12] - today).days,
            cycle_number=r[13],
        )
        for r in db.session.execute(query)
    ]


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet shows the text instead of running it
    return value


def to_csv(rows: Sequence[ExportRow]) -> str:
    """UTF-8 CSV text starting with a BOM, so that Excel reads Chinese names correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in EXPORT_HEADERS])
    for row in rows:
        writer.writerow(_csv_value(v) for v in row)
    return out.getvalue()


def to_xlsx(rows: Sequence[ExportRow], title: str) -> bytes:
    """An XLSX workbook of one sheet: a header row, then one row per holder (dates as dates)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    widths = (12, 14, 18, 18, 16, 28, 14, 12, 12, 10, 8)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = []
    for text in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            values.append(cell)
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
