"""The OpenAPI description of the mentorship API routes (registered into /api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi

_E = openapi.ERROR
_DATE = {"type": ["string", "null"], "format": "date"}
_PERSON = {"$ref": "#/components/schemas/MentorshipPerson"}
_KINDS = ["onboarding", "rotation", "development"]
_STATUSES = ["proposed", "active", "completed", "ended"]
_MENTORSHIP_ID = {
    "name": "mentorship_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _query(name: str, description: str, enum: list[str] | None = None) -> dict:
    schema: dict = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "schema": schema, "description": description}


openapi.register(
    paths={
        "/mentorships": {
            "get": {
                "summary": "List mentorships",
                "description": "HR and admin see every mentorship; a mentor those they mentor "
                "or mentored; a supervisor those of people in teams they lead or who report to "
                "them; everyone their own as mentee. rating and rating_comment are given to HR "
                "and admin only. An unknown mentor, mentee or team finds nothing.",
                "parameters": openapi.PAGE_PARAMS
                + [
                    _query("status", "the mentorship's status", _STATUSES),
                    _query("kind", "the mentorship's kind", _KINDS),
                    _query("mentor", "the mentor's employee_no"),
                    _query("mentee", "the mentee's employee_no"),
                    _query("team", "the name of the mentee's team"),
                ],
                "responses": {
                    "200": openapi.as_json(openapi.page_of("#/components/schemas/Mentorship")),
                    "400": _E,
                    "401": _E,
                },
            },
            "post": {
                "summary": "Assign a mentor (HR and admin)",
                "description": "Starts the mentorship at once, with the onboarding plan's "
                "check-ins. Overrides a proposal for the mentee and ends the current onboarding "
                "mentorship with another mentor. 404 for an unknown employee number; 409 when "
                "the mentor is not eligible, has no free place or is already assigned.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "required": ["mentor", "mentee"],
                            "additionalProperties": False,
                            "properties": {
                                "mentor": {"type": "string", "description": "employee_no"},
                                "mentee": {"type": "string", "description": "employee_no"},
                                "kind": {"type": "string", "enum": _KINDS, "default": _KINDS[0]},
                                "started_on": {"type": "string", "format": "date"},
                                "planned_end_on": {"type": "string", "format": "date"},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": openapi.as_json({"$ref": "#/components/schemas/Mentorship"}),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                    "409": _E,
                },
            },
        },
        "/mentorships/{mentorship_id}/check-ins": {
            "parameters": [_MENTORSHIP_ID],
            "post": {
                "summary": "Log a check-in that took place",
                "description": "The mentor, or HR and admin; anyone else gets 404. It fills the "
                "earliest planned or requested check-in still open, or is an extra one. 409 "
                "when the mentorship is not active.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "held_on": {
                                    "type": "string",
                                    "format": "date",
                                    "description": "default today; never in the future",
                                },
                                "notes": {"type": "string"},
                                "actions": {"type": "string"},
                                "pulse": {"type": "integer", "minimum": 1, "maximum": 5},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": openapi.as_json({"$ref": "#/components/schemas/CheckIn"}),
                    "400": _E,
                    "401": _E,
                    "404": _E,
                    "409": _E,
                },
            },
        },
        "/mentors/{employee_no}/mentees": {
            "parameters": [openapi.EMPLOYEE_NO],
            "get": {
                "summary": "A mentor's mentees, current and past, with onboarding progress",
                "description": "HR and admin, the mentor themself, their supervisor or team "
                "lead; anyone else gets 404. progress counts the mentee's enrolments.",
                "responses": {
                    "200": openapi.as_json(
                        {
                            "type": "object",
                            "properties": {
                                "mentor": _PERSON,
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Mentee"},
                                },
                                "total": {"type": "integer"},
                            },
                        }
                    ),
                    "401": _E,
                    "404": _E,
                },
            },
        },
    },
    schemas={
        "MentorshipPerson": {
            "type": "object",
            "properties": {"employee_no": {"type": "string"}, "name": {"type": "string"}},
        },
        "Mentorship": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "mentor": _PERSON,
                "mentee": _PERSON,
                "kind": {"type": "string", "enum": _KINDS},
                "status": {"type": "string", "enum": _STATUSES},
                "started_on": _DATE,
                "planned_end_on": _DATE,
                "ended_on": _DATE,
                "end_reason": {"type": ["string", "null"]},
                "score": {"type": ["number", "null"]},
                "reasons": {
                    "type": "array",
                    "description": "why the mentor was proposed: factor, points and details",
                    "items": {"type": "object"},
                },
                "signed_off_at": {"type": ["string", "null"], "format": "date-time"},
                "rating": {
                    "type": ["integer", "null"],
                    "description": "HR and admin only",
                },
                "rating_comment": {
                    "type": ["string", "null"],
                    "description": "HR and admin only",
                },
            },
        },
        "CheckIn": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "day": {"type": ["integer", "null"], "description": "the plan's day"},
                "due_on": {"type": "string", "format": "date"},
                "held_on": _DATE,
                "pulse": {"type": ["integer", "null"]},
                "notes": {"type": "string"},
                "actions": {"type": "string"},
            },
        },
        "Mentee": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "description": "the mentorship's id"},
                "mentee": _PERSON,
                "kind": {"type": "string", "enum": _KINDS},
                "status": {"type": "string", "enum": _STATUSES},
                "started_on": _DATE,
                "planned_end_on": _DATE,
                "ended_on": _DATE,
                "signed_off_at": {"type": ["string", "null"], "format": "date-time"},
                "progress": {
                    "type": "object",
                    "properties": {
                        "completed": {"type": "integer"},
                        "total": {"type": "integer"},
                    },
                },
            },
        },
    },
)
