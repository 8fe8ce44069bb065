"""API resources of the assessments: quizzes, attempts, statistics.

The same services and the same presenter as the pages, so the API reveals exactly what the
review page does. Another person's attempt is 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from assessments import attempts, presenters, statistics
from assessments.models import Attempt, AttemptAnswer, AttemptState, QuestionVersion, Quiz
from lms import access, clock
from lms.api import bp, openapi
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


def _guess_score(definition: dict) -> float | None:
    """What a blind guess earns, as a fraction of the marks (None when not meaningful)."""
    kind = definition.get("type")
    if kind == "true_false":
        return 0.5
    if kind == "single_choice" and definition.get("options"):
        options = definition["options"]
        return sum(max(0.0, o.get("fraction", 0.0)) for o in options) / len(options)
    return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@bp.get("/quizzes/<int:quiz_id>/statistics")
@access.api("hr", "admin")
def api_quiz_statistics(quiz_id: int):
    """Per question of the quiz (for fixed questions, the quiz slot it fills) and for the
    whole quiz, over graded attempts: each person's first by default, every one with
    ``attempts=all``."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise ApiError(404, _("No such quiz."))
    which = request.args.get("attempts", "first")
    if which not in ("first", "all"):
        raise ApiError(400, _("attempts is first or all."))
    query = (
        sa.select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED)
        .options(joinedload(AttemptAnswer.question_version).joinedload(QuestionVersion.question))
        .order_by(Attempt.id, AttemptAnswer.slot)
    )
    if which == "first":
        query = query.where(Attempt.number == 1)
    answers = db.session.scalars(query).all()
    by_attempt: dict[int, dict[int, float | None]] = {}  # attempt -> question -> marks
    by_position: dict[int, dict[int, float | None]] = {}  # attempt -> slot -> marks
    max_by_question: dict[int, float] = {}
    max_by_position: dict[int, float] = {}
    versions: dict[int, QuestionVersion] = {}
    for answer in answers:
        question_id = answer.question_version.question_id
        mark = answer.marks if answer.response is not None else None
        by_attempt.setdefault(answer.attempt_id, {})[question_id] = mark
        by_position.setdefault(answer.attempt_id, {})[answer.slot] = mark
        max_by_question[question_id] = max(max_by_question.get(question_id, 0.0), answer.max_marks)
        max_by_position[answer.slot] = max(max_by_position.get(answer.slot, 0.0), answer.max_marks)
        versions.setdefault(question_id, answer.question_version)
    rows = list(by_attempt.values())
    guesses = {q: _guess_score(v.definition) for q, v in versions.items()}
    stats = {s.slot: s for s in statistics.question_statistics(rows, max_by_question, guesses)}
    for question_id in max_by_question:  # drawn at random: only the attempts that drew it
        holding = [row for row in rows if question_id in row]
        if len(holding) != len(rows):
            stats[question_id] = next(
                s
                for s in statistics.question_statistics(holding, max_by_question, guesses)
                if s.slot == question_id
            )
    fixed = {slot.question_id: slot.position for slot in quiz.slots if slot.question_id}
    questions = []
    for question_id in sorted(max_by_question, key=lambda q: (fixed.get(q, 10**6), q)):
        s = stats[question_id]
        version = versions[question_id]
        questions.append(
            {
                "slot": fixed.get(question_id),
                "question_id": question_id,
                "title": version.title,
                "type": version.type,
                "max_mark": s.max_mark,
                "attempt_count": s.attempt_count,
                "answered_count": s.answered_count,
                "mean_mark": _round(s.mean_mark),
                "facility": _round(s.facility),
                "sd": _round(s.sd),
                "random_guess_score": _round(s.random_guess_score),
                "discrimination_index": _round(s.discrimination_index),
                "discriminative_efficiency": _round(s.discriminative_efficiency),
                "flags": statistics.flags(s),
            }
        )
    whole = statistics.quiz_statistics(list(by_position.values()), max_by_position)
    return jsonify(
        {
            "quiz_id": quiz.id,
            "attempts": which,
            "questions": questions,
            "quiz": {
                "attempt_count": whole.attempt_count,
                "question_count": whole.question_count,
                "max_total": whole.max_total,
                "mean": _round(whole.mean),
                "median": _round(whole.median),
                "sd": _round(whole.sd),
                "mean_percent": _round(whole.mean_percent),
                "median_percent": _round(whole.median_percent),
                "sd_percent": _round(whole.sd_percent),
                "skewness": _round(whole.skewness),
                "kurtosis": _round(whole.kurtosis),
                "cic": _round(whole.cic),
                "error_ratio": _round(whole.error_ratio),
                "standard_error": _round(whole.standard_error),
            },
        }
    )


