"""Every periodic sweep of the application, defined in one place.

A sweep is a function ``sweep(now) -> int`` that selects due rows (``next_due_at <= now``),
acts on them set-wise and is idempotent through unique keys, so a second scheduler, a restart
or a re-run never duplicates work. It returns how many rows it acted on. Capabilities add
their sweeps to ``SWEEPS`` as they land.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[dt.datetime], int]
    every_seconds: int | None = None  # None: the scheduler's default interval


def heartbeat(now: dt.datetime) -> int:
    """Records that the scheduler is alive; /healthz reports it."""
    return 0


def _close_overdue_attempts(now: dt.datetime) -> int:
    from assessments.jobs import close_overdue_attempts

    return close_overdue_attempts(now)


SWEEPS: tuple[Sweep, ...] = (
    Sweep("heartbeat", heartbeat),
    Sweep("close-overdue-attempts", _close_overdue_attempts, every_seconds=30),
)
