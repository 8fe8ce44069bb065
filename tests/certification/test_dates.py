"""Certification date maths, for every expiry base, with early, on-time and late renewals,
minimum active periods, leap years and month ends."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.certification.dates import (
    Rules,
    add_months,
    band,
    expiry_for,
    fixed_dates_after,
    parse_month_day,
    window_opens,
)

D = dt.date
QUARTERS = ("01-01", "04-01", "07-01", "10-01")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # 31 Jan + 1 month, common year
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # leap day + a year
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        (D(2027, 3, 31), 3, D(2027, 6, 30)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2027, 12, 15), 1, D(2028, 1, 15)),  # across the year
        (D(2027, 5, 15), 0, D(2027, 5, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_from_completion_counts_from_the_completion_whenever_it_comes():
    rules = Rules(active_months=3, window_days=30, expiry_base="completion")
    assert expiry_for(rules, D(2027, 1, 10), None) == D(2027, 4, 10)  # first time
    assert expiry_for(rules, D(2027, 3, 20), D(2027, 4, 10)) == D(2027, 6, 20)  # early
    assert expiry_for(rules, D(2027, 4, 9), D(2027, 4, 10)) == D(2027, 7, 9)  # on time
    assert expiry_for(rules, D(2027, 5, 1), D(2027, 4, 10)) == D(2027, 8, 1)  # late


def test_from_previous_expiry_early_renewers_lose_nothing():
    rules = Rules(active_months=3, window_days=30, expiry_base="expiry")
    assert expiry_for(rules, D(2027, 1, 10), None) == D(2027, 4, 10)  # first time
    assert expiry_for(rules, D(2027, 3, 12), D(2027, 4, 10)) == D(2027, 7, 10)  # early
    assert expiry_for(rules, D(2027, 4, 9), D(2027, 4, 10)) == D(2027, 7, 10)  # last day
    # on the expiry day itself the certification is no longer valid: late, from completion
    assert expiry_for(rules, D(2027, 4, 10), D(2027, 4, 10)) == D(2027, 7, 10)
    assert expiry_for(rules, D(2027, 4, 25), D(2027, 4, 10)) == D(2027, 7, 25)  # late


def test_from_previous_expiry_keeps_month_ends():
    rules = Rules(active_months=1, window_days=7, expiry_base="expiry")
    assert expiry_for(rules, D(2027, 1, 20), D(2027, 1, 31)) == D(2027, 2, 28)
    assert expiry_for(rules, D(2028, 1, 20), D(2028, 1, 31)) == D(2028, 2, 29)


def test_fixed_dates_align_to_the_quarter():
    rules = Rules(active_months=3, window_days=30, expiry_base="fixed", fixed_dates=QUARTERS)
    assert expiry_for(rules, D(2027, 1, 2), None) == D(2027, 4, 1)
    assert expiry_for(rules, D(2027, 2, 15), None) == D(2027, 4, 1)
    # early renewal within the window: the next quarter after the current expiry
    assert expiry_for(rules, D(2027, 3, 10), D(2027, 4, 1)) == D(2027, 7, 1)
    # late renewal: from the completion, aligned down to the quarter
    assert expiry_for(rules, D(2027, 4, 10), D(2027, 4, 1)) == D(2027, 7, 1)
    assert expiry_for(rules, D(2027, 12, 20), D(2027, 10, 1)) == D(2028, 1, 1)


def test_fixed_dates_never_expire_on_the_completion_day():
    rules = Rules(active_months=1, window_days=0, expiry_base="fixed", fixed_dates=("01-01",))
    # completion + 1 month has no fixed date after the completion: the next one
    assert expiry_for(rules, D(2027, 6, 1), None) == D(2028, 1, 1)
    assert expiry_for(rules, D(2027, 1, 1), None) == D(2028, 1, 1)


def test_minimum_active_period_moves_a_close_fixed_date_on():
    plain = Rules(active_months=3, window_days=14, expiry_base="fixed", fixed_dates=QUARTERS)
    minimum = Rules(
        active_months=3,
        window_days=14,
        expiry_base="fixed",
        fixed_dates=QUARTERS,
        min_active_days=30,
    )
    assert expiry_for(plain, D(2027, 3, 28), None) == D(2027, 4, 1)  # 4 days
    assert expiry_for(minimum, D(2027, 3, 28), None) == D(2027, 7, 1)
    assert expiry_for(minimum, D(2027, 3, 2), None) == D(2027, 4, 1)  # exactly 30 days
    assert expiry_for(minimum, D(2027, 3, 3), None) == D(2027, 7, 1)  # 29 days: too soon


def test_minimum_active_period_for_period_bases():
    rules = Rules(active_months=1, window_days=0, expiry_base="completion", min_active_days=40)
    assert expiry_for(rules, D(2027, 2, 1), None) == D(2027, 4, 1)  # 28 days → two months


def test_fixed_dates_on_29_february_fall_on_28_february_in_common_years():
    rules = Rules(active_months=12, window_days=0, expiry_base="fixed", fixed_dates=("02-29",))
    assert expiry_for(rules, D(2027, 3, 1), None) == D(2028, 2, 29)
    assert expiry_for(rules, D(2028, 3, 1), None) == D(2029, 2, 28)
    assert list(zip(range(3), fixed_dates_after(D(2027, 1, 1), ["02-29"]), strict=False)) == [
        (0, D(2027, 2, 28)),
        (1, D(2028, 2, 29)),
        (2, D(2029, 2, 28)),
    ]


def test_window_opens_before_expiry():
    rules = Rules(active_months=3, window_days=30, expiry_base="expiry")
    assert window_opens(rules, D(2027, 4, 1)) == D(2027, 3, 2)
    assert window_opens(rules, D(2028, 3, 30)) == D(2028, 2, 29)


@pytest.mark.parametrize("text", ["1-1", "13-01", "02-30", "04-31", "00-10", "aa-bb", ""])
def test_bad_fixed_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_month_day(text)


def test_reminder_band_is_the_latest_offset_reached():
    offsets = [-14, -7, -1, 1]
    expiry = D(2027, 4, 1)
    assert band(offsets, expiry, D(2027, 3, 17)) is None
    assert band(offsets, expiry, D(2027, 3, 18)) == -14
    assert band(offsets, expiry, D(2027, 3, 26)) == -7  # -14 was missed: only -7 counts
    assert band(offsets, expiry, D(2027, 3, 31)) == -1
    assert band(offsets, expiry, D(2027, 4, 1)) == -1
    assert band(offsets, expiry, D(2027, 4, 2)) == 1
