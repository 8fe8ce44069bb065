"""API resources of the assessments: quizzes, attempts, statistics.

The same services and the same presenter as the pages, so the API reveals exactly what the
review page does. Another person's attempt is 404.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from assessments import attempts, item_analysis, presenters
from assessments.models import Attempt, Quiz
from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body
from lms.extensions import db


class Refused(ApiError):
    """An AttemptError as JSON: {"error": {"status", "message", "code", ...its extra}}."""

    def __init__(self, error: attempts.AttemptError):
        super().__init__(error.status, error.message)
        self.body = presenters.jsonable({"status": error.status, **presenters.refusal(error)})

    def response(self):
        return jsonify({"error": self.body}), self.status


def _refused(error: attempts.AttemptError) -> ApiError:
    db.session.rollback()
    return Refused(error)


def _quiz_or_404(quiz_id: int) -> Quiz:
    quiz = presenters.published_quiz(quiz_id)
    if quiz is None:
        raise ApiError(404, _("No such quiz."))
    return quiz


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = presenters.load_attempt(attempt_id)
    if attempt is None or attempt.employee_id != authenticate_bearer().id:
        raise ApiError(404, _("No such attempt."))
    return attempt


def _attempt_json(attempt_id: int) -> dict[str, Any]:
    return presenters.jsonable(presenters.attempt(_own_attempt(attempt_id), clock.now()))


@bp.get("/quizzes/<int:quiz_id>")
@access.api()
def api_quiz_get(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    person = authenticate_bearer()
    shown = presenters.quiz(quiz, person, presenters.attempts_of(quiz, person), clock.now())
    return jsonify(presenters.jsonable(shown))


@bp.post("/quizzes/<int:quiz_id>/attempts")
@access.api()
def api_quiz_start(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    now = clock.now()
    try:
        attempt = presenters.start_or_resume(quiz, authenticate_bearer(), now)
    except attempts.AttemptError as error:
        raise _refused(error) from None
    # Started by this request only if it holds the very ``now`` given above (an attempt read
    # back from the database, even one started in the same microsecond, is another object).
    started = attempt.started_at is now
    attempt_id = attempt.id
    db.session.commit()
    return jsonify(_attempt_json(attempt_id)), 201 if started else 200


@bp.put("/attempts/<int:attempt_id>/answers/<int:slot>")
@access.api()
def api_attempt_save(attempt_id: int, slot: int):
    body = json_body()
    sequence = body.get("sequence")
    missing = {}
    if "response" not in body:
        missing["response"] = "required"
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        missing["sequence"] = "an integer is required"
    if missing:
        raise ApiError(
            400, _("Send a JSON object with a response and a sequence number."), fields=missing
        )
    try:
        answer = attempts.save_answer(
            attempt_id,
            authenticate_bearer(),
            slot,
            body["response"],
            sequence=sequence,
            now=clock.now(),
        )
    except attempts.AttemptError as error:
        raise _refused(error) from None
    result = {
        "saved": True,
        "slot": answer.slot,
        "sequence": answer.sequence,
        "saved_at": answer.saved_at.isoformat(),
        "response": answer.response,
    }
    db.session.commit()
    return jsonify(result)


@bp.post("/attempts/<int:attempt_id>/submit")
@access.api()
def api_attempt_submit(attempt_id: int):
    try:
        attempts.submit(attempt_id, authenticate_bearer(), now=clock.now())
    except attempts.AttemptError as error:
        raise _refused(error) from None
    db.session.commit()
    return jsonify(_attempt_json(attempt_id))


@bp.get("/attempts/<int:attempt_id>")
@access.api()
def api_attempt_get(attempt_id: int):
    return jsonify(presenters.jsonable(presenters.attempt(_own_attempt(attempt_id), clock.now())))


# --- item analysis for HR -------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@bp.get("/quizzes/<int:quiz_id>/statistics")
@access.api("hr", "admin")
def api_quiz_statistics(quiz_id: int):
    """The item analysis the HR page shows (same service), per slot of the quiz and for the
    whole quiz, over graded first attempts (every graded attempt with ``attempts=all``)."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise ApiError(404, _("No such quiz."))
    which = request.args.get("attempts", "first")
    if which not in ("first", "all"):
        raise ApiError(400, _("attempts is first or all."))
    analysis = item_analysis.for_quiz(quiz, all_attempts=which == "all")
    questions = []
    for row in analysis.slots:
        s, slot = row.stats, row.slot
        version = slot.question.current_version if slot.question is not None else None
        questions.append(
            {
                "slot": slot.position,
                "question_id": slot.question_id,
                "category_id": slot.category_id,
                "title": version.title if version else None,
                "type": version.type if version else None,
                "max_mark": s.max_mark,
                "attempt_count": s.attempt_count,
                "answered_count": s.answered_count,
                "mean_mark": _round(s.mean_mark),
                "facility": _round(s.facility),
                "sd": _round(s.sd),
                "random_guess_score": _round(s.random_guess_score),
                "discrimination_index": _round(s.discrimination_index),
                "discriminative_efficiency": _round(s.discriminative_efficiency),
                "flags": row.flags,
            }
        )
    whole = analysis.quiz
    quiz_body = (
        None
        if whole is None
        else {
            name: (
                _round(getattr(whole, name))
                if name not in ("attempt_count", "question_count")
                else getattr(whole, name)
            )
            for name in (
                "attempt_count",
                "question_count",
                "max_total",
                "mean",
                "median",
                "sd",
                "mean_percent",
                "median_percent",
                "sd_percent",
                "skewness",
                "kurtosis",
                "cic",
                "error_ratio",
                "standard_error",
            )
        }
    )
    return jsonify(
        {"quiz_id": quiz.id, "attempts": which, "questions": questions, "quiz": quiz_body}
    )


from assessments import api_docs  # noqa: E402,F401 - documents the routes above
