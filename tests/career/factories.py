"""One-line builders for career data, for any career test: ladders, steps, requirements, KPI
metrics and values, courses and certifications held, endorsements, rotations, mentorships.

    from tests.career import factories as cf
    step = cf.step(agent_post, lead_post)
    cf.requirement(step, "kpi", metric=cf.metric(), months=3, threshold=92)
    cf.kpis(person, cf.metric(), {cf.month(today, -1): 93.0})

Every builder flushes (ids are set) and never commits.
"""

from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa

from courses import enrolment as enrolments
from courses import services as course_services
from courses.models import Course, Tier
from lms import clock
from lms.career.models import (
    CareerLadder,
    CareerPlan,
    CareerStep,
    Endorsement,
    Endorser,
    KpiAggregate,
    KpiMetric,
    KpiValue,
    RequirementKind,
    Rotation,
    RotationStatus,
    StepKind,
    StepRequirement,
)
from lms.certification import services as cert_services
from lms.certification.models import Certification, PersonCertification
from lms.extensions import db
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.organisation.models import Employee, Post, PostChange

_n = itertools.count(1)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


def month(today: dt.date, offset: int) -> dt.date:
    """The first day of the month ``offset`` months from today's (-1: last month)."""
    index = today.year * 12 + today.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def post(title: str | None = None, title_en: str | None = None, level: int = 1, **fields) -> Post:
    n = next(_n)
    return _add(Post(title=title or f"岗位{n}", title_en=title_en, level=level, **fields))


def ladder(name: str | None = None, name_en: str | None = None, **fields) -> CareerLadder:
    n = next(_n)
    return _add(CareerLadder(name=name or f"阶梯{n}", name_en=name_en or f"Ladder {n}", **fields))


def step(
    from_post: Post,
    to_post: Post,
    *,
    ladder_: CareerLadder | None = None,
    kind: StepKind | str = StepKind.PROMOTION,
    position: int = 0,
) -> CareerStep:
    return _add(
        CareerStep(
            ladder=ladder_ or ladder(),
            from_post_id=from_post.id,
            to_post_id=to_post.id,
            kind=StepKind(kind),
            position=position,
        )
    )


def requirement(step_: CareerStep, kind: RequirementKind | str, **fields) -> StepRequirement:
    """``fields``: course, certification, metric (objects) or their ids, months, threshold,
    count, endorser."""
    for name in ("course", "certification", "metric"):
        if name in fields and not isinstance(fields[name], int | None):
            fields[f"{name}_id"] = fields.pop(name).id
    if "endorser" in fields:
        fields["endorser"] = Endorser(fields["endorser"])
    return _add(StepRequirement(step_id=step_.id, kind=RequirementKind(kind), **fields))


def metric(
    code: str = "csat",
    name: str = "满意度",
    name_en: str | None = "CSAT",
    *,
    unit: str = "%",
    higher_is_better: bool = True,
    decimals: int = 1,
    aggregate: KpiAggregate | str = KpiAggregate.MEAN,
) -> KpiMetric:
    """The metric with this code, made on first use."""
    found = db.session.scalar(sa.select(KpiMetric).where(KpiMetric.code == code))
    if found is not None:
        return found
    return _add(
        KpiMetric(
            code=code,
            name=name,
            name_en=name_en,
            unit=unit,
            higher_is_better=higher_is_better,
            decimals=decimals,
            aggregate=KpiAggregate(aggregate),
        )
    )


def kpis(person: Employee, metric_: KpiMetric, values: dict[dt.date, float]) -> None:
    for first_day, value in values.items():
        db.session.add(
            KpiValue(employee_id=person.id, metric_id=metric_.id, month=first_day, value=value)
        )
    db.session.flush()


def course(title: str = "投诉处理", title_en: str | None = "Complaint Handling", lessons=2):
    """A published course with ``lessons`` required lessons."""
    n, now = next(_n), clock.now()
    tracks = course_services.ensure_tracks()
    made = course_services.create_course(
        course_services.CourseFields(
            slug=f"career-course-{n}",
            title=title,
            title_en=title_en,
            summary="简介",
            summary_en=None,
            track=tracks[0],
            tier=Tier.FOUNDATION,
            estimated_minutes=10,
        ),
        actor=None,
        now=now,
    )
    module = course_services.save_module(made.versions[0], None, "单元", None)
    for k in range(lessons):
        course_services.save_lesson(
            module,
            None,
            course_services.LessonFields(
                key=f"l{k}", title=f"课时{k}", title_en=None, body="内容", minutes=5
            ),
        )
    course_services.publish(made, actor=None, now=now)
    db.session.flush()
    return made


def enrol(person: Employee, course_: Course, *, lessons_done: int = 0):
    """Enrol the person and complete that many lessons (all of them completes the course)."""
    now = clock.now()
    mine = enrolments.enrol(person, course_, now=now)
    lessons = db.session.get(Course, course_.id).current_version.lessons
    for lesson in lessons[:lessons_done]:
        enrolments.complete_lesson(mine, lesson, now=now)
    db.session.flush()
    return mine


def certification(title: str = "客服认证", title_en: str | None = "Service Certification"):
    n = next(_n)
    data = cert_services.CertificationData(
        slug=f"career-cert-{n}",
        title=title,
        title_en=title_en,
        initial_course_ids=[course(f"认证课程{n}", None, lessons=1).id],
        escalation=[],
    )
    return cert_services.save(data, certification=None, now=clock.now())


def hold(
    person: Employee,
    certification_: Certification,
    *,
    certified_on: dt.date | None,
    expires_on: dt.date | None,
) -> PersonCertification:
    return _add(
        PersonCertification(
            employee_id=person.id,
            certification_id=certification_.id,
            certified_on=certified_on,
            expires_on=expires_on,
        )
    )


def endorse(person, step_, endorser, role="lead", *, withdrawn_at=None) -> Endorsement:
    return _add(
        Endorsement(
            employee_id=person.id,
            step_id=step_.id,
            endorser_id=endorser.id,
            endorser_role=Endorser(role),
            withdrawn_at=withdrawn_at,
        )
    )


def rotation(person, team, *, starts_on, ends_on, status="planned", passed=None) -> Rotation:
    status = RotationStatus(status)
    evaluated = status == RotationStatus.EVALUATED
    return _add(
        Rotation(
            employee_id=person.id,
            host_team_id=team.id,
            starts_on=starts_on,
            ends_on=ends_on,
            objectives="熟悉质检流程",
            status=status,
            passed=passed,
            rating=4 if evaluated else None,
            evaluated_at=clock.now() if evaluated else None,
        )
    )


def mentorship(mentor, mentee, *, signed_off: bool = False) -> Mentorship:
    return _add(
        Mentorship(
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            status=MentorshipStatus.COMPLETED if signed_off else MentorshipStatus.ACTIVE,
            started_on=clock.today() - dt.timedelta(days=120),
            signed_off_at=clock.now() if signed_off else None,
        )
    )


def post_change(person, to_post, *, changed_at: dt.datetime, from_post=None) -> PostChange:
    return _add(
        PostChange(
            employee_id=person.id,
            from_post_id=from_post.id if from_post else None,
            to_post_id=to_post.id,
            changed_at=changed_at,
        )
    )


def plan(person, target_post) -> CareerPlan:
    return _add(CareerPlan(employee_id=person.id, target_post_id=target_post.id))
