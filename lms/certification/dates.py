"""Date maths of certifications, pure and exhaustively tested.

A certification is valid while ``today < expires_on``; its recertification window opens
``window_days`` before that. The expiry a completion grants depends on the base:

- **completion**: the completion date plus the active period;
- **expiry**: renewed before the previous expiry, the previous expiry plus the active period
  (early renewers lose nothing); renewed late, or the first time, as from completion;
- **fixed**: aligned to fixed calendar dates (e.g. 01-01, 04-01, 07-01, 10-01): the last fixed
  date on or before (start + active period), where start is the previous expiry when renewed
  in time and the completion date otherwise — never on or before the completion itself.

A minimum active period pushes an expiry that would come too soon after the completion to the
next period (next fixed date). Months are calendar months; a day that a month lacks is clamped
to its last day (31 Jan + 1 month = 28 or 29 Feb).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_month_day(text: str) -> tuple[int, int]:
    """ "MM-DD" → (month, day); raises ValueError for anything that is not a calendar day
    (29 Feb is accepted and falls on 28 Feb in common years)."""
    match = _MONTH_DAY.match(text.strip())
    if not match:
        raise ValueError(text)
    month, day = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
        raise ValueError(text)
    return month, day


def _on(year: int, month_day: tuple[int, int]) -> dt.date:
    month, day = month_day
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def fixed_dates_after(day: dt.date, fixed: Sequence[str], *, inclusive: bool = False):
    """The fixed calendar dates after ``day`` (or on it, if inclusive), in order, forever."""
    anchors = sorted({parse_month_day(text) for text in fixed})
    if not anchors:
        raise ValueError("no fixed dates")
    year = day.year
    while True:
        for anchor in anchors:
            candidate = _on(year, anchor)
            if candidate > day or (inclusive and candidate == day):
                yield candidate
        year += 1


def last_fixed_on_or_before(day: dt.date, fixed: Sequence[str]) -> dt.date:
    anchors = sorted({parse_month_day(text) for text in fixed})
    year = day.year
    while True:
        for anchor in reversed(anchors):
            candidate = _on(year, anchor)
            if candidate <= day:
                return candidate
        year -= 1


@dataclass(frozen=True)
class Rules:
    """What the date maths needs of a certification."""

    active_months: int
    window_days: int
    expiry_base: str  # "completion", "expiry" or "fixed"
    fixed_dates: Sequence[str] = ()
    min_active_days: int = 0

    @classmethod
    def of(cls, certification) -> Rules:
        return cls(
            active_months=certification.active_months,
            window_days=certification.window_days,
            expiry_base=str(certification.expiry_base),
            fixed_dates=tuple(certification.fixed_dates or ()),
            min_active_days=certification.min_active_days or 0,
        )


def expiry_for(rules: Rules, completed_on: dt.date, previous_expiry: dt.date | None) -> dt.date:
    """The expiry a completion on ``completed_on`` grants."""
    in_time = previous_expiry is not None and completed_on < previous_expiry
    start = previous_expiry if (in_time and rules.expiry_base != "completion") else completed_on
    assert start is not None
    if rules.expiry_base == "fixed":
        expiry = last_fixed_on_or_before(add_months(start, rules.active_months), rules.fixed_dates)
        if expiry <= start:
            expiry = next(fixed_dates_after(start, rules.fixed_dates))
        later = fixed_dates_after(expiry, rules.fixed_dates)
        while (expiry - completed_on).days < rules.min_active_days:
            expiry = next(later)
        return expiry
    expiry = add_months(start, rules.active_months)
    periods = 1
    while (expiry - completed_on).days < rules.min_active_days:
        periods += 1
        expiry = add_months(start, rules.active_months * periods)
    return expiry


def window_opens(rules: Rules, expires_on: dt.date) -> dt.date:
    return expires_on - dt.timedelta(days=rules.window_days)


def band(offsets: Sequence[int], expires_on: dt.date, today: dt.date) -> int | None:
    """The latest offset (days relative to expiry) that has come by ``today`` — one reminder
    per band, so a scheduler that was down sends the latest reminder, not every missed one."""
    reached = [offset for offset in offsets if expires_on + dt.timedelta(days=offset) <= today]
    return max(reached) if reached else None
