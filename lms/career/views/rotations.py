"""Job rotations: HR's list and form, a rotation's page, the host's evaluation and the host's
own list with the evaluations due."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import access, clock
from lms.career import rotations
from lms.career.forms_hr import EvaluationForm, RotationForm, as_id
from lms.career.models import Rotation
from lms.career.rotations import RotationError
from lms.career.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code
from lms.organisation.queries import filter_choices

HR = ("hr", "admin")


def _filter() -> rotations.RotationFilter:
    sort = request.args.get("sort", "starts")
    sort = sort if sort in rotations.SORTS else "starts"
    default_dir = "desc" if sort in ("starts", "ends") else "asc"
    phase = request.args.get("status") or None
    return rotations.RotationFilter(
        phase=phase if phase in rotations.PHASES else None,
        team_id=as_id(request.args.get("team")),
        sort=sort,
        descending=request.args.get("dir", default_dir) == "desc",
    )


@bp.route("/rotations", endpoint="rotations")
@access.roles(*HR)
def rotations_index():
    today, f = clock.today(), _filter()
    page = db.paginate(
        rotations.list_query(f, today),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    lang = locale_code()
    return render_template(
        "career/hr/rotations.html",
        f=f,
        page=page,
        today=today,
        counts=rotations.phase_counts(today),
        phases=rotations.PHASES,
        teams=[(t.id, t.display_name(lang)) for t in filter_choices()["teams"]],
        phase=rotations.phase,
        host_label=rotations.host_label,
    )


def _rotation_form() -> RotationForm:
    lang = locale_code()
    refs = filter_choices()
    form = RotationForm()
    form.set_choices(
        [(t.id, t.display_name(lang)) for t in refs["teams"]],
        [(p.id, f"{p.display_name(lang)} (L{p.level})") for p in refs["posts"]],
    )
    return form


@bp.route("/rotations/new", methods=["GET", "POST"])
@access.roles(*HR)
def new_rotation():
    form = _rotation_form()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("career/hr/rotation_form.html", form=form), status
    data = rotations.RotationData(
        employee_no=form.employee_no.data,
        host_supervisor_no=form.host_supervisor_no.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        objectives=form.objectives.data,
        host_team_id=as_id(form.host_team.data),
        host_post_id=as_id(form.host_post.data),
    )
    try:
        rotation = rotations.create(data, actor=current_user, now=clock.now())
    except RotationError as error:
        db.session.rollback()
        target = form._fields.get(error.field or "") or form.employee_no
        target.errors = [*target.errors, error.message]
        return render_template("career/hr/rotation_form.html", form=form), 400
    db.session.commit()
    flash(_("Rotation planned; the person and the host supervisor have been told."), "success")
    return redirect(url_for(".rotation", rotation_id=rotation.id))


def _visible(rotation_id: int) -> Rotation:
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not rotations.can_see(rotation, current_user):
        abort(404)
    return rotation


def _detail(rotation: Rotation, form: EvaluationForm | None = None, status: int = 200):
    today = clock.today()
    may_evaluate = rotations.can_evaluate(rotation, current_user)
    phase = rotations.phase(rotation, today)
    if form is None and may_evaluate and phase == "due":
        form = EvaluationForm(formdata=None)
    return (
        render_template(
            "career/hr/rotation.html",
            rotation=rotation,
            phase=phase,
            host=rotations.host_label(rotation, locale_code()),
            form=form,
            may_evaluate=may_evaluate,
            is_hr=current_user.has_role(*HR),
        ),
        status,
    )


@bp.route("/rotations/<int(max=2147483647):rotation_id>")
@access.signed_in
def rotation(rotation_id: int):
    return _detail(_visible(rotation_id))


@bp.route("/rotations/<int(max=2147483647):rotation_id>/evaluate", methods=["GET", "POST"])
@access.signed_in
def evaluate_rotation(rotation_id: int):
    rotation = _visible(rotation_id)
    if not rotations.can_evaluate(rotation, current_user):
        abort(404)
    if request.method == "GET":
        return redirect(url_for(".rotation", rotation_id=rotation.id, _anchor="evaluation"))
    form = EvaluationForm()
    if not form.validate_on_submit():
        return _detail(rotation, form, 400)
    try:
        rotations.evaluate(
            rotation,
            actor=current_user,
            rating=int(form.rating.data),
            passed=form.passed.data == "yes",
            evaluation=form.evaluation.data,
            today=clock.today(),
            now=clock.now(),
        )
    except RotationError as error:
        db.session.rollback()
        if error.field in form._fields:
            form[error.field].errors = [*form[error.field].errors, error.message]
            return _detail(rotation, form, 400)
        flash(error.message, "warning")
        return redirect(url_for(".rotation", rotation_id=rotation.id))
    db.session.commit()
    flash(_("Evaluation saved; %(name)s has been told.", name=rotation.employee.name), "success")
    return redirect(url_for(".rotation", rotation_id=rotation.id))


@bp.route("/rotations/<int(max=2147483647):rotation_id>/cancel", methods=["POST"])
@access.roles(*HR)
def cancel_rotation(rotation_id: int):
    rotation = _visible(rotation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        rotations.cancel(rotation, actor=current_user, now=clock.now())
    except RotationError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".rotation", rotation_id=rotation.id))
    db.session.commit()
    flash(_("Rotation cancelled."), "success")
    return redirect(url_for(".rotation", rotation_id=rotation.id))


@bp.route("/rotations/hosting")
@access.signed_in
def hosting():
    today = clock.today()
    return render_template(
        "career/hr/hosting.html",
        hosted=rotations.hosted_by(current_user.id),
        due=rotations.evaluations_due(current_user.id, today),
        today=today,
        phase=rotations.phase,
        host_label=rotations.host_label,
    )
