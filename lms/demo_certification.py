"""The demo company's certifications: a quarterly product-knowledge refresher for the agents, an
annual compliance and privacy certification for everyone and a quarterly emotional-health
refresher for the after-sales and complaints teams, with months of history (deterministic).

Each holder's past is played forward with the certification's date maths and the engine's
rules (a window opens a renewal cycle and reopens the course, the finished run going to
history; an expiry lapses the cycle that granted it; a completion certifies the open cycle),
and written as the engine would have written it: the sweeps find nothing left to do today.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy as sa

from courses.models import Course, Enrolment, EnrolmentSource, LessonCompletion
from courses.queries import version_outline
from lms.certification import dates, services
from lms.certification.models import (
    DEFAULT_ESCALATION,
    Certification,
    CertificationCycle,
    CertificationRule,
    CycleCourse,
    CycleKind,
    EnrolmentHistory,
    LessonCompletionHistory,
    PersonCertification,
    Standing,
)
from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Post, Team

UTC = dt.UTC
PC, CYCLE, ENROLMENT = (m.__table__ for m in (PersonCertification, CertificationCycle, Enrolment))
DAY, HOUR, STEP = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=20)
AGENT_POSTS = ("客服专员", "高级客服专员")
CARE_TEAMS = ("售后一组", "售后二组", "投诉处理组")
LOGINS = ("admin", "hr", "lead", "mentor")  # certified, with history (mentor: see below)


@dataclass(frozen=True)
class Spec:
    slug: str
    title: str
    title_en: str
    description: str
    course: str
    months: int
    window: int
    base: str
    since: int  # introduced this many days before the demo's today
    forced: tuple[str, str]  # one veteran of this team ends in this state, whatever the date
    fixed: tuple[str, ...] = ()
    min_active: int = 0


PRODUCT = Spec(
    "product-knowledge-quarterly",
    "产品知识季度复训",
    "Quarterly product knowledge refresher",
    "每个季度上新后复训一次：新品要点、产品知识卡和常见故障排查。",
    "product-knowledge-seasonal-update",
    *(3, 30, "fixed", 280, ("售后一组", "expired"), ("01-01", "04-01", "07-01", "10-01"), 30),
)
COMPLIANCE = Spec(
    "compliance-privacy-annual",
    "合规与隐私年度认证",
    "Annual compliance and privacy certification",
    "七天无理由退货、消费者权益与个人信息保护；每年认证一次，按时续期从上次到期日顺延。",
    "seven-day-returns-and-consumer-rights",
    *(12, 30, "expiry", 800, ("售后二组", "expired")),
)
EMOTIONAL = Spec(
    "emotional-health-quarterly",
    "情绪健康季度复训",
    "Quarterly emotional health refresher",
    "高压情境下的情绪管理，每三个月复训一次，从完成之日起计算。",
    "emotional-resilience-under-pressure",
    *(3, 14, "completion", 230, ("投诉处理组", "due")),
)


# --- a holder's past, played forward ---------------------------------------------------------


@dataclass
class Cycle:
    number: int
    kind: CycleKind
    reason: str
    opened_at: dt.datetime
    due_on: dt.date | None
    completed_at: dt.datetime | None = None
    expires_on: dt.date | None = None
    lapsed_on: dt.date | None = None
    lesson_times: list[dt.datetime] = field(default_factory=list)

    def columns(self) -> dict:
        names = ("number", "kind", "reason", "opened_at", "due_on", "expires_on", "lapsed_on")
        done = self.completed_at.date() if self.completed_at else None
        return {name: getattr(self, name) for name in names} | {"completed_on": done}


@dataclass
class Plan:
    first: int | None  # days from assignment to the first completion; None: not yet
    renewals: list[int]  # each renewal, in days after its window opened; past the list: none
    progress: int = 0  # lessons done in the cycle still open


@dataclass
class Timeline:
    rules: dates.Rules
    now: dt.datetime
    due_on: dt.date
    status: Standing = Standing.ASSIGNED
    certified_on: dt.date | None = None
    expires_on: dt.date | None = None
    window_opens_on: dt.date | None = None
    cycles: list[Cycle] = field(default_factory=list)

    def state(self) -> str:
        today = self.now.date()
        if self.expires_on is not None and today >= self.expires_on:
            return "expired"
        if self.window_opens_on is not None and today >= self.window_opens_on:
            return "due"
        return "certified" if self.certified_on is not None else "assigned"

    def standing(self) -> dict:
        names = ("status", "due_on", "certified_on", "expires_on", "window_opens_on")
        return {name: getattr(self, name) for name in names} | {"cycle_number": len(self.cycles)}

    def completed(self) -> int:
        return sum(c.completed_at is not None for c in self.cycles)

    def advance(self, day: dt.date) -> None:
        """What the sweeps do up to and including ``day``: open the window, then expire."""
        if self.status == Standing.CERTIFIED and self.window_opens_on <= day:
            self.status = Standing.DUE
            opened = max(_tick(self.window_opens_on), self.cycles[-1].completed_at + STEP)
            number, opened = len(self.cycles) + 1, min(opened, self.now)
            self.cycles.append(Cycle(number, CycleKind.RENEWAL, "window", opened, self.expires_on))
        if self.status == Standing.DUE and self.expires_on <= day:
            self.status = Standing.EXPIRED
            self.cycles[-2].lapsed_on = self.expires_on

    def complete(self, at: dt.datetime, lessons: int) -> None:
        cycle = self.cycles[-1]
        renewal = cycle.kind == CycleKind.RENEWAL
        expires_on = dates.expiry_for(self.rules, at.date(), self.expires_on if renewal else None)
        cycle.completed_at, cycle.expires_on = at, expires_on
        cycle.lesson_times = [at - (lessons - 1 - k) * STEP for k in range(lessons)]
        self.status, self.certified_on, self.expires_on = Standing.CERTIFIED, at.date(), expires_on
        self.window_opens_on = max(dates.window_opens(self.rules, expires_on), at.date())


def _tick(day: dt.date) -> dt.datetime:
    """When the morning sweeps ran on ``day``."""
    return dt.datetime(day.year, day.month, day.day, 0, 10, tzinfo=UTC)


def _at(day: dt.date, seed: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 3 + seed % 6, seed * 13 % 60, tzinfo=UTC)


def simulate(rules, assigned_at, due_days: int, plan: Plan, now, *, lessons: int, seed: int):
    """A holder's history from ``assigned_at`` to ``now`` when they keep to ``plan``."""
    today = now.date()
    line = Timeline(rules, now, assigned_at.date() + due_days * DAY)
    line.cycles.append(Cycle(1, CycleKind.INITIAL, "assigned", assigned_at, line.due_on))
    day = None if plan.first is None else assigned_at.date() + plan.first * DAY
    renewals = iter(plan.renewals)
    while day is not None and day < today:
        line.advance(day)
        line.complete(max(_at(day, seed + day.day), line.cycles[-1].opened_at + 2 * HOUR), lessons)
        offset = next(renewals, None)
        day = None if offset is None else line.window_opens_on + offset * DAY
    line.advance(today)
    current = line.cycles[-1]
    start = current.opened_at.date() + (seed % 4) * DAY
    if current.completed_at is None and plan.progress and start < today:
        begin = max(_at(start, seed), current.opened_at + STEP)
        current.lesson_times = [begin + k * STEP for k in range(min(plan.progress, lessons - 1))]
    return line


