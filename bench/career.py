"""Career readiness at scale: HR's succession slate for a key post and the team-readiness
evaluation of every employee, against the floor — the same rows loaded with bare SQL in the
same run — and the statements each sends, at two sizes (they must not grow with the people).

    python -m bench.career [--people 10000] [--small 1000] [--repeat 3] [--database URL]

The company comes from the one scale-data generator (``build(career=True)``): a ladder over
four posts with requirements of every kind (course, certification, tenure, two KPIs,
endorsement, rotation, mentoring), four months of three KPIs for everyone, and post changes,
enrolments, endorsements, rotations and mentorships for some. The slate is that of
高级客服专员, the key post with the most candidates (everyone in 客服专员). Each timing is the
median of ``--repeat`` runs, each on an empty session (nothing cached from the run before).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.cert_sweep import label
from bench.harness import bench_app
from bench.scale_data import build
from lms import clock
from lms.career import readiness, succession
from lms.career.requirements_base import add_months, month_start
from lms.extensions import db
from lms.organisation.models import Employee, Post

CASES = ("team", "team floor", "slate", "slate floor")

# The floor: what the engine reads, as bare SQL, fetched and nothing more.
PEOPLE = """SELECT e.id, e.employee_no, e.name, e.post_id, e.hire_date, e.supervisor_id,
t.lead_id FROM employee e LEFT OUTER JOIN team t ON t.id = e.team_id"""
CANDIDATES = """SELECT e.*, t.*, p.* FROM employee e LEFT OUTER JOIN team t ON t.id = e.team_id
LEFT OUTER JOIN post p ON p.id = e.post_id WHERE e.status = 'active' AND e.post_id IN
(SELECT from_post_id FROM career_step WHERE to_post_id = :post)"""
KIND_ROWS = (
    "SELECT employee_id, target_post_id FROM career_plan WHERE target_post_id IS NOT NULL",
    """SELECT s.id, s.from_post_id, s.to_post_id, s.kind, r.* FROM career_step s
    JOIN career_step_requirement r ON r.step_id = s.id""",
    """SELECT en.employee_id, en.course_id, en.completed_at,
    (SELECT count(*) FROM lesson_completion lc JOIN lesson l ON l.id = lc.lesson_id
     WHERE lc.enrolment_id = en.id AND l.required = :yes),
    (SELECT count(*) FROM lesson l WHERE l.version_id = en.version_id AND l.required = :yes)
    FROM enrolment en WHERE en.course_id IN
    (SELECT course_id FROM career_step_requirement WHERE course_id IS NOT NULL)""",
    """SELECT employee_id, certification_id, certified_on, expires_on FROM person_certification
    WHERE certification_id IN (SELECT certification_id FROM career_step_requirement)""",
    """SELECT pc.employee_id, max(pc.changed_at) FROM post_change pc
    JOIN employee e ON e.id = pc.employee_id WHERE pc.to_post_id = e.post_id
    GROUP BY pc.employee_id""",
    """SELECT employee_id, metric_id, month, value FROM kpi_value
    WHERE month >= :start AND month < :current ORDER BY month""",
    """SELECT en.employee_id, en.step_id, en.endorser_role, en.created_at, en.withdrawn_at,
    e.name FROM career_endorsement en JOIN employee e ON e.id = en.endorser_id""",
    "SELECT employee_id, status, passed, ends_on FROM career_rotation WHERE status <> 'cancelled'",
    """SELECT mentor_id, count(signed_off_at),
    sum(CASE WHEN status = 'active' AND signed_off_at IS NULL THEN 1 ELSE 0 END)
    FROM mentorship WHERE signed_off_at IS NOT NULL OR status = 'active' GROUP BY mentor_id""",
)


@dataclass
class Result:
    people: int
    key_post: str = ""
    evaluated: int = 0  # people with a step to be evaluated for
    candidates: int = 0
    findings: int = 0
    horizons: Counter = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    statements: dict[str, Counter] = field(default_factory=dict)
    floor_rows: dict[str, int] = field(default_factory=dict)

    def count(self, case: str) -> int:
        return sum(self.statements.get(case, Counter()).values())

    def ratio(self, case: str) -> float:
        floor = self.seconds.get(f"{case} floor", 0.0)
        return self.seconds.get(case, 0.0) / floor if floor else 0.0


def _floor(post_id: int | None) -> Callable[[], int]:
    """The bare-SQL load of the same rows; with ``post_id`` the slate's, else the team's."""

    def run() -> int:
        today = clock.today()
        current = month_start(today)
        params = {"yes": True, "start": add_months(current, -3), "current": current}
        conn = db.session.connection()
        rows = len(conn.execute(sa.text(PEOPLE)).fetchall())
        for sql in KIND_ROWS:
            rows += len(conn.execute(sa.text(sql), params).fetchall())
        if post_id is not None:
            rows += len(conn.execute(sa.text(CANDIDATES), {"post": post_id}).fetchall())
        return rows

    return run


def _timed(result: Result, case: str, func: Callable[[], Any], repeat: int) -> Any:
    """The median of ``repeat`` runs of ``func`` on an empty session; the statements of the
    last run are counted (transaction control aside)."""
    engine, counted, times, value = db.engine, Counter(), [], None

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        name = label(statement)
        if name is not None:
            counted[name] += 1

    for _ in range(repeat):
        db.session.rollback()
        db.session.expunge_all()
        counted.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        try:
            value = func()
        finally:
            times.append(time.perf_counter() - started)
            sa.event.remove(engine, "before_cursor_execute", count)
    times.sort()
    result.seconds[case] = times[len(times) // 2]
    result.statements[case] = Counter(counted)
    return value


def measure(app: Flask, *, people: int, repeat: int = 3) -> Result:
    """Builds the company (an empty database expected) and times the four cases."""
    data = build(app, people=people, courses=2, career=True)
    result = Result(people=people)
    key_post = data["career"]["key_posts"][0]
    with app.app_context():
        today = clock.today()
        result.key_post = db.session.get(Post, key_post).title

        def team() -> dict:
            everyone = db.session.execute(sa.select(Employee.id, Employee.post_id)).all()
            return readiness.for_people(everyone, today)

        found = _timed(result, "team", team, repeat)
        assert isinstance(found, dict)
        evaluated = [r for r in found.values() if r is not None]
        result.evaluated = len(evaluated)
        result.findings = sum(len(r.findings) for r in evaluated)
        result.horizons = Counter(str(r.horizon) for r in evaluated)
        result.floor_rows["team"] = int(_timed(result, "team floor", _floor(None), repeat))
        slate = _timed(result, "slate", lambda: succession.slate(key_post, today), repeat)
        assert isinstance(slate, succession.Slate)
        result.candidates = len(slate.candidates)
        rows = _timed(result, "slate floor", _floor(key_post), repeat)
        result.floor_rows["slate"] = int(rows)
        db.session.rollback()
    return result


def report(small: Result | None, large: Result, dialect: str) -> list[str]:
    r = large

    def kinds(result: Result, case: str) -> str:
        found = result.statements.get(case, Counter())
        return ", ".join(f"{kind} {n}" for kind, n in sorted(found.items()))

    horizons = ", ".join(f"{h} {r.horizons.get(h, 0)}" for h in ("now", "year", "later"))
    lines = [
        f"career readiness on {dialect}, {r.people} people, {os.cpu_count()} CPUs:",
        f"  team readiness: {r.evaluated} people with a next step, {r.findings} findings "
        f"({horizons})",
        f"    ours {r.seconds['team']:7.3f} s   floor {r.seconds['team floor']:7.3f} s "
        f"({r.floor_rows['team']} rows)   ratio {r.ratio('team'):5.2f}x",
        f"  succession slate of {r.key_post}: {r.candidates} candidates",
        f"    ours {r.seconds['slate']:7.3f} s   floor {r.seconds['slate floor']:7.3f} s "
        f"({r.floor_rows['slate']} rows)   ratio {r.ratio('slate'):5.2f}x",
        "  statements                team   slate",
    ]
    for result in (small, large):
        if result is not None:
            lines.append(
                f"    {result.people:>6} people        {result.count('team'):>6}  "
                f"{result.count('slate'):>6}"
            )
    if small is not None:
        same = all(small.count(c) == large.count(c) for c in ("team", "slate"))
        lines.append(
            "    constant: " + ("yes" if same else "NO — the statement count grows with people")
        )
    lines.append(f"    team: {kinds(r, 'team')}")
    lines.append(f"    slate: {kinds(r, 'slate')}")
    return lines


def _fresh(url: str | None, folder: str, name: str) -> Flask:
    """An app on an empty database: a new SQLite file, or the given database emptied."""
    app = bench_app(url or f"sqlite:///{os.path.join(folder, name)}")
    with app.app_context():
        db.drop_all()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="0: measure one size only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-career-")
    small = None
    if args.small:
        app = _fresh(args.database, folder, "small.sqlite3")
        small = measure(app, people=args.small, repeat=args.repeat)
    app = _fresh(args.database, folder, "large.sqlite3")
    large = measure(app, people=args.people, repeat=args.repeat)
    dialect = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    print("\n".join(report(small, large, dialect)))


if __name__ == "__main__":
    main()
