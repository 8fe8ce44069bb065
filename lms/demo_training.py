"""The demo company's training: the starter library, the onboarding rule, assignments and
believable progress (deterministic)."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from courses import assignment, enrolment
from courses.models import Curriculum, Enrolment
from courses.packages import import_library
from courses.queries import version_outline
from lms.extensions import db
from lms.organisation.models import Employee, Post, Team


class DemoTrainingError(RuntimeError):
    pass


def load_training(now: dt.datetime, hr: Employee) -> None:
    result = import_library(now, actor=hr)
    if not result.ok:
        problems = "; ".join(f"{p.file}: {p.message}" for p in result.problems[:5])
        raise DemoTrainingError(f"the starter library does not import: {problems}")
    curricula = {c.slug: c for c in db.session.scalars(sa.select(Curriculum))}
    agent = db.session.scalar(sa.select(Post).where(Post.title == "客服专员"))
    # every new agent gets the onboarding curriculum, due 30 days after hire
    assignment.create_rule(
        name="客服专员入职培训",
        course=None,
        curriculum=curricula["agent-onboarding"],
        post_id=agent.id,
        team_id=None,
        department_id=None,
        employee_status="onboarding",
        due_days_after_hire=30,
        due_days_after_enrolment=None,
        actor=hr,
        now=now,
    )
    # the after-sales and complaints teams must know consumer-protection rules
    for team_name in ("售后一组", "售后二组", "投诉处理组"):
        team = db.session.scalar(sa.select(Team).where(Team.name == team_name))
        assignment.assign(
            curriculum=curricula["consumer-rights-compliance"],
            team_id=team.id,
            due_on=now.date() + dt.timedelta(days=45),
            actor=hr,
            now=now,
        )
    # experienced agents took the onboarding courses when they joined
    veterans = db.session.scalars(
        sa.select(Employee).where(Employee.post_id == agent.id, Employee.status == "active")
    ).all()
    for person in veterans:
        assignment.assign(
            curriculum=curricula["agent-onboarding"],
            employee_ids=[person.id],
            due_on=None,
            actor=hr,
            now=now,
        )
    mentors = db.session.scalars(
        sa.select(Employee).where(Employee.username.in_(["mentor", "lead"]))
    ).all()
    for person in mentors:
        assignment.assign(
            curriculum=curricula["mentor-certification"],
            employee_ids=[person.id],
            due_on=now.date() + dt.timedelta(days=40),
            actor=hr,
            now=now,
        )
    db.session.flush()
    _progress(now)


def _progress(now: dt.datetime) -> None:
    """Everyone but the newest hires has made some progress; the longer someone has been
    here, the further they are."""
    rng = random.Random(11)  # noqa: S311 - demo data
    rows = db.session.scalars(
        sa.select(Enrolment)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .order_by(Enrolment.id)
    ).all()
    outlines: dict[int, list] = {}
    for e in rows:
        person = e.employee
        if person.username == "newhire":
            continue
        tenure = (now.date() - person.hire_date).days
        if tenure < 5:
            continue
        lessons = outlines.setdefault(e.version_id, version_outline(e.version_id).lessons)
        share = (
            1.0
            if tenure > 120 and rng.random() < 0.85
            else min(1.0, tenure / 30 * rng.uniform(0.3, 1.1))
        )
        for lesson in lessons[: round(len(lessons) * share)]:
            enrolment.complete_lesson(e, lesson, now=now - dt.timedelta(days=rng.randint(0, 4)))