def _habits(rng: random.Random, window_days: int) -> tuple[str, Plan]:
    """Most renew inside the window, some once too late, a few let it lapse; about half of
    those with a cycle open have made a start."""
    renewals = [rng.randint(0, max(0, window_days - 2)) for _ in range(12)]
    kind = rng.choices(("steady", "late", "lapsed"), weights=(84, 8, 8))[0]
    if kind == "late":
        renewals[rng.randrange(3)] = window_days + rng.randint(3, 25)
    progress = rng.randint(1, 4) if rng.random() < 0.5 else 0
    return kind, Plan(rng.randint(2, 24), renewals, progress)


def _lapsed(make, plan: Plan) -> Timeline:
    """The same habits, stopping early enough to have expired by today."""
    full = make(plan)
    for keep in range(full.completed() - 2, -1, -1):
        line = make(Plan(plan.first, plan.renewals[:keep], plan.progress))
        if line.state() == "expired":
            return line
    return full


def _wanted(make, plan: Plan, want) -> Timeline:
    """The first start (days after assignment) whose history ends as ``want`` asks."""
    for first in range(1, 400):
        line = make(Plan(first, plan.renewals, plan.progress))
        if want(line):
            return line
    return make(plan)


def _renewal_due(line: Timeline) -> bool:
    """Due, with two cycles behind, the window open for a week or so."""
    since = (line.now.date() - line.window_opens_on).days if line.window_opens_on else -1
    return line.state() == "due" and line.completed() >= 2 and 5 <= since <= 14


