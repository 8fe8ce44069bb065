"""The OpenAPI description of the certification API routes (registered into
/api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi

_E = openapi.ERROR
_DATE = {"type": ["string", "null"], "format": "date"}
_STATES = ["assigned", "in_progress", "certified", "due", "expired"]
_SLUGS = {"type": "array", "items": {"type": "string"}}
_CERTIFICATION_ID = {
    "name": "certification_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}

openapi.register(
    paths={
        "/certifications": {
            "get": {
                "summary": "List certifications",
                "description": "Every token sees the active certifications; HR and admin see "
                "every certification, inactive ones too, each with its holders (people still "
                "employed) counted by state.",
                "parameters": openapi.PAGE_PARAMS,
                "responses": {
                    "200": openapi.as_json(openapi.page_of("#/components/schemas/Certification")),
                    "400": _E,
                    "401": _E,
                },
            }
        },
        "/certifications/{certification_id}/assignments": {
            "parameters": [_CERTIFICATION_ID],
            "post": {
                "summary": "Assign a certification (HR and admin)",
                "description": "To people, a team, a post, a department or everyone: give "
                "exactly one of the fields. People who left are never assigned; people who "
                "hold it already are left as they are; people who completed its courses are "
                "certified at once. assigned counts the new holders. Unknown employee numbers, "
                "teams, posts or departments: 422 naming them, and nothing is assigned. 404 for "
                "an unknown certification, 409 for an inactive one.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "minProperties": 1,
                            "maxProperties": 1,
                            "properties": {
                                "employee_nos": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "minItems": 1,
                                    "maxItems": 5000,
                                },
                                "team_id": {"type": "integer"},
                                "post_id": {"type": "integer"},
                                "department_id": {"type": "integer"},
                                "everyone": {"type": "boolean", "const": True},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": openapi.as_json(
                        {"type": "object", "properties": {"assigned": {"type": "integer"}}}
                    ),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                    "409": _E,
                    "422": _E,
                },
            },
        },
        "/employees/{employee_no}/certifications": {
            "parameters": [openapi.EMPLOYEE_NO],
            "get": {
                "summary": "A person's certifications with the history of every cycle",
                "description": "HR and admin, the person themself, their supervisor or team "
                "lead; anyone else gets 404. state is derived from the dates today; status is "
                "the stored standing the scheduler moves forward.",
                "responses": {
                    "200": openapi.as_json(
                        {
                            "type": "object",
                            "properties": {
                                "employee": {
                                    "type": "object",
                                    "properties": {
                                        "employee_no": {"type": "string"},
                                        "name": {"type": "string"},
                                    },
                                },
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/HeldCertification"},
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
        "Certification": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "slug": {"type": "string"},
                "title": {"type": "string"},
                "title_en": {"type": ["string", "null"]},
                "active_months": {"type": "integer"},
                "window_days": {"type": "integer"},
                "expiry_base": {"type": "string", "enum": ["completion", "expiry", "fixed"]},
                "fixed_dates": {"type": "array", "items": {"type": "string", "example": "04-01"}},
                "min_active_days": {"type": "integer"},
                "initial_due_days": {"type": "integer"},
                "reminder_days": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "days relative to expiry; negative: before",
                },
                "escalation": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "to": {"type": "string", "enum": ["mentor", "supervisor", "hr"]},
                            "days": {"type": "integer"},
                        },
                    },
                },
                "initial_courses": _SLUGS,
                "renewal_courses": {
                    **_SLUGS,
                    "description": "what a renewal asks for: the initial courses when none "
                    "are set apart",
                },
                "active": {"type": "boolean"},
                "holders": {
                    "type": "object",
                    "description": "HR and admin only: holders still employed, by state",
                    "properties": {state: {"type": "integer"} for state in _STATES},
                },
            },
        },
        "HeldCertification": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "certification": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                    },
                },
                "state": {"type": "string", "enum": _STATES},
                "status": {"type": "string", "enum": ["assigned", "certified", "due", "expired"]},
                "due_on": _DATE,
                "certified_on": _DATE,
                "expires_on": {**_DATE, "description": "the first day it is no longer valid"},
                "window_opens_on": _DATE,
                "days_left": {"type": ["integer", "null"]},
                "cycle_number": {"type": "integer"},
                "required_by": _DATE,
                "history": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CertificationCycle"},
                },
            },
        },
        "CertificationCycle": {
            "type": "object",
            "properties": {
                "number": {"type": "integer"},
                "kind": {"type": "string", "enum": ["initial", "renewal"]},
                "reason": {
                    "type": "string",
                    "enum": ["assigned", "window", "expired", "material_change"],
                },
                "opened_at": {"type": "string", "format": "date-time"},
                "due_on": _DATE,
                "completed_on": _DATE,
                "expires_on": _DATE,
                "lapsed_on": _DATE,
                "courses": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "course": {"type": "string", "description": "slug"},
                            "version": {"type": ["integer", "null"]},
                            "completed_at": {"type": ["string", "null"], "format": "date-time"},
                            "attempt_ids": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                },
            },
        },
    },
)
