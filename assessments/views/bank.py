"""Routes of the assessments blueprint (bank): HR's question bank — the category tree and
question list, category and question forms with version history, preview, archive and
regrade, and GIFT/Aiken import (preview, then commit) and GIFT export.

Every route is for HR and administrators; a category or question that does not exist is a
404. Services raise ``BankError`` for what they refuse; it is shown on the field it names."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import sqlalchemy as sa
import yaml
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from assessments import bank, grading, transfer
from assessments.forms.bank import (
    FORMS,
    TYPE_LABELS,
    YAML_EXAMPLES,
    CategoryForm,
    ImportForm,
    QuestionForm,
)
from assessments.models import Question, QuestionCategory, QuestionTag, QuestionVersion
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
SORTS = ("created", "title", "type", "version")


def _acting() -> Employee:
    return current_user._get_current_object()


# --- the category tree ----------------------------------------------------------------------


@dataclass
class Node:
    category: QuestionCategory
    path: str
    depth: int
    own: int = 0  # questions directly in it
    total: int = 0  # questions in it and below
    children: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    roots: list[Node]
    nodes: dict[int, Node]

    def below(self, category_id: int) -> list[int]:
        """The category's id and the ids of every category below it."""
        found, queue = [], [self.nodes[category_id]]
        while queue:
            node = queue.pop()
            found.append(node.category.id)
            queue.extend(node.children)
        return found

    def flat(self, exclude: int | None = None) -> list[Node]:
        """Depth first, by name; without ``exclude`` and what is below it."""
        out: list[Node] = []

        def walk(nodes: list[Node]) -> None:
            for node in nodes:
                if node.category.id != exclude:
                    out.append(node)
                    walk(node.children)

        walk(self.roots)
        return out


def category_tree() -> Tree:
    """Every category with its path and question counts, subcategories included (two
    statements: the categories, and one grouped count)."""
    lang = locale_code()
    categories = db.session.scalars(sa.select(QuestionCategory)).all()
    counts = dict(
        db.session.execute(
            sa.select(Question.category_id, sa.func.count(Question.id))
            .where(Question.archived.is_(False))
            .group_by(Question.category_id)
        ).all()
    )
    nodes = {c.id: Node(c, "", 0, own=counts.get(c.id, 0)) for c in categories}
    roots = []
    for node in sorted(nodes.values(), key=lambda n: n.category.display_name(lang)):
        parent = nodes.get(node.category.parent_id) if node.category.parent_id else None
        (parent.children if parent else roots).append(node)

    def settle(node: Node, prefix: str, depth: int) -> int:
        node.path = prefix + node.category.display_name(lang)
        node.depth = depth
        node.total = node.own + sum(settle(c, node.path + " / ", depth + 1) for c in node.children)
        return node.total

    for root in roots:
        settle(root, "", 0)
    return Tree(roots, nodes)


def _category_choices(tree: Tree, *, blank: str | None = None, exclude: int | None = None):
    pairs = [("", blank)] if blank is not None else []
    return choices(pairs + [(str(n.category.id), n.path) for n in tree.flat(exclude)])


def _category(value: str | int | None) -> QuestionCategory | None:
    text = str(value or "")
    return db.session.get(QuestionCategory, int(text)) if text.isdigit() else None


# --- the question list ----------------------------------------------------------------------


@dataclass
class BankFilter:
    category: int | None = None
    subcategories: bool = True
    q: str = ""
    type: str | None = None
    tag: str | None = None
    archived: bool = False
    sort: str = "created"
    descending: bool = True


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
        sort=sort if sort in SORTS else "created",
        descending=request.args.get("dir", "desc" if sort == "created" else "asc") == "desc",
    )


def _question_query(f: BankFilter, tree: Tree) -> sa.Select:
    version = QuestionVersion
    title = sa.func.coalesce(version.definition["title"].as_string(), "")
    stem = sa.func.coalesce(version.definition["stem"].as_string(), "")
    query = (
        sa.select(Question)
        .join(version, version.id == Question.current_version_id)
        .options(contains_eager(Question.current_version), selectinload(Question.tags))
    )
    if f.category is not None:
        ids = tree.below(f.category) if f.subcategories else [f.category]
        query = query.where(Question.category_id.in_(ids))
    if not f.archived:
        query = query.where(Question.archived.is_(False))
    if f.type:
        query = query.where(version.type == f.type)
    if f.tag:
        query = query.where(
            sa.exists().where(QuestionTag.question_id == Question.id, QuestionTag.tag == f.tag)
        )
    if f.q:
        needle = f.q.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(stem).contains(needle, autoescape=True),
                sa.func.lower(title).contains(needle, autoescape=True),
            )
        )
    keys = {
        "created": (Question.created_at,),
        "title": (sa.func.lower(sa.func.coalesce(sa.func.nullif(title, ""), stem)),),
        "type": (version.type,),
        "version": (version.number,),
    }[f.sort]
    order = [key.desc() if f.descending else key for key in keys]
    return query.order_by(*order, Question.id.desc() if f.descending else Question.id)


