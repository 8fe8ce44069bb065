"""Applying an enrolment rule to 10,000 matching people, against the floor: a bare
INSERT ... SELECT of the same rows. Prints the ratio (the rule does more — due dates from
hire dates, conflict skipping — but must stay the same order of magnitude, not a loop).

    python -m bench.rule_apply [--people 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import sqlalchemy as sa

from bench.harness import bench_app, median_seconds
from bench.scale_data import build
from courses import assignment
from courses.models import Course, Enrolment, EnrolmentRule
from lms import clock
from lms.extensions import db
from lms.organisation.models import Employee


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    app = bench_app(url)
    with app.app_context():
        db.drop_all()
    data = build(app, people=args.people)
    with app.app_context():
        course = db.session.get(Course, data["courses"][0])
        rule = EnrolmentRule(
            name="bench",
            course=course,
            post_id=data["post_id"],
            due_days_after_hire=30,
            active=True,
        )
        db.session.add(rule)
        db.session.commit()
        matching = db.session.scalar(
            sa.select(sa.func.count(Employee.id)).where(Employee.post_id == data["post_id"])
        )

        def clear():
            db.session.execute(sa.delete(Enrolment))
            db.session.commit()

        def floor():
            db.session.execute(
                sa.insert(Enrolment).from_select(
                    ["employee_id", "course_id", "version_id", "source", "created_at"],
                    sa.select(
                        Employee.id,
                        sa.literal(course.id),
                        sa.literal(course.current_version_id),
                        sa.literal("rule"),
                        sa.literal(clock.now(), Enrolment.__table__.c.created_at.type),
                    ).where(Employee.post_id == data["post_id"]),
                )
            )
            db.session.commit()

        def apply():
            created = assignment.apply_rule(rule, now=clock.now())
            db.session.commit()
            assert created == matching, (created, matching)

        def apply_again():  # idempotent: everyone is enrolled already
            assert assignment.apply_rule(rule, now=clock.now()) == 0
            db.session.commit()

        floor_s = median_seconds(floor, args.repeat, setup=clear)
        rule_s = median_seconds(apply, args.repeat, setup=clear)
        again_s = median_seconds(apply_again, args.repeat)
    dialect = sa.make_url(url).get_backend_name()
    print(f"rule application, {matching} matching people on {dialect}:")
    print(f"  floor (bare INSERT ... SELECT)  {floor_s * 1000:8.1f} ms   1.00x")
    print(f"  apply_rule                      {rule_s * 1000:8.1f} ms   {rule_s / floor_s:.2f}x")
    print(f"  apply_rule again (no-op)        {again_s * 1000:8.1f} ms   {again_s / floor_s:.2f}x")


if __name__ == "__main__":
    main()
