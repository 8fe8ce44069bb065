"""Routes of the assessments blueprint (bank): HR's question bank — the category tree and
question list, category and question forms with version history, preview, archive and
regrade. The import and export are in ``assessments.views.bank_transfer``; the queries in
``assessments.queries``.

Every route is for HR and administrators; a category or question that does not exist is a
404. Services raise ``BankError`` for what they refuse; it is shown on the field it names."""

from __future__ import annotations

import random

import yaml
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from assessments import bank, grading, queries, transfer
from assessments.forms.bank import FORMS, TYPE_LABELS, CategoryForm, QuestionForm
from assessments.forms.bank_text import YAML_EXAMPLES
from assessments.models import Question, QuestionCategory
from assessments.queries import BankFilter, Tree
from assessments.types import question_type
from assessments.views import bp
from courses import queries as course_queries
from courses.markdown import render as markdown
from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm, choices
from lms.i18n import locale_code
from lms.organisation.models import Employee

HR = ("hr", "admin")


def acting() -> Employee:
    return current_user._get_current_object()


def category_tree() -> Tree:
    return queries.category_tree(locale_code())


def category_choices(tree: Tree, *, blank: str | None = None, exclude: int | None = None):
    pairs = [("", blank)] if blank is not None else []
    return choices(pairs + [(str(n.category.id), n.path) for n in tree.flat(exclude)])


def category_from(value: str | int | None) -> QuestionCategory | None:
    """The category a select field names (None: none or the top level)."""
    text = str(value or "")
    return db.session.get(QuestionCategory, int(text)) if text.isdigit() else None


# --- the question list ----------------------------------------------------------------------


def _bank_filter(tree: Tree) -> BankFilter:
    category = request.args.get("category", "")
    sub = request.args.getlist("sub")
    kind = request.args.get("type") or None
    sort = request.args.get("sort", "created")
    return BankFilter(
        category=int(category) if category.isdigit() and int(category) in tree.nodes else None,
        subcategories="1" in sub if sub else True,
        q=request.args.get("q", "").strip()[:100],
        type=kind if kind in TYPE_LABELS else None,
        tag=(request.args.get("tag") or "").strip()[:50] or None,
        archived=request.args.get("archived") == "1",
        sort=sort if sort in queries.BANK_SORTS else "created",
        descending=request.args.get("dir", "desc" if sort == "created" else "asc") == "desc",
    )


@bp.route("/bank")
@access.roles(*HR)
def bank_index():
    tree = category_tree()
    f = _bank_filter(tree)
    page = db.paginate(
        queries.question_list_query(f, tree),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "assessments/bank/index.html",
        tree=tree,
        f=f,
        page=page,
        tags=queries.tags_in_use(),
        type_labels=TYPE_LABELS,
        excerpt=transfer.excerpt,
        selected=tree.nodes.get(f.category) if f.category else None,
        bank_empty=not tree.nodes and not page.total and not f.archived,
    )


# --- categories -----------------------------------------------------------------------------


def _category_form(category: QuestionCategory | None, tree: Tree) -> CategoryForm:
    form = CategoryForm()
    lang = locale_code()
    form.parent.choices = category_choices(
        tree, blank=_("— top level —"), exclude=category.id if category else None
    )
    form.track.choices = choices(
        [("", "—")] + [(str(t.id), t.display_name(lang)) for t in course_queries.tracks()]
    )
    if request.method == "GET":
        if category is not None:
            form.name.data, form.name_en.data = category.name, category.name_en or ""
            form.parent.data = str(category.parent_id or "")
            form.track.data = str(category.track_id or "")
        else:
            form.parent.data = request.args.get("parent", "")
    return form


def _save_category(form: CategoryForm, category: QuestionCategory | None):
    from courses.models import Track

    track = db.session.get(Track, int(form.track.data)) if form.track.data else None
    try:
        saved = bank.save_category(
            category,
            name=form.name.data,
            name_en=form.name_en.data,
            parent=category_from(form.parent.data),
            track=track,
        )
        db.session.commit()
    except bank.BankError as error:
        db.session.rollback()
        target = getattr(form, error.field or "name", None) or form.name
        target.errors = [*target.errors, str(error)]
        return None
    except IntegrityError:  # a concurrent request made the same category
        db.session.rollback()
        form.name.errors = [*form.name.errors, _("This category exists already.")]
        return None
    return saved


@bp.route("/bank/categories/new", methods=["GET", "POST"])
@access.roles(*HR)
def bank_category_new():
    form = _category_form(None, category_tree())
    if form.validate_on_submit():
        saved = _save_category(form, None)
        if saved is not None:
            flash(_("The category %(name)s has been created.", name=saved.name), "success")
            return redirect(url_for(".bank_index", category=saved.id))
    return render_template("assessments/bank/category_form.html", form=form, category=None)


