"""Read-only queries of the certification pages. Each runs a fixed number of statements
whatever the number of certifications, holders, cycles or courses.

States are derived from the dates (``PersonCertification.state``), here also in SQL
(``state_expression``) so lists can be filtered and counted by what pages show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from courses.models import Course, CourseStatus, CourseVersion, Enrolment
from courses.queries import Progress, progress_for
from lms.certification.models import (
    Certification,
    CertificationCourse,
    CertificationCycle,
    CertificationRule,
    CourseCertificationPrerequisite,
    CourseRole,
    CycleCourse,
    CycleKind,
    EnrolmentHistory,
    PersonCertification,
)
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus

PC = PersonCertification
URGENCY = {"expired": 0, "due": 1, "assigned": 2, "in_progress": 2, "certified": 3}
HOLDER_SORTS = ("expiry", "name", "state")


# --- derived states in SQL ---------------------------------------------------------------------


def _started():
    """The holder has started one of the certification's initial courses."""
    initial = sa.select(CertificationCourse.course_id).where(
        CertificationCourse.certification_id == PC.certification_id,
        CertificationCourse.role == CourseRole.INITIAL,
    )
    return sa.exists().where(
        Enrolment.employee_id == PC.employee_id,
        Enrolment.course_id.in_(initial),
        Enrolment.started_at.is_not(None),
    )


def state_expression(today: dt.date):
    """``PersonCertification.state`` in SQL."""
    return sa.case(
        (sa.and_(PC.expires_on.is_not(None), PC.expires_on <= today), "expired"),
        (sa.and_(PC.window_opens_on.is_not(None), PC.window_opens_on <= today), "due"),
        (PC.certified_on.is_not(None), "certified"),
        (_started(), "in_progress"),
        else_="assigned",
    )


# --- the learner -------------------------------------------------------------------------------


@dataclass
class CurrentCourse:
    course: Course
    enrolment: Enrolment | None
    progress: Progress | None

    def title(self, lang: str) -> str:
        version = self.enrolment.version if self.enrolment else None
        version = version or self.course.current_version
        return version.display_title(lang) if version else self.course.slug


@dataclass
class HolderView:
    """A holder with its derived state and the courses of its current cycle."""

    holder: PersonCertification
    cycle: CertificationCycle | None
    state: str
    courses: list[CurrentCourse] = field(default_factory=list)

    @property
    def renewable(self) -> bool:
        return self.state in ("due", "expired")


def _cycle_role(holder: PersonCertification, cycle: CertificationCycle | None) -> CourseRole:
    if cycle is not None:
        return CourseRole.INITIAL if cycle.kind == CycleKind.INITIAL else CourseRole.RENEWAL
    return CourseRole.INITIAL if holder.certified_on is None else CourseRole.RENEWAL


def _views(
    employee_id: int,
    pairs: Iterable[tuple[PersonCertification, CertificationCycle | None]],
    today: dt.date,
) -> list[HolderView]:
    """Derived states and current courses with progress (three statements at most)."""
    pairs = list(pairs)
    wanted = {
        holder.id: holder.certification.course_ids(_cycle_role(holder, cycle))
        for holder, cycle in pairs
    }
    course_ids = {cid for ids in wanted.values() for cid in ids}
    enrolments = (
        {
            e.course_id: e
            for e in db.session.scalars(
                sa.select(Enrolment)
                .where(Enrolment.employee_id == employee_id, Enrolment.course_id.in_(course_ids))
                .options(joinedload(Enrolment.version))
            )
        }
        if course_ids
        else {}
    )
    progress = progress_for(list(enrolments.values()))
    views = []
    for holder, cycle in pairs:
        courses = {link.course_id: link.course for link in holder.certification.courses}
        current = []
        for course_id in wanted[holder.id]:
            enrolment = enrolments.get(course_id)
            current.append(
                CurrentCourse(
                    courses[course_id], enrolment, progress.get(enrolment.id) if enrolment else None
                )
            )
        started = any(c.enrolment is not None and c.enrolment.started_at for c in current)
        views.append(HolderView(holder, cycle, holder.state(today, started=started), current))
    return views


def _with_certification():
    return (
        joinedload(PC.certification)
        .selectinload(Certification.courses)
        .options(joinedload(CertificationCourse.course).joinedload(Course.current_version))
    )


def _current_cycle():
    return sa.and_(
        CertificationCycle.holder_id == PC.id, CertificationCycle.number == PC.cycle_number
    )


def certifications_of(person: Employee, today: dt.date) -> list[HolderView]:
    """Everything a person must hold, the most urgent first."""
    pairs = db.session.execute(
        sa.select(PC, CertificationCycle)
        .outerjoin(CertificationCycle, _current_cycle())
        .where(PC.employee_id == person.id)
        .options(_with_certification())
    ).all()
    views = _views(person.id, [(h, c) for h, c in pairs], today)
    far = dt.date.max
    return sorted(
        views,
        key=lambda v: (URGENCY[v.state], v.holder.expires_on or far, v.holder.certification.title),
    )


def holder(holder_id: int) -> PersonCertification | None:
    """A holder with the person, their team and the certification's courses."""
    return db.session.scalar(
        sa.select(PC)
        .where(PC.id == holder_id)
        .options(joinedload(PC.employee).joinedload(Employee.team), _with_certification())
    )


@dataclass
class History:
    view: HolderView
    cycles: list[CertificationCycle]  # latest first, courses loaded
    archived: dict[int, list[EnrolmentHistory]]  # cycle id → enrolments it archived