# --- OpenAPI ------------------------------------------------------------------------------

_E = openapi.ERROR
_QUIZ_ID = {"name": "quiz_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ATTEMPT_ID = {"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SLOT = {"name": "slot", "in": "path", "required": True, "schema": {"type": "integer"}}
_ATTEMPT = openapi.as_json({"$ref": "#/components/schemas/Attempt"})
_REVEALS = (
    "Marks, right answers and feedback appear only as the quiz's review options allow at the "
    "moment of the request; keys that may not be shown are left out. While an attempt is in "
    "progress only each question's view (stem, options in the attempt's order, ...) and the "
    "saved response are given."
)
openapi.register(
    paths={
        "/quizzes/{quiz_id}": {
            "parameters": [_QUIZ_ID],
            "get": {
                "summary": "A published quiz: its settings for you and your attempts",
                "description": "Settings with your overrides applied (time limit, attempts "
                "allowed, close time), attempts used, whether you may start one and why not "
                "(refusal.code: closed, not_open, limit, delay), and your final grade by the "
                "quiz's grading method when every graded attempt may show its marks.",
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/QuizForLearner"}),
                    "401": _E,
                    "404": _E,
                },
            },
        },
        "/quizzes/{quiz_id}/attempts": {
            "parameters": [_QUIZ_ID],
            "post": {
                "summary": "Start an attempt, or resume the open one",
                "description": "201 when this request started the attempt, 200 when an open "
                "attempt is resumed. Safe to repeat: there is never more than one open attempt. "
                "403 when the quiz is closed or not open yet, the attempts are used up, or the "
                "delay between attempts has not passed (error.code says which).",
                "responses": {
                    "200": _ATTEMPT,
                    "201": _ATTEMPT,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                    "409": _E,
                    "503": _E,
                },
            },
        },
        "/attempts/{attempt_id}": {
            "parameters": [_ATTEMPT_ID],
            "get": {
                "summary": "One of your attempts",
                "description": _REVEALS + " Another person's attempt is 404.",
                "responses": {"200": _ATTEMPT, "401": _E, "404": _E},
            },
        },
        "/attempts/{attempt_id}/answers/{slot}": {
            "parameters": [_ATTEMPT_ID, _SLOT],
            "put": {
                "summary": "Save the answer to one question",
                "description": "Each save carries a sequence number greater than the last "
                "saved one for that question; a stale one is refused (409, code stale, with "
                "saved_sequence) and never overwrites a newer answer. Refused after "
                "submission (409 finished) and after the server's deadline (409 deadline); "
                "an answer the question cannot take is 422 (code invalid). The response's "
                "shape depends on the question type: an option id (single choice), a list "
                "of option ids (multiple choice), true/false, text (short answer, essay), a "
                "number or numeric text (numerical), {prompt id: choice text} (matching), "
                "the list of every item id in order (ordering), {part id: the part's "
                "response} (scenario); null clears the answer.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "required": ["response", "sequence"],
                            "properties": {
                                "response": {},
                                "sequence": {"type": "integer", "minimum": 1},
                            },
                        }
                    ),
                },
                "responses": {
                    "200": openapi.as_json(
                        {
                            "type": "object",
                            "properties": {
                                "saved": {"type": "boolean"},
                                "slot": {"type": "integer"},
                                "sequence": {"type": "integer"},
                                "saved_at": {"type": "string", "format": "date-time"},
                                "response": {},
                            },
                        }
                    ),
                    "400": _E,
                    "401": _E,
                    "404": _E,
                    "409": _E,
                    "422": _E,
                },
            },
        },
        "/attempts/{attempt_id}/submit": {
            "parameters": [_ATTEMPT_ID],
            "post": {
                "summary": "Submit an attempt for grading",
                "description": "Idempotent: submitting again returns the same result. After "
                "the deadline the quiz's overdue policy applies. " + _REVEALS,
                "responses": {"200": _ATTEMPT, "401": _E, "404": _E},
            },
        },
        "/quizzes/{quiz_id}/statistics": {
            "parameters": [
                _QUIZ_ID,
                {
                    "name": "attempts",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["first", "all"], "default": "first"},
                    "description": "each person's first graded attempt, or every graded one",
                },
            ],
            "get": {
                "summary": "Item analysis of a quiz (HR and admin)",
                "description": "Per question: facility, SD, random guess score, discrimination "
                "index and efficiency (all in %), with review flags (not_answered, too_easy, "
                "too_hard, negative_discrimination, does_not_discriminate, high_guess_score); "
                "for the quiz: mean, median, SD, skewness, kurtosis, CIC, error ratio and "
                "standard error. A question drawn at random is analysed over the attempts "
                "that drew it.",
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/QuizStatistics"}),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                },
            },
        },
    },
    schemas={
        "QuizForLearner": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "title_en": {"type": ["string", "null"]},
                "intro": {"type": "string", "description": "Markdown"},
                "pass_percent": {"type": "number"},
                "time_limit_seconds": {"type": ["integer", "null"]},
                "attempts_allowed": {"type": "integer", "description": "0: unlimited"},
                "attempts_used": {"type": "integer"},
                "grading_method": {
                    "type": "string",
                    "enum": ["highest", "average", "first", "last"],
                },
                "open_at": {"type": ["string", "null"], "format": "date-time"},
                "close_at": {"type": ["string", "null"], "format": "date-time"},
                "min_delay_seconds": {"type": "integer"},
                "questions": {"type": "integer"},
                "open_attempt_id": {"type": ["integer", "null"]},
                "can_start": {"type": "boolean"},
                "refusal": {
                    "type": ["object", "null"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "wait_until": {"type": "string", "format": "date-time"},
                        "opens_at": {"type": "string", "format": "date-time"},
                    },
                },
                "attempts": {"type": "array", "items": {"$ref": "#/components/schemas/Attempt"}},
                "final_grade": {"type": ["number", "null"], "description": "percent"},
                "passed": {"type": "boolean"},
            },
        },
        "Attempt": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "quiz_id": {"type": "integer"},
                "number": {"type": "integer"},
                "state": {
                    "type": "string",
                    "enum": ["in_progress", "submitted", "needs_grading", "graded", "abandoned"],
                },
                "started_at": {"type": "string", "format": "date-time"},
                "deadline_at": {"type": ["string", "null"], "format": "date-time"},
                "finished_at": {"type": ["string", "null"], "format": "date-time"},
                "remaining_seconds": {"type": ["integer", "null"]},
                "review": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["marks", "right_answers", "feedback"]},
                    "description": "what this response may reveal",
                },
                "needs_grading": {"type": "boolean"},
                "marks": {"type": "number"},
                "max_marks": {"type": "number"},
                "percent": {"type": "number"},
                "passed": {"type": "boolean"},
                "questions": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/AttemptQuestion"},
                },
            },
        },
        "AttemptQuestion": {
            "type": "object",
            "properties": {
                "slot": {"type": "integer"},
                "number": {
                    "type": ["integer", "null"],
                    "description": "as shown; null for text without a question",
                },
                "type": {"type": "string"},
                "max_marks": {"type": "number"},
                "view": {
                    "type": "object",
                    "description": "the question as the learner sees it: stem (Markdown), "
                    "options, prompts and choices, items, parts",
                },
                "response": {},
                "answered": {"type": "boolean"},
                "sequence": {"type": "integer"},
                "saved_at": {"type": ["string", "null"], "format": "date-time"},
                "waiting_for_grading": {"type": "boolean"},
                "marks": {"type": "number"},
                "outcome": {"type": "string", "enum": ["correct", "partial", "incorrect"]},
                "rubric_scores": {"type": "array", "items": {"type": "object"}},
                "right_answer": {"type": "string"},
                "feedback": {"type": "string", "description": "Markdown"},
                "general_feedback": {"type": "string", "description": "Markdown"},
                "grader_comment": {"type": "string"},
            },
        },
        "QuizStatistics": {
            "type": "object",
            "properties": {
                "quiz_id": {"type": "integer"},
                "attempts": {"type": "string", "enum": ["first", "all"]},
                "questions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "slot": {"type": ["integer", "null"]},
                            "question_id": {"type": "integer"},
                            "title": {"type": "string"},
                            "type": {"type": "string"},
                            "max_mark": {"type": "number"},
                            "attempt_count": {"type": "integer"},
                            "answered_count": {"type": "integer"},
                            "mean_mark": {"type": ["number", "null"]},
                            "facility": {"type": ["number", "null"]},
                            "sd": {"type": ["number", "null"]},
                            "random_guess_score": {"type": ["number", "null"]},
                            "discrimination_index": {"type": ["number", "null"]},
                            "discriminative_efficiency": {"type": ["number", "null"]},
                            "flags": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
                "quiz": {"type": "object"},
            },
        },
    },
)
