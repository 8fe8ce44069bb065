"""Service KPI definitions and figures: the default metrics, HR's editing of definitions, a
person's recent figures and how a figure is written out.

A metric's code is its column in the monthly import and its key in ``POST /api/v1/kpis``; its
Chinese and English names are accepted as column headers too, so no two metrics may share
any of these labels (compared case-insensitively).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.career.models import KpiAggregate, KpiMetric, KpiValue
from lms.extensions import db


def _metric(code, name, name_en, unit, higher, high, decimals, aggregate="mean"):
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "unit": unit,
        "higher_is_better": higher,
        "min_value": 0.0,
        "max_value": high,
        "decimals": decimals,
        "aggregate": aggregate,
    }


# The metrics every installation starts with (the migration and the demo insert them).
DEFAULT_METRICS: tuple[dict[str, Any], ...] = tuple(
    spec | {"position": 10 * (index + 1)}
    for index, spec in enumerate(
        [
            _metric("csat", "客户满意度", "CSAT", "%", True, 100.0, 1),
            _metric("fcr", "首次解决率", "First-contact resolution", "%", True, 100.0, 1),
            _metric(
                "frt", "平均首次响应时长", "Average first response time", "s", False, 86400.0, 0
            ),
            _metric("complaint_rate", "投诉率", "Complaint rate", "%", False, 100.0, 2),
            _metric("qa_score", "质检得分", "QA score", "", True, 100.0, 1),
            _metric("tickets", "处理工单量", "Handled tickets", "", True, 100000.0, 0, "sum"),
        ]
    )
)

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Column headers of the import that are not metrics; no metric may be called by them.
EMPLOYEE_HEADERS = ("工号", "employee_no", "employee no", "员工编号")
MONTH_HEADERS = ("月份", "month")
NAME_HEADERS = ("姓名", "name")
RESERVED_HEADERS = frozenset(EMPLOYEE_HEADERS + MONTH_HEADERS + NAME_HEADERS)
LIMIT = 1e12  # the largest magnitude a bound may have


def fold(label: str) -> str:
    """A header or label as compared: trimmed, case-folded, inner blanks single."""
    return " ".join(str(label).split()).casefold()


# --- definitions ------------------------------------------------------------------------


def all_metrics() -> list[KpiMetric]:
    return list(db.session.scalars(sa.select(KpiMetric).order_by(KpiMetric.position, KpiMetric.id)))


def ensure_default_metrics(bind: Any = None) -> int:
    """Insert the default metrics that are missing (by code or by Chinese name); returns how
    many were added. ``bind`` may be a connection (a migration); the session by default."""
    target = bind if bind is not None else db.session
    table = KpiMetric.__table__
    existing = target.execute(sa.select(table.c.code, table.c.name)).all()
    codes = {code for code, _name in existing}
    names = {name for _code, name in existing}
    missing = [
        {**spec, "aggregate": KpiAggregate(spec["aggregate"])}
        for spec in DEFAULT_METRICS
        if spec["code"] not in codes and spec["name"] not in names
    ]
    if missing:
        target.execute(sa.insert(table), missing)
    return len(missing)


class MetricError(ValueError):
    """A definition that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return " ".join(str(value).split()) if value is not None else ""


def _bound(values: Mapping[str, Any], key: str, errors: dict[str, str]) -> float | None:
    value = values.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[key] = _("Enter a number.")
        return None
    if not math.isfinite(number) or abs(number) > LIMIT:
        errors[key] = _("Enter a number between -10¹² and 10¹².")
        return None
    return number


def _clean(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    code = _text(values, "code")
    if not code:
        errors["code"] = _("Give the metric a code.")
    elif len(code) > 32 or not CODE.match(code):
        errors["code"] = _(
            "A code has up to 32 lowercase letters, digits or '_' and starts with a letter."
        )
    name, name_en, unit = _text(values, "name"), _text(values, "name_en"), _text(values, "unit")
    if not name:
        errors["name"] = _("Give the metric a Chinese name.")
    elif len(name) > 100:
        errors["name"] = _("The name is too long (100 characters at most).")
    if not name_en:
        errors["name_en"] = _("Give the metric an English name.")
    elif len(name_en) > 100:
        errors["name_en"] = _("The name is too long (100 characters at most).")
    if len(unit) > 16:
        errors["unit"] = _("The unit is too long (16 characters at most).")
    low, high = _bound(values, "min_value", errors), _bound(values, "max_value", errors)
    if low is not None and high is not None and low > high:
        errors["max_value"] = _("The maximum must not be below the minimum.")
    decimals = values.get("decimals")
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        errors["decimals"] = _("Decimals must be a whole number from 0 to 4.")
    try:
        aggregate = KpiAggregate(values.get("aggregate") or KpiAggregate.MEAN)
    except ValueError:
        errors["aggregate"] = _("Choose how months are combined.")
        aggregate = KpiAggregate.MEAN
    clean = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "unit": unit,
        "higher_is_better": bool(values.get("higher_is_better", True)),
        "min_value": low,
        "max_value": high,
        "decimals": decimals,
        "aggregate": aggregate,
    }
    return clean, errors


