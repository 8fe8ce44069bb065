"""Promotions: a team lead (or HR) proposes moving a person along a step out of their current
post, with a rationale and a snapshot of their readiness; HR approves with an effective date
or rejects with a note; the proposer may withdraw. Approval moves the person to the new post
and records the post change in the same transaction. The system never promotes by itself.

A person has at most one open proposal (a partial unique index); a decision is a guarded
UPDATE on ``status = 'proposed'``, so two HR deciding at once decide once. Services flush,
never commit; a refusal is a ``PromotionError`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.career import readiness
from lms.career.models import CareerPlan, CareerStep, Promotion, PromotionStatus
from lms.extensions import db
from lms.notifications import MESSAGES, notify, notify_many
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus, PostChange

MESSAGES.update(
    {
        "promotion_proposed": _l("%(proposer)s proposes to promote %(person)s to %(post)s."),
        "promotion_approved": _l("Congratulations! You are promoted to %(post)s from %(date)s."),
        "promotion_proposal_approved": _l(
            "HR approved your proposal: %(person)s becomes %(post)s from %(date)s."
        ),
        "promotion_proposal_rejected": _l(
            "HR declined your proposal to promote %(person)s to %(post)s: %(note)s"
        ),
    }
)

RATIONALE_MAX = 5000
NOTE_MAX = 2000


class PromotionError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def can_propose(actor: Employee, person: Employee) -> bool:
    """HR, or the person's supervisor or team lead; never for oneself."""
    return actor.id != person.id and person.is_visible_to(actor)


def open_proposal(employee_id: int) -> Promotion | None:
    return db.session.scalar(
        sa.select(Promotion).where(
            Promotion.employee_id == employee_id, Promotion.status == PromotionStatus.PROPOSED
        )
    )


def _already_open(person: Employee) -> PromotionError:
    return PromotionError(
        _(
            "%(name)s already has an open promotion proposal; HR decides it first.",
            name=person.name,
        ),
        "step",
    )


