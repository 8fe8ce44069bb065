"""Routes of the catalogue blueprint (assignment): HR assigns courses and curricula and keeps
enrolment rules and curricula; team leads follow their people's training."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from courses import enrolment, queries, rules
from courses.forms.assignment import AssignForm, CurriculumForm, RuleForm
from courses.models import (
    Course,
    CourseVersion,
    Curriculum,
    CurriculumCourse,
    CurriculumEnrolment,
    Enrolment,
    EnrolmentRule,
)
from courses.services import CatalogueError
from courses.views import bp
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.models import Employee, EmployeeStatus, Team
from lms.organisation.queries import filter_choices

HR = ("hr", "admin")
TEAM_STATUSES = ("open", "overdue", "not_started", "in_progress", "completed", "all")


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


def _ordered(query: sa.Select, columns: tuple, descending: bool) -> sa.Select:
    return query.order_by(*(c.desc() if descending else c.asc() for c in columns))


def _show_error(form: FlaskForm, error: CatalogueError, default: str) -> None:
    """Undo the refused write and show the service's message on its field."""
    db.session.rollback()
    field = form._fields.get(error.field or "") or form._fields[default]
    field.errors = [*field.errors, str(error)]


def _target_choices(form: AssignForm | RuleForm, lang: str) -> None:
    """Published courses and every curriculum, for the two target selects."""
    courses = queries.catalogue(queries.CatalogueFilter())
    curricula = db.session.scalars(sa.select(Curriculum).order_by(Curriculum.title))
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

RULE_SORTS = {
    "name": (EnrolmentRule.name, EnrolmentRule.id),
    "created": (EnrolmentRule.created_at, EnrolmentRule.id),
    "active": (EnrolmentRule.active, EnrolmentRule.name, EnrolmentRule.id),
}


