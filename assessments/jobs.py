"""Scheduled work of the assessments: closing attempts past their deadline."""

from __future__ import annotations

import datetime as dt


def close_overdue_attempts(now: dt.datetime) -> int:
    from assessments.attempts import sweep_overdue

    return sweep_overdue(now)