@bp.route("/bank")
@access.roles(*HR)
def bank_index():
    tree = category_tree()
    f = _bank_filter(tree)
    page = db.paginate(
        _question_query(f, tree),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    tags = db.session.scalars(
        sa.select(QuestionTag.tag).distinct().order_by(QuestionTag.tag).limit(500)
    ).all()
    return render_template(
        "assessments/bank/index.html",
        tree=tree,
        f=f,
        page=page,
        tags=tags,
        type_labels=TYPE_LABELS,
        excerpt=transfer.excerpt,
        selected=tree.nodes.get(f.category) if f.category else None,
        bank_empty=not tree.nodes and not page.total and not f.archived,
    )


# --- categories -----------------------------------------------------------------------------


def _category_form(category: QuestionCategory | None, tree: Tree) -> CategoryForm:
    form = CategoryForm()
    lang = locale_code()
    form.parent.choices = _category_choices(
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
            parent=_category(form.parent.data),
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


@bp.route("/bank/categories/<int:category_id>/export.gift")
@access.roles(*HR)
def bank_export(category_id: int):
    category = db.session.get(QuestionCategory, category_id) or abort(404)
    archived = request.args.get("archived") == "1"
    exported = transfer.export_category(category, include_archived=archived)
    return send_file(
        io.BytesIO(exported.text.encode("utf-8")),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=f"{category.name}.gift.txt",
    )


# --- questions ------------------------------------------------------------------------------


def _question_or_404(question_id: int) -> Question:
    question = db.session.scalar(
        sa.select(Question)
        .where(Question.id == question_id)
        .options(selectinload(Question.current_version), selectinload(Question.tags))
    )
    if question is None or question.current_version is None:
        abort(404)
    return question


def _versions(question: Question) -> list:
    return db.session.execute(
        sa.select(QuestionVersion.number, QuestionVersion.created_at, Employee.name)
        .outerjoin(Employee, Employee.id == QuestionVersion.created_by_id)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.number.desc())
    ).all()


def _question_form(kind: str, tree: Tree) -> QuestionForm:
    form = FORMS[kind]()
    form.category.choices = _category_choices(tree)
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
        category = _category(form.category.data)
        if definition is not None and category is not None:
            try:
                question = bank.create_question(
                    category, definition, actor=_acting(), now=clock.now(), tags=form.tag_list
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
        category = _category(form.category.data)
        if definition is not None and category is not None:
            try:
                version = bank.edit_question(
                    question,
                    definition,
                    actor=_acting(),
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
    return _render_question_form(form, kind, question, _versions(question))


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
        version = db.session.scalar(
            sa.select(QuestionVersion).where(
                QuestionVersion.question_id == question.id, QuestionVersion.number == number
            )
        ) or abort(404)
    kind = question_type(version.type)
    state = kind.prepare(version.definition, random.Random(question.id), True)
    return render_template(
        "assessments/bank/preview.html",
        question=question,
        version=version,
        view=kind.public_view(version.definition, state),
        definition=version.definition,
        key=key_details(version.definition),
        versions=_versions(question),
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
    changed = grading.regrade_question(question, actor=_acting(), now=clock.now())
    db.session.commit()
    message = ngettext(
        "Regraded with version %(v)d: %(num)d answer changed.",
        "Regraded with version %(v)d: %(num)d answers changed.",
        changed,
        v=question.current_version.number,
    )
    flash(message, "success" if changed else "info")
    return redirect(url_for(".bank_question_edit", question_id=question.id))


# --- import ---------------------------------------------------------------------------------


def _import_text(form: ImportForm) -> str | None:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            return transfer.decode(upload.read())
        except transfer.TransferError as error:
            form.file.errors = [*form.file.errors, str(error)]
            return None
    if not (form.text.data or "").strip():
        form.text.errors = [*form.text.errors, _("Upload a file or paste the questions.")]
        return None
    return form.text.data


@bp.route("/bank/import", methods=["GET", "POST"])
@access.roles(*HR)
def bank_import():
    tree = category_tree()
    form = ImportForm()
    form.category.choices = _category_choices(tree, blank=_("— top level —"))
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
    result = text = None
    if form.validate_on_submit():
        text = _import_text(form)
        target = _category(form.category.data)
        base = bank.category_path(target) if target else []
        if text is not None and form.action.data == "import":
            try:
                result = transfer.import_questions(
                    text, form.format.data, base=base, actor=_acting(), now=clock.now()
                )
            except (bank.BankError, IntegrityError) as error:
                db.session.rollback()
                message = str(error) if isinstance(error, bank.BankError) else None
                result = transfer.ImportResult(
                    problems=[transfer.Problem(None, None, message or _("Please try again."))]
                )
            if result.ok:
                db.session.commit()
                message = ngettext(
                    "%(num)d question imported.", "%(num)d questions imported.", result.created
                )
                flash(message, "success")
                return redirect(url_for(".bank_index", category=target.id if target else None))
            db.session.rollback()
        elif text is not None:
            result = transfer.check(text, form.format.data, base)
    return render_template(
        "assessments/bank/import.html",
        form=form,
        result=result,
        text=text,
        type_labels=TYPE_LABELS,
    )
