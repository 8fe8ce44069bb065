"""The certification sweeps over 100,000 person-certifications (25,000 people × 4
certifications), on the day ~30 % of the renewal windows have opened and ~10 % of the expiries
have come, against the floor: a bare ``UPDATE person_certification SET status = ...`` of the
same rows, one per certification. Prints the ratios, the rows moved, where each sweep spends
its time (per statement kind) and its statement count at a tenth of the size and at the full
size.

    python -m bench.cert_sweep [--holders 100000] [--certifications 4] [--database URL]

The window sweep does more than the floor — it opens a renewal cycle per holder, reopens the
renewal course (enrolment and lesson completions to history) and tells the people whose
window opened lately — so it is expected to cost a multiple of the floor, but a fixed number
of statements per certification, whatever the number of holders. Notices go out in one INSERT
per thousand (``lms.notifications.notify_many``). Each run starts from the same state: it is
rolled back (nothing is committed, floor or sweep); on PostgreSQL the dead rows a rolled-back
run leaves are vacuumed before the next (not timed), and the tables analysed after the load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from bench.harness import bench_app
from bench.scale_data import build
from lms.certification import sweeps
from lms.extensions import db

CASES = (
    "windows floor",
    "windows",
    "windows again",
    "expiry floor",
    "expiry",
    "expiry again",
    "reminders",
)
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "ANALYZE", "VACUUM"}
WRITE = re.compile(r"^(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
READ = re.compile(r"\bFROM\s+\"?(\w+)", re.IGNORECASE)
NOTICES = "INSERT notification"
FLOOR = """UPDATE person_certification SET status = :status, cycle_number = cycle_number + 1
WHERE certification_id = :certification_id AND status = 'certified' AND {column} <= :today"""


def label(statement: str) -> str | None:
    """What a statement does, e.g. ``UPDATE enrolment``; None for transaction control."""
    text = statement.lstrip()
    head = text.split(None, 1)[0].upper() if text else ""
    if head in TRANSACTION:
        return None
    write = WRITE.match(text)
    if write:
        return f"{write.group(1).split()[0].upper()} {write.group(2)}"
    read = READ.search(text)
    return f"{head} {read.group(1)}" if read else head


@dataclass
class Run:
    seconds: float
    rows: int
    statements: Counter = field(default_factory=Counter)
    statement_seconds: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.statements.values())


class Recorder:
    """Counts (``before_cursor_execute``) and times the statements of a measured call."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.run: Run | None = None

    def __enter__(self) -> Recorder:
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        name = label(statement)
        if self.run is not None and name is not None:
            self.run.statements[name] += 1
        conn.info["bench_statement"] = (name, time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        name, started = conn.info.pop("bench_statement", (None, 0.0))
        if self.run is not None and name is not None:
            self.run.statement_seconds[name] += time.perf_counter() - started

    def measure(self, func: Callable[[], int]) -> Run:
        self.run = run = Run(0.0, 0)
        started = time.perf_counter()
        run.rows = func()
        db.session.flush()
        run.seconds = time.perf_counter() - started
        self.run = None
        return run


@dataclass
class Result:
    holders: int
    people: int
    certifications: int
    built_seconds: float
    runs: dict[str, list[Run]]

    def median(self, case: str) -> float:
        return statistics.median(run.seconds for run in self.runs[case])

    def rows(self, case: str) -> int:
        return self.runs[case][0].rows

    def statements(self, case: str) -> int:
        return self.runs[case][0].count

    def notice_batches(self, case: str) -> int:
        return self.runs[case][0].statements[NOTICES]

    def fixed_statements(self, case: str) -> int:
        """Statements other than the notice INSERTs (one per thousand notices, none for
        none): the same whatever the number of holders."""
        return self.statements(case) - self.notice_batches(case)

    def breakdown(self, case: str) -> list[tuple[str, int, float]]:
        """(statement kind, how many, median seconds), slowest first."""
        runs = self.runs[case]
        names = runs[0].statements
        rows = [
            (name, names[name], statistics.median(r.statement_seconds[name] for r in runs))
            for name in names
        ]
        return sorted(rows, key=lambda row: -row[2])


def _floor(certification_ids: list[int], status: str, column: str, today: dt.date) -> int:
    statement = sa.text(FLOOR.format(column=column)).bindparams(
        sa.bindparam("today", type_=sa.Date())
    )
    return sum(
        db.session.execute(
            statement, {"status": status, "certification_id": cid, "today": today}
        ).rowcount
        for cid in certification_ids
    )


def _maintain(command: str) -> None:
    """PostgreSQL only: ANALYZE after the load, as autovacuum would; VACUUM after each
    rolled-back run, so the next starts without the dead rows it left (SQLite leaves none)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(command)


def _fresh(vacuum: bool = False) -> None:
    db.session.rollback()
    db.session.expunge_all()
    if vacuum:
        _maintain("VACUUM")


def measure(app: Flask, *, holders: int, certifications: int = 4, repeat: int = 5) -> Result:
    """Build the data into an empty database and time every case ``repeat`` times, the
    cases interleaved, each from the same (rolled back) state."""
    people = holders // certifications
    started = time.perf_counter()
    data = build(app, people=people, courses=certifications, certifications=certifications)
    built_s = time.perf_counter() - started
    today = data["today"]
    now = dt.datetime.combine(today, dt.time(23), tzinfo=dt.UTC)
    ids = data["certifications"]
    with app.app_context():
        _maintain("ANALYZE")

        def windows() -> int:
            return sweeps.open_windows(now)

        def expiry() -> int:
            return sweeps.expire(now)

        def both_sweeps() -> None:
            windows()
            expiry()

        cases: dict[str, tuple[Callable[[], int], Callable[[], object] | None]] = {
            "windows floor": (lambda: _floor(ids, "due", "window_opens_on", today), None),
            "windows": (windows, None),
            "windows again": (windows, windows),  # the next run that day: nothing to do
            "expiry floor": (lambda: _floor(ids, "expired", "expires_on", today), None),
            "expiry": (expiry, None),
            "expiry again": (expiry, expiry),
            "reminders": (lambda: sweeps.send_reminders(now), both_sweeps),
        }
        runs: dict[str, list[Run]] = {case: [] for case in CASES}
        with Recorder(db.engine) as recorder:
            for _ in range(repeat):
                for case, (func, setup) in cases.items():
                    _fresh(vacuum=True)
                    if setup is not None:
                        setup()
                    runs[case].append(recorder.measure(func))
                    _fresh()
    return Result(holders, people, len(ids), built_s, runs)


def report(result: Result, small: Result, dialect: str) -> list[str]:
    lines = [
        f"certification sweeps, {result.holders} holders ({result.people} people × "
        f"{result.certifications} certifications) on {dialect}, data built in "
        f"{result.built_seconds:.1f} s, medians of {len(result.runs['windows'])} runs:"
    ]
    for title, floor, sweep, name in (
        ("window sweep", "windows floor", "windows", "sweeps.open_windows"),
        ("expiry sweep", "expiry floor", "expiry", "sweeps.expire"),
    ):
        floor_s, sweep_s = result.median(floor), result.median(sweep)
        again_s = result.median(f"{sweep} again")
        lines += [
            f"  {title}: {result.rows(sweep)} holders moved (floor: {result.rows(floor)})",
            f"    floor (bare UPDATE)        {floor_s * 1000:9.1f} ms   1.00x",
            f"    {name:<26} {sweep_s * 1000:9.1f} ms   {sweep_s / floor_s:.2f}x",
        ]
        in_database = 0.0
        for kind, count, seconds in result.breakdown(sweep):
            in_database += seconds
            lines.append(f"      {count:3d} × {kind:<34} {seconds * 1000:9.1f} ms")
        lines.append(f"      outside the database{'':17} {(sweep_s - in_database) * 1000:9.1f} ms")
        again = result.breakdown(f"{sweep} again")
        lines.append(
            f"    again, nothing to do       {again_s * 1000:9.1f} ms   {again_s / floor_s:.2f}x"
            f"   ({result.rows(f'{sweep} again')} moved; in the database "
            f"{sum(row[2] for row in again) * 1000:.1f} ms, slowest: "
            + ", ".join(f"{kind} {seconds * 1000:.1f} ms" for kind, _n, seconds in again[:2])
            + ")"
        )
    reminders_s = result.median("reminders")
    lines.append(
        f"  reminders after both sweeps: sweeps.send_reminders {reminders_s * 1000:.1f} ms, "
        f"{result.rows('reminders')} notices"
    )
    lines.append(
        f"  statements at {small.holders} / {result.holders} holders: the rest + notice "
        f"INSERTs (one per 1,000 notices of a certification and step, none for none):"
    )
    for case in CASES:
        lines.append(
            f"    {case:<14} {small.fixed_statements(case):4d} + {small.notice_batches(case):2d}"
            f"  /  {result.fixed_statements(case):4d} + {result.notice_batches(case):2d}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--certifications", type=int, default=4)
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    app = bench_app(url)
    results = []
    for holders in (args.holders // 10, args.holders):
        with app.app_context():
            db.drop_all()
        results.append(
            measure(app, holders=holders, certifications=args.certifications, repeat=args.repeat)
        )
    small, result = results
    for case in ("windows", "expiry"):
        assert result.rows(case) == result.rows(f"{case} floor"), case
    print("\n".join(report(result, small, sa.make_url(url).get_backend_name())))


if __name__ == "__main__":
    main()