@bp.route("/bank/categories/<int:category_id>", methods=["GET", "POST"])
@access.roles(*HR)
def bank_category_edit(category_id: int):
    category = db.session.get(QuestionCategory, category_id) or abort(404)
    tree = category_tree()
    form = _category_form(category, tree)
    if form.validate_on_submit():
        saved = _save_category(form, category)
        if saved is not None:
            flash(_("The category %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for(".bank_index", category=saved.id))
    return render_template(
        "assessments/bank/category_form.html",
        form=form,
        category=category,
        node=tree.nodes[category.id],
    )


# --- questions ------------------------------------------------------------------------------


def _question_or_404(question_id: int) -> Question:
    return queries.question_with_tags(question_id) or abort(404)


def _question_form(kind: str, tree: Tree) -> QuestionForm:
    form = FORMS[kind]()
    form.category.choices = category_choices(tree)
    return form


def _show_bank_error(form: QuestionForm, error: bank.BankError) -> None:
    if error.problems:
        form.show_problems(error.problems)
        return
    target = form.field_for(error.field or "")
    if target is None:
        form.problems.append(str(error))
    else:
        target.errors = [*target.errors, str(error)]


def _render_question_form(form, kind, question=None, versions=()):
    return render_template(
        "assessments/bank/question_form.html",
        form=form,
        kind=kind,
        question=question,
        versions=versions,
        type_labels=TYPE_LABELS,
        yaml_example=YAML_EXAMPLES.get(kind),
        confirm=ConfirmForm(),
    )


@bp.route("/bank/questions/new", methods=["GET", "POST"])
@access.roles(*HR)
def bank_question_new():
    kind = request.args.get("type", "")
    category_arg = request.args.get("category", "")
    if kind not in FORMS:
        return render_template(
            "assessments/bank/choose_type.html", type_labels=TYPE_LABELS, category=category_arg
        )
    tree = category_tree()
    if not tree.nodes:
        flash(_("Create a category first: every question belongs to one."), "info")
        return redirect(url_for(".bank_category_new"))
    form = _question_form(kind, tree)
    if request.method == "GET":
        form.category.data = category_arg
    if form.validate_on_submit():
        definition = form.build(kind)
        category = category_from(form.category.data)
        if definition is not None and category is not None:
            try:
                question = bank.create_question(
                    category, definition, actor=acting(), now=clock.now(), tags=form.tag_list
                )
                db.session.commit()
            except bank.BankError as error:
                db.session.rollback()
                _show_bank_error(form, error)
            else:
                flash(_("The question has been created."), "success")
                return redirect(url_for(".bank_question_edit", question_id=question.id))
    return _render_question_form(form, kind)


@bp.route("/bank/questions/<int:question_id>", methods=["GET", "POST"])
@access.roles(*HR)
def bank_question_edit(question_id: int):
    question = _question_or_404(question_id)
    current = question.current_version
    kind = current.type
    form = _question_form(kind, category_tree())
    if request.method == "GET":
        form.load(current.definition)
        form.category.data = str(question.category_id)
        form.tags.data = ", ".join(t.tag for t in question.tags)
    if form.validate_on_submit():
        definition = form.build(kind, current.definition)
        category = category_from(form.category.data)
        if definition is not None and category is not None:
            try:
                version = bank.edit_question(
                    question,
                    definition,
                    actor=acting(),
                    now=clock.now(),
                    tags=form.tag_list,
                    category=category,
                )
                db.session.commit()
            except bank.BankError as error:
                db.session.rollback()
                _show_bank_error(form, error)
            except IntegrityError:  # someone saved a version at the same moment
                db.session.rollback()
                form.problems.append(_("Someone saved this question at the same time; reload it."))
            else:
                if version.id == current.id:
                    flash(_("Saved; the question itself did not change."), "info")
                else:
                    flash(_("Saved as version %(n)d.", n=version.number), "success")
                return redirect(url_for(".bank_question_edit", question_id=question.id))
    return _render_question_form(form, kind, question, queries.version_history(question))


def key_details(definition: dict) -> dict:
    """What HR sees below the preview: the right answer in words and the definition."""
    return {
        "right_answer": question_type(definition["type"]).right_answer(definition),
        "yaml": yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=1000),
    }


@bp.route("/bank/questions/<int:question_id>/preview")
@access.roles(*HR)
def bank_question_preview(question_id: int):
    question = _question_or_404(question_id)
    number = request.args.get("version", type=int)
    version = question.current_version
    if number is not None and number != version.number:
        version = queries.question_version(question, number) or abort(404)
    kind = question_type(version.type)
    state = kind.prepare(version.definition, random.Random(question.id), True)
    return render_template(
        "assessments/bank/preview.html",
        question=question,
        version=version,
        view=kind.public_view(version.definition, state),
        definition=version.definition,
        key=key_details(version.definition),
        versions=queries.version_history(question),
        type_labels=TYPE_LABELS,
        markdown=markdown,
        render=markdown,  # for the learner's question partial
        confirm=ConfirmForm(),
    )


@bp.route("/bank/questions/<int:question_id>/archive", methods=["POST"])
@access.roles(*HR)
def bank_question_archive(question_id: int):
    question = _question_or_404(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    bank.archive_question(question, not question.archived)
    db.session.commit()
    if question.archived:
        flash(_("The question has been archived: random draws no longer pick it."), "success")
    else:
        flash(_("The question is back in use."), "success")
    return redirect(url_for(".bank_question_edit", question_id=question.id))


@bp.route("/bank/questions/<int:question_id>/regrade", methods=["POST"])
@access.roles(*HR)
def bank_question_regrade(question_id: int):
    question = _question_or_404(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    changed = grading.regrade_question(question, actor=acting(), now=clock.now())
    db.session.commit()
    message = ngettext(
        "Regraded with version %(v)d: %(num)d answer changed.",
        "Regraded with version %(v)d: %(num)d answers changed.",
        changed,
        v=question.current_version.number,
    )
    flash(message, "success" if changed else "info")
    return redirect(url_for(".bank_question_edit", question_id=question.id))
