"""The OpenAPI description of the assessment API routes (registered into /api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi

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
