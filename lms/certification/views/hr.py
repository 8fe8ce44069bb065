"""HR's certification pages: the list, the editor (with a preview of what a change does),
rules, assignment by employee number, required recertification and the holders list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from courses import rules as course_rules
from courses.models import Course
from courses.services import CatalogueError
from lms import access, clock
from lms.certification import presenters, queries, renewal, services
from lms.certification.forms import AssignForm, CertificationForm, RecertifyForm, RuleForm
from lms.certification.models import Certification, CertificationRule
from lms.certification.services import CertificationError
from lms.certification.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.queries import filter_choices

HR = ("hr", "admin")


@dataclass
class ListFilter:
    """What the holders list shows; ``sort``/``descending`` are what ``sort_link`` reads."""

    sort: str = "expiry"
    descending: bool = False
    state: str | None = None


def _id(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def _show_error(form: FlaskForm, error: Exception, default: str) -> None:
    """Undo the refused write and show the service's message on its field."""
    db.session.rollback()
    target = form._fields.get(getattr(error, "field", None) or "") or form._fields[default]
    target.errors = [*target.errors, str(error)]


def _labels() -> dict:
    return {
        "state_labels": presenters.STATE_LABELS,
        "state_badges": presenters.STATE_BADGES,
        "states": presenters.STATES,
        "base_labels": presenters.BASE_LABELS,
    }


# --- the list --------------------------------------------------------------------------------


@bp.route("/certifications/manage")
@access.roles(*HR)
def manage():
    return render_template(
        "certification/manage.html",
        certifications=queries.certification_list(),
        counts=queries.state_counts(clock.today()),
        **_labels(),
    )


# --- the editor ------------------------------------------------------------------------------


def _rule_form(lang: str, form: RuleForm | None = None) -> RuleForm:
    form = form or RuleForm(formdata=None)
    refs = filter_choices()
    form.post.choices = choices(
        [("", "—")] + [(str(p.id), p.display_name(lang)) for p in refs["posts"]]
    )
    form.team.choices = choices(
        [("", "—")] + [(str(t.id), t.display_name(lang)) for t in refs["teams"]]
    )
    form.department.choices = choices(
        [("", "—")] + [(str(d.id), d.display_name(lang)) for d in refs["departments"]]
    )
    return form


def _recertify_form(cert: Certification, lang: str, form: RecertifyForm | None = None):
    form = form or RecertifyForm(formdata=None)
    courses = {link.course_id: link.course for link in cert.courses}
    labelled = [
        (str(cid), c.current_version.display_title(lang) if c.current_version else c.slug)
        for cid, c in courses.items()
    ]
    form.course.choices = choices(labelled)
    return form


def _certification_form(cert: Certification | None, lang: str, *, formdata=True):
    gated = queries.gated_course_ids(cert)
    initial = CertificationForm.initial(cert, gated)
    form = CertificationForm(data=initial) if formdata else CertificationForm(None, data=initial)
    chosen = [*(link.course_id for link in cert.courses), *gated] if cert else []
    form.set_course_choices(queries.course_choices(lang, include_ids=chosen))
    return form


def _render(cert: Certification | None, form: CertificationForm, **extra):
    """The editor; on the edit page also rules, assignment, recertification and counts."""
    lang, today = locale_code(), clock.today()
    context = {"effect": None, "previewing": False, "needs_confirmation": False}
    context |= extra
    if cert is not None:
        context.setdefault("rule_form", _rule_form(lang))
        context.setdefault("assign_form", AssignForm(formdata=None))
        context.setdefault("recertify_form", _recertify_form(cert, lang))
        context |= {
            "rules": queries.rules_of(cert),
            "assigned_by_rule": queries.assigned_by_rule(cert),
            "counts": queries.state_counts(today, cert.id).get(cert.id, {}),
            "confirm_form": ConfirmForm(),
        }
    return render_template(
        "certification/form.html",
        certification=cert,
        form=form,
        base_help=presenters.BASE_HELP,
        rule_scope=presenters.rule_scope,
        **context,
        **_labels(),
    )


def _certification_page(cert: Certification | None):
    lang, today = locale_code(), clock.today()
    form = _certification_form(cert, lang)
    action = request.form.get("action", "save")
    extra: dict = {}
    if form.validate_on_submit():
        data = form.certification_data()
        try:
            services.validate(data, cert)
            effect = services.preview(cert, data.window_days, today)
            window_changed = cert is not None and data.window_days != cert.window_days
            unconfirmed = (
                window_changed
                and effect.opens_today > 0
                and form.confirmed.data != str(data.window_days)
            )
            if action == "preview" or unconfirmed:
                form.confirmed.data = str(data.window_days)
                extra = {
                    "effect": effect,
                    "previewing": True,
                    "window_changed": window_changed,
                    "needs_confirmation": unconfirmed and action != "preview",
                }
            else:
                saved = services.save(data, certification=cert, now=clock.now())
                db.session.commit()
                flash(
                    _(
                        "The certification %(title)s has been saved.",
                        title=saved.display_title(lang),
                    ),
                    "success",
                )
                return redirect(url_for(".edit", certification_id=saved.id))
        except CertificationError as error:
            _show_error(form, error, "slug")
        except IntegrityError:  # a concurrent request took the code
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, _("Another certification has this code.")]
    return _render(cert, form, **extra)


def _certification_or_404(certification_id: int) -> Certification:
    found = queries.certification(certification_id)
    if found is None:
        abort(404)
    return found


