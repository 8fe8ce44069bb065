"""Promotions: a lead (or HR) proposes, HR approves or rejects, the proposer may withdraw."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import access, clock
from lms.career import promotions, readiness
from lms.career.forms_hr import ApproveForm, ProposeForm, RejectForm
from lms.career.models import CareerStep, Promotion, PromotionStatus
from lms.career.promotions import PromotionError
from lms.career.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.models import Employee

HR = ("hr", "admin")
PROPOSERS = ("supervisor", "hr", "admin")


def snapshot(promotion: Promotion) -> dict:
    """The readiness recorded with the proposal: its percent and its gaps."""
    data = promotion.readiness or {}
    findings = data.get("findings") or []
    gaps = data.get("gaps")
    if gaps is None:
        gaps = [f for f in findings if isinstance(f, dict) and f.get("status") != "met"]
    return {"percent": data.get("percent"), "gaps": gaps, "recorded": bool(data)}


# --- HR: the open proposals and the decided ones -----------------------------------------------


def _history_filter() -> promotions.HistoryFilter:
    sort = request.args.get("sort", "decided")
    sort = sort if sort in promotions.DECIDED_SORTS else "decided"
    default_dir = "desc" if sort in ("decided", "effective") else "asc"
    status = request.args.get("status") or None
    return promotions.HistoryFilter(
        sort=sort,
        descending=request.args.get("dir", default_dir) == "desc",
        status=status if status in {s.value for s in PromotionStatus} else None,
    )


def _promotions_page(approve_forms: dict | None = None, reject_forms: dict | None = None):
    today = clock.today()
    waiting = promotions.open_proposals()
    approve_forms = approve_forms or {}
    reject_forms = reject_forms or {}
    for promotion in waiting:
        approve_forms.setdefault(
            promotion.id, ApproveForm(formdata=None, data={"effective_on": today})
        )
        reject_forms.setdefault(promotion.id, RejectForm(formdata=None))
    f = _history_filter()
    page = db.paginate(
        promotions.decided_query(f),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "career/hr/promotions.html",
        waiting=waiting,
        snapshots={p.id: snapshot(p) for p in waiting},
        approve_forms=approve_forms,
        reject_forms=reject_forms,
        f=f,
        page=page,
        statuses=[s.value for s in PromotionStatus if s != PromotionStatus.PROPOSED],
    )


@bp.route("/promotions", endpoint="promotions")
@access.roles(*HR)
def promotions_index():
    return _promotions_page()


def _promotion(promotion_id: int) -> Promotion:
    found = db.session.get(Promotion, promotion_id)
    if found is None:
        abort(404)
    return found


def _flash_error(error: PromotionError) -> None:
    db.session.rollback()
    flash(error.message, "warning")


@bp.route("/promotions/<int(max=2147483647):promotion_id>/approve", methods=["POST"])
@access.roles(*HR)
def approve_promotion(promotion_id: int):
    promotion = _promotion(promotion_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _promotions_page(approve_forms={promotion.id: form}), 400
    try:
        promotions.approve(
            promotion,
            actor=current_user,
            effective_on=form.effective_on.data,
            note=form.note.data,
            today=clock.today(),
            now=clock.now(),
        )
    except PromotionError as error:
        if error.field == "effective_on":
            db.session.rollback()
            form.effective_on.errors = [*form.effective_on.errors, error.message]
            return _promotions_page(approve_forms={promotion_id: form}), 400
        _flash_error(error)
        return redirect(url_for(".promotions"))
    db.session.commit()
    flash(
        _(
            "%(name)s is now %(post)s.",
            name=promotion.employee.name,
            post=promotion.to_post.display_name(locale_code()),
        ),
        "success",
    )
    return redirect(url_for(".promotions"))


@bp.route("/promotions/<int(max=2147483647):promotion_id>/reject", methods=["POST"])
@access.roles(*HR)
def reject_promotion(promotion_id: int):
    promotion = _promotion(promotion_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _promotions_page(reject_forms={promotion.id: form}), 400
    try:
        promotions.reject(promotion, actor=current_user, note=form.note.data, now=clock.now())
    except PromotionError as error:
        _flash_error(error)
        return redirect(url_for(".promotions"))
    db.session.commit()
    flash(_("Proposal rejected; the proposer has been told why."), "success")
    return redirect(url_for(".promotions"))


# --- proposing ---------------------------------------------------------------------------------


def _proposable(employee_no: str) -> Employee:
    person = db.session.scalar(sa.select(Employee).where(Employee.employee_no == employee_no))
    if person is None or not promotions.can_propose(current_user, person):
        abort(404)
    return person


def _propose_page(person: Employee, form: ProposeForm, steps: list[CareerStep], status=200):
    today = clock.today()
    found = readiness.evaluate([(person.id, s.id) for s in steps], today) if steps else {}
    return (
        render_template(
            "career/hr/propose.html",
            person=person,
            form=form,
            steps=steps,
            readiness={s.id: found.get((person.id, s.id)) for s in steps},
            waiting=promotions.open_proposal(person.id),
        ),
        status,
    )


@bp.route("/promotions/propose/<employee_no>", methods=["GET", "POST"])
@access.signed_in  # and then: the person's supervisor or team lead, or HR; others 404
def propose_promotion(employee_no: str):
    person = _proposable(employee_no)
    steps = readiness.reachable_steps(person.post_id) if person.post_id else []
    form = ProposeForm()
    form.step.choices = choices((str(s.id), str(s.id)) for s in steps)
    if not form.validate_on_submit():
        return _propose_page(person, form, steps, 400 if form.is_submitted() else 200)
    step = next((s for s in steps if str(s.id) == form.step.data), None)
    try:
        promotions.propose(
            person,
            step,
            rationale=form.rationale.data,
            actor=current_user,
            today=clock.today(),
            now=clock.now(),
        )
    except PromotionError as error:
        db.session.rollback()
        target = form._fields.get(error.field or "") or form.step
        target.errors = [*target.errors, error.message]
        return _propose_page(person, form, steps, 400)
    db.session.commit()
    flash(_("Promotion proposed for %(name)s; HR decides.", name=person.name), "success")
    return redirect(url_for(".my_proposals"))


@bp.route("/promotions/mine")
@access.roles(*PROPOSERS)
def my_proposals():
    page = db.paginate(
        promotions.proposed_by_query(current_user),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template("career/hr/my_proposals.html", page=page)


@bp.route("/promotions/<int(max=2147483647):promotion_id>/withdraw", methods=["POST"])
@access.roles(*PROPOSERS)
def withdraw_promotion(promotion_id: int):
    promotion = _promotion(promotion_id)
    if promotion.proposed_by_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        promotions.withdraw(promotion, actor=current_user, now=clock.now())
    except PromotionError as error:
        _flash_error(error)
        return redirect(url_for(".my_proposals"))
    db.session.commit()
    flash(_("Proposal withdrawn."), "success")
    return redirect(url_for(".my_proposals"))
