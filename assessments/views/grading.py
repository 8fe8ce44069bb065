"""Routes of the assessments blueprint (grading): the queue of answers waiting for a person,
and grading one answer with its rubric (or marks) and a comment.

For mentors, supervisors, HR and administrators. Which answers a person may grade is the
quiz's rule (``grading.may_grade``); any other answer is a 404, as is an answer that is not
waiting for (or open to) manual grading.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from assessments import grading
from assessments.forms.grading import grade_form, points_value
from assessments.grading import GradingError
from assessments.models import Attempt, AttemptAnswer, AttemptState, GradeChange
from assessments.types import question_type
from assessments.types.manual import word_count
from assessments.types.scenario import is_manual
from assessments.views import bp
from courses.markdown import render as markdown
from lms import access, clock
from lms.extensions import db
from lms.i18n import locale_code
from lms.organisation.models import Employee

GRADERS = ("mentor", "supervisor", "hr", "admin")


def _grader() -> Employee:
    return current_user._get_current_object()


def _queue() -> sa.Select:
    """What waits for this grader — never their own attempts (a mentor shares a team with
    the learners they grade, and so with themselves)."""
    grader = _grader()
    return grading.grading_queue_query(grader).where(Attempt.employee_id != grader.id)


@bp.route("/grading")
@access.roles(*GRADERS)
def grading_queue():
    query = _queue().options(
        contains_eager(AttemptAnswer.attempt).contains_eager(Attempt.employee),
        contains_eager(AttemptAnswer.attempt).joinedload(Attempt.quiz),
        joinedload(AttemptAnswer.question_version),
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    return render_template("assessments/grading/queue.html", page=page)


# --- one answer -----------------------------------------------------------------------------


def _answer_or_404(answer_id: int) -> AttemptAnswer:
    answer = db.session.scalar(
        sa.select(AttemptAnswer)
        .where(AttemptAnswer.id == answer_id)
        .options(
            joinedload(AttemptAnswer.attempt).joinedload(Attempt.employee),
            joinedload(AttemptAnswer.attempt).joinedload(Attempt.quiz),
            joinedload(AttemptAnswer.question_version),
        )
    )
    if (
        answer is None
        or answer.attempt.state not in (AttemptState.NEEDS_GRADING, AttemptState.GRADED)
        or not is_manual(answer.question_version.definition)
        or answer.attempt.employee_id == current_user.id
        or not grading.may_grade(_grader(), answer.attempt)
    ):
        abort(404)
    return answer


def _localised(definition: dict, key: str) -> str:
    return (definition.get(f"{key}_en") if locale_code() == "en" else None) or definition.get(
        key, ""
    )


def describe_response(definition: dict, response: object) -> str:
    """A learner's response in words, for the grader (who may see the key)."""
    if response is None or response == "" or response == [] or response == {}:
        return ""
    kind = definition.get("type")
    if kind in ("single_choice", "multiple_choice"):
        texts = {o["id"]: _localised(o, "text") for o in definition.get("options", [])}
        chosen = response if isinstance(response, list) else [response]
        return "; ".join(texts.get(str(c), str(c)) for c in chosen)
    if kind == "true_false":
        return _("True") if response is True else _("False")
    if kind == "matching" and isinstance(response, dict):
        prompts = {p["id"]: p["prompt"] for p in definition.get("pairs", [])}
        return "; ".join(f"{prompts.get(k, k)} → {v}" for k, v in response.items())
    if kind == "ordering" and isinstance(response, list):
        texts = {i["id"]: i["text"] for i in definition.get("items", [])}
        return " → ".join(texts.get(str(i), str(i)) for i in response)
    return str(response)


def _parts(answer: AttemptAnswer) -> list[dict]:
    """A scenario's parts with the learner's responses and the automatic marks."""
    definition = answer.question_version.definition
    if definition.get("type") != "scenario":
        return []
    response = answer.response if isinstance(answer.response, dict) else {}
    automatic = question_type("scenario").grade(definition, response).details.get("parts", {})
    total = sum(part["weight"] for part in definition["parts"]) or 1.0
    parts = []
    for part in definition["parts"]:
        question = part["question"]
        fraction = automatic.get(part["id"])
        maximum = answer.max_marks * part["weight"] / total
        parts.append(
            {
                "id": part["id"],
                "question": question,
                "manual": fraction is None,
                "response": describe_response(question, response.get(part["id"])),
                "marks": None if fraction is None else fraction * maximum,
                "maximum": maximum,
                "right_answer": question_type(question["type"]).right_answer(question),
            }
        )
    return parts


def _manual_maximum(answer: AttemptAnswer, parts: list[dict]) -> float:
    """The marks the grader gives: the whole question, or a scenario's manual parts."""
    if not parts:
        return answer.max_marks
    return sum(part["maximum"] for part in parts if part["manual"])


def _history(answer: AttemptAnswer) -> list[tuple[GradeChange, Employee | None]]:
    return list(
        db.session.execute(
            sa.select(GradeChange, Employee)
            .outerjoin(Employee, Employee.id == GradeChange.changed_by_id)
            .where(GradeChange.answer_id == answer.id)
            .order_by(GradeChange.changed_at, GradeChange.id)
        )
    )


def _next_in_queue():
    following = db.session.scalar(_queue().limit(1))
    if following is None:
        return redirect(url_for(".grading_queue"))
    return redirect(url_for(".grading_answer", answer_id=following.id))


@bp.route("/grading/answers/<int:answer_id>", methods=["GET", "POST"])
@access.roles(*GRADERS)
def grading_answer(answer_id: int):
    answer = _answer_or_404(answer_id)
    definition = answer.question_version.definition
    holder = grading.rubric_holder(definition)
    rubric = holder.get("rubric") if holder.get("type") == "essay" else None
    parts = _parts(answer)
    maximum = _manual_maximum(answer, parts)
    form = grade_form(rubric, maximum, locale_code())
    if not form.is_submitted() and answer.graded_at is not None:
        form.comment.data = answer.grader_comment
        for criterion, field in form.criterion_fields():
            points = (answer.rubric_scores or {}).get(criterion["id"])
            field.data = None if points is None else points_value(points)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            grading.grade_manually(
                answer,
                _grader(),
                now=clock.now(),
                fraction=None if rubric else (form.marks.data / maximum if maximum else 0.0),
                rubric_scores=form.rubric_scores() if rubric else None,
                comment=form.comment.data,
            )
            db.session.commit()
            flash(_("The grade has been saved."), "success")
            return _next_in_queue()
        except GradingError as error:
            db.session.rollback()
            problems.append(str(error))
            answer = _answer_or_404(answer_id)
    return render_template(
        "assessments/grading/answer.html",
        answer=answer,
        attempt=answer.attempt,
        definition=definition,
        essay=holder if holder.get("type") == "essay" else definition,
        parts=parts,
        rubric=rubric,
        maximum=maximum,
        form=form,
        problems=problems,
        history=_history(answer),
        words=word_count(answer.response) if isinstance(answer.response, str) else None,
        localised=_localised,
        markdown=markdown,
    )
