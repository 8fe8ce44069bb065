"""The one-click learning plan: the gaps of the person's readiness for their target post
turned into enrolments in the missing courses and assignments of the missing certifications,
each recorded once as a ``LearningPlanItem`` with a suggested date.

A second click adds nothing: the items already in the plan are skipped, and unique indexes
(one item per plan and course or certification) back that when two clicks race.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from courses import enrolment
from courses.models import Course, CourseVersion, Enrolment, EnrolmentSource
from courses.services import CatalogueError
from lms.career import readiness
from lms.career.models import CareerPlan, LearningPlanItem
from lms.career.plans import NotAllowed, PlanError, plan_for, relation
from lms.certification import services as certification_services
from lms.certification.models import (
    Certification,
    CertificationCourse,
    CourseRole,
    PersonCertification,
)
from lms.db import serialise
from lms.extensions import db
from lms.i18n import locale_code
from lms.organisation.models import Employee, EmployeeStatus

STAGGER_DAYS = 30  # between the suggested dates of consecutive items


@dataclass
class LearningPlanResult:
    added: list[LearningPlanItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a gap could not become an item


def _gap_ids(found: readiness.Readiness) -> tuple[list[int], list[int]]:
    """The courses and certifications the unmet requirements name, in order, once each."""
    courses: list[int] = []
    certifications: list[int] = []
    for finding in found.gaps:
        if finding.course_id is not None and finding.course_id not in courses:
            courses.append(finding.course_id)
        if finding.certification_id is not None and finding.certification_id not in certifications:
            certifications.append(finding.certification_id)
    return courses, certifications


def create_learning_plan(
    person: Employee, actor: Employee, today: dt.date, now: dt.datetime
) -> LearningPlanResult:
    """Enrol the person in each missing course and assign each missing certification of
    the target step, once; returns the items added (none on a second click)."""
    if not relation(person, actor).can_plan_learning:
        raise NotAllowed(_("Only the person and HR may create the learning plan."))
    if person.status == EmployeeStatus.LEFT:
        raise PlanError(_("%(name)s has left the company.", name=person.name))
    plan = plan_for(person)
    if plan.target_post_id is None:
        raise PlanError(_("Choose a target post first."))
    # two clicks at once queue here; the second then sees the first one's items
    serialise(db.session, f"career-learning-plan:{person.id}")
    found = readiness.for_person(person, plan.target_post_id, today)
    if found is None:
        raise PlanError(_("The target post is no longer a step from the current post."))
    course_ids, certification_ids = _gap_ids(found)
    have = db.session.execute(
        sa.select(
            LearningPlanItem.course_id,
            LearningPlanItem.certification_id,
            sa.func.max(LearningPlanItem.suggested_by),
        )
        .where(LearningPlanItem.plan_id == plan.id)
        .group_by(LearningPlanItem.course_id, LearningPlanItem.certification_id)
    ).all()
    planned_courses = {c for c, _cert, _d in have if c is not None}
    planned_certifications = {cert for _c, cert, _d in have if cert is not None}
    latest = max((d for _c, _cert, d in have), default=None)
    course_ids = [c for c in course_ids if c not in planned_courses]
    certification_ids = [c for c in certification_ids if c not in planned_certifications]

    result = LearningPlanResult()
    wanted: list[tuple[str, object]] = []
    wanted += [("course", c) for c in _courses_to_plan(person, course_ids, actor, now, result)]
    wanted += [
        ("certification", c)
        for c in _certifications_to_plan(person, certification_ids, actor, now, result)
    ]
    start = max(today, latest) if latest else today
    for n, (kind, thing) in enumerate(wanted, start=1):
        item = LearningPlanItem(
            plan_id=plan.id,
            course_id=thing.id if kind == "course" else None,
            certification_id=thing.id if kind == "certification" else None,
            target_post_id=plan.target_post_id,
            suggested_by=start + dt.timedelta(days=STAGGER_DAYS * n),
            created_by_id=actor.id,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(item)
                db.session.flush()
        except sa.exc.IntegrityError:  # a concurrent click planned it first
            continue
        result.added.append(item)
    return result


def _courses_to_plan(
    person: Employee,
    course_ids: list[int],
    actor: Employee,
    now: dt.datetime,
    result: LearningPlanResult,
) -> list[Course]:
    """Enrol in each course not enrolled yet; an open enrolment is planned as it is, a
    completed course is left alone."""
    if not course_ids:
        return []
    courses = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Course)
            .where(Course.id.in_(course_ids))
            .options(joinedload(Course.current_version))
        )
    }
    enrolments = {
        e.course_id: e
        for e in db.session.scalars(
            sa.select(Enrolment).where(
                Enrolment.employee_id == person.id, Enrolment.course_id.in_(course_ids)
            )
        )
    }
    planned = []
    for course_id in course_ids:
        course = courses.get(course_id)
        if course is None:
            continue
        existing = enrolments.get(course_id)
        if existing is not None:
            if existing.completed_at is None:
                planned.append(course)
            continue
        try:
            with db.session.begin_nested():
                enrolment.enrol(
                    person, course, now=now, source=EnrolmentSource.ASSIGNMENT, actor=actor
                )
        except CatalogueError as error:
            result.skipped.append(f"{course_title(course)}: {error}")
            continue
        planned.append(course)
    return planned


def course_title(course: Course) -> str:
    version: CourseVersion | None = course.current_version
    return version.display_title(locale_code()) if version else course.slug


def _certifications_to_plan(
    person: Employee,
    certification_ids: list[int],
    actor: Employee,
    now: dt.datetime,
    result: LearningPlanResult,
) -> list[Certification]:
    """Assign each certification the person does not hold yet; one already assigned (in
    progress, or lapsed and to be renewed) is planned as it is."""
    if not certification_ids:
        return []
    certifications = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Certification).where(Certification.id.in_(certification_ids))
        )
    }
    held = set(
        db.session.scalars(
            sa.select(PersonCertification.certification_id).where(
                PersonCertification.employee_id == person.id,
                PersonCertification.certification_id.in_(certification_ids),
            )
        )
    )
    planned = []
    for certification_id in certification_ids:
        certification = certifications.get(certification_id)
        if certification is None:
            continue
        if certification_id not in held:
            if not certification.active:
                result.skipped.append(
                    _(
                        "%(title)s is no longer offered.",
                        title=certification.display_title(locale_code()),
                    )
                )
                continue
            certification_services.assign(
                certification, employee_ids=[person.id], actor=actor, now=now
            )
        planned.append(certification)
    return planned


# --- the plan's items as the page shows them ---------------------------------------------------


@dataclass
class ItemView:
    item: LearningPlanItem
    title: str
    status: str  # not_started, in_progress, completed


def item_views(plan: CareerPlan | None, person: Employee, today: dt.date) -> list[ItemView]:
    """The plan's items with the state of their enrolment or certification, set-wise."""
    if plan is None:
        return []
    lang = locale_code()
    items = list(
        db.session.scalars(
            sa.select(LearningPlanItem)
            .where(LearningPlanItem.plan_id == plan.id)
            .options(
                joinedload(LearningPlanItem.course).joinedload(Course.current_version),
                joinedload(LearningPlanItem.certification),
            )
            .order_by(LearningPlanItem.suggested_by, LearningPlanItem.id)
        )
    )
    course_ids = [i.course_id for i in items if i.course_id is not None]
    certification_ids = [i.certification_id for i in items if i.certification_id is not None]
    enrolments = {}
    if course_ids:
        enrolments = {
            e.course_id: e
            for e in db.session.scalars(
                sa.select(Enrolment).where(
                    Enrolment.employee_id == person.id, Enrolment.course_id.in_(course_ids)
                )
            )
        }
    holders, started = {}, set()
    if certification_ids:
        holders = {
            h.certification_id: h
            for h in db.session.scalars(
                sa.select(PersonCertification).where(
                    PersonCertification.employee_id == person.id,
                    PersonCertification.certification_id.in_(certification_ids),
                )
            )
        }
        started = set(
            db.session.scalars(
                sa.select(CertificationCourse.certification_id)
                .join(Enrolment, Enrolment.course_id == CertificationCourse.course_id)
                .where(
                    CertificationCourse.certification_id.in_(certification_ids),
                    CertificationCourse.role == CourseRole.INITIAL,
                    Enrolment.employee_id == person.id,
                    Enrolment.started_at.is_not(None),
                )
                .distinct()
            )
        )
    views = []
    for item in items:
        if item.course_id is not None:
            version = item.course.current_version
            title = version.display_title(lang) if version else item.course.slug
            mine = enrolments.get(item.course_id)
            status = _enrolment_status(mine)
        else:
            title = item.certification.display_title(lang)
            holder = holders.get(item.certification_id)
            status = _certification_status(holder, item.certification_id in started, today)
        views.append(ItemView(item, title, status))
    return views


def _enrolment_status(mine: Enrolment | None) -> str:
    if mine is None or (mine.started_at is None and mine.completed_at is None):
        return "not_started"
    return "completed" if mine.completed_at is not None else "in_progress"


def _certification_status(holder: PersonCertification | None, started: bool, today) -> str:
    if holder is None:
        return "not_started"
    state = holder.state(today, started=started)
    if state in ("certified", "due"):
        return "completed"
    return "in_progress" if started else "not_started"
