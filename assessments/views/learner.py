"""Routes of the assessments blueprint (learner): a quiz's page, starting, answering (a
form that works without JavaScript, and a JSON autosave for attempt.js), submitting and the
review. Another person's attempt is answered with 404 on every route."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from assessments import attempts, presenters
from assessments.models import Attempt, AttemptState
from assessments.types import ResponseError, question_type
from assessments.views import bp
from courses.markdown import render
from lms import access, clock
from lms.errors import json_error
from lms.extensions import db
from lms.forms import ConfirmForm

_UNPARSABLE = object()


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = presenters.load_attempt(attempt_id)
    if attempt is None or attempt.employee_id != current_user.id:
        abort(404)
    return attempt


def _lesson_url(quiz) -> str | None:
    if quiz.course is None or not quiz.lesson_key:
        return None
    return url_for("courses.lesson", slug=quiz.course.slug, key=quiz.lesson_key)


@bp.route("/quizzes/<int:quiz_id>")
@access.signed_in
def quiz_view(quiz_id: int):
    quiz = presenters.published_quiz(quiz_id)
    if quiz is None:
        abort(404)
    now = clock.now()
    shown = presenters.quiz(quiz, current_user, presenters.attempts_of(quiz, current_user), now)
    return render_template(
        "assessments/quiz.html",
        quiz=quiz,
        shown=shown,
        form=ConfirmForm(),
        lesson_url=_lesson_url(quiz),
        render=render,
        state_label=presenters.state_label,
        grading_method_label=presenters.grading_method_label,
    )


@bp.route("/quizzes/<int:quiz_id>/start", methods=["POST"])
@access.signed_in
def quiz_start(quiz_id: int):
    quiz = presenters.published_quiz(quiz_id)
    if quiz is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt = presenters.start_or_resume(quiz, current_user, clock.now())
    except attempts.AttemptError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".quiz_view", quiz_id=quiz_id))
    db.session.commit()
    return redirect(url_for(".attempt_view", attempt_id=attempt.id))


def _attempt_page(attempt: Attempt, errors: dict[int, str] | None = None, status: int = 200):
    """The answering page; ``errors`` (slot -> message) keep what was posted on the page."""
    now = clock.now()
    shown = presenters.attempt(attempt, now)
    for q in shown["questions"]:
        if errors and q["slot"] in errors:
            q["error"], q["response"] = errors[q["slot"]]
    return render_template(
        "assessments/attempt.html",
        attempt=attempt,
        quiz=attempt.quiz,
        shown=shown,
        unanswered=presenters.unanswered(shown),
        form=ConfirmForm(),
        render=render,
    ), status


@bp.route("/attempts/<int:attempt_id>")
@access.signed_in
def attempt_view(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect(url_for(".attempt_review", attempt_id=attempt.id))
    return _attempt_page(attempt)


@bp.route("/attempts/<int:attempt_id>/answers/<int:slot>", methods=["POST"])
@access.signed_in
def attempt_save(attempt_id: int, slot: int):
    """Autosave of one answer for attempt.js: JSON in ({"response", "sequence"}), JSON out."""
    body = request.get_json(silent=True)
    sequence = body.get("sequence") if isinstance(body, dict) else None
    if not isinstance(body, dict) or "response" not in body or not _is_int(sequence):
        return json_error(400, _("Send a JSON object with a response and a sequence number."))
    try:
        answer = attempts.save_answer(
            attempt_id, current_user, slot, body["response"], sequence=sequence, now=clock.now()
        )
    except attempts.AttemptError as error:
        db.session.rollback()
        return _attempt_error(error)
    db.session.commit()
    return jsonify(
        {"saved": True, "sequence": answer.sequence, "saved_at": answer.saved_at.isoformat()}
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _attempt_error(error: attempts.AttemptError):
    """The refusal as the API gives it: {"error": {"status", "message", "code", ...}}."""
    body = {"status": error.status, **presenters.refusal(error)}
    return jsonify({"error": presenters.jsonable(body)}), error.status


# --- the whole form, posted without JavaScript -------------------------------------------


def posted_response(view: dict, form: MultiDict, name: str) -> Any:
    """A question's response as the form ``_question.html`` renders sends it."""
    kind = view["type"]
    if kind == "multiple_choice":
        return form.getlist(name) or None
    if kind == "matching":
        chosen = {p["id"]: form.get(f"{name}.{p['id']}") for p in view["prompts"]}
        return {prompt: text for prompt, text in chosen.items() if text}
    if kind == "ordering":
        items = [item["id"] for item in view["items"]]

        def position(pair: tuple[int, str]) -> tuple[float, int]:
            text = (form.get(f"{name}.{pair[1]}") or "").strip()
            return (float(text) if text.isdigit() else float("inf"), pair[0])

        return [item for _index, item in sorted(enumerate(items), key=position)]
    if kind == "scenario":
        return {
            part["id"]: posted_response(part["question"], form, f"{name}.{part['id']}")
            for part in view["parts"]
        }
    if kind in presenters.NO_INPUT:
        return None
    return form.get(name) or None


