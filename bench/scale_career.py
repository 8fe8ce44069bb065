"""The career part of the scale data (``bench.scale_data.build(career=True)``): a ladder over
the four posts with requirements of every kind, three KPI metrics with four months of figures
for everyone, and some post changes, enrolments, endorsements, rotations and mentorships.
Deterministic (seeded) and set-wise: multi-row INSERTs of 2,000 rows."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from courses.models import Enrolment
from lms.career import models as cm
from lms.extensions import db
from lms.mentorship.models import Mentorship
from lms.organisation.models import Employee, PostChange

K = cm.RequirementKind


def _ladder(posts, course_id: int, certification_id: int) -> tuple[dict, list[int]]:
    """The ladder, the metrics and the steps; each post's first (promotion) step by post."""
    agent, senior, lead, qa = (p.id for p in posts)
    posts[1].is_key = posts[2].is_key = True
    csat = cm.KpiMetric(code="csat", name="满意度", name_en="CSAT", unit="%")
    complaints = cm.KpiMetric(
        code="complaints",
        name="投诉率",
        name_en="Complaint rate",
        unit="%",
        higher_is_better=False,
        decimals=2,
    )
    tickets = cm.KpiMetric(
        code="tickets",
        name="处理工单",
        name_en="Handled tickets",
        decimals=0,
        aggregate=cm.KpiAggregate.SUM,
    )
    ladder = cm.CareerLadder(name="客服通道", name_en="Service track")
    db.session.add_all([ladder, csat, complaints, tickets])
    db.session.flush()
    plan = {
        (agent, senior): [
            (K.COURSE, {"course_id": course_id}),
            (K.CERTIFICATION, {"certification_id": certification_id}),
            (K.TENURE, {"months": 12}),
            (K.KPI, {"metric_id": csat.id, "months": 3, "threshold": 92}),
            (K.KPI, {"metric_id": complaints.id, "months": 3, "threshold": 1}),
            (K.ENDORSEMENT, {"endorser": cm.Endorser.LEAD}),
        ],
        (senior, lead): [
            (K.TENURE, {"months": 24}),
            (K.ROTATION, {"count": 1}),
            (K.KPI, {"metric_id": tickets.id, "months": 3, "threshold": 1500}),
            (K.MENTORING, {"count": 1}),
            (K.ENDORSEMENT, {"endorser": cm.Endorser.ANY}),
        ],
        (agent, qa): [(K.KPI, {"metric_id": csat.id, "months": 3, "threshold": 90})],
    }
    steps: dict[int, int] = {}
    for position, ((start, end), needs) in enumerate(plan.items()):
        kind = cm.StepKind.BRANCH if end == qa else cm.StepKind.PROMOTION
        step = cm.CareerStep(
            ladder=ladder, from_post_id=start, to_post_id=end, kind=kind, position=position
        )
        step.requirements = [cm.StepRequirement(kind=k, **fields) for k, fields in needs]
        db.session.add(step)
        db.session.flush()
        steps.setdefault(start, step.id)
    return steps, [csat.id, complaints.id, tickets.id]


def _months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` complete months before today's month."""
    months = [today.replace(day=1)]
    for _ in range(count):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[1:]


def add_career(posts, courses, certifications: list[int], now: dt.datetime, seed: int) -> dict:
    """Commits. Returns the steps by post, the key posts and the metrics."""
    rng, today = random.Random(seed + 1), now.date()  # noqa: S311 - benchmark data
    course = courses[-1]
    steps, metrics = _ladder(posts, course.id, certifications[0])
    ranges = list(zip(metrics, ((85, 99), (0, 2), (400, 600)), strict=True))
    people = db.session.execute(sa.select(Employee.id, Employee.post_id).order_by(Employee.id))
    people = people.all()
    rows: dict[type, list[dict]] = {
        t: [] for t in (cm.KpiValue, PostChange, Enrolment, cm.Endorsement, cm.Rotation)
    }
    rows[Mentorship] = []
    for i, (person, post) in enumerate(people):
        for month in _months(today, 4):
            for metric, (low, high) in ranges:
                value = round(rng.uniform(low, high), 2)
                rows[cm.KpiValue].append(
                    {"employee_id": person, "metric_id": metric, "month": month, "value": value}
                )
        other = people[(i + 1) % len(people)][0]
        if i % 10 == 1:
            at = now - dt.timedelta(days=rng.randint(30, 900))
            rows[PostChange].append({"employee_id": person, "to_post_id": post, "changed_at": at})
        if i % 3 == 0:
            rows[Enrolment].append(
                {
                    "employee_id": person,
                    "course_id": course.id,
                    "version_id": course.current_version_id,
                    "source": "assignment",
                    "created_at": now,
                    "started_at": now,
                    "completed_at": now - dt.timedelta(days=30) if i % 2 else None,
                }
            )
        if i % 5 == 2 and post in steps:
            rows[cm.Endorsement].append(
                {
                    "employee_id": person,
                    "step_id": steps[post],
                    "endorser_id": other,
                    "endorser_role": "lead",
                    "created_at": now,
                    "withdrawn_at": now if i % 4 == 0 else None,
                }
            )
        if i % 7 == 3:
            start = today - dt.timedelta(days=rng.randint(0, 400))
            done = start + dt.timedelta(days=90) < today
            rows[cm.Rotation].append(
                {
                    "employee_id": person,
                    "host_post_id": posts[3].id,
                    "starts_on": start,
                    "ends_on": start + dt.timedelta(days=90),
                    "objectives": "轮岗",
                    "status": "evaluated" if done else "planned",
                    "passed": (i % 3 > 0) if done else None,
                    "evaluated_at": now if done else None,
                    "created_at": now,
                }
            )
        if i % 9 == 4:
            rows[Mentorship].append(
                {
                    "mentor_id": person,
                    "mentee_id": other,
                    "kind": "development",
                    "status": "completed" if i % 2 else "active",
                    "proposed_at": now,
                    "signed_off_at": now if i % 2 else None,
                }
            )
    for model, batch in rows.items():
        for start in range(0, len(batch), 2000):
            db.session.execute(sa.insert(model), batch[start : start + 2000])
    db.session.commit()
    return {"steps": steps, "key_posts": [posts[1].id, posts[2].id], "metrics": metrics}