@bp.route("/certifications/manage/new", methods=["GET", "POST"])
@access.roles(*HR)
def create():
    return _certification_page(None)


@bp.route("/certifications/manage/<int:certification_id>", methods=["GET", "POST"])
@access.roles(*HR)
def edit(certification_id: int):
    return _certification_page(_certification_or_404(certification_id))


def _edit_page(cert: Certification, **extra):
    """The edit page as it stands, after a post to one of its smaller forms."""
    return _render(cert, _certification_form(cert, locale_code(), formdata=False), **extra)


def _back(cert: Certification, anchor: str):
    return redirect(url_for(".edit", certification_id=cert.id, _anchor=anchor))


# --- rules -----------------------------------------------------------------------------------


@bp.route("/certifications/manage/<int:certification_id>/rules", methods=["POST"])
@access.roles(*HR)
def add_rule(certification_id: int):
    cert = _certification_or_404(certification_id)
    form = _rule_form(locale_code(), RuleForm())
    if not form.validate_on_submit():
        return _edit_page(cert, rule_form=form)
    scope = {
        "post_id": _id(form.post.data),
        "team_id": _id(form.team.data),
        "department_id": _id(form.department.data),
    }
    everyone = bool(form.everyone.data) and not any(scope.values())
    if not (any(scope.values()) or everyone):
        message = _("Choose a post, a team, a department or everyone.")
        form.post.errors = [*form.post.errors, message]
        return _edit_page(cert, rule_form=form)
    if request.form.get("action") != "confirm":
        count = services.matching_count(cert, **scope)
        return _edit_page(cert, rule_form=form, rule_preview=count)
    try:
        _rule, count = services.add_rule(
            cert, **scope, everyone=everyone, actor=current_user, now=clock.now()
        )
    except CertificationError as error:
        _show_error(form, error, "post")
        return _edit_page(cert, rule_form=form)
    db.session.commit()
    flash(
        ngettext(
            "Rule added: %(num)d person assigned.", "Rule added: %(num)d people assigned.", count
        ),
        "success",
    )
    return _back(cert, "rules")


@bp.route(
    "/certifications/manage/<int:certification_id>/rules/<int:rule_id>/delete", methods=["POST"]
)
@access.roles(*HR)
def delete_rule(certification_id: int, rule_id: int):
    cert = _certification_or_404(certification_id)
    rule = db.session.get(CertificationRule, rule_id)
    if rule is None or rule.certification_id != cert.id or not rule.active:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_rule(rule)
    db.session.commit()
    flash(_("Rule removed: nobody new is assigned by it; those assigned keep it."), "success")
    return _back(cert, "rules")


# --- assigning people and requiring recertification -----------------------------------------


@bp.route("/certifications/manage/<int:certification_id>/assign", methods=["POST"])
@access.roles(*HR)
def assign(certification_id: int):
    cert = _certification_or_404(certification_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _edit_page(cert, assign_form=form)
    numbers = course_rules.parse_employee_nos(form.employees.data)
    try:
        ids = course_rules.resolve_employee_nos(numbers)
        count = services.assign(cert, employee_ids=ids, actor=current_user, now=clock.now())
    except (CertificationError, CatalogueError) as error:
        _show_error(form, error, "employees")
        return _edit_page(cert, assign_form=form)
    db.session.commit()
    flash(
        _("%(n)d of the %(m)d people listed assigned.", n=count, m=len(ids)),
        "success",
    )
    return _back(cert, "assign")


@bp.route("/certifications/manage/<int:certification_id>/recertify", methods=["POST"])
@access.roles(*HR)
def require_recertification(certification_id: int):
    cert = _certification_or_404(certification_id)
    form = _recertify_form(cert, locale_code(), RecertifyForm())
    if not form.validate_on_submit():
        return _edit_page(cert, recertify_form=form)
    course = db.session.get(Course, int(form.course.data))
    if request.form.get("action") != "confirm":
        preview = (renewal.recertification_count(cert, course), course)
        return _edit_page(cert, recertify_form=form, recertify_preview=preview)
    try:
        count = renewal.require_recertification(cert, course, by=form.by.data, now=clock.now())
    except CertificationError as error:
        _show_error(form, error, "course")
        return _edit_page(cert, recertify_form=form)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d person must recertify by %(date)s.",
            "%(num)d people must recertify by %(date)s.",
            count,
            date=form.by.data.isoformat(),
        ),
        "success",
    )
    return _back(cert, "recertify")


# --- holders ---------------------------------------------------------------------------------


@bp.route("/certifications/manage/<int:certification_id>/holders")
@access.roles(*HR)
def holders(certification_id: int):
    cert = _certification_or_404(certification_id)
    today = clock.today()
    state = request.args.get("state") or None
    sort = request.args.get("sort", "expiry")
    f = ListFilter(
        sort=sort if sort in queries.HOLDER_SORTS else "expiry",
        descending=request.args.get("dir") == "desc",
        state=state if state in presenters.STATES else None,
    )
    query = queries.holders_query(
        cert, state=f.state, sort=f.sort, descending=f.descending, today=today
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    return render_template(
        "certification/holders.html",
        certification=cert,
        page=page,
        f=f,
        today=today,
        holder_states=queries.states_of(page.items, today),
        counts=queries.state_counts(today, cert.id).get(cert.id, {}),
        days_text=presenters.days_text,
        **_labels(),
    )
