"""Readiness for a step: every requirement of the step evaluated for many people at once.

Interface (shared by the screens, the API, succession and the learning plan):

- ``evaluate(pairs, today) -> dict[(employee_id, step_id), Readiness]`` — set-wise: a bounded
  number of statements whatever the number of pairs (one per requirement kind present, plus
  the steps).
- ``for_person(person, target_post_id, today) -> Readiness | None`` — the step from the
  person's current post to the target, or None when no such step exists.
- ``reachable_steps(post_id) -> list[CareerStep]`` — the steps out of a post (promotion,
  branch, lateral), ordered.
- ``for_people(employees, today) -> dict[employee_id, Readiness | None]`` — each person's
  readiness for their career plan's target (when a step leads there from their post), else
  for the first promotion step out of their post; None without such a step. Set-wise.
- ``resolve(person, target, today) -> Readiness`` — for the API and the CLI: ``target`` a post
  id or exact title (Chinese or English), or None for the default above; raises
  ``TargetError`` with a clear message otherwise.
- Findings carry ``label`` and ``evidence`` already translated in the current locale (wrap
  calls in ``flask_babel.force_locale`` for another language).

Statements: ``evaluate`` sends the steps, their requirements (with the courses,
certifications and metrics they name), the people, then one or two per requirement kind
present — the same count for 5 people or 10,000.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from lms.career.models import CareerPlan, CareerStep, RequirementKind, StepKind
from lms.extensions import db
from lms.i18n import locale_code
from lms.organisation.models import Employee, Post, Team


class Status(enum.StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class Horizon(enum.StrEnum):
    NOW = "now"  # every requirement met
    YEAR = "year"  # the gaps can close within 12 months
    LATER = "later"


@dataclass(frozen=True)
class Finding:
    requirement_id: int
    kind: RequirementKind
    status: Status
    progress: float  # 0.0–1.0; 1.0 exactly when met
    label: str  # what is required, e.g. "Course 《投诉处理》 completed"
    evidence: str  # what the data shows, e.g. "CSAT 3-month average 89.5 %, needs 92 %"
    months_to_close: int  # an estimate, 0 when met
    course_id: int | None = None  # for the learning plan
    certification_id: int | None = None


@dataclass
class Readiness:
    employee_id: int
    step_id: int
    to_post_id: int
    findings: list[Finding] = field(default_factory=list)
    employee_no: str | None = None
    from_post_id: int | None = None
    step_kind: StepKind | None = None
    to_post_name: str | None = None  # in the locale of the evaluation

    @property
    def percent(self) -> int:
        """The mean progress over the requirements, 100 for a step with none."""
        if not self.findings:
            return 100
        return int(round(100 * sum(f.progress for f in self.findings) / len(self.findings)))

    @property
    def ready(self) -> bool:
        return all(f.status == Status.MET for f in self.findings)

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if f.status != Status.MET]

    @property
    def months_to_ready(self) -> int:
        """The longest of the gaps' estimates: gaps close side by side, not one after
        another."""
        return max((f.months_to_close for f in self.gaps), default=0)

    @property
    def horizon(self) -> Horizon:
        if self.ready:
            return Horizon.NOW
        return Horizon.YEAR if self.months_to_ready < 12 else Horizon.LATER

    def as_json(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "employee_no": self.employee_no,
            "step_id": self.step_id,
            "step_kind": str(self.step_kind) if self.step_kind else None,
            "from_post_id": self.from_post_id,
            "to_post_id": self.to_post_id,
            "to_post": self.to_post_name,
            "percent": self.percent,
            "ready": self.ready,
            "horizon": str(self.horizon),
            "months_to_ready": self.months_to_ready,
            "findings": [
                {
                    "requirement_id": f.requirement_id,
                    "kind": str(f.kind),
                    "status": str(f.status),
                    "progress": round(f.progress, 3),
                    "label": f.label,
                    "evidence": f.evidence,
                    "months_to_close": f.months_to_close,
                    "course_id": f.course_id,
                    "certification_id": f.certification_id,
                }
                for f in self.findings
            ],
        }


class TargetError(Exception):
    """No readiness to show: ``status`` 404 (no such post) or 422 (no step leads there)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# --- loading ---------------------------------------------------------------------------


def _steps(step_ids: Iterable[int]) -> dict[int, CareerStep]:
    from lms.career import requirements

    wanted = sorted(set(step_ids))
    if not wanted:
        return {}
    steps = db.session.scalars(
        sa.select(CareerStep)
        .where(CareerStep.id.in_(wanted))
        .options(
            joinedload(CareerStep.to_post),
            selectinload(CareerStep.requirements).options(*requirements.target_options()),
        )
        .execution_options(populate_existing=True)  # requirements added since are seen
    ).unique()
    return {step.id: step for step in steps}


def _people(person_ids: Iterable[int]):
    from lms.career.requirements_base import Person, among

    wanted = set(person_ids)
    rows = db.session.execute(
        sa.select(
            Employee.id,
            Employee.employee_no,
            Employee.name,
            Employee.post_id,
            Employee.hire_date,
            Employee.supervisor_id,
            Team.lead_id,
        )
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(among(Employee.id, wanted))
    )
    return {row[0]: Person(*row) for row in rows if row[0] in wanted}


def _order():
    """Promotion first, then branch, then lateral; then the step's position."""
    rank = sa.case(
        (CareerStep.kind == StepKind.PROMOTION, 0),
        (CareerStep.kind == StepKind.BRANCH, 1),
        else_=2,
    )
    return (rank, CareerStep.position, CareerStep.id)


# --- the engine ------------------------------------------------------------------------


