"""The OpenAPI description of the career API routes: ladders, readiness and succession
(registered into /api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi

_E = openapi.ERROR
_TEXT = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_LANG = {
    "name": "lang",
    "in": "query",
    "description": "the language of labels and evidence; default the caller's own",
    "schema": {"type": "string", "enum": ["en", "zh_CN"]},
}
_POST_PARAM = {
    "name": "post",
    "in": "path",
    "required": True,
    "description": "a post id, or its exact title (Chinese or English)",
    "schema": {"type": "string", "example": "客服组长"},
}
_KINDS = ["course", "certification", "tenure", "kpi", "endorsement", "rotation", "mentoring"]
_HORIZONS = ["now", "year", "later"]

openapi.register(
    paths={
        "/career-ladders": {
            "get": {
                "summary": "The career ladders with their posts, steps and requirements",
                "description": "Any signed-in API user. Names in both languages where stored; "
                "each requirement's label in English and Chinese.",
                "responses": {
                    "200": openapi.as_json(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/CareerLadder"},
                                },
                                "total": {"type": "integer"},
                            },
                        }
                    ),
                    "401": _E,
                },
            }
        },
        "/employees/{employee_no}/readiness": {
            "parameters": [openapi.EMPLOYEE_NO],
            "get": {
                "summary": "A person's readiness for a career step, with the evidence",
                "description": "The person, their supervisor or team lead, HR and admin; "
                "anyone else gets 404. Without target: the person's career-plan target when a "
                "step leads there from their post, else the first promotion step out of their "
                "post. 404 when target names no post; 422 when the person has no post or no "
                "step leads from it to the target (or, without target, out of it).",
                "parameters": [
                    {
                        "name": "target",
                        "in": "query",
                        "description": "a post id, or its exact title (Chinese or English)",
                        "schema": {"type": "string"},
                    },
                    _LANG,
                ],
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/Readiness"}),
                    "400": _E,
                    "401": _E,
                    "404": _E,
                    "422": _E,
                },
            },
        },
        "/succession/{post}": {
            "parameters": [_POST_PARAM],
            "get": {
                "summary": "The succession slate of a post (HR and admin)",
                "description": "Candidates: active people in a post with a step into this "
                "one, and anyone whose career plan targets it from such a post; ranked ready "
                "now first, then by months to ready, by readiness percent (highest first) "
                "and by name.",
                "parameters": [_LANG],
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/SuccessionSlate"}),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                },
            },
        },
    },
    schemas={
        "CareerPost": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "title_en": _TEXT,
                "level": {"type": "integer"},
                "is_key": {"type": "boolean", "description": "HR keeps a succession slate"},
                "description": _TEXT,
                "description_en": _TEXT,
            },
        },
        "CareerLadder": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "name_en": _TEXT,
                "description": _TEXT,
                "description_en": _TEXT,
                "posts": {"type": "array", "items": {"$ref": "#/components/schemas/CareerPost"}},
                "steps": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "kind": {"type": "string", "enum": ["promotion", "branch", "lateral"]},
                            "from_post_id": {"type": "integer"},
                            "to_post_id": {"type": "integer"},
                            "position": {"type": "integer"},
                            "requirements": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/StepRequirement"},
                            },
                        },
                    },
                },
            },
        },
        "StepRequirement": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": _KINDS},
                "course_id": _INT,
                "certification_id": _INT,
                "metric": {**_TEXT, "description": "the KPI metric's code"},
                "months": {**_INT, "description": "tenure months, or the KPI period"},
                "threshold": {"type": ["number", "null"]},
                "count": {**_INT, "description": "rotations or mentees needed"},
                "endorser": {"type": ["string", "null"], "enum": ["lead", "mentor", "any", None]},
                "label": {
                    "type": "object",
                    "properties": {"en": {"type": "string"}, "zh_CN": {"type": "string"}},
                },
            },
        },
        "Finding": {
            "type": "object",
            "properties": {
                "requirement_id": {"type": "integer"},
                "kind": {"type": "string", "enum": _KINDS},
                "status": {"type": "string", "enum": ["met", "partly", "not_met"]},
                "progress": {"type": "number", "minimum": 0, "maximum": 1},
                "label": {"type": "string", "example": "Course 《投诉处理》 completed"},
                "evidence": {
                    "type": "string",
                    "example": "CSAT 3-month average 89.5 %, needs 92 %",
                },
                "months_to_close": {"type": "integer", "description": "an estimate; 0 when met"},
                "course_id": _INT,
                "certification_id": _INT,
            },
        },
        "Readiness": {
            "type": "object",
            "properties": {
                "employee_id": {"type": "integer"},
                "employee_no": {"type": "string"},
                "employee": {"type": "object", "description": "employee_no, name, post"},
                "step_id": {"type": "integer"},
                "step_kind": {"type": "string", "enum": ["promotion", "branch", "lateral"]},
                "from_post_id": _INT,
                "to_post_id": {"type": "integer"},
                "to_post": {"type": "string", "description": "its title in lang"},
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "ready": {"type": "boolean"},
                "horizon": {"type": "string", "enum": _HORIZONS},
                "months_to_ready": {"type": "integer"},
                "lang": {"type": "string", "enum": ["en", "zh_CN"]},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            },
        },
        "SuccessionSlate": {
            "type": "object",
            "properties": {
                "post": {"$ref": "#/components/schemas/CareerPost"},
                "lang": {"type": "string", "enum": ["en", "zh_CN"]},
                "counts": {
                    "type": "object",
                    "properties": {h: {"type": "integer"} for h in _HORIZONS},
                },
                "candidates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "rank": {"type": "integer"},
                            "employee_no": {"type": "string"},
                            "name": {"type": "string"},
                            "team": _TEXT,
                            "post": _TEXT,
                            "horizon": {"type": "string", "enum": _HORIZONS},
                            "readiness": {"$ref": "#/components/schemas/Readiness"},
                        },
                    },
                },
            },
        },
    },
)
