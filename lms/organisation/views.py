"""Administration of people, departments, teams and posts (HR and administrators)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from courses import queries as course_queries
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation import queries, services
from lms.organisation.fields import FIELDS, FIELDS_BY_NAME, FieldError
from lms.organisation.forms import (
    ROLE_LABELS,
    SHIFT_LABELS,
    DepartmentForm,
    EmployeeForm,
    ImportForm,
    PostForm,
    TeamForm,
)
from lms.organisation.importer import import_employees
from lms.organisation.models import Department, Employee, Post, Team

bp = Blueprint("organisation", __name__)
HR = ("hr", "admin")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/people")
@access.roles(*HR)
def people():
    f = queries.EmployeeFilter(
        q=request.args.get("q", "")[:100],
        department_id=_int_arg("department"),
        team_id=_int_arg("team"),
        post_id=_int_arg("post"),
        status=request.args.get("status") or None,
        role=request.args.get("role") or None,
        sort=request.args.get("sort", "employee_no"),
        descending=request.args.get("dir") == "desc",
    )
    page = db.paginate(
        queries.employee_query(f),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "organisation/people.html",
        page=page,
        f=f,
        choices=queries.filter_choices(),
        role_labels=ROLE_LABELS,
        counts=queries.status_counts(),
    )


def _employee_form(person: Employee | None) -> EmployeeForm:
    form = EmployeeForm(obj=person) if person else EmployeeForm()
    refs = queries.filter_choices()
    lang = locale_code()
    form.team.choices = choices(
        [("", "—")] + [(t.name, t.display_name(lang)) for t in refs["teams"]]
    )
    form.post.choices = choices(
        [("", "—")] + [(p.title, p.display_name(lang)) for p in refs["posts"]]
    )
    if person and request.method == "GET":
        form.team.data = person.team.name if person.team else ""
        form.post.data = person.post.title if person.post else ""
        form.supervisor.data = person.supervisor.employee_no if person.supervisor else ""
        form.status.data = str(person.status)
        form.roles.data = sorted(person.roles)
        form.shift.data = person.shift or ""
    return form


def _form_values(form: EmployeeForm) -> dict:
    """Parse the form with the same field rules the import and the API use."""
    raw = {
        name: getattr(form, name).data
        for name in (
            "employee_no",
            "name",
            "email",
            "phone",
            "hire_date",
            "status",
            "team",
            "post",
            "supervisor",
            "locale",
            "timezone",
            "shift",
            "on_improvement_plan",
            "username",
            "roles",
        )
    }
    values, failed = {}, False
    for name, value in raw.items():
        try:
            values[name] = FIELDS_BY_NAME[name].parse(value) if value not in (None, "") else None
        except FieldError as error:
            getattr(form, name).errors.append(str(error))
            failed = True
    if values.get("roles") is None:
        values["roles"] = frozenset({"employee"})
    for optional_default in ("status", "locale", "timezone"):
        if values.get(optional_default) is None:
            values.pop(optional_default)
    return {} if failed else values


def _save(form: EmployeeForm, person: Employee | None):
    values = _form_values(form)
    if not values:
        return None, None
    try:
        saved, password = services.save_employee(
            person, values, actor=current_user, now=clock.now()
        )
        db.session.commit()
    except services.OrganisationError as error:
        db.session.rollback()
        getattr(form, error.field or "employee_no").errors.append(str(error))
        return None, None
    except IntegrityError:  # a concurrent request took the number, e-mail or username
        db.session.rollback()
        form.employee_no.errors.append(
            _("This employee number, e-mail or username is already in use.")
        )
        return None, None
    return saved, password


@bp.route("/people/new", methods=["GET", "POST"])
@access.roles(*HR)
def new_person():
    form = _employee_form(None)
    if form.validate_on_submit():
        person, password = _save(form, None)
        if person is not None:
            return render_template(
                "organisation/password_issued.html", person=person, password=password, created=True
            )
    return render_template("organisation/person_form.html", form=form, person=None)


@bp.route("/people/<employee_no>")
@access.signed_in
def person(employee_no: str):
    person = queries.employee_by_no(employee_no)
    if person is None or not person.is_visible_to(current_user):
        abort(404)
    return render_template(
        "organisation/person.html",
        person=person,
        training=course_queries.training_of(person),
        today=clock.today(),
        confirm_form=ConfirmForm(),
        role_labels=ROLE_LABELS,
        shift_labels=SHIFT_LABELS,
    )


@bp.route("/people/<employee_no>/edit", methods=["GET", "POST"])
@access.roles(*HR)
def edit_person(employee_no: str):
    person = queries.employee_by_no(employee_no) or abort(404)
    form = _employee_form(person)
    if form.validate_on_submit():
        saved, _password = _save(form, person)
        if saved is not None:
            flash(_("The changes to %(name)s have been saved.", name=saved.name), "success")
            return redirect(url_for(".person", employee_no=saved.employee_no))
    return render_template("organisation/person_form.html", form=form, person=person)


@bp.route("/people/<employee_no>/deactivate", methods=["POST"])
@access.roles(*HR)
def deactivate_person(employee_no: str):
    person = queries.employee_by_no(employee_no) or abort(404)
    if person.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "danger")
    elif ConfirmForm().validate_on_submit():
        services.deactivate_employee(person, now=clock.now())
        db.session.commit()
        flash(
            _("%(name)s has been marked as left; their history is kept.", name=person.name),
            "success",
        )
    return redirect(url_for(".person", employee_no=person.employee_no))


@bp.route("/people/<employee_no>/reset-password", methods=["POST"])
@access.roles(*HR)
def reset_password(employee_no: str):
    person = queries.employee_by_no(employee_no) or abort(404)
    if not ConfirmForm().validate_on_submit() or person.status == "left":
        abort(400)
    password = services.give_initial_password(person, None)
    from lms.accounts.services import end_all_sessions

    end_all_sessions(person)
    db.session.commit()
    return render_template(
        "organisation/password_issued.html", person=person, password=password, created=False
    )


@bp.route("/people/import", methods=["GET", "POST"])
@access.roles(*HR)
def import_people():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        report = import_employees(
            upload.filename or "",
            upload.read(),
            actor=current_user,
            now=clock.now(),
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )
        if report.ok:
            db.session.commit()
        else:
            db.session.rollback()
    return render_template("organisation/import.html", form=form, report=report, fields=FIELDS)


@bp.route("/people/import/template.csv")
@access.roles(*HR)
def import_template():
    header = ",".join(f.aliases[0] for f in FIELDS if f.name != "initial_password")
    sample = ",".join(
        [
            "C2001",
            "张三",
            "2026-03-01",
            "zhangsan@example.com",
            "13800000000",
            "onboarding",
            "售后一组",
            "客服专员",
            "",
            "zh_CN",
            "Asia/Shanghai",
            "",
            "employee",
        ]
    )
    body = "\ufeff" + header + "\r\n" + sample + "\r\n"
    return Response(
        body,
        mimetype="text/csv",  # the response adds "; charset=utf-8"
        headers={"Content-Disposition": "attachment; filename=employees-template.csv"},
    )


# --- departments, teams, posts ----------------------------------------------------------


@bp.route("/organisation")
@access.roles(*HR)
def overview():
    posts = list(db.session.scalars(sa.select(Post).order_by(Post.level, Post.title)))
    return render_template(
        "organisation/overview.html",
        departments=queries.organisation_overview(),
        posts=posts,
        head_counts=queries.head_counts(),
    )


def _edit(form, save, template: str, title: str):
    if form.validate_on_submit():
        try:
            save()
        except services.OrganisationError as error:
            getattr(form, error.field or "name").errors.append(str(error))
            db.session.rollback()
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".overview"))
    return render_template(template, form=form, title=title)


@bp.route("/organisation/departments/new", methods=["GET", "POST"], defaults={"dept_id": None})
@bp.route("/organisation/departments/<int:dept_id>", methods=["GET", "POST"])
@access.roles(*HR)
def edit_department(dept_id: int | None):
    dept = db.get_or_404(Department, dept_id) if dept_id else None
    form = DepartmentForm(obj=dept)
    return _edit(
        form,
        lambda: services.save_department(dept, form.name.data, form.name_en.data),
        "organisation/simple_form.html",
        _("Edit department") if dept else _("New department"),
    )


def _lead(form: TeamForm) -> Employee | None:
    number = (form.lead.data or "").strip()
    if not number:
        return None
    lead = queries.employee_by_no(number)
    if lead is None:
        raise services.OrganisationError(_("Unknown employee number “%(v)s”.", v=number), "lead")
    return lead


@bp.route("/organisation/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/organisation/teams/<int:team_id>", methods=["GET", "POST"])
@access.roles(*HR)
def edit_team(team_id: int | None):
    team = db.get_or_404(Team, team_id) if team_id else None
    form = TeamForm(obj=team)
    lang = locale_code()
    form.department.choices = choices(
        (d.id, d.display_name(lang)) for d in queries.filter_choices()["departments"]
    )
    if team and request.method == "GET":
        form.department.data = team.department_id
        form.lead.data = team.lead.employee_no if team.lead else ""

    def save():
        dept = db.session.get(Department, form.department.data)
        if dept is None:
            raise services.OrganisationError(_("Choose a department."), "department")
        services.save_team(team, form.name.data, form.name_en.data, dept, _lead(form))

    return _edit(
        form, save, "organisation/simple_form.html", _("Edit team") if team else _("New team")
    )


@bp.route("/organisation/posts/new", methods=["GET", "POST"], defaults={"post_id": None})
@bp.route("/organisation/posts/<int:post_id>", methods=["GET", "POST"])
@access.roles(*HR)
def edit_post(post_id: int | None):
    post = db.get_or_404(Post, post_id) if post_id else None
    form = PostForm(obj=post)
    return _edit(
        form,
        lambda: services.save_post(post, form.title.data, form.title_en.data, form.level.data),
        "organisation/simple_form.html",
        _("Edit post") if post else _("New post"),
    )
