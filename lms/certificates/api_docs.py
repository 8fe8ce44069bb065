"""The OpenAPI description of the certificate API routes (registered into
/api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi

_E = openapi.ERROR
_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_SERIAL = {
    "name": "serial",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": r"^\d{4}-\d{6,9}$", "example": "2026-000123"},
}
_PERSON = {
    "type": ["object", "null"],
    "properties": {"employee_no": {"type": "string"}, "name": {"type": "string"}},
}
_DETAIL = {"$ref": "#/components/schemas/CertificateDetail"}

openapi.register(
    paths={
        "/employees/{employee_no}/certificates": {
            "parameters": [openapi.EMPLOYEE_NO],
            "get": {
                "summary": "A person's certificates",
                "description": "HR and admin, the person themself, their supervisor or team "
                "lead; anyone else gets 404. Newest first. status is derived today: valid, "
                "expired (expires_on has come) or revoked.",
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
                                    "items": {"$ref": "#/components/schemas/Certificate"},
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
        "/certificates/{serial}": {
            "parameters": [_SERIAL],
            "get": {
                "summary": "One certificate with its revocation and audit trail (HR and admin)",
                "responses": {
                    "200": openapi.as_json(_DETAIL),
                    "401": _E,
                    "403": _E,
                    "404": _E,
                },
            },
        },
        "/certificates/{serial}/revoke": {
            "parameters": [_SERIAL],
            "post": {
                "summary": "Revoke a certificate (HR and admin)",
                "description": "The public verification says revoked (with the date) from "
                "then on; the reason is kept for HR and the audit trail, never shown "
                "publicly. 422 without a reason or with one over 500 characters, 409 when the "
                "certificate is revoked already.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["reason"],
                            "properties": {
                                "reason": {"type": "string", "minLength": 1, "maxLength": 500}
                            },
                        }
                    ),
                },
                "responses": {
                    "200": openapi.as_json(_DETAIL),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "404": _E,
                    "409": _E,
                    "422": _E,
                },
            },
        },
    },
    schemas={
        "Certificate": {
            "type": "object",
            "properties": {
                "serial": {"type": "string", "example": "2026-000123"},
                "status": {"type": "string", "enum": ["valid", "expired", "revoked"]},
                "holder_name": {"type": "string", "description": "as printed, copied at issue"},
                "title": {"type": "string"},
                "title_en": {"type": ["string", "null"]},
                "subject": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["course", "certification"]},
                        "id": {"type": "integer"},
                        "slug": {"type": "string"},
                    },
                },
                "issued_on": {"type": "string", "format": "date"},
                "expires_on": {**_DATE, "description": "the first day it is no longer valid"},
                "revoked_on": _DATE,
                "code": {"type": "string", "description": "the verification code, grouped"},
                "verification_url": {"type": "string", "format": "uri"},
                "badge_url": {
                    "type": "string",
                    "format": "uri",
                    "description": "the Open Badges 2.0 assertion",
                },
            },
        },
        "CertificateDetail": {
            "allOf": [
                {"$ref": "#/components/schemas/Certificate"},
                {
                    "type": "object",
                    "properties": {
                        "employee": _PERSON,
                        "locale": {"type": "string", "enum": ["zh_CN", "en"]},
                        "issued_at": {"type": "string", "format": "date-time"},
                        "rendered_at": _TIME,
                        "revocation": {
                            "type": ["object", "null"],
                            "properties": {
                                "revoked_at": {"type": "string", "format": "date-time"},
                                "revoked_by": _PERSON,
                                "reason": {"type": "string"},
                            },
                        },
                        "events": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "action": {
                                        "type": "string",
                                        "enum": ["issued", "rendered", "revoked", "reinstated"],
                                    },
                                    "at": {"type": "string", "format": "date-time"},
                                    "actor": _PERSON,
                                    "detail": {"type": ["string", "null"]},
                                },
                            },
                        },
                    },
                },
            ]
        },
    },
)