def history_of(holder: PersonCertification, today: dt.date) -> History:
    """Every cycle of a holder with what counted, and the archived enrolments."""
    cycles = list(
        db.session.scalars(
            sa.select(CertificationCycle)
            .where(CertificationCycle.holder_id == holder.id)
            .order_by(CertificationCycle.number.desc())
            .options(
                selectinload(CertificationCycle.courses).options(
                    joinedload(CycleCourse.course).joinedload(Course.current_version),
                    joinedload(CycleCourse.version),
                )
            )
        )
    )
    archived: dict[int, list[EnrolmentHistory]] = {}
    cycle_ids = [c.id for c in cycles]
    if cycle_ids:
        for row in db.session.scalars(
            sa.select(EnrolmentHistory)
            .where(EnrolmentHistory.cycle_id.in_(cycle_ids))
            .order_by(EnrolmentHistory.archived_at, EnrolmentHistory.id)
            .options(
                joinedload(EnrolmentHistory.course).joinedload(Course.current_version),
                joinedload(EnrolmentHistory.version),
            )
        ):
            archived.setdefault(row.cycle_id, []).append(row)
    current = next((c for c in cycles if c.number == holder.cycle_number), None)
    (view,) = _views(holder.employee_id, [(holder, current)], today)
    return History(view, cycles, archived)


# --- HR --------------------------------------------------------------------------------------


def certification(certification_id: int) -> Certification | None:
    """A certification with its courses and their current versions."""
    return db.session.scalar(
        sa.select(Certification)
        .where(Certification.id == certification_id)
        .options(
            selectinload(Certification.courses).options(
                joinedload(CertificationCourse.course).joinedload(Course.current_version)
            )
        )
    )


def certification_list() -> list[Certification]:
    return list(
        db.session.scalars(
            sa.select(Certification)
            .options(selectinload(Certification.courses))
            .order_by(Certification.active.desc(), Certification.title, Certification.id)
        )
    )


def state_counts(today: dt.date, certification_id: int | None = None) -> dict[int, dict[str, int]]:
    """Certification id → derived state → holders (still employed), in one statement."""
    derived = (
        sa.select(PC.certification_id, state_expression(today).label("state"))
        .join(Employee, Employee.id == PC.employee_id)
        .where(Employee.status != EmployeeStatus.LEFT)
    )
    if certification_id is not None:
        derived = derived.where(PC.certification_id == certification_id)
    derived = derived.subquery()
    counts: dict[int, dict[str, int]] = {}
    for certification_id, state, count in db.session.execute(
        sa.select(derived.c.certification_id, derived.c.state, sa.func.count()).group_by(
            derived.c.certification_id, derived.c.state
        )
    ):
        counts.setdefault(certification_id, {})[state] = count
    return counts


def holders_query(
    certification: Certification, *, state: str | None, sort: str, descending: bool, today
) -> sa.Select:
    """The holders of a certification still employed, with person and team loaded."""
    query = (
        sa.select(PC)
        .join(Employee, Employee.id == PC.employee_id)
        .where(PC.certification_id == certification.id, Employee.status != EmployeeStatus.LEFT)
        .options(contains_eager(PC.employee).joinedload(Employee.team))
    )
    if state:
        query = query.where(state_expression(today) == state)
    direction = sa.desc if descending else sa.asc
    if sort == "name":
        order = (direction(Employee.name), direction(Employee.employee_no))
    elif sort == "state":
        rank = sa.case(URGENCY, value=state_expression(today), else_=9)
        order = (direction(rank), PC.expires_on.is_(None), PC.expires_on)
    else:
        order = (PC.expires_on.is_(None), direction(PC.expires_on), Employee.name)
    return query.order_by(*order, PC.id)


def states_of(holders: list[PersonCertification], today: dt.date) -> dict[int, str]:
    """Holder id → derived state, for one page of holders (one statement)."""
    if not holders:
        return {}
    return dict(
        db.session.execute(
            sa.select(PC.id, state_expression(today)).where(PC.id.in_([h.id for h in holders]))
        ).all()
    )


def rules_of(certification: Certification) -> list[CertificationRule]:
    return list(
        db.session.scalars(
            sa.select(CertificationRule)
            .where(
                CertificationRule.certification_id == certification.id,
                CertificationRule.active.is_(True),
            )
            .order_by(CertificationRule.created_at, CertificationRule.id)
            .options(
                joinedload(CertificationRule.post),
                joinedload(CertificationRule.team),
                joinedload(CertificationRule.department),
            )
        )
    )


def assigned_by_rule(certification: Certification) -> dict[int, int]:
    """Rule id → holders it assigned."""
    return dict(
        db.session.execute(
            sa.select(PC.rule_id, sa.func.count())
            .where(PC.certification_id == certification.id, PC.rule_id.is_not(None))
            .group_by(PC.rule_id)
        ).all()
    )


def gated_course_ids(certification: Certification | None) -> list[int]:
    if certification is None:
        return []
    return list(
        db.session.scalars(
            sa.select(CourseCertificationPrerequisite.course_id).where(
                CourseCertificationPrerequisite.certification_id == certification.id
            )
        )
    )


def course_choices(lang: str, include_ids: Iterable[int] = ()) -> list[tuple[int, str]]:
    """Published courses, and any others already chosen, as (id, "title (slug)")."""
    include = list(include_ids)
    condition = Course.status == CourseStatus.PUBLISHED
    if include:
        condition = sa.or_(condition, Course.id.in_(include))
    rows = db.session.execute(
        sa.select(Course.id, Course.slug, CourseVersion)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(condition)
    ).all()
    labelled = [
        (course_id, f"{version.display_title(lang) if version else slug} ({slug})")
        for course_id, slug, version in rows
    ]
    return sorted(labelled, key=lambda pair: pair[1])
