"""The demo company's mentoring: mentors who completed the coaching course, the demo new
hire with their mentor, believable check-ins, pulses and goals, a few proposals waiting on
HR's board and some finished mentorships with ratings (deterministic)."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from courses import enrolment
from courses.models import Course
from courses.queries import version_outline
from lms.extensions import db
from lms.mentorship import eligibility, plan, services
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus

MENTOR_COURSE = "coaching-and-mentoring-new-agents"
NOTES = [
    "熟悉了工单系统和快捷回复，能独立处理简单的退货咨询。",
    "遇到情绪激动的顾客还有些紧张，一起复盘了两通录音。",
    "七天无理由退货规则掌握得不错，运费险场景还需要多练。",
    "本周质检得分提升明显，继续保持首次响应时效。",
]
ACTIONS = [
    "每天旁听一小时资深同事的通话。",
    "完成《情绪管理与压力应对》第二单元。",
    "整理十个常见退款问题的标准话术。",
    "下周一起做一次反向跟岗。",
]
GOALS = [
    ("独立处理退换货工单", 20),
    ("通过《七天无理由退货》测验", 30),
    ("质检得分达到 90 分", 60),
]
COMMENTS = ["导师很耐心，帮助很大。", "每次复盘都很有收获。", "希望沟通再多一些。"]


def _complete_course(person: Employee, course: Course, now: dt.datetime) -> None:
    record = enrolment.enrol(person, course, now=now)
    for lesson in version_outline(record.version_id or course.current_version_id).lessons:
        enrolment.complete_lesson(record, lesson, now=now)


def load_mentoring(now: dt.datetime, hr: Employee) -> None:
    rng = random.Random(5)  # noqa: S311 - demo data
    today = now.date()
    course = db.session.scalar(sa.select(Course).where(Course.slug == MENTOR_COURSE))
    rules = eligibility.settings()
    rules.required_course_id = course.id
    mentors = db.session.scalars(
        sa.select(Employee)
        .join(EmployeeRole, EmployeeRole.employee_id == Employee.id)
        .where(EmployeeRole.role == "mentor", Employee.status == EmployeeStatus.ACTIVE)
        .order_by(Employee.id)
    ).all()
    for mentor in mentors:
        _complete_course(mentor, course, now - dt.timedelta(days=200))
    db.session.flush()
    people = {
        p.username: p
        for p in mentors
        + [db.session.scalar(sa.select(Employee).where(Employee.username == "newhire"))]
        if p.username
    }

    # the demo new hire and their mentor (who has room for a few more mentees)
    services.set_capacity(people["mentor"], 5)
    first = services.assign(
        people["mentor"],
        people["newhire"],
        actor=hr,
        now=now,
        started_on=people["newhire"].hire_date,
    )
    plan.add_goal(first, title=GOALS[0][0], due_on=today + dt.timedelta(days=20), now=now)

    # two of every three proposals accepted, with their check-ins so far
    proposals = db.session.scalars(
        sa.select(Mentorship)
        .where(Mentorship.status == MentorshipStatus.PROPOSED)
        .order_by(Mentorship.id)
    ).all()
    for index, proposal in enumerate(proposals):
        if index % 3 == 2:
            continue  # waits on HR's matching board
        start = proposal.mentee.hire_date + dt.timedelta(days=1)
        services.activate(proposal, actor=hr, now=now, started_on=min(start, today))
        quiet = index % 4 == 3  # a mentorship that has gone quiet: an at-risk example
        for check_in in list(proposal.check_ins):
            if quiet or check_in.due_on > today:
                break
            plan.log_check_in(
                proposal,
                actor=proposal.mentor,
                now=now,
                held_on=check_in.due_on,
                notes=rng.choice(NOTES),
                actions=rng.choice(ACTIONS),
                pulse=rng.choice([2, 3, 4, 4, 5]),
            )
        for title, days in GOALS[: rng.randint(1, 3)]:
            plan.add_goal(proposal, title=title, due_on=start + dt.timedelta(days=days), now=now)

    # finished onboarding mentorships of people hired a few months ago, rated
    veterans = db.session.scalars(
        sa.select(Employee)
        .where(
            Employee.status == EmployeeStatus.ACTIVE,
            Employee.hire_date.between(
                today - dt.timedelta(days=300), today - dt.timedelta(days=95)
            ),
        )
        .order_by(Employee.id)
        .limit(6)
    ).all()
    eligible = [s.person for s in eligibility.eligible_mentors(rules, today) if s.free]
    for index, person in enumerate(veterans):
        mentor = eligible[index % len(eligible)]
        if mentor.id == person.id:
            continue
        start = person.hire_date + dt.timedelta(days=1)
        done = services.assign(
            mentor,
            person,
            actor=hr,
            now=now,
            started_on=start,
            planned_end_on=start + dt.timedelta(days=rules.onboarding_days),
        )
        signed = start + dt.timedelta(days=rng.randint(75, 95))
        signed_at = dt.datetime.combine(signed, dt.time(9), dt.UTC)
        services.sign_off(done, actor=mentor, now=signed_at)
        services.rate(
            done, rating=rng.choice([4, 5, 5, 3]), comment=rng.choice(COMMENTS), now=signed_at
        )
    db.session.flush()
