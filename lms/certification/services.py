"""HR's certification services: defining certifications, assignment by rules and by hand,
requiring recertification after a material course change, a learner's renewal, and what a
change would do before it is saved. Services flush, never commit; the caller commits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from courses.assignment import add_days, people_query
from courses.models import Course
from lms.certification import completion, cycles, dates, notices
from lms.certification.models import (
    ESCALATION_TARGETS,
    Certification,
    CertificationCourse,
    CertificationRule,
    CourseCertificationPrerequisite,
    CourseRole,
    ExpiryBase,
    PersonCertification,
    Standing,
)
from lms.certification.sweeps import announce_certified
from lms.extensions import db
from lms.organisation.models import Employee

PC = PersonCertification.__table__
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


class CertificationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CertificationData:
    slug: str
    title: str
    title_en: str | None = None
    description: str = ""
    active_months: int = 12
    window_days: int = 30
    expiry_base: str = "expiry"
    fixed_dates: list[str] = field(default_factory=list)
    min_active_days: int = 0
    initial_due_days: int = 30
    reminder_days: list[int] = field(default_factory=lambda: [-14, -7, -1, 1])
    escalation: list[dict] = field(default_factory=list)
    initial_course_ids: list[int] = field(default_factory=list)
    renewal_course_ids: list[int] = field(default_factory=list)
    gated_course_ids: list[int] = field(default_factory=list)  # courses requiring it
    active: bool = True


def validate(data: CertificationData, existing: Certification | None = None) -> None:
    """Refuses what cannot work, naming the field."""
    if not SLUG.match(data.slug or ""):
        raise CertificationError(
            _("Use 2–80 lower-case letters, digits and hyphens, starting with a letter or digit."),
            "slug",
        )
    clash = db.session.scalar(sa.select(Certification.id).where(Certification.slug == data.slug))
    if clash is not None and (existing is None or clash != existing.id):
        raise CertificationError(_("Another certification has this code."), "slug")
    if not (data.title or "").strip():
        raise CertificationError(_("Give the certification a title."), "title")
    checks = (
        ("active_months", 1, 120),
        ("window_days", 0, 365),
        ("min_active_days", 0, 730),
        ("initial_due_days", 0, 3650),
    )
    for name, low, high in checks:
        value = getattr(data, name)
        if value is None or not low <= value <= high:
            raise CertificationError(
                _("Enter a number from %(low)d to %(high)d.", low=low, high=high), name
            )
    if data.expiry_base not in {base.value for base in ExpiryBase}:
        raise CertificationError(_("Unknown expiry base."), "expiry_base")
    if data.expiry_base == ExpiryBase.FIXED:
        if not data.fixed_dates:
            raise CertificationError(
                _("Give the fixed dates, e.g. 01-01, 04-01, 07-01, 10-01."), "fixed_dates"
            )
        for text in data.fixed_dates:
            try:
                dates.parse_month_day(text)
            except ValueError:
                raise CertificationError(
                    _("“%(text)s” is not a date in the form MM-DD.", text=text), "fixed_dates"
                ) from None
    if data.window_days > data.active_months * 31:
        raise CertificationError(
            _("The window cannot be longer than the active period."), "window_days"
        )
    if any(not -365 <= d <= 365 for d in data.reminder_days):
        raise CertificationError(_("Reminders must lie within a year of expiry."), "reminder_days")
    for step in data.escalation:
        days = int(step.get("days", 0))
        if step.get("to") not in ESCALATION_TARGETS or not -365 <= days <= 365:
            raise CertificationError(
                _("Each escalation step needs a target and days."), "escalation"
            )
    if not data.initial_course_ids:
        raise CertificationError(_("Choose at least one course."), "initial_course_ids")
    wanted = {*data.initial_course_ids, *data.renewal_course_ids, *data.gated_course_ids}
    found = set(db.session.scalars(sa.select(Course.id).where(Course.id.in_(wanted))))
    if wanted - found:
        raise CertificationError(_("Unknown course."), "initial_course_ids")
    if set(data.gated_course_ids) & (set(data.initial_course_ids) | set(data.renewal_course_ids)):
        raise CertificationError(
            _("A course of the certification cannot also require it."), "gated_course_ids"
        )


def save(
    data: CertificationData, *, certification: Certification | None, now: dt.datetime
) -> Certification:
    """Create or update a certification. A new window length moves the window of everyone
    certified; a new period or base applies from the next completion on."""
    validate(data, certification)
    creating = certification is None
    if certification is None:
        certification = Certification(created_at=now)
        db.session.add(certification)
    window_changed = not creating and certification.window_days != data.window_days
    for name in (
        "slug",
        "title",
        "description",
        "active_months",
        "window_days",
        "min_active_days",
        "initial_due_days",
        "active",
    ):
        setattr(certification, name, getattr(data, name))
    certification.title = data.title.strip()
    certification.title_en = (data.title_en or "").strip() or None
    certification.expiry_base = ExpiryBase(data.expiry_base)
    certification.fixed_dates = sorted(set(data.fixed_dates))
    certification.reminder_days = sorted(set(data.reminder_days))
    certification.escalation = sorted(
        ({"to": s["to"], "days": int(s["days"])} for s in data.escalation),
        key=lambda s: s["days"],
    )
    certification.updated_at = now
    certification.courses = [
        CertificationCourse(course_id=cid, role=role, position=i)
        for role, ids in (
            (CourseRole.INITIAL, data.initial_course_ids),
            (CourseRole.RENEWAL, data.renewal_course_ids),
        )
        for i, cid in enumerate(dict.fromkeys(ids))
    ]
    db.session.flush()
    db.session.execute(
        sa.delete(CourseCertificationPrerequisite).where(
            CourseCertificationPrerequisite.certification_id == certification.id
        )
    )
    for course_id in dict.fromkeys(data.gated_course_ids):
        db.session.add(
            CourseCertificationPrerequisite(course_id=course_id, certification_id=certification.id)
        )
    if window_changed:
        db.session.execute(
            sa.update(PC)
            .where(
                PC.c.certification_id == certification.id,
                PC.c.status == Standing.CERTIFIED.value,
                PC.c.expires_on.is_not(None),
            )
            .values(window_opens_on=_window(data.window_days))
        )
    db.session.flush()
    return certification


def _window(window_days: int):
    """``expires_on - window_days``, never before the certification date (as ``certify``)."""
    opens = add_days(PC.c.expires_on, sa.literal(-int(window_days)))
    return sa.case((opens < PC.c.certified_on, PC.c.certified_on), else_=opens)


@dataclass(frozen=True)
class Effect:
    opens_today: int  # windows that a save would open today
    certified: int
    holders: int


def preview(certification: Certification | None, window_days: int, today: dt.date) -> Effect:
    """What saving a new window length would do today (one statement)."""
    if certification is None:
        return Effect(0, 0, 0)
    threshold = today + dt.timedelta(days=window_days)
    certified = PC.c.status == Standing.CERTIFIED.value
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(certified),
            sa.func.count().filter(
                certified, PC.c.expires_on <= threshold, PC.c.window_opens_on > today
            ),
        ).where(PC.c.certification_id == certification.id)
    ).one()
    return Effect(opens_today=row[2], certified=row[1], holders=row[0])


# --- assignment ------------------------------------------------------------------------------


def _new_holders_notice(certification: Certification, count: int, *, now: dt.datetime) -> None:
    if not count:
        return
    rows = db.session.execute(
        sa.select(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.due_on).where(
            PC.c.certification_id == certification.id,
            PC.c.status == Standing.ASSIGNED.value,
            PC.c.assigned_at == now,
        )
    ).all()
    notices.send("certification_assigned", certification, rows, step="assigned", now=now)
    done = completion.certify(certification, now=now, holder_ids=[row[0] for row in rows])
    announce_certified(certification, done, now)


def assign(
    certification: Certification,
    *,
    employee_ids: Sequence[int] | None = None,
    post_id: int | None = None,
    team_id: int | None = None,
    department_id: int | None = None,
    everyone: bool = False,
    actor: Employee | None,
    now: dt.datetime,
    rule_id: int | None = None,
) -> int:
    """Assign to people, a team, a post, a department or everyone (people who left are never
    assigned). Those who already completed the courses are certified at once."""
    if not (employee_ids or post_id or team_id or department_id or everyone):
        raise CertificationError(
            _("Choose who: people, a team, a post, a department or everyone."), "employees"
        )
    people = people_query(
        employee_ids=employee_ids, post_id=post_id, team_id=team_id, department_id=department_id
    )
    count = cycles.assign(
        certification, people, now=now, rule_id=rule_id, actor_id=actor.id if actor else None
    )
    _new_holders_notice(certification, count, now=now)
    return count


def add_rule(
    certification: Certification,
    *,
    post_id: int | None,
    team_id: int | None,
    department_id: int | None,
    everyone: bool,
    actor: Employee | None,
    now: dt.datetime,
) -> tuple[CertificationRule, int]:
    if not (post_id or team_id or department_id or everyone):
        raise CertificationError(_("Choose a post, a team, a department or everyone."), "post_id")
    rule = CertificationRule(
        certification_id=certification.id,
        post_id=post_id,
        team_id=team_id,
        department_id=department_id,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(rule)
    db.session.flush()
    return rule, apply_rule(rule, now=now)


def apply_rule(
    rule: CertificationRule, *, now: dt.datetime, employee_ids: Sequence[int] | None = None
) -> int:
    if not rule.active or not rule.certification.active:
        return 0
    return assign(
        rule.certification,
        employee_ids=employee_ids,
        post_id=rule.post_id,
        team_id=rule.team_id,
        department_id=rule.department_id,
        everyone=True,
        actor=None,
        now=now,
        rule_id=rule.id,
    )


def matching_count(
    certification: Certification, *, post_id=None, team_id=None, department_id=None
) -> int:
    """How many people a rule would newly assign (its preview)."""
    people = people_query(post_id=post_id, team_id=team_id, department_id=department_id)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(
            people.where(
                ~sa.exists().where(
                    PC.c.employee_id == Employee.id, PC.c.certification_id == certification.id
                )
            ).subquery()
        )
    )


def apply_rules_to(employee_ids: Iterable[int], *, now: dt.datetime) -> int:
    ids = list(employee_ids)
    if not ids:
        return 0
    rules = db.session.scalars(
        sa.select(CertificationRule)
        .where(CertificationRule.active.is_(True))
        .order_by(CertificationRule.id)
    ).all()
    return sum(apply_rule(rule, now=now, employee_ids=ids) for rule in rules)


def delete_rule(rule: CertificationRule) -> None:
    """Stop assigning by this rule (those assigned keep their certification)."""
    rule.active = False
    db.session.flush()
