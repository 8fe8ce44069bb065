"""The career ladders: everyone signed in reads them; HR edits ladders, steps, requirements and
each post's description and key flag."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms import access, clock
from lms.career import ladder_labels, ladders, requirements
from lms.career.forms_hr import (
    LadderForm,
    MoveForm,
    PostForm,
    RequirementForm,
    StepForm,
    as_id,
)
from lms.career.ladders import LadderError
from lms.career.models import CareerLadder, CareerStep, KpiMetric, StepRequirement
from lms.career.views import bp
from lms.certification.models import Certification
from lms.certification.queries import course_choices
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code
from lms.organisation.models import Post
from lms.organisation.queries import filter_choices

HR = ("hr", "admin")


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def _refuse(form: FlaskForm, error: LadderError, default: str) -> None:
    """Undo the refused write and show the message on its field."""
    db.session.rollback()
    target = form._fields.get(error.field or "") or form._fields[default]
    target.errors = [*target.errors, error.message]


def _labels() -> dict:
    return {
        "step_kinds": ladder_labels.STEP_KIND_LABELS,
        "step_badges": ladder_labels.STEP_KIND_BADGES,
        "requirement_kinds": ladder_labels.REQUIREMENT_KIND_LABELS,
        "describe": requirements.label,
        "by_level": ladders.by_level,
    }


@bp.route("/ladders", endpoint="ladders")
@access.signed_in
def ladders_index():
    return render_template(
        "career/hr/ladders.html",
        ladders=ladders.ladders_overview(),
        can_edit=current_user.has_role(*HR),
        **_labels(),
    )


# --- ladders -----------------------------------------------------------------------------------


def _ladder_data(form: LadderForm) -> ladders.LadderData:
    return ladders.LadderData(
        name=form.name.data or "",
        name_en=form.name_en.data,
        description=form.description.data,
        description_en=form.description_en.data,
    )


def _ladder_page(form: LadderForm, ladder: CareerLadder | None):
    return render_template("career/hr/ladder_form.html", form=form, ladder=ladder)


@bp.route("/ladders/new", methods=["GET", "POST"])
@access.roles(*HR)
def new_ladder():
    form = LadderForm()
    if not form.validate_on_submit():
        return _ladder_page(form, None)
    try:
        ladder = ladders.create_ladder(_ladder_data(form), now=clock.now())
    except LadderError as error:
        _refuse(form, error, "name")
        return _ladder_page(form, None)
    db.session.commit()
    flash(_("Ladder “%(name)s” created. Now add its steps.", name=ladder.name), "success")
    return redirect(url_for(".ladders", _anchor=f"ladder-{ladder.id}"))


@bp.route("/ladders/<int(max=2147483647):ladder_id>/edit", methods=["GET", "POST"])
@access.roles(*HR)
def edit_ladder(ladder_id: int):
    ladder = _get(CareerLadder, ladder_id)
    form = LadderForm(data=LadderForm.initial(ladder))
    if not form.validate_on_submit():
        return _ladder_page(form, ladder)
    try:
        ladders.update_ladder(ladder, _ladder_data(form))
    except LadderError as error:
        _refuse(form, error, "name")
        return _ladder_page(form, ladder)
    db.session.commit()
    flash(_("Ladder saved."), "success")
    return redirect(url_for(".ladders", _anchor=f"ladder-{ladder.id}"))


@bp.route("/ladders/<int(max=2147483647):ladder_id>/delete", methods=["POST"])
@access.roles(*HR)
def delete_ladder(ladder_id: int):
    ladder = _get(CareerLadder, ladder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = ladder.name
    ladders.delete_ladder(ladder)
    db.session.commit()
    flash(_("Ladder “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".ladders"))


@bp.route("/ladders/<int(max=2147483647):ladder_id>/move", methods=["POST"])
@access.roles(*HR)
def move_ladder(ladder_id: int):
    ladder = _get(CareerLadder, ladder_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    ladders.move_ladder(ladder, form.offset)
    db.session.commit()
    return redirect(url_for(".ladders", _anchor=f"ladder-{ladder.id}"))


# --- steps -------------------------------------------------------------------------------------


def _step_form(step: CareerStep | None) -> StepForm:
    form = StepForm(data=StepForm.initial(step))
    form.set_posts(filter_choices()["posts"], locale_code())
    return form


def _step_data(form: StepForm) -> ladders.StepData:
    return ladders.StepData(
        from_post_id=as_id(form.from_post.data),
        to_post_id=as_id(form.to_post.data),
        kind=form.kind.data or "",
    )


def _step_page(form: StepForm, ladder: CareerLadder, step: CareerStep | None):
    return render_template(
        "career/hr/step_form.html", form=form, ladder=ladder, step=step, **_labels()
    )


@bp.route("/ladders/<int(max=2147483647):ladder_id>/steps/new", methods=["GET", "POST"])
@access.roles(*HR)
def new_step(ladder_id: int):
    ladder = _get(CareerLadder, ladder_id)
    form = _step_form(None)
    if not form.validate_on_submit():
        return _step_page(form, ladder, None)
    try:
        step = ladders.add_step(ladder, _step_data(form), now=clock.now())
    except LadderError as error:
        _refuse(form, error, "to_post")
        return _step_page(form, ladder, None)
    db.session.commit()
    flash(_("Step added. Now say what it requires."), "success")
    return redirect(url_for(".edit_step", step_id=step.id))


@bp.route("/steps/<int(max=2147483647):step_id>/edit", methods=["GET", "POST"])
@access.roles(*HR)
def edit_step(step_id: int):
    step = _get(CareerStep, step_id)
    form = _step_form(step)
    if not form.validate_on_submit():
        return _step_page(form, step.ladder, step)
    try:
        ladders.update_step(step, _step_data(form))
    except LadderError as error:
        _refuse(form, error, "to_post")
        return _step_page(form, step.ladder, step)
    db.session.commit()
    flash(_("Step saved."), "success")
    return redirect(url_for(".edit_step", step_id=step.id))


@bp.route("/steps/<int(max=2147483647):step_id>/delete", methods=["POST"])
@access.roles(*HR)
def delete_step(step_id: int):
    step = _get(CareerStep, step_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ladder_id = step.ladder_id
    ladders.delete_step(step)
    db.session.commit()
    flash(_("Step deleted."), "success")
    return redirect(url_for(".ladders", _anchor=f"ladder-{ladder_id}"))


@bp.route("/steps/<int(max=2147483647):step_id>/move", methods=["POST"])
@access.roles(*HR)
def move_step(step_id: int):
    step = _get(CareerStep, step_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    ladders.move_step(step, form.offset)
    db.session.commit()
    return redirect(url_for(".ladders", _anchor=f"step-{step.id}"))


# --- requirements ------------------------------------------------------------------------------


def _requirement_form(requirement: StepRequirement | None) -> RequirementForm:
    lang = locale_code()
    form = RequirementForm(data=RequirementForm.initial(requirement))
    chosen = [requirement.course_id] if requirement and requirement.course_id else []
    certifications = db.session.scalars(sa.select(Certification).order_by(Certification.title))
    metrics = db.session.scalars(sa.select(KpiMetric).order_by(KpiMetric.position, KpiMetric.name))
    form.set_choices(
        course_choices(lang, include_ids=chosen),
        [(c.id, c.display_title(lang)) for c in certifications],
        [(m.id, _metric_label(m, lang)) for m in metrics],
    )
    return form


def _metric_label(metric: KpiMetric, lang: str) -> str:
    unit = f" ({metric.unit})" if metric.unit else ""
    direction = "↑" if metric.higher_is_better else "↓"
    return f"{metric.display_name(lang)}{unit} {direction}"


def _requirement_data(form: RequirementForm) -> ladders.RequirementData:
    return ladders.RequirementData(
        kind=form.kind.data or "",
        course_id=as_id(form.course.data),
        certification_id=as_id(form.certification.data),
        metric_id=as_id(form.metric.data),
        months=form.months.data,
        threshold=form.threshold.data,
        count=form.count.data,
        endorser=form.endorser.data or None,
    )


def _requirement_page(form: RequirementForm, step: CareerStep, requirement=None):
    return render_template(
        "career/hr/requirement_form.html",
        form=form,
        step=step,
        requirement=requirement,
        **_labels(),
    )


@bp.route("/steps/<int(max=2147483647):step_id>/requirements/new", methods=["GET", "POST"])
@access.roles(*HR)
def new_requirement(step_id: int):
    step = _get(CareerStep, step_id)
    form = _requirement_form(None)
    if not form.validate_on_submit():
        return _requirement_page(form, step)
    try:
        ladders.add_requirement(step, _requirement_data(form))
    except LadderError as error:
        _refuse(form, error, "kind")
        return _requirement_page(form, step)
    db.session.commit()
    flash(_("Requirement added."), "success")
    return redirect(url_for(".edit_step", step_id=step.id))


@bp.route("/requirements/<int(max=2147483647):requirement_id>/edit", methods=["GET", "POST"])
@access.roles(*HR)
def edit_requirement(requirement_id: int):
    requirement = _get(StepRequirement, requirement_id)
    form = _requirement_form(requirement)
    if not form.validate_on_submit():
        return _requirement_page(form, requirement.step, requirement)
    try:
        ladders.update_requirement(requirement, _requirement_data(form))
    except LadderError as error:
        _refuse(form, error, "kind")
        return _requirement_page(form, requirement.step, requirement)
    db.session.commit()
    flash(_("Requirement saved."), "success")
    return redirect(url_for(".edit_step", step_id=requirement.step_id))


@bp.route("/requirements/<int(max=2147483647):requirement_id>/delete", methods=["POST"])
@access.roles(*HR)
def delete_requirement(requirement_id: int):
    requirement = _get(StepRequirement, requirement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    step_id = requirement.step_id
    ladders.delete_requirement(requirement)
    db.session.commit()
    flash(_("Requirement removed."), "success")
    return redirect(url_for(".edit_step", step_id=step_id))


@bp.route("/requirements/<int(max=2147483647):requirement_id>/move", methods=["POST"])
@access.roles(*HR)
def move_requirement(requirement_id: int):
    requirement = _get(StepRequirement, requirement_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    ladders.move_requirement(requirement, form.offset)
    db.session.commit()
    return redirect(url_for(".edit_step", step_id=requirement.step_id))


# --- posts -------------------------------------------------------------------------------------


@bp.route("/posts")
@access.roles(*HR)
def posts():
    return render_template("career/hr/posts.html", posts=filter_choices()["posts"])


@bp.route("/posts/<int(max=2147483647):post_id>", methods=["GET", "POST"])
@access.roles(*HR)
def edit_post(post_id: int):
    post = _get(Post, post_id)
    form = PostForm(obj=post)
    if not form.validate_on_submit():
        return render_template("career/hr/post_form.html", form=form, post=post)
    ladders.update_post(
        post,
        ladders.PostData(
            description=form.description.data,
            description_en=form.description_en.data,
            is_key=form.is_key.data,
        ),
    )
    db.session.commit()
    flash(_("Post “%(post)s” saved.", post=post.display_name(locale_code())), "success")
    return redirect(url_for(".posts"))
