"""Matching every unmatched new hire with a mentor — 1,000 hires, 300 eligible mentors —
against the floor: loading the rows involved (the employees, then the mentors' capacity
rows; one SELECT each, fetched fully). Prints the ratios, the seconds (also of a dry run,
which loads and scores but writes nothing), how many were matched and the fullest mentor
against their capacity.

    python -m bench.mentor_matching [--people 10000] [--mentors 300] [--database URL]

``propose`` scores every hire against every mentor with a free place (in Python, with
reasons) and writes one proposal per match, so it is expected to cost a good multiple of
the floor — but seconds, not minutes. Each repeat is rolled back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from bench.harness import bench_app, median_seconds
from bench.scale_data import build
from lms import clock
from lms.extensions import db
from lms.mentorship import eligibility, proposals
from lms.mentorship.models import MentorProfile, Mentorship
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus


def involved() -> sa.Select:
    """New hires and people with the mentor role."""
    mentor_ids = sa.select(EmployeeRole.employee_id).where(EmployeeRole.role == "mentor")
    return sa.select(Employee).where(
        sa.or_(Employee.status == EmployeeStatus.ONBOARDING, Employee.id.in_(mentor_ids))
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000, help="a tenth are new hires")
    parser.add_argument("--mentors", type=int, default=300)
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    app = bench_app(url)
    with app.app_context():
        db.drop_all()
    started = time.perf_counter()
    build(app, people=args.people, courses=1, mentors=args.mentors)
    built_s = time.perf_counter() - started
    with app.app_context():
        now = clock.now()
        rules = eligibility.settings()
        capacity = rules.default_capacity
        eligible = [s for s in eligibility.standings(rules, now.date()) if s.eligible]
        eligibility.ensure_profiles(rules, [s.person.id for s in eligible])
        db.session.commit()  # capacity rows exist, so the floor can load them
        hires = len(db.session.scalars(proposals.unmatched_new_hires()).all())

        def fresh() -> None:
            db.session.rollback()
            db.session.expunge_all()

        def floor() -> None:
            people = db.session.scalars(involved().options(lazyload(Employee.role_grants))).all()
            profiles = db.session.scalars(sa.select(MentorProfile)).all()
            assert len(people) >= hires and len(profiles) == len(eligible)

        def propose() -> None:
            proposals.propose(None, now=now, apply=True)
            db.session.flush()

        def dry_run() -> None:  # the same loading and scoring, no proposal written
            proposals.propose(None, now=now, apply=False)

        floor_s = median_seconds(floor, args.repeat, setup=fresh)
        propose_s = median_seconds(propose, args.repeat, setup=fresh)
        dry_s = median_seconds(dry_run, args.repeat, setup=fresh)

        fresh()
        report = proposals.propose(None, now=now, apply=True)
        db.session.flush()
        written = db.session.scalar(sa.select(sa.func.count(Mentorship.id)))
        max_load, max_capacity, over = db.session.execute(
            sa.select(
                sa.func.max(MentorProfile.load),
                sa.func.max(MentorProfile.capacity_limit),
                sa.func.count().filter(MentorProfile.load > MentorProfile.capacity_limit),
            )
        ).one()
        fresh()
        assert written == len(report.matched) and over == 0
        assert len(report.matched) + len(report.unmatched) == hires
    dialect = sa.make_url(url).get_backend_name()
    places = len(eligible) * capacity
    print(
        f"mentor matching on {dialect}: {hires} new hires, {len(eligible)} eligible mentors "
        f"({places} places), data built in {built_s:.1f} s:"
    )
    print(f"  floor (load the rows)   {floor_s:8.3f} s   1.00x")
    print(f"  propose(apply=True)     {propose_s:8.3f} s   {propose_s / floor_s:.2f}x")
    print(f"  propose(apply=False)    {dry_s:8.3f} s   {dry_s / floor_s:.2f}x   (load and score)")
    print(f"  matched {len(report.matched)}, unmatched {len(report.unmatched)}")
    print(f"  fullest mentor: {max_load} of capacity {max_capacity}; none over capacity")


if __name__ == "__main__":
    main()