@bp.route("/manage/rules")
@access.roles(*HR)
def rule_list():
    f = _list_filter(RULE_SORTS, "created")
    if "sort" not in request.args:
        f.descending = True  # newest first
    query = sa.select(EnrolmentRule).options(
        joinedload(EnrolmentRule.course).joinedload(Course.current_version),
        joinedload(EnrolmentRule.curriculum),
        joinedload(EnrolmentRule.post),
        joinedload(EnrolmentRule.team),
        joinedload(EnrolmentRule.department),
    )
    page = db.paginate(
        _ordered(query, RULE_SORTS[f.sort], f.descending),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    rule_ids = [r.id for r in page.items]
    creator_ids = {r.created_by_id for r in page.items if r.created_by_id}
    enrolled = dict(
        db.session.execute(
            sa.select(Enrolment.rule_id, sa.func.count(sa.distinct(Enrolment.employee_id)))
            .where(Enrolment.rule_id.in_(rule_ids))
            .group_by(Enrolment.rule_id)
        ).all()
    )
    creators = dict(
        db.session.execute(
            sa.select(Employee.id, Employee.name).where(Employee.id.in_(creator_ids))
        ).all()
    )
    return render_template(
        "courses/manage/rules.html",
        page=page,
        f=f,
        enrolled=enrolled,
        creators=creators,
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
            _rule, created = enrolment.create_rule(
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

CURRICULUM_SORTS = {
    "title": (Curriculum.title, Curriculum.id),
    "slug": (Curriculum.slug,),
    "due_days": (Curriculum.due_days, Curriculum.id),
    "created": (Curriculum.created_at, Curriculum.id),
}


@bp.route("/manage/curricula")
@access.roles(*HR)
def curriculum_list():
    f = _list_filter(CURRICULUM_SORTS, "title")
    page = db.paginate(
        _ordered(sa.select(Curriculum), CURRICULUM_SORTS[f.sort], f.descending),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    ids = [c.id for c in page.items]
    course_counts = dict(
        db.session.execute(
            sa.select(CurriculumCourse.curriculum_id, sa.func.count())
            .where(CurriculumCourse.curriculum_id.in_(ids))
            .group_by(CurriculumCourse.curriculum_id)
        ).all()
    )
    people_counts = dict(
        db.session.execute(
            sa.select(CurriculumEnrolment.curriculum_id, sa.func.count())
            .where(CurriculumEnrolment.curriculum_id.in_(ids))
            .group_by(CurriculumEnrolment.curriculum_id)
        ).all()
    )
    return render_template(
        "courses/manage/curricula.html",
        page=page,
        f=f,
        course_counts=course_counts,
        people_counts=people_counts,
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
    curriculum = db.session.scalar(
        sa.select(Curriculum)
        .where(Curriculum.slug == slug)
        .options(selectinload(Curriculum.items).joinedload(CurriculumCourse.course))
    )
    if curriculum is None:
        abort(404)
    return _curriculum_page(curriculum)


# --- the team lead's view ------------------------------------------------------------------


def _status_expression(today: dt.date):
    """The derived status of ``Enrolment.status`` in SQL."""
    return sa.case(
        (Enrolment.completed_at.is_not(None), "completed"),
        (Enrolment.due_on < today, "overdue"),
        (Enrolment.started_at.is_not(None), "in_progress"),
        else_="not_started",
    )


def _team_people(f: ListFilter) -> sa.Select:
    """The ids of the people whose training this user follows."""
    if current_user.has_role(*HR):
        people = sa.select(Employee.id).where(Employee.status != EmployeeStatus.LEFT)
        if f.team_id:
            people = people.where(Employee.team_id == f.team_id)
        return people
    return queries.team_members_query(current_user)


def _team_sorts(today: dt.date) -> dict[str, tuple]:
    rank = sa.case(
        (Enrolment.completed_at.is_not(None), 3),
        (Enrolment.due_on < today, 0),
        (Enrolment.started_at.is_not(None), 1),
        else_=2,
    )
    return {
        # open before completed, then the earliest due (so the overdue) first
        "due": (
            Enrolment.completed_at.is_not(None),
            Enrolment.due_on.is_(None),
            Enrolment.due_on,
            Employee.name,
            Enrolment.id,
        ),
        "status": (rank, Enrolment.due_on.is_(None), Enrolment.due_on, Enrolment.id),
        "person": (Employee.name, Employee.employee_no, Enrolment.id),
        "course": (Employee.name, Enrolment.id),  # after the course title, joined below
    }


@bp.route("/team/learning")
@access.roles("supervisor", "hr", "admin")
def team_learning():
    today, lang = clock.today(), locale_code()
    is_hr = current_user.has_role(*HR)
    sorts = _team_sorts(today)
    status = request.args.get("status", "open")
    f = _list_filter(
        sorts,
        "due",
        status=status if status in TEAM_STATUSES else "open",
        team_id=_id(request.args.get("team")) if is_hr else None,
    )
    people = _team_people(f)
    query = queries.enrolment_list_query(
        employee_ids=people,
        status=None if f.status in ("open", "all") else f.status,
        today=today,
    ).order_by(None)
    if f.status == "open":
        query = query.where(Enrolment.completed_at.is_(None))
    columns = sorts[f.sort]
    if f.sort == "course":
        current = aliased(CourseVersion)
        query = query.join(Course, Course.id == Enrolment.course_id).outerjoin(
            current, current.id == Course.current_version_id
        )
        title = sa.func.coalesce(current.title_en, current.title) if lang == "en" else current.title
        columns = (title, *columns)
    page = db.paginate(
        _ordered(query, columns, f.descending),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    statuses = _status_expression(today).label("status")
    derived = sa.select(statuses).where(Enrolment.employee_id.in_(people)).subquery()
    counts = dict(
        db.session.execute(
            sa.select(derived.c.status, sa.func.count()).group_by(derived.c.status)
        ).all()
    )
    counts["open"] = sum(counts.get(s, 0) for s in ("overdue", "not_started", "in_progress"))
    counts["all"] = counts["open"] + counts.get("completed", 0)
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.name))) if is_hr else []
    return render_template(
        "courses/team.html",
        page=page,
        f=f,
        today=today,
        counts=counts,
        teams=teams,
        is_hr=is_hr,
        statuses=TEAM_STATUSES,
        progress=queries.progress_for(page.items),
    )