def _label_clashes(clean: dict[str, Any], metric_id: int | None, errors: dict[str, str]) -> None:
    others = db.session.execute(
        sa.select(KpiMetric.code, KpiMetric.name, KpiMetric.name_en).where(
            KpiMetric.id != (metric_id or 0)
        )
    ).all()
    taken: dict[str, str] = {}
    for code, name, name_en in others:
        for label in (code, name, name_en):
            if label:
                taken.setdefault(fold(label), code)
    for key in ("code", "name", "name_en"):
        label = fold(clean[key])
        if not label or key in errors:
            continue
        if label in RESERVED_HEADERS:
            errors[key] = _("“%(v)s” is a column of the import already.", v=clean[key])
        elif label in taken:
            errors[key] = _(
                "“%(v)s” is already used by the metric %(code)s.", v=clean[key], code=taken[label]
            )


def save_metric(metric: KpiMetric | None, values: Mapping[str, Any]) -> KpiMetric:
    """Create (``metric`` None) or change a definition; raises ``MetricError`` with every
    problem at once. Flushes; the caller commits."""
    clean, errors = _clean(values)
    _label_clashes(clean, metric.id if metric else None, errors)
    if errors:
        raise MetricError(errors)
    if metric is None:
        last = db.session.scalar(sa.select(sa.func.max(KpiMetric.position))) or 0
        metric = KpiMetric(position=last + 10)
        db.session.add(metric)
    for key, value in clean.items():
        setattr(metric, key, value)
    db.session.flush()
    return metric


# --- months and figures -----------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def shift_month(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_window(months: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the first and the last of the ``months`` complete calendar months
    before today's month (the period the KPI requirements read)."""
    last = shift_month(month_start(today), -1)
    return shift_month(last, -(max(months, 1) - 1)), last


def format_value(metric: KpiMetric, value: float | None) -> str:
    """A figure in the UI language with the metric's decimals and unit: ``93.5 %``,
    ``35 s``, ``1,240``."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * metric.decimals if metric.decimals else "")
    text = format_decimal(value, format=pattern)
    return f"{text} {metric.unit}" if metric.unit else text


@dataclass
class MetricHistory:
    """One metric's figures of one person over a window of months (oldest first)."""

    metric: KpiMetric
    months: list[dt.date]
    values: dict[dt.date, float] = field(default_factory=dict)

    @property
    def series(self) -> list[tuple[dt.date, float | None]]:
        return [(month, self.values.get(month)) for month in self.months]

    @property
    def latest(self) -> tuple[dt.date, float] | None:
        for month in reversed(self.months):
            if month in self.values:
                return month, self.values[month]
        return None

    @property
    def summary(self) -> float | None:
        """The mean (or the sum, for summed metrics) of the months that have a figure."""
        if not self.values:
            return None
        total = sum(self.values.values())
        if self.metric.aggregate == KpiAggregate.SUM:
            return total
        return total / len(self.values)

    def format(self, value: float | None) -> str:
        return format_value(self.metric, value)


def person_history(employee_id: int, months: int, today: dt.date) -> list[MetricHistory]:
    """Every metric (in order) with one person's figures of the last ``months`` complete
    calendar months before today's month, in one statement; metrics without figures in the
    window have an empty ``values``."""
    first, last = month_window(months, today)
    window = [shift_month(first, n) for n in range(max(months, 1))]
    rows = db.session.execute(
        sa.select(KpiMetric, KpiValue.month, KpiValue.value)
        .outerjoin(
            KpiValue,
            sa.and_(
                KpiValue.metric_id == KpiMetric.id,
                KpiValue.employee_id == employee_id,
                KpiValue.month >= first,
                KpiValue.month <= last,
            ),
        )
        .order_by(KpiMetric.position, KpiMetric.id, KpiValue.month)
    ).all()
    history: dict[int, MetricHistory] = {}
    for metric, month, value in rows:
        item = history.setdefault(metric.id, MetricHistory(metric, window))
        if month is not None:
            item.values[month] = value
    return list(history.values())
