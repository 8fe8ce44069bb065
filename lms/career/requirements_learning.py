"""Learning requirements: a course completed, a certification held and valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from courses.models import Course, Enrolment, Lesson, LessonCompletion
from lms.career.models import RequirementKind, StepRequirement
from lms.career.readiness import Status
from lms.career.requirements_base import Context, Item, Kind, Results, among
from lms.certification.models import PersonCertification
from lms.extensions import db
from lms.i18n import locale_code

# The least progress shown for an enrolment not completed (one not started has no lessons
# done, yet being enrolled is a start).
ENROLLED_PROGRESS = 0.1


def course_title(course: Course | None, locale: str) -> str:
    """The course's current (published) title in ``locale``, else its slug."""
    if course is None:
        return "?"
    version = course.current_version
    return version.display_title(locale) if version is not None else course.slug


class CourseKind(Kind):
    """Met by a completed enrolment; an enrolment not completed is partly met, its progress
    the share of the required lessons done (at least ``ENROLLED_PROGRESS``). One statement:
    the enrolments with their lesson counts. Closes in about a month."""

    kind = RequirementKind.COURSE

    def label(self, requirement: StepRequirement) -> str:
        title = course_title(requirement.course, locale_code())
        return _("Course 《%(title)s》 completed", title=title)

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, day = ctx.words.gettext, ctx.words.day
        done = (
            sa.select(sa.func.count())
            .select_from(LessonCompletion)
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .where(LessonCompletion.enrolment_id == Enrolment.id, Lesson.required.is_(True))
            .scalar_subquery()
        )
        total = (
            sa.select(sa.func.count())
            .select_from(Lesson)
            .where(Lesson.version_id == Enrolment.version_id, Lesson.required.is_(True))
            .scalar_subquery()
        )
        rows = db.session.execute(
            sa.select(
                Enrolment.employee_id, Enrolment.course_id, Enrolment.completed_at, done, total
            ).where(
                Enrolment.course_id.in_({r.course_id for _p, r in items}),
                among(Enrolment.employee_id, (p for p, _r in items)),
            )
        )
        found = {(row[0], row[1]): row[2:] for row in rows}
        results: Results = {}
        for person_id, requirement in items:
            label = labels[requirement.id]
            state = found.get((person_id, requirement.course_id))
            if state is None:
                finding = self.finding(
                    requirement,
                    Status.NOT_MET,
                    label=label,
                    evidence=_("Not enrolled yet"),
                    months=1,
                )
            elif state[0] is not None:
                finding = self.finding(
                    requirement,
                    Status.MET,
                    label=label,
                    evidence=_("Completed on %(date)s", date=day(state[0])),
                )
            else:
                lessons_done, lessons = int(state[1] or 0), int(state[2] or 0)
                if lessons and lessons_done:
                    evidence = _(
                        "Enrolled: %(done)d of %(total)d lessons done",
                        done=lessons_done,
                        total=lessons,
                    )
                else:
                    evidence = _("Enrolled, not started yet")
                share = lessons_done / lessons if lessons else 0.0
                finding = self.finding(
                    requirement,
                    Status.PARTLY,
                    label=label,
                    evidence=evidence,
                    progress=max(share, ENROLLED_PROGRESS),
                    months=1,
                )
            results[(person_id, requirement.id)] = finding
        return results


class CertificationKind(Kind):
    """Met when the person is certified and the certification is valid today
    (``certified_on`` set and ``expires_on`` after today — the rule of
    ``lms.certification.prerequisites.valid_certification_ids``). Expired, even yesterday:
    not met, with the date. Assigned and not certified yet: partly met (0.5). One statement.
    Closes in about two months."""

    kind = RequirementKind.CERTIFICATION
    MONTHS = 2

    def label(self, requirement: StepRequirement) -> str:
        certification = requirement.certification
        title = certification.display_title(locale_code()) if certification else "?"
        return _("Certification 《%(title)s》 held and valid", title=title)

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, day = ctx.words.gettext, ctx.words.day
        pc = PersonCertification
        rows = db.session.execute(
            sa.select(pc.employee_id, pc.certification_id, pc.certified_on, pc.expires_on).where(
                pc.certification_id.in_({r.certification_id for _p, r in items}),
                among(pc.employee_id, (p for p, _r in items)),
            )
        )
        found = {(row[0], row[1]): (row[2], row[3]) for row in rows}
        results: Results = {}
        for person_id, requirement in items:
            label = labels[requirement.id]
            certified_on, expires_on = found.get(
                (person_id, requirement.certification_id), (None, None)
            )
            held = (person_id, requirement.certification_id) in found
            if certified_on is not None and expires_on is not None and expires_on > ctx.today:
                status, progress = Status.MET, 1.0
                last_day = expires_on - dt.timedelta(days=1)
                evidence = _("Valid until %(date)s", date=day(last_day))
            elif certified_on is not None and expires_on is not None:
                status, progress = Status.NOT_MET, 0.0
                evidence = _("Expired on %(date)s", date=day(expires_on))
            elif held:
                status, progress = Status.PARTLY, 0.5
                evidence = _("Assigned, not certified yet")
            else:
                status, progress = Status.NOT_MET, 0.0
                evidence = _("Not held")
            results[(person_id, requirement.id)] = self.finding(
                requirement,
                status,
                label=label,
                evidence=evidence,
                progress=progress,
                months=self.MONTHS,
            )
        return results
