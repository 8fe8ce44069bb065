"""Routes of the catalogue blueprint (assignment): HR assigns courses and curricula and keeps
enrolment rules and curricula; team leads follow their people's training."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from courses import assignment, queries, rules, team_queries
from courses.forms.assignment import AssignForm, CurriculumForm, RuleForm
from courses.models import Course, Curriculum, EnrolmentRule
from courses.services import CatalogueError
from courses.team_queries import CURRICULUM_SORTS, RULE_SORTS, TEAM_STATUSES
from courses.views import bp
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.queries import filter_choices

HR = ("hr", "admin")


@dataclass
class ListFilter:
    """What a sortable list shows; ``sort``/``descending`` are what ``sort_link`` reads."""

    sort: str
    descending: bool = False
    status: str = "open"
    team_id: int | None = None


def _id(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def _list_filter(sorts: dict, default: str, **extra: object) -> ListFilter:
    sort = request.args.get("sort", default)
    return ListFilter(
        sort=sort if sort in sorts else default,
        descending=request.args.get("dir") == "desc",
        **extra,
    )


def _show_error(form: FlaskForm, error: CatalogueError, default: str) -> None:
    """Undo the refused write and show the service's message on its field."""
    db.session.rollback()
    field = form._fields.get(error.field or "") or form._fields[default]
    field.errors = [*field.errors, str(error)]


def _target_choices(form: AssignForm | RuleForm, lang: str) -> None:
    """Published courses and every curriculum, for the two target selects."""
    courses = queries.catalogue(queries.CatalogueFilter())
    curricula = team_queries.curricula_by_title()
    form.course.choices = choices(
        [("", "—")]
        + [(str(c.id), f"{c.current_version.display_title(lang)} ({c.slug})") for c in courses]
    )
    form.curriculum.choices = choices(
        [("", "—")] + [(str(c.id), f"{c.display_title(lang)} ({c.slug})") for c in curricula]
    )


def _group_choices(form: AssignForm | RuleForm, lang: str) -> None:
    refs = filter_choices()
    form.team.choices = choices(
        [("", _("Any team"))] + [(str(t.id), t.display_name(lang)) for t in refs["teams"]]
    )
    form.post.choices = choices(
        [("", _("Any post"))] + [(str(p.id), p.display_name(lang)) for p in refs["posts"]]
    )
    form.department.choices = choices(
        [("", _("Any department"))]
        + [(str(d.id), d.display_name(lang)) for d in refs["departments"]]
    )


def _get(model: type, value: object):
    key = _id(value)
    return db.session.get(model, key) if key else None


# --- assignment ------------------------------------------------------------------------------


@bp.route("/manage/assign", methods=["GET", "POST"])
@access.roles(*HR)
def assign_training():
    form = AssignForm()
    lang = locale_code()
    _target_choices(form, lang)
    _group_choices(form, lang)
    if form.validate_on_submit():
        curriculum = _get(Curriculum, form.curriculum.data)
        try:
            result = rules.assign_training(
                course=_get(Course, form.course.data),
                curriculum=curriculum,
                employee_nos=form.employees.data,
                team_id=_id(form.team.data),
                post_id=_id(form.post.data),
                department_id=_id(form.department.data),
                due_on=form.due_on.data,
                actor=current_user,
                now=clock.now(),
            )
        except CatalogueError as error:
            _show_error(form, error, "course")
        else:
            db.session.commit()
            if curriculum is not None:
                message = _(
                    "%(n)d course enrolments created for %(people)d people; %(m)d already existed.",
                    n=result.created,
                    people=result.people,
                    m=result.already,
                )
            else:
                message = _(
                    "%(n)d people enrolled; %(m)d were already enrolled.",
                    n=result.created,
                    m=result.already,
                )
            flash(message, "success")
            return redirect(url_for(".assign_training"))
    return render_template("courses/manage/assign.html", form=form)


# --- enrolment rules -----------------------------------------------------------------------


@bp.route("/manage/rules")
@access.roles(*HR)
def rule_list():
    f = _list_filter(RULE_SORTS, "created")
    if "sort" not in request.args:
        f.descending = True  # newest first
    page = db.paginate(
        team_queries.rule_list_query(f.sort, f.descending),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "courses/manage/rules.html",
        page=page,
        f=f,
        enrolled=team_queries.people_enrolled_by_rule([r.id for r in page.items]),
        creators=team_queries.employee_names(
            {r.created_by_id for r in page.items if r.created_by_id}
        ),
        confirm_form=ConfirmForm(),
    )