def propose(
    person: Employee,
    step: CareerStep | None,
    *,
    rationale: str,
    actor: Employee,
    today: dt.date,
    now: dt.datetime,
) -> Promotion:
    if not can_propose(actor, person):
        raise PromotionError(_("You may not propose a promotion for this person."))
    if person.status == EmployeeStatus.LEFT:
        raise PromotionError(_("%(name)s has left.", name=person.name))
    if step is None or person.post_id is None or step.from_post_id != person.post_id:
        raise PromotionError(_("Choose a step out of the person's current post."), "step")
    rationale = (rationale or "").strip()
    if not rationale:
        raise PromotionError(_("Say why this person is ready."), "rationale")
    if open_proposal(person.id) is not None:
        raise _already_open(person)
    found = readiness.for_person(person, step.to_post_id, today)
    promotion = Promotion(
        employee_id=person.id,
        step_id=step.id,
        from_post_id=person.post_id,
        to_post_id=step.to_post_id,
        rationale=rationale[:RATIONALE_MAX],
        readiness=found.as_json() if found is not None else None,
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    try:
        with db.session.begin_nested():  # a savepoint: only the insert is undone on a clash
            db.session.add(promotion)
            db.session.flush()
    except IntegrityError:
        raise _already_open(person) from None
    _tell_hr(promotion, person, step, actor, now)
    return promotion


def _tell_hr(
    promotion: Promotion, person: Employee, step: CareerStep, actor: Employee, now: dt.datetime
) -> None:
    hr_ids = db.session.scalars(
        sa.select(Employee.id)
        .join(EmployeeRole, EmployeeRole.employee_id == Employee.id)
        .where(
            EmployeeRole.role == "hr",
            Employee.status != EmployeeStatus.LEFT,
            Employee.id != actor.id,
            Employee.id != person.id,
        )
    ).all()
    params = {"proposer": actor.name, "person": person.name, "post": step.to_post.title}
    key = f"promotion:{promotion.id}:proposed"
    notify_many("promotion_proposed", [(i, params, key) for i in hr_ids], now=now)


def _decide(promotion: Promotion, status: PromotionStatus, **values) -> None:
    """The guarded transition out of ``proposed``: only one decision ever lands."""
    result = db.session.execute(
        sa.update(Promotion)
        .where(Promotion.id == promotion.id, Promotion.status == PromotionStatus.PROPOSED)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(promotion)
        raise PromotionError(_("This proposal has already been decided or withdrawn."))
    db.session.refresh(promotion)


def withdraw(promotion: Promotion, *, actor: Employee, now: dt.datetime) -> None:
    if promotion.proposed_by_id != actor.id:
        raise PromotionError(_("Only the person who proposed it may withdraw it."))
    _decide(promotion, PromotionStatus.WITHDRAWN, decided_by_id=actor.id, decided_at=now)


def _moment(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When a post change dated ``day`` happened: now if today, else early that day."""
    if day == now.date():
        return now
    return dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)


def _check_effective(person: Employee, effective_on: dt.date | None, today: dt.date) -> None:
    if effective_on is None:
        raise PromotionError(_("Give the date the promotion takes effect."), "effective_on")
    if effective_on > today:
        raise PromotionError(
            _("The effective date cannot be in the future: approve on or after that day."),
            "effective_on",
        )
    last = db.session.scalar(
        sa.select(sa.func.max(PostChange.changed_at)).where(PostChange.employee_id == person.id)
    )
    earliest = max(person.hire_date, last.date() if last else person.hire_date)
    if effective_on < earliest:
        raise PromotionError(
            _(
                "The effective date cannot be before %(date)s (hire date or last post change).",
                date=earliest.isoformat(),
            ),
            "effective_on",
        )


def approve(
    promotion: Promotion,
    *,
    actor: Employee,
    effective_on: dt.date | None,
    note: str | None = None,
    today: dt.date,
    now: dt.datetime,
) -> PostChange:
    """Approve: the person moves to the new post from ``effective_on``, the post change is
    recorded and linked, and a career plan aiming at that post has reached its target."""
    person = db.session.get(Employee, promotion.employee_id)
    if person is None or person.id == actor.id:
        raise PromotionError(_("Nobody may approve their own promotion."))
    if promotion.proposed_by_id == actor.id:
        raise PromotionError(_("Another HR person approves a proposal you made yourself."))
    _check_effective(person, effective_on, today)
    with db.session.begin_nested():  # a refusal below leaves the proposal open
        _decide(
            promotion,
            PromotionStatus.APPROVED,
            decided_by_id=actor.id,
            decided_at=now,
            effective_on=effective_on,
            decision_note=(note or "").strip()[:NOTE_MAX] or None,
        )
        db.session.refresh(person)
        if person.status == EmployeeStatus.LEFT:
            raise PromotionError(_("%(name)s has left.", name=person.name))
        if person.post_id != promotion.from_post_id:
            raise PromotionError(
                _(
                    "%(name)s's post has changed since the proposal: reject it and propose again.",
                    name=person.name,
                )
            )
        change = PostChange(
            employee_id=person.id,
            from_post_id=person.post_id,
            to_post_id=promotion.to_post_id,
            changed_at=_moment(effective_on, now),
            changed_by_id=actor.id,
            source="promotion",
        )
        db.session.add(change)
        person.post_id = promotion.to_post_id
        db.session.flush()
        promotion.post_change_id = change.id
        db.session.execute(
            sa.update(CareerPlan)
            .where(
                CareerPlan.employee_id == person.id,
                CareerPlan.target_post_id == promotion.to_post_id,
            )
            .values(target_post_id=None, updated_by_id=actor.id, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        db.session.flush()
    params = {
        "person": person.name,
        "post": promotion.to_post.title,
        "date": effective_on.isoformat(),
    }
    key = f"promotion:{promotion.id}:approved"
    notify(person, "promotion_approved", now=now, params=params, key=key)
    if promotion.proposed_by is not None and promotion.proposed_by_id != person.id:
        notify(
            promotion.proposed_by, "promotion_proposal_approved", now=now, params=params, key=key
        )
    return change


def reject(promotion: Promotion, *, actor: Employee, note: str, now: dt.datetime) -> None:
    """Reject with a note for the proposer; the person may be proposed again."""
    note = (note or "").strip()
    if not note:
        raise PromotionError(_("Say why the proposal is rejected."), "note")
    if promotion.employee_id == actor.id:
        raise PromotionError(_("Nobody may decide their own promotion."))
    _decide(
        promotion,
        PromotionStatus.REJECTED,
        decided_by_id=actor.id,
        decided_at=now,
        decision_note=note[:NOTE_MAX],
    )
    if promotion.proposed_by is not None:
        params = {
            "person": promotion.employee.name,
            "post": promotion.to_post.title,
            "note": note[:200],
        }
        key = f"promotion:{promotion.id}:rejected"
        notify(
            promotion.proposed_by, "promotion_proposal_rejected", now=now, params=params, key=key
        )


# --- reading -----------------------------------------------------------------------------------


def _loaded() -> tuple:
    return (
        joinedload(Promotion.employee).joinedload(Employee.team),
        joinedload(Promotion.from_post),
        joinedload(Promotion.to_post),
        joinedload(Promotion.proposed_by),
        joinedload(Promotion.decided_by),
    )


def open_proposals() -> list[Promotion]:
    """Every proposal waiting for HR, oldest first, with what the page shows, in one
    statement."""
    return list(
        db.session.scalars(
            sa.select(Promotion)
            .where(Promotion.status == PromotionStatus.PROPOSED)
            .options(*_loaded())
            .order_by(Promotion.proposed_at, Promotion.id)
        )
    )


DECIDED_SORTS = {
    "decided": Promotion.decided_at,
    "person": Employee.name,
    "status": Promotion.status,
    "effective": Promotion.effective_on,
}


@dataclass
class HistoryFilter:
    """What the decided list shows; ``sort``/``descending`` are what ``sort_link`` reads."""

    sort: str = "decided"
    descending: bool = True
    status: str | None = None


def decided_query(f: HistoryFilter) -> sa.Select:
    query = (
        sa.select(Promotion)
        .join(Employee, Employee.id == Promotion.employee_id)
        .where(Promotion.status != PromotionStatus.PROPOSED)
        .options(*_loaded())
    )
    if f.status in {s.value for s in PromotionStatus}:
        query = query.where(Promotion.status == f.status)
    column = DECIDED_SORTS.get(f.sort, Promotion.decided_at)
    order = column.desc() if f.descending else column.asc()
    return query.order_by(order, Promotion.id.desc())


def proposed_by_query(actor: Employee) -> sa.Select:
    return (
        sa.select(Promotion)
        .where(Promotion.proposed_by_id == actor.id)
        .options(*_loaded())
        .order_by(Promotion.proposed_at.desc(), Promotion.id.desc())
    )