def _parsed(answer, raw: Any) -> Any:
    version = answer.question_version
    try:
        return (
            None
            if raw is None
            else question_type(version.type).parse_response(version.definition, raw)
        )
    except ResponseError:
        return _UNPARSABLE


def _save_posted(attempt: Attempt) -> tuple[dict[int, tuple[str, Any]], str | None]:
    """Save every changed answer of the posted form, each with the next sequence number.
    Returns the refused answers (slot -> (message, what was posted)) and, when the attempt
    no longer takes answers, the code why (finished, deadline)."""
    shown = {int(s) for s in request.form.getlist("slots") if s.isdigit()}
    errors: dict[int, tuple[str, Any]] = {}
    now = clock.now()
    for answer in attempt.answers:
        if answer.slot not in shown or answer.question_version.type in presenters.NO_INPUT:
            continue
        view = question_type(answer.question_version.type).public_view(
            answer.question_version.definition, answer.state or {}
        )
        raw = posted_response(view, request.form, f"q{answer.slot}")
        if _parsed(answer, raw) == answer.response:
            continue
        sequence = answer.sequence + 1
        for _try in range(2):
            try:
                attempts.save_answer(
                    attempt.id, current_user, answer.slot, raw, sequence=sequence, now=now
                )
                break
            except attempts.AttemptError as error:
                if error.code == "stale":  # an autosave got there first: the form is newer
                    sequence = int(error.extra.get("saved_sequence", sequence)) + 1
                    continue
                if error.code == "invalid":
                    errors[answer.slot] = (error.message, raw)
                    break
                return errors, error.code
    return errors, None


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@access.signed_in
def attempt_save_all(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect(url_for(".attempt_review", attempt_id=attempt.id))
    errors, closed = _save_posted(attempt)
    db.session.commit()
    if closed:
        flash(_("Time is up; answers can no longer change. Submit your attempt."), "warning")
        return redirect(url_for(".attempt_view", attempt_id=attempt.id))
    if errors:
        return _attempt_page(presenters.load_attempt(attempt_id), errors, 422)
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt_view", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@access.signed_in
def attempt_submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        errors, _closed = _save_posted(attempt)
        if errors:
            db.session.commit()  # keep the answers that could be saved
            flash(_("Some answers could not be saved; correct them, then submit."), "danger")
            return _attempt_page(presenters.load_attempt(attempt_id), errors, 422)
        try:
            attempts.submit(attempt.id, current_user, now=clock.now())
        except attempts.AttemptError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for(".attempt_view", attempt_id=attempt.id))
        db.session.commit()
    return redirect(url_for(".attempt_review", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/review")
@access.signed_in
def attempt_review(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect(url_for(".attempt_view", attempt_id=attempt.id))
    return render_template(
        "assessments/review.html",
        attempt=attempt,
        quiz=attempt.quiz,
        shown=presenters.attempt(attempt, clock.now()),
        lesson_url=_lesson_url(attempt.quiz),
        render=render,
        state_label=presenters.state_label,
    )
