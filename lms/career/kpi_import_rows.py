"""The row checks of the KPI import, shared by files and API rows: employee numbers, months and
figures parsed and checked against the metric's range, repeated rows found, and each figure
classified as new, updated or unchanged against what is stored."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.career.kpis import month_start
from lms.career.models import KpiMetric, KpiValue
from lms.extensions import db
from lms.organisation.fields import normalise_text

EARLIEST = dt.date(2000, 1, 1)
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_DAY = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass
class Problem:
    """``line``: the file's line (1 is the header; 0 the file as a whole) or the API row's
    index; ``column``: the column reference (``E (客户满意度)``) or the API field."""

    line: int
    column: str | None
    message: str
    field: str | None = None  # employee_no, month or a metric code


@dataclass
class RawRow:
    line: int
    cells: dict[str, Any] = field(default_factory=dict)  # key -> the value as given
    refs: dict[str, str] = field(default_factory=dict)  # key -> reference for messages


@dataclass
class ParsedRow:
    line: int
    refs: dict[str, str]
    employee_no: str | None
    month: dt.date | None
    values: dict[str, float]  # metric code -> figure


class FigureStatus(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Figure:
    employee_id: int
    metric_id: int
    month: dt.date
    value: float
    status: FigureStatus
    existing_id: int | None = None
    previous: float | None = None


class RowError(ValueError):
    """A cell that cannot be accepted; the message is shown."""


def _shown(value: Any) -> str:
    text = normalise_text(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _plain(metric: KpiMetric, number: float) -> str:
    text = f"{number:g}"
    return f"{text} {metric.unit}" if metric.unit else text


def parse_month(raw: Any, today: dt.date) -> dt.date:
    """The first day of the month a cell names; not after today's month."""
    if isinstance(raw, dt.datetime):
        month = raw.date().replace(day=1)
    elif isinstance(raw, dt.date):
        month = raw.replace(day=1)
    else:
        text = normalise_text(raw) if isinstance(raw, str) else ""
        match = _MONTH.match(text) or _DAY.match(text)
        month = None
        if match:
            try:
                groups = match.groups()
                day = dt.date(
                    int(groups[0]), int(groups[1]), int(groups[2]) if len(groups) > 2 else 1
                )
            except ValueError:
                day = None
            month = day.replace(day=1) if day else None
        if month is None:
            raise RowError(
                _("“%(v)s” is not a month; write it as YYYY-MM, e.g. 2026-10.", v=_shown(raw))
            )
    if month > month_start(today):
        raise RowError(
            _(
                "%(month)s is in the future; figures can be given up to this month (%(current)s).",
                month=month.strftime("%Y-%m"),
                current=today.strftime("%Y-%m"),
            )
        )
    if month < EARLIEST:
        raise RowError(
            _("%(month)s is too long ago; the earliest month is 2000-01.", month=f"{month:%Y-%m}")
        )
    return month


def parse_value(raw: Any, metric: KpiMetric) -> float:
    """A figure as a number within the metric's range, kept to the metric's decimals;
    percentages may be written ``92.5%``."""
    if isinstance(raw, bool):
        number = math.nan
    elif isinstance(raw, (int, float, Decimal)):
        try:
            number = float(raw)
        except OverflowError:  # an integer too large for a float: out of any range
            number = math.inf
    elif isinstance(raw, str):
        text = normalise_text(raw).replace(" ", "")
        if text.endswith("%"):
            if metric.unit != "%":
                raise RowError(
                    _("“%(v)s” is not a number; only percentages may end with %%.", v=_shown(raw))
                )
            text = text[:-1]
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        number = float(text) if _NUMBER.match(text) else math.nan
    else:
        number = math.nan
    if not math.isfinite(number):
        raise RowError(_("“%(v)s” is not a number.", v=_shown(raw)))
    if metric.min_value is not None and number < metric.min_value:
        raise RowError(
            _(
                "%(v)s is below the lowest allowed value, %(min)s.",
                v=_plain(metric, number),
                min=_plain(metric, metric.min_value),
            )
        )
    if metric.max_value is not None and number > metric.max_value:
        raise RowError(
            _(
                "%(v)s is above the highest allowed value, %(max)s.",
                v=_plain(metric, number),
                max=_plain(metric, metric.max_value),
            )
        )
    return round(number, metric.decimals)


def parse_rows(
    rows: list[RawRow],
    metrics: dict[str, KpiMetric],
    today: dt.date,
    problems: list[Problem],
    *,
    api: bool,
) -> list[ParsedRow]:
    """Parse every cell of every row, adding a problem for each one refused and for a second
    row of the same person and month."""
    parsed: list[ParsedRow] = []
    first_line: dict[tuple[str, dt.date], int] = {}
    for row in rows:

        def problem(key: str, message: str, row: RawRow = row) -> None:
            problems.append(Problem(row.line, row.refs.get(key, key), message, key))

        number, month, values = None, None, {}
        for key in ("employee_no", "month"):
            if key not in row.cells:
                problem(key, _("This field is required."))
        if "employee_no" in row.cells:
            number = normalise_text(row.cells["employee_no"]) or None
        if "month" in row.cells:
            try:
                month = parse_month(row.cells["month"], today)
            except RowError as error:
                problem("month", str(error))
        for code, raw in row.cells.items():
            if code in metrics:
                try:
                    values[code] = parse_value(raw, metrics[code])
                except RowError as error:
                    problem(code, str(error))
        if number and month:
            first = first_line.setdefault((number, month), row.line)
            if first != row.line:
                where = (
                    _("first in row %(n)d", n=first) if api else _("first on line %(n)d", n=first)
                )
                problem(
                    "employee_no",
                    _(
                        "Employee %(no)s has a second row for %(month)s (%(where)s).",
                        no=_shown(number),
                        month=f"{month:%Y-%m}",
                        where=where,
                    ),
                )
        parsed.append(ParsedRow(row.line, row.refs, number, month, values))
    return parsed


def existing_figures(
    employee_ids: set[int], metric_ids: set[int], months: set[dt.date]
) -> dict[tuple[int, int, dt.date], tuple[int, float]]:
    """The stored figures that the import may touch, in one statement: (employee, metric,
    month) -> (id, value)."""
    if not employee_ids or not metric_ids or not months:
        return {}
    rows = db.session.execute(
        sa.select(
            KpiValue.employee_id, KpiValue.metric_id, KpiValue.month, KpiValue.id, KpiValue.value
        ).where(
            KpiValue.employee_id.in_(sorted(employee_ids)),
            KpiValue.metric_id.in_(sorted(metric_ids)),
            KpiValue.month.in_(sorted(months)),
        )
    )
    return {(e, m, month): (value_id, value) for e, m, month, value_id, value in rows}


def classify(
    employee_id: int,
    metric_id: int,
    month: dt.date,
    value: float,
    existing: dict[tuple[int, int, dt.date], tuple[int, float]],
) -> Figure:
    found = existing.get((employee_id, metric_id, month))
    if found is None:
        return Figure(employee_id, metric_id, month, value, FigureStatus.NEW)
    value_id, previous = found
    status = (
        FigureStatus.UNCHANGED
        if math.isclose(previous, value, abs_tol=1e-9)
        else FigureStatus.UPDATED
    )
    return Figure(employee_id, metric_id, month, value, status, value_id, previous)
