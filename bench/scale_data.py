"""The one scale-data generator every benchmark uses.

``build(app, people=10_000)`` fills an empty database with a company of that size: a few
departments and teams, posts, people (a share of them onboarding new hires), published
courses with lessons, and enrolments with some progress. Deterministic (seeded) and
set-wise, so 10,000 people take seconds. ``mentors=300`` also gives that many active people,
spread over the teams, the mentor role and at least two years of tenure.

    python -m bench.scale_data --people 10000 --database sqlite:////tmp/scale.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

import sqlalchemy as sa
from flask import Flask

from courses import services as course_services
from courses.models import Tier
from lms import clock
from lms.extensions import db
from lms.organisation.models import Department, Employee, EmployeeRole, Post, Team

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超霞平刚"


MENTOR_SHIFTS = ("day", "day", "morning", "evening")


def _mentor_indexes(people: int, mentors: int) -> dict[int, int]:
    """Every n-th person who is not a new hire (index % 10 != 0), numbered 0..mentors-1."""
    pool = [i for i in range(people) if i % 10]
    if mentors > len(pool):
        raise ValueError(f"{people} people hold at most {len(pool)} mentors")
    step = len(pool) // mentors if mentors else 1
    return {pool[k * step]: k for k in range(mentors)}


def build(
    app: Flask,
    *,
    people: int = 10_000,
    courses: int = 20,
    seed: int = 7,
    mentors: int = 0,
) -> dict:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    now = clock.now()
    mentor_at = _mentor_indexes(people, mentors)
    with app.app_context():
        db.create_all()
        departments = [Department(name=f"客服中心{i}", name_en=f"Centre {i}") for i in range(4)]
        db.session.add_all(departments)
        teams = [
            Team(name=f"客服{i:03d}组", department=departments[i % 4])
            for i in range(max(4, people // 40))
        ]
        posts = [
            Post(title=title, level=level)
            for title, level in (
                ("客服专员", 1),
                ("高级客服专员", 2),
                ("客服组长", 3),
                ("质检专员", 2),
            )
        ]
        db.session.add_all(teams + posts)
        db.session.flush()
        rows = []
        for i in range(people):
            tenure = rng.randint(1, 60) if i % 10 == 0 else rng.randint(61, 2000)
            shift = None  # the day shift
            if i in mentor_at:  # the draw above still happens: the rest stays the same
                tenure = max(tenure, 730)
                shift = MENTOR_SHIFTS[mentor_at[i] % len(MENTOR_SHIFTS)]
            rows.append(
                {
                    "employee_no": f"S{i:06d}",
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "hire_date": now.date() - dt.timedelta(days=tenure),
                    "status": "onboarding" if tenure <= 60 else "active",
                    "team_id": teams[i % len(teams)].id,
                    "post_id": posts[0].id if i % 5 else posts[i % 4].id,
                    "locale": "zh_CN",
                    "timezone": "Asia/Shanghai",
                    "session_token": f"bench-{i}",
                    "must_change_password": False,
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                    "shift": shift,
                }
            )
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(Employee), rows[start : start + 2000])
        db.session.execute(
            sa.insert(EmployeeRole).from_select(
                ["employee_id", "role"], sa.select(Employee.id, sa.literal("employee"))
            )
        )
        if mentor_at:
            numbers = [f"S{i:06d}" for i in sorted(mentor_at)]
            db.session.execute(
                sa.insert(EmployeeRole).from_select(
                    ["employee_id", "role"],
                    sa.select(Employee.id, sa.literal("mentor")).where(
                        Employee.employee_no.in_(numbers)
                    ),
                )
            )
        tracks = course_services.ensure_tracks()
        made = []
        for n in range(courses):
            course = course_services.create_course(
                course_services.CourseFields(
                    slug=f"bench-course-{n}",
                    title=f"课程{n}",
                    title_en=f"Course {n}",
                    summary="基准测试课程",
                    summary_en=None,
                    track=tracks[n % len(tracks)],
                    tier=Tier.FOUNDATION,
                    estimated_minutes=30,
                ),
                actor=None,
                now=now,
            )
            module = course_services.save_module(course.versions[0], None, "单元", None)
            for k in range(5):
                course_services.save_lesson(
                    module,
                    None,
                    course_services.LessonFields(
                        key=f"l{k}", title=f"课时{k}", title_en=None, body="内容", minutes=6
                    ),
                )
            course_services.publish(course, actor=None, now=now)
            made.append(course)
        db.session.commit()
        return {
            "people": people,
            "courses": [c.id for c in made],
            "post_id": posts[0].id,
            "mentors": len(mentor_at),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=0)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    from bench.harness import bench_app

    app = bench_app(args.database)
    print(build(app, people=args.people, mentors=args.mentors))


if __name__ == "__main__":
    main()