# --- loading ---------------------------------------------------------------------------------


def load_certification(now: dt.datetime, hr: Employee) -> None:
    """The three certifications, their rules and every holder's history (once)."""
    slugs = [spec.slug for spec in (PRODUCT, COMPLIANCE, EMOTIONAL)]
    if db.session.scalar(sa.select(Certification.id).where(Certification.slug.in_(slugs))):
        return
    posts = db.session.scalars(sa.select(Post.id).where(Post.title.in_(AGENT_POSTS))).all()
    teams = db.session.scalars(sa.select(Team.id).where(Team.name.in_(CARE_TEAMS))).all()
    for spec, rule_posts, who in (
        (PRODUCT, posts, Employee.post_id.in_(posts)),
        (COMPLIANCE, [None], sa.true()),  # a rule for everyone
        (EMOTIONAL, [], Employee.team_id.in_(teams)),  # assigned by HR
    ):
        introduced = now - spec.since * DAY
        course = db.session.scalar(sa.select(Course).where(Course.slug == spec.course))
        certification = services.save(
            services.CertificationData(
                slug=spec.slug,
                title=spec.title,
                title_en=spec.title_en,
                description=spec.description,
                active_months=spec.months,
                window_days=spec.window,
                expiry_base=spec.base,
                fixed_dates=list(spec.fixed),
                min_active_days=spec.min_active,
                escalation=[dict(step) for step in DEFAULT_ESCALATION],
                initial_course_ids=[course.id],
            ),
            certification=None,
            now=introduced,
        )
        rules = {
            post_id: CertificationRule(
                certification_id=certification.id,
                post_id=post_id,
                created_by_id=hr.id,
                created_at=introduced,
            )
            for post_id in rule_posts
        }
        db.session.add_all(rules.values())
        db.session.flush()
        people = db.session.scalars(
            sa.select(Employee)
            .where(Employee.status != EmployeeStatus.LEFT, who)
            .order_by(Employee.employee_no)
        ).all()
        holders = _histories(spec, certification, course, people, now)
        _write(certification, course, holders, hr, rules)
    db.session.expire_all()  # rows were written past the session's objects


def _histories(spec: Spec, certification: Certification, course: Course, people, now):
    rules = dates.Rules.of(certification)
    lessons = len(version_outline(course.current_version_id).lessons)
    rng = random.Random(spec.slug)  # noqa: S311 - demo data
    introduced = (now - spec.since * DAY).date()
    team, forced_state = spec.forced
    veterans = sorted(
        (p for p in people if p.team and p.team.name == team and p.hire_date < introduced),
        key=lambda p: (bool(p.username), p.post is None or p.post.title not in AGENT_POSTS),
    )
    forced = veterans[0].id if veterans and not veterans[0].username else None
    holders = []
    for person in people:
        kind, plan = _habits(rng, spec.window)
        assigned_at = min(_tick(max(introduced, person.hire_date)) + HOUR, now)

        def make(p: Plan, assigned_at=assigned_at, seed=person.id * 7 + spec.window) -> Timeline:
            days = certification.initial_due_days
            return simulate(rules, assigned_at, days, p, now, lessons=lessons, seed=seed)

        if person.username == "newhire":
            line = make(Plan(None, []))
        elif person.username == "mentor" and spec is COMPLIANCE:
            line = _wanted(make, Plan(1, [20] * 12), _renewal_due)  # the renew flow to show
        elif person.username in LOGINS:
            line = _wanted(make, plan, lambda t: t.state() == "certified" and t.completed() > 1)
        elif person.id == forced and forced_state == "due":
            line = _wanted(make, Plan(1, [spec.window - 1] * 12), _renewal_due)
        elif kind == "lapsed" or person.id == forced:
            line = _lapsed(make, plan)
        else:
            line = make(plan)
        holders.append((person, assigned_at, line))
    return holders


