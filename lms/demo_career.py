"""The demo company's career paths: what each post is responsible for, two ladders (the
service management track and the specialist branches) with requirements of every kind, twelve
months of service KPIs for everyone at work, career plans with goals and conversations, an
endorsement, job rotations (one evaluated, one awaiting its evaluation, one planned) and
promotions (one approved last spring, one waiting for HR).

王丽娟 (login ``mentor``, 高级客服专员) aims for 客服组长: her CSAT has slipped under the step's
92 % over the last three months, so her readiness shows real gaps next to what she has met.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from courses.models import Course
from lms.career.models import (
    CareerConversation,
    CareerGoal,
    CareerLadder,
    CareerPlan,
    CareerStep,
    Endorsement,
    Endorser,
    GoalHorizon,
    KpiMetric,
    KpiValue,
    Promotion,
    PromotionStatus,
    RequirementKind,
    Rotation,
    RotationStatus,
    StepRequirement,
)
from lms.certification.models import Certification
from lms.demo_career_data import (
    DESCRIPTIONS,
    KEY_POSTS,
    KPI_POSTS,
    LADDERS,
    REQUIREMENTS,
)
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Post, PostChange, Team

# 王丽娟's CSAT for the last three complete months: a 89.5 % average, under 组长's 92 %.
MENTOR_CSAT = (89.0, 89.8, 89.7)


def _month_start(day: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)


def _ladders(posts: dict[str, Post], metrics: dict[str, KpiMetric]) -> dict[tuple, CareerStep]:
    courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
    certifications = {c.slug: c for c in db.session.scalars(sa.select(Certification))}
    steps = {}
    for position, (name, name_en, text, text_en, moves) in enumerate(LADDERS):
        ladder = CareerLadder(
            name=name, name_en=name_en, description=text, description_en=text_en, position=position
        )
        db.session.add(ladder)
        for order, (source, target, kind) in enumerate(moves):
            step = CareerStep(
                ladder=ladder,
                from_post=posts[source],
                to_post=posts[target],
                kind=kind,
                position=order,
            )
            db.session.add(step)
            for rank, spec in enumerate(REQUIREMENTS.get((source, target), [])):
                kind_, subject, months, threshold, count = (*spec, None, None, None, None)[:5]
                requirement = StepRequirement(kind=kind_, position=rank)
                if kind_ == RequirementKind.COURSE:
                    requirement.course_id = courses[subject].id
                elif kind_ == RequirementKind.CERTIFICATION:
                    requirement.certification_id = certifications[subject].id
                elif kind_ == RequirementKind.KPI:
                    requirement.metric_id = metrics[subject].id
                    requirement.months, requirement.threshold = months, threshold
                elif kind_ == RequirementKind.ENDORSEMENT:
                    requirement.endorser = subject
                elif kind_ == RequirementKind.TENURE:
                    requirement.months = months
                else:
                    requirement.count = count
                step.requirements.append(requirement)
            steps[(source, target)] = step
    db.session.flush()
    return steps


def _kpis(people: list[Employee], metrics: dict[str, KpiMetric], today: dt.date) -> None:
    """Twelve complete months for everyone at work in a front-line or QA post."""
    rows = []
    for person in people:
        rng = random.Random(f"kpi-{person.employee_no}")  # noqa: S311 - demo data
        hired = _month_start(person.hire_date, 0)
        base = {
            "csat": rng.uniform(88.5, 97.0),
            "fcr": rng.uniform(72.0, 90.0),
            "frt": rng.uniform(18.0, 75.0),
            "complaint_rate": rng.uniform(0.2, 1.6),
            "qa_score": rng.uniform(82.0, 97.5),
            "tickets": rng.uniform(320.0, 680.0),
        }
        for back in range(12, 0, -1):
            month = _month_start(today, back)
            if month < hired:
                continue
            for code, centre in base.items():
                metric = metrics[code]
                value = centre * rng.uniform(0.97, 1.03)
                if person.employee_no == "10004" and code == "csat" and back <= 3:
                    value = MENTOR_CSAT[3 - back]
                if metric.max_value is not None:
                    value = min(value, metric.max_value)
                rows.append(
                    {
                        "employee_id": person.id,
                        "metric_id": metric.id,
                        "month": month,
                        "value": round(value, metric.decimals),
                    }
                )
    if rows:
        db.session.execute(sa.insert(KpiValue), rows)


def load_career(now: dt.datetime, hr: Employee) -> None:
    from lms.career import kpis

    today = now.date()
    if db.session.scalar(sa.select(CareerLadder.id).limit(1)):
        return
    kpis.ensure_default_metrics()
    metrics = {m.code: m for m in db.session.scalars(sa.select(KpiMetric))}
    posts = {p.title: p for p in db.session.scalars(sa.select(Post))}
    for title, (text, text_en) in DESCRIPTIONS.items():
        if title in posts:
            posts[title].description, posts[title].description_en = text, text_en
            posts[title].is_key = title in KEY_POSTS
    steps = _ladders(posts, metrics)

    people = {p.employee_no: p for p in db.session.scalars(sa.select(Employee))}
    at_work = [
        p
        for p in people.values()
        if p.status != EmployeeStatus.LEFT and p.post is not None and p.post.title in KPI_POSTS
    ]
    _kpis(at_work, metrics, today)

    mentor, lead = people["10004"], people["10003"]
    plan = CareerPlan(employee=mentor, target_post=posts["客服组长"], updated_by_id=mentor.id)
    plan.goals = [
        CareerGoal(
            horizon=GoalHorizon.SHORT,
            text="三个月内把 CSAT 拉回 92% 以上，复盘差评工单",
            due_on=today + dt.timedelta(days=90),
            created_by_id=mentor.id,
        ),
        CareerGoal(
            horizon=GoalHorizon.SHORT,
            text="完成《新任组长基础》和复杂投诉案例分析两门课",
            due_on=today + dt.timedelta(days=60),
            created_by_id=mentor.id,
        ),
        CareerGoal(
            horizon=GoalHorizon.LONG,
            text="两年内成为客服主管，负责售后条线",
            due_on=today + dt.timedelta(days=730),
            created_by_id=mentor.id,
        ),
    ]
    db.session.add(plan)
    db.session.add(
        CareerConversation(
            employee=mentor,
            author=lead,
            held_on=today - dt.timedelta(days=12),
            notes="聊了转组长的意愿和准备情况：带新人经验不错，近期满意度有所下滑，主要是"
            "物流延误类工单的安抚不到位。",
            next_steps="下月起每周复盘两单差评；报名新任组长基础课程；下季度安排到投诉处理组轮岗。",
        )
    )
    db.session.add(
        Endorsement(
            employee=mentor,
            step=steps[("高级客服专员", "客服组长")],
            endorser=lead,
            endorser_role=Endorser.LEAD,
            comment="责任心强，带教的新人转正率高，推荐作为组长后备。",
            created_at=now - dt.timedelta(days=10),
        )
    )
    _rotations(people, now, hr)
    _promotions(people, posts, steps, now, hr)
    db.session.flush()


def _team_lead(people: dict[str, Employee], team: str) -> Employee | None:
    team_id = db.session.scalar(sa.select(Team.id).where(Team.name == team))
    return next(
        (
            p
            for p in people.values()
            if p.team_id == team_id and p.post is not None and p.post.title == "客服组长"
        ),
        None,
    )


def _agents(people: dict[str, Employee], team: str, title: str) -> list[Employee]:
    return sorted(
        (
            p
            for p in people.values()
            if p.team is not None
            and p.team.name == team
            and p.post is not None
            and p.post.title == title
            and p.status == EmployeeStatus.ACTIVE
            and not p.username
        ),
        key=lambda p: p.employee_no,
    )


def _rotations(people: dict[str, Employee], now: dt.datetime, hr: Employee) -> None:
    today = now.date()
    qa_lead = _team_lead(people, "质检组")
    complaints_lead = _team_lead(people, "投诉处理组")
    lead = people["10003"]
    done = _agents(people, "售后二组", "高级客服专员")[:1]
    hosted = _agents(people, "售后二组", "客服专员")[:1]
    for person in done:
        db.session.add(
            Rotation(
                employee=person,
                host_team=qa_lead.team if qa_lead else None,
                host_post_id=qa_lead.post_id if qa_lead else None,
                host_supervisor=qa_lead,
                starts_on=today - dt.timedelta(days=200),
                ends_on=today - dt.timedelta(days=140),
                objectives="熟悉质检标准，完成 200 单抽检并输出一份话术改进建议。",
                status=RotationStatus.EVALUATED,
                rating=4,
                passed=True,
                evaluation="抽检准确率高，改进建议已被采纳进入知识库。",
                evaluated_by=qa_lead,
                evaluated_at=now - dt.timedelta(days=135),
                created_by_id=hr.id,
            )
        )
    for person in hosted:  # ended last week: the lead's evaluation is due
        db.session.add(
            Rotation(
                employee=person,
                host_team=lead.team,
                host_supervisor=lead,
                starts_on=today - dt.timedelta(days=67),
                ends_on=today - dt.timedelta(days=7),
                objectives="在售后一组学习退换货高峰期的排班与协作方式。",
                created_by_id=hr.id,
            )
        )
    if complaints_lead is not None:
        db.session.add(
            Rotation(
                employee=people["10004"],
                host_team=complaints_lead.team,
                host_supervisor=complaints_lead,
                starts_on=today + dt.timedelta(days=30),
                ends_on=today + dt.timedelta(days=90),
                objectives="在投诉处理组轮岗两个月，独立处理升级投诉并复盘。",
                created_by_id=hr.id,
            )
        )


def _promotions(
    people: dict[str, Employee],
    posts: dict[str, Post],
    steps: dict[tuple, CareerStep],
    now: dt.datetime,
    hr: Employee,
) -> None:
    lead = people["10003"]
    step = steps[("客服专员", "高级客服专员")]
    promoted = _agents(people, "售后二组", "高级客服专员")[1:2]
    for person in promoted:  # approved last spring: the post change is on record
        effective = now.date() - dt.timedelta(days=200)
        change = PostChange(
            employee=person,
            from_post_id=posts["客服专员"].id,
            to_post_id=posts["高级客服专员"].id,
            changed_at=_midnight(effective),
            changed_by_id=hr.id,
            source="promotion",
        )
        db.session.add(change)
        db.session.flush()
        db.session.add(
            Promotion(
                employee=person,
                step=step,
                from_post_id=posts["客服专员"].id,
                to_post_id=posts["高级客服专员"].id,
                status=PromotionStatus.APPROVED,
                rationale="连续两个季度满意度第一，已独立处理升级工单。",
                proposed_by_id=_team_lead(people, "售后二组").id,
                proposed_at=now - dt.timedelta(days=215),
                decided_by_id=hr.id,
                decided_at=now - dt.timedelta(days=205),
                decision_note="同意，按月初生效。",
                effective_on=effective,
                post_change_id=change.id,
            )
        )
    candidates = _agents(people, "售后一组", "客服专员")
    veteran = next((p for p in candidates if (now.date() - p.hire_date).days > 400), None)
    if veteran is not None:  # waiting for HR, with the readiness the lead saw
        from lms.career import readiness

        db.session.flush()
        found = readiness.for_person(veteran, posts["高级客服专员"].id, now.date())
        db.session.add(
            Promotion(
                employee=veteran,
                step=step,
                from_post_id=posts["客服专员"].id,
                to_post_id=posts["高级客服专员"].id,
                rationale="工单量和质检得分稳定在组内前列，新人遇到难题常来请教。",
                readiness=found.as_json() if found is not None else None,
                proposed_by_id=lead.id,
                proposed_at=now - dt.timedelta(days=3),
            )
        )