@bp.route("/manage/rules/new", methods=["GET", "POST"])
@access.roles(*HR)
def rule_new():
    form = RuleForm()
    lang = locale_code()
    _target_choices(form, lang)
    _group_choices(form, lang)
    if form.validate_on_submit():
        days, basis = form.due_days.data, form.due_basis.data
        try:
            _rule, created = assignment.create_rule(
                name=form.name.data,
                course=_get(Course, form.course.data),
                curriculum=_get(Curriculum, form.curriculum.data),
                post_id=_id(form.post.data),
                team_id=_id(form.team.data),
                department_id=_id(form.department.data),
                employee_status=form.employee_status.data or None,
                due_days_after_hire=days if basis == "hire" else None,
                due_days_after_enrolment=days if basis == "enrolment" else None,
                actor=current_user,
                now=clock.now(),
            )
        except CatalogueError as error:
            _show_error(form, error, "course")
        else:
            db.session.commit()
            flash(_("Rule created; %(n)d people enrolled.", n=created), "success")
            return redirect(url_for(".rule_list"))
    return render_template("courses/manage/rule_form.html", form=form)


@bp.route("/manage/rules/<int:rule_id>/toggle", methods=["POST"])
@access.roles(*HR)
def rule_toggle(rule_id: int):
    rule = db.get_or_404(EnrolmentRule, rule_id)
    wanted = request.form.get("active")
    if not ConfirmForm().validate_on_submit() or wanted not in ("0", "1"):
        abort(400)
    created = rules.set_rule_active(rule, wanted == "1", clock.now())
    db.session.commit()
    if rule.active:
        flash(_("Rule activated; %(n)d people enrolled.", n=created), "success")
    else:
        flash(_("Rule deactivated; nobody new will be enrolled by it."), "success")
    return redirect(url_for(".rule_list"))


# --- curricula -------------------------------------------------------------------------------


@bp.route("/manage/curricula")
@access.roles(*HR)
def curriculum_list():
    f = _list_filter(CURRICULUM_SORTS, "title")
    page = db.paginate(
        team_queries.curriculum_list_query(f.sort, f.descending),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    ids = [c.id for c in page.items]
    return render_template(
        "courses/manage/curricula.html",
        page=page,
        f=f,
        course_counts=team_queries.courses_per_curriculum(ids),
        people_counts=team_queries.people_per_curriculum(ids),
    )


def _curriculum_page(curriculum: Curriculum | None):
    form = CurriculumForm(obj=curriculum)
    if request.method == "GET":
        form.course_slugs.data = (
            "\n".join(item.course.slug for item in curriculum.items) if curriculum else ""
        )
    if form.validate_on_submit():
        fields = rules.CurriculumFields(
            slug=form.slug.data,
            title=form.title.data,
            title_en=form.title_en.data,
            summary=form.summary.data,
            summary_en=form.summary_en.data,
            due_days=form.due_days.data,
            course_slugs=(form.course_slugs.data or "").splitlines(),
        )
        try:
            saved = rules.save_curriculum(curriculum, fields, now=clock.now())
            db.session.commit()
        except CatalogueError as error:
            _show_error(form, error, "slug")
        except IntegrityError:  # a concurrent request took the slug
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, _("The slug %(v)s is taken.", v=fields.slug)]
        else:
            flash(_("The curriculum %(title)s has been saved.", title=saved.title), "success")
            return redirect(url_for(".curriculum_list"))
    return render_template(
        "courses/manage/curriculum_form.html",
        form=form,
        curriculum=curriculum,
        published=queries.catalogue(queries.CatalogueFilter()),
    )


@bp.route("/manage/curricula/new", methods=["GET", "POST"])
@access.roles(*HR)
def curriculum_new():
    return _curriculum_page(None)


@bp.route("/manage/curricula/<slug>", methods=["GET", "POST"])
@access.roles(*HR)
def curriculum_edit(slug: str):
    curriculum = team_queries.curriculum_by_slug(slug)
    if curriculum is None:
        abort(404)
    return _curriculum_page(curriculum)


# --- the team lead's view ------------------------------------------------------------------


@bp.route("/team/learning")
@access.roles("supervisor", "hr", "admin")
def team_learning():
    today, lang = clock.today(), locale_code()
    is_hr = current_user.has_role(*HR)
    status = request.args.get("status", "open")
    f = _list_filter(
        team_queries.team_sorts(today),
        "due",
        status=status if status in TEAM_STATUSES else "open",
        team_id=_id(request.args.get("team")) if is_hr else None,
    )
    people = team_queries.team_people(current_user, everyone=is_hr, team_id=f.team_id)
    query = team_queries.team_enrolments(
        people, status=f.status, sort=f.sort, descending=f.descending, today=today, lang=lang
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    return render_template(
        "courses/team.html",
        page=page,
        f=f,
        today=today,
        counts=team_queries.team_status_counts(people, today),
        teams=team_queries.teams_by_name() if is_hr else [],
        is_hr=is_hr,
        statuses=TEAM_STATUSES,
        progress=queries.progress_for(page.items),
    )