def _write(certification, course, holders, hr, rules: dict) -> None:
    """The holders, their cycles, the enrolment in the course, its history and what counted
    (a statement per table, whatever the number of holders)."""
    version_id = course.current_version_id
    lessons = [lesson.id for lesson in version_outline(version_id).lessons]
    standings = []
    for person, assigned_at, line in holders:
        rule = rules.get(person.post_id) or rules.get(None)
        standings.append(
            dict(employee_id=person.id, certification_id=certification.id, assigned_at=assigned_at)
            | dict(rule_id=rule.id if rule else None, assigned_by_id=None if rule else hr.id)
            | line.standing()
        )
    db.session.execute(sa.insert(PC), standings)
    mine = PC.c.certification_id == certification.id
    holder_ids = dict(db.session.execute(sa.select(PC.c.employee_id, PC.c.id).where(mine)).all())
    db.session.execute(
        sa.insert(CYCLE),
        [
            dict(holder_id=holder_ids[person.id]) | cycle.columns()
            for person, _at, line in holders
            for cycle in line.cycles
        ],
    )
    query = sa.select(CYCLE.c.holder_id, CYCLE.c.number, CYCLE.c.id).join(PC).where(mine)
    cycle_ids = {
        (holder, number): cycle_id for holder, number, cycle_id in db.session.execute(query)
    }
    enrolments = _enrolments(course, holders)
    done, counted, archived, archived_lessons, changes = [], [], [], [], []
    for person, assigned_at, line in holders:
        e_id, created_at, due_on = enrolments[person.id]
        renewals = [c for c in line.cycles if c.kind == CycleKind.RENEWAL]
        current = line.cycles[-1]
        times = current.lesson_times
        changes.append(
            dict(b_id=e_id, version_id=version_id, completed_at=current.completed_at)
            | dict(started_at=min(times, default=None), last_activity_at=max(times, default=None))
            | dict(
                created_at=min(created_at, assigned_at),
                reopened_at=renewals[-1].opened_at if renewals else None,
                due_on=renewals[-1].due_on if renewals else due_on,
            )
        )
        done += [
            dict(enrolment_id=e_id, lesson_id=i, completed_at=at)
            for i, at in zip(lessons, times, strict=False)
        ]
        base = dict(enrolment_id=e_id, course_id=course.id, version_id=version_id)
        for cycle in line.cycles:
            cycle_id = cycle_ids[holder_ids[person.id], cycle.number]
            key = dict(cycle_id=cycle_id, completed_at=cycle.completed_at)
            if cycle.completed_at is not None:
                counted.append(base | key | dict(attempt_ids=[]))
            if cycle.kind == CycleKind.RENEWAL:  # reopened: the run before went to history
                before = line.cycles[cycle.number - 2]
                run = dict(started_at=before.lesson_times[0], completed_at=before.completed_at)
                when = dict(employee_id=person.id, archived_at=cycle.opened_at)
                archived.append(base | run | when | dict(cycle_id=cycle_id))
                archived_lessons += [
                    dict(enrolment_id=e_id, cycle_id=cycle_id, lesson_id=i, completed_at=at)
                    for i, at in zip(lessons, before.lesson_times, strict=True)
                ]
    columns = {name: sa.bindparam(name) for name in changes[0] if name != "b_id"}
    db.session.execute(
        sa.update(ENROLMENT).where(ENROLMENT.c.id == sa.bindparam("b_id")).values(columns), changes
    )
    for model, values in (
        (LessonCompletion, done),
        (CycleCourse, counted),
        (EnrolmentHistory, archived),
        (LessonCompletionHistory, archived_lessons),
    ):
        if values:
            db.session.execute(sa.insert(model.__table__), values)


def _enrolments(course: Course, holders) -> dict[int, tuple[int, dt.datetime, dt.date | None]]:
    """Each holder's enrolment in the course (created when missing) as (id, created_at,
    due_on), its lesson completions cleared."""
    people = [person.id for person, _at, _line in holders]

    def existing():
        e = ENROLMENT.c
        query = sa.select(e.employee_id, e.id, e.created_at, e.due_on)
        query = query.where(e.course_id == course.id, e.employee_id.in_(people))
        return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}

    found = existing()
    missing = [
        dict(employee_id=person.id, course_id=course.id, due_on=line.due_on, created_at=at)
        | dict(source=EnrolmentSource.CERTIFICATION.value)
        for person, at, line in holders
        if person.id not in found
    ]
    if missing:
        db.session.execute(sa.insert(ENROLMENT), missing)
        found = existing()
    ids = [e_id for e_id, _created, _due in found.values()]
    db.session.execute(sa.delete(LessonCompletion).where(LessonCompletion.enrolment_id.in_(ids)))
    return found
