"""The OpenAPI 3.1 document of /api/v1. A test checks it names every API route."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from lms import access
from lms.api import bp

ERROR = {"$ref": "#/components/responses/Error"}
_ERROR = ERROR
PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]
EMPLOYEE_NO = {"name": "employee_no", "in": "path", "required": True, "schema": {"type": "string"}}


def page_of(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": ref}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


def as_json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


EMPLOYEE_INPUT = {
    "type": "object",
    "properties": {
        "employee_no": {"type": "string", "maxLength": 32},
        "name": {"type": "string", "maxLength": 100},
        "hire_date": {"type": "string", "format": "date"},
        "email": {"type": ["string", "null"], "format": "email"},
        "phone": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["onboarding", "active", "left"]},
        "team": {"type": ["string", "null"], "description": "team name"},
        "post": {"type": ["string", "null"], "description": "post title"},
        "supervisor": {"type": ["string", "null"], "description": "supervisor's employee_no"},
        "username": {"type": ["string", "null"]},
        "locale": {"type": "string", "enum": ["zh_CN", "en"]},
        "timezone": {"type": "string", "example": "Asia/Shanghai"},
        "roles": {
            "type": "array",
            "items": {
                "type": "string",
                "enum": ["employee", "mentor", "supervisor", "hr", "admin"],
            },
        },
        "initial_password": {"type": "string", "description": "create only; generated if absent"},
    },
    "additionalProperties": False,
}
EMPLOYEE = {
    "type": "object",
    "properties": {k: v for k, v in EMPLOYEE_INPUT["properties"].items() if k != "initial_password"}
    | {
        "left_on": {"type": ["string", "null"], "format": "date"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}


# Paths and schemas contributed by other packages' API modules (see ``register``).
_EXTRA_PATHS: dict[str, Any] = {}
_EXTRA_SCHEMAS: dict[str, Any] = {}


def register(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Add a package's API paths and schemas to the document."""
    _EXTRA_PATHS.update(paths)
    _EXTRA_SCHEMAS.update(schemas)


def document() -> dict[str, Any]:
    doc = _base_document()
    doc["paths"].update(_EXTRA_PATHS)
    doc["components"]["schemas"].update(_EXTRA_SCHEMAS)
    return doc


def _base_document() -> dict[str, Any]:
    hr_only = "Requires the hr or admin role."
    return {
        "openapi": "3.1.0",
        "info": {"title": "Training and mentoring platform API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/employees": {
                "get": {
                    "summary": "List employees",
                    "description": hr_only,
                    "parameters": PAGE_PARAMS
                    + [
                        {"name": n, "in": "query", "schema": {"type": "string"}}
                        for n in ("q", "team", "post", "status", "role")
                    ],
                    "responses": {
                        "200": as_json(page_of("#/components/schemas/Employee")),
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                    },
                },
                "post": {
                    "summary": "Create an employee and their account",
                    "description": hr_only,
                    "requestBody": {
                        "required": True,
                        **as_json(
                            EMPLOYEE_INPUT | {"required": ["employee_no", "name", "hire_date"]}
                        ),
                    },
                    "responses": {
                        "201": as_json({"$ref": "#/components/schemas/Employee"}),
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "409": _ERROR,
                        "422": _ERROR,
                    },
                },
            },
            "/employees/{employee_no}": {
                "parameters": [EMPLOYEE_NO],
                "get": {
                    "summary": "One employee",
                    "description": hr_only,
                    "responses": {
                        "200": as_json({"$ref": "#/components/schemas/Employee"}),
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                    },
                },
                "patch": {
                    "summary": "Change some fields of an employee",
                    "description": hr_only,
                    "requestBody": {"required": True, **as_json(EMPLOYEE_INPUT)},
                    "responses": {
                        "200": as_json({"$ref": "#/components/schemas/Employee"}),
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                        "409": _ERROR,
                        "422": _ERROR,
                    },
                },
            },
            "/teams": {
                "get": {
                    "summary": "List teams",
                    "description": hr_only,
                    "parameters": PAGE_PARAMS,
                    "responses": {
                        "200": as_json(page_of("#/components/schemas/Team")),
                        "401": _ERROR,
                        "403": _ERROR,
                    },
                }
            },
            "/posts": {
                "get": {
                    "summary": "List posts",
                    "description": hr_only,
                    "parameters": PAGE_PARAMS,
                    "responses": {
                        "200": as_json(page_of("#/components/schemas/Post")),
                        "401": _ERROR,
                        "403": _ERROR,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Create with `lms token create` or on the profile page.",
                }
            },
            "schemas": {
                "Employee": EMPLOYEE,
                "Team": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "name_en": {"type": ["string", "null"]},
                        "department": {"type": "string"},
                        "lead": {"type": ["string", "null"]},
                    },
                },
                "Post": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "title_en": {"type": ["string", "null"]},
                        "level": {"type": "integer"},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                                "fields": {"type": "object"},
                            },
                        }
                    },
                },
            },
            "responses": {
                "Error": {
                    "description": "An error",
                    **as_json({"$ref": "#/components/schemas/Error"}),
                }
            },
        },
    }


@bp.get("/openapi.json")
@access.public
def openapi_json():
    return jsonify(document())