def evaluate(pairs, today: dt.date) -> dict[tuple[int, int], Readiness]:
    """Readiness of each (employee_id, step_id) pair; pairs naming no person or no step are
    left out. A bounded number of statements whatever the number of pairs."""
    from lms.career import requirements
    from lms.career.requirements_base import Context

    wanted = list(dict.fromkeys((int(person), int(step)) for person, step in pairs))
    if not wanted:
        return {}
    steps = _steps(step for _p, step in wanted)
    people = _people(person for person, _s in wanted)
    wanted = [(p, s) for p, s in wanted if p in people and s in steps]
    items = [(p, r) for p, s in wanted for r in steps[s].requirements]
    findings = requirements.evaluate(items, Context(today=today, people=people))
    locale = locale_code()
    result = {}
    for person_id, step_id in wanted:
        step = steps[step_id]
        result[(person_id, step_id)] = Readiness(
            employee_id=person_id,
            step_id=step_id,
            to_post_id=step.to_post_id,
            findings=[findings[(person_id, r.id)] for r in step.requirements],
            employee_no=people[person_id].employee_no,
            from_post_id=step.from_post_id,
            step_kind=step.kind,
            to_post_name=step.to_post.display_name(locale),
        )
    return result


def step_between(from_post_id: int | None, to_post_id: int | None) -> CareerStep | None:
    if from_post_id is None or to_post_id is None:
        return None
    return db.session.scalar(
        sa.select(CareerStep).where(
            CareerStep.from_post_id == from_post_id, CareerStep.to_post_id == to_post_id
        )
    )


def for_person(person, target_post_id: int, today: dt.date) -> Readiness | None:
    """The person's readiness for the step from their current post to the target."""
    step = step_between(person.post_id, target_post_id)
    if step is None:
        return None
    return evaluate([(person.id, step.id)], today).get((person.id, step.id))


def reachable_steps(post_id: int | None) -> list:
    """The steps out of a post: promotion, then branch, then lateral, each by position; with
    the ladder, the posts and the requirements loaded."""
    from lms.career import requirements

    if post_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(CareerStep)
            .where(CareerStep.from_post_id == post_id)
            .options(
                joinedload(CareerStep.ladder),
                joinedload(CareerStep.from_post),
                joinedload(CareerStep.to_post),
                selectinload(CareerStep.requirements).options(*requirements.target_options()),
            )
            .order_by(*_order())
        ).unique()
    )


def default_steps(employees) -> dict[int, int | None]:
    """For each person (anything with ``id`` and ``post_id``), the step their readiness is
    shown for: the one from their post to their career plan's target, else the first
    promotion step out of their post, else None. Two statements."""
    from lms.career.requirements_base import among

    people = list(employees)
    ids = {p.id for p in people}
    posts = {p.post_id for p in people if p.post_id is not None}
    if not posts:
        return {p.id: None for p in people}
    plans = dict(
        db.session.execute(
            sa.select(CareerPlan.employee_id, CareerPlan.target_post_id).where(
                CareerPlan.target_post_id.is_not(None), among(CareerPlan.employee_id, ids)
            )
        ).all()
    )
    steps = db.session.execute(
        sa.select(CareerStep.id, CareerStep.from_post_id, CareerStep.to_post_id, CareerStep.kind)
        .where(CareerStep.from_post_id.in_(posts))
        .order_by(*_order())
    ).all()
    between, first = {}, {}
    for step_id, from_id, to_id, kind in steps:
        between[(from_id, to_id)] = step_id
        if kind == StepKind.PROMOTION:
            first.setdefault(from_id, step_id)
    return {p.id: between.get((p.post_id, plans.get(p.id))) or first.get(p.post_id) for p in people}


def for_people(employees, today: dt.date) -> dict[int, Readiness | None]:
    """Each person's readiness for their default step (see ``default_steps``), set-wise;
    None for a person without one."""
    chosen = default_steps(employees)
    found = evaluate([(p, s) for p, s in chosen.items() if s is not None], today)
    return {p: found.get((p, s)) if s is not None else None for p, s in chosen.items()}


def find_post(text: str | int | None) -> Post | None:
    """A post by id, else by its exact title (Chinese or English)."""
    if text is None or str(text).strip() == "":
        return None
    text = str(text).strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found = db.session.get(Post, int(text))
        if found is not None:
            return found
    return db.session.scalar(
        sa.select(Post).where(sa.or_(Post.title == text, Post.title_en == text)).limit(1)
    )


def resolve(person: Employee, target: str | int | None, today: dt.date) -> Readiness:
    """The person's readiness for ``target`` (a post id or exact title), or for their default
    step when ``target`` is None or empty. Raises ``TargetError``."""
    locale = locale_code()
    here = person.post
    if target is not None and str(target).strip():
        post = find_post(target)
        if post is None:
            raise TargetError(404, _("No post has the id or title %(v)s.", v=str(target)[:100]))
        if here is None:
            raise TargetError(
                422, _("%(name)s has no post, so no career step starts there.", name=person.name)
            )
        step = step_between(here.id, post.id)
        if step is None:
            raise TargetError(
                422,
                _(
                    "No career step leads from %(from)s to %(to)s.",
                    **{"from": here.display_name(locale), "to": post.display_name(locale)},
                ),
            )
        step_id = step.id
    else:
        if here is None:
            raise TargetError(
                422, _("%(name)s has no post, so no career step starts there.", name=person.name)
            )
        step_id = default_steps([person])[person.id]
        if step_id is None:
            raise TargetError(
                422,
                _(
                    "No promotion step leads out of %(post)s; name a target post.",
                    post=here.display_name(locale),
                ),
            )
    return evaluate([(person.id, step_id)], today)[(person.id, step_id)]
