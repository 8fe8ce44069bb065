"""The one scale-data generator every benchmark uses.

``build(app, people=10_000)`` fills an empty database with a company of that size: a few
departments and teams, posts, people (a share of them onboarding new hires), published
courses with lessons, and enrolments with some progress. Deterministic (seeded) and
set-wise, so 10,000 people take seconds. ``mentors=300`` also gives that many active people,
spread over the teams, the mentor role and at least two years of tenure.
``certifications=4`` also makes that many certifications (one course each, so ``courses``
must be at least as many) held by everyone: people × certifications holders, each certified
once (its first cycle completed, a completed enrolment with every lesson done), with the
expiries spread evenly so that today ~10 % have expired and ~30 % are in their window.
``career=True`` also draws a career ladder over the posts (steps with requirements of every
kind; 客服组长 and 高级客服专员 are key posts), three KPI metrics with four months of figures
for everyone, and some post changes, enrolments, endorsements, rotations and mentorships
(it implies one certification at least).

    python -m bench.scale_data --people 10000 --database sqlite:////tmp/scale.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

import sqlalchemy as sa
from flask import Flask

from courses import services as course_services
from courses.models import Course, Enrolment, EnrolmentSource, Lesson, LessonCompletion, Tier
from lms import clock
from lms.certification import dates
from lms.certification import services as cert_services
from lms.certification.models import (
    CertificationCycle,
    CycleKind,
    PersonCertification,
    Standing,
)
from lms.extensions import db
from lms.organisation.models import Department, Employee, EmployeeRole, Post, Team

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超霞平刚"


MENTOR_SHIFTS = ("day", "day", "morning", "evening")

# Holders were certified 95–394 days ago for 12 months, so their expiries fall evenly over
# today-29 .. today+270 (300 days): 30 of them (10 %) have come and, with a 60-day window,
# 90 (30 %) of the windows have opened.
CERT_MONTHS = 12
CERT_WINDOW_DAYS = 60
CERTIFIED_DAYS_AGO = (95, 300)  # the first, and how many days the spread covers
ASSIGNED_DAYS_AGO = 420


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
    certifications: int = 0,
    career: bool = False,
) -> dict:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    now = clock.now()
    if career:
        certifications, courses = max(certifications, 1), max(courses, 2)
    mentor_at = _mentor_indexes(people, mentors)
    if certifications > courses:
        raise ValueError(f"{certifications} certifications need as many courses")
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
        certified = certify_everyone(made[:certifications], now) if certifications else []
        ladder = {}
        if career:
            from bench.scale_career import add_career

            ladder = add_career(posts, made, certified, now, seed)
        return {
            "career": ladder,
            "people": people,
            "courses": [c.id for c in made],
            "post_id": posts[0].id,
            "mentors": len(mentor_at),
            "certifications": certified,
            "holders": people * len(certified),
            "today": now.date(),
        }


def _spread(index: int) -> int:
    """Days ago a holder was certified: every 300 consecutive holders cover each day once."""
    first, days = CERTIFIED_DAYS_AGO
    return first + (index * 7919) % days


def certify_everyone(courses: list[Course], now: dt.datetime) -> list[int]:
    """One certification per course, held and certified once by every employee; commits.
    Holders, enrolments and lesson completions go in a few multi-row INSERTs and
    INSERT ... SELECTs, not row by row."""
    employee_ids = list(db.session.scalars(sa.select(Employee.id).order_by(Employee.id)))
    assigned_at = now - dt.timedelta(days=ASSIGNED_DAYS_AGO)
    made = []
    for n, course in enumerate(courses):
        certification = cert_services.save(
            cert_services.CertificationData(
                slug=f"bench-cert-{n}",
                title=f"认证{n}",
                title_en=f"Certification {n}",
                active_months=CERT_MONTHS,
                window_days=CERT_WINDOW_DAYS,
                expiry_base="expiry",
                initial_course_ids=[course.id],
            ),
            certification=None,
            now=now,
        )
        rules = dates.Rules.of(certification)
        holders, enrolments = [], []
        for i, employee_id in enumerate(employee_ids):
            certified_on = now.date() - dt.timedelta(days=_spread(n * len(employee_ids) + i))
            expires_on = dates.expiry_for(rules, certified_on, None)
            completed_at = dt.datetime.combine(certified_on, dt.time(9), tzinfo=dt.UTC)
            holders.append(
                {
                    "employee_id": employee_id,
                    "certification_id": certification.id,
                    "status": Standing.CERTIFIED.value,
                    "cycle_number": 1,
                    "assigned_at": assigned_at,
                    "due_on": assigned_at.date() + dt.timedelta(days=30),
                    "certified_on": certified_on,
                    "expires_on": expires_on,
                    "window_opens_on": max(dates.window_opens(rules, expires_on), certified_on),
                }
            )
            enrolments.append(
                {
                    "employee_id": employee_id,
                    "course_id": course.id,
                    "version_id": course.current_version_id,
                    "source": EnrolmentSource.CERTIFICATION.value,
                    "created_at": assigned_at,
                    "started_at": completed_at - dt.timedelta(days=1),
                    "last_activity_at": completed_at,
                    "completed_at": completed_at,
                }
            )
        for start in range(0, len(holders), 2000):
            db.session.execute(sa.insert(PersonCertification), holders[start : start + 2000])
            db.session.execute(sa.insert(Enrolment), enrolments[start : start + 2000])
        pc = PersonCertification.__table__
        db.session.execute(
            sa.insert(CertificationCycle).from_select(
                ["holder_id", "number", "kind", "reason", "opened_at", "due_on"]
                + ["completed_on", "expires_on"],
                sa.select(
                    pc.c.id,
                    pc.c.cycle_number,
                    sa.literal(CycleKind.INITIAL.value),
                    sa.literal("assigned"),
                    sa.literal(assigned_at, CertificationCycle.__table__.c.opened_at.type),
                    pc.c.due_on,
                    pc.c.certified_on,
                    pc.c.expires_on,
                ).where(pc.c.certification_id == certification.id),
            )
        )
        enrolment = Enrolment.__table__
        lesson = Lesson.__table__
        db.session.execute(
            sa.insert(LessonCompletion).from_select(
                ["enrolment_id", "lesson_id", "completed_at"],
                sa.select(enrolment.c.id, lesson.c.id, enrolment.c.completed_at)
                .join(lesson, lesson.c.version_id == enrolment.c.version_id)
                .where(enrolment.c.course_id == course.id),
            )
        )
        db.session.commit()
        made.append(certification.id)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=0)
    parser.add_argument("--certifications", type=int, default=0)
    parser.add_argument("--career", action="store_true")
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    from bench.harness import bench_app

    app = bench_app(args.database)
    print(
        build(
            app,
            people=args.people,
            mentors=args.mentors,
            certifications=args.certifications,
            courses=max(20, args.certifications),
            career=args.career,
        )
    )


if __name__ == "__main__":
    main()
