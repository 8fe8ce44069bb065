"""What every requirement kind shares: the facts about the people being evaluated, the
evaluation context, the ``Kind`` base class and the formatting of figures, dates and months.

A kind evaluates many (person, requirement) items at once with one or two statements whatever
their number, and explains each result in the current locale (``flask_babel``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import get_locale, get_timezone, get_translations

from lms.career.models import RequirementKind, StepRequirement
from lms.career.readiness import Finding, Status
from lms.i18n import locale_code

# Above this many people a statement reads the rows of everyone instead of naming the people
# in an IN list (the bound parameters stay few; the rows are filtered in Python).
MAX_IN = 2000
# A requirement not met never shows more progress than this (1.0 means met).
MAX_GAP_PROGRESS = 0.95


@dataclass(frozen=True)
class Person:
    """What the engine knows about a person being evaluated (one row of one statement)."""

    id: int
    employee_no: str
    name: str
    post_id: int | None
    hire_date: dt.date
    supervisor_id: int | None
    lead_id: int | None  # their team's lead


@dataclass
class Context:
    today: dt.date
    people: dict[int, Person]
    words: Words = field(default_factory=lambda: Words())


# One item to evaluate: a person and one requirement of the step they are evaluated for.
Item = tuple[int, StepRequirement]
Results = dict[tuple[int, int], Finding]


def among(column: sa.ColumnElement, ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """``column IN ids`` for a modest set, else no restriction (the caller filters)."""
    wanted = set(ids)
    if len(wanted) > MAX_IN:
        return sa.true()
    return column.in_(sorted(wanted))


def gap_progress(value: float) -> float:
    """Progress of a requirement not met: within 0 and ``MAX_GAP_PROGRESS``."""
    return round(min(max(value, 0.0), MAX_GAP_PROGRESS), 3)


# --- dates and months ------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` away from ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def whole_months(start: dt.date, end: dt.date) -> int:
    """Complete months from ``start`` to ``end`` (15 Jan → 14 Mar is 1, → 15 Mar is 2)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def months_until(start: dt.date, end: dt.date) -> int:
    """Months (rounded up, at least 1) from ``start`` until ``end``."""
    return max(1, -(-(end - start).days // 30))


# --- words -----------------------------------------------------------------------------


class Words:
    """The current locale's translations and formats, looked up once for a whole evaluation:
    Flask-Babel finds the locale and catalogue on every call, which costs more than the rest
    of an evaluation of thousands of people. Same results as ``gettext``, ``ngettext``,
    ``format_date(…, "medium")`` (dates of datetimes in the user's time zone) and
    ``format_decimal``."""

    def __init__(self) -> None:
        self.translations = get_translations()
        self.locale = get_locale() or Locale.parse("en")
        self.code = locale_code()
        self.zone = get_timezone()
        table = {ord(","): get_group_symbol(self.locale), ord("."): get_decimal_symbol(self.locale)}
        self._symbols = table
        self._days: dict[dt.date, str] = {}
        self._spans: dict[tuple[dt.date, dt.date], str] = {}

    def gettext(self, msgid: str, **values: object) -> str:
        text = self.translations.ugettext(msgid)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        values.setdefault("num", num)
        return self.translations.ungettext(singular, plural, num) % values

    def local_date(self, value: dt.date | dt.datetime) -> dt.date:
        """A datetime's date in the user's time zone (a date as it is)."""
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None and self.zone is not None:
                value = value.astimezone(self.zone)
            return value.date()
        return value

    def day(self, value: dt.date | dt.datetime) -> str:
        value = self.local_date(value)
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = format_date(value, "medium", locale=self.locale)
        return text

    def month_span(self, first: dt.date, last: dt.date) -> str:
        """ "Aug – Oct 2026" / "2026年8月至10月" (one month: "Aug 2026")."""
        text = self._spans.get((first, last))
        if text is None:
            text = format_interval(first, last, "yMMM", locale=self.locale)
            self._spans[(first, last)] = text
        return text

    def number(self, value: float, decimals: int, *, trim: bool = False) -> str:
        """``value`` with ``decimals`` decimals and grouped thousands (``trim``: without
        trailing zeros, as a threshold is written)."""
        text = f"{value:,.{decimals}f}"
        if trim and decimals:
            text = text.rstrip("0").rstrip(".")
        return text.translate(self._symbols)


def with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


# --- kinds -----------------------------------------------------------------------------


class Kind:
    """One requirement kind: a label for the requirement and a set-wise evaluation."""

    kind: RequirementKind

    def label(self, requirement: StepRequirement) -> str:
        raise NotImplementedError

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        raise NotImplementedError

    def labels(self, items: Sequence[Item]) -> dict[int, str]:
        """Each requirement's label, computed once per requirement."""
        requirements = {requirement.id: requirement for _, requirement in items}
        return {rid: self.label(requirement) for rid, requirement in requirements.items()}

    def finding(
        self,
        requirement: StepRequirement,
        status: Status,
        *,
        label: str,
        evidence: str,
        progress: float = 0.0,
        months: int = 0,
    ) -> Finding:
        met = status == Status.MET
        return Finding(
            requirement_id=requirement.id,
            kind=self.kind,
            status=status,
            progress=1.0 if met else gap_progress(progress),
            label=label,
            evidence=evidence,
            months_to_close=0 if met else max(int(months), 1),
            course_id=requirement.course_id,
            certification_id=requirement.certification_id,
        )
