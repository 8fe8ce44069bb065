"""The OpenAPI description of ``POST /api/v1/kpis`` (registered into /api/v1/openapi.json)."""

from __future__ import annotations

from lms.api import openapi
from lms.career.kpi_import import API_MAX_ROWS

_E = openapi.ERROR
_FIGURE = {
    "type": ["number", "string", "null"],
    "description": "a number within the metric's range; a percentage may be written "
    '"92.5%"; null or "" gives no figure (a stored one stays)',
}

openapi.register(
    paths={
        "/kpis": {
            "post": {
                "summary": "Import monthly service-KPI figures (HR and admin)",
                "description": "One row per person and month; keys are employee_no, month "
                "(YYYY-MM, not after the current month) and metric codes (see `lms career "
                "metrics`), e.g. csat, fcr, frt, complaint_rate, qa_score, tickets. All or "
                "nothing: any problem answers 422 with every problem, each naming the row (its "
                "index in rows, from 0) and the field, and nothing is written. A clean call "
                "inserts new figures and updates changed ones on (employee, metric, month); "
                "sending the same figures again leaves them unchanged (created 0, updated 0). "
                f"At most {API_MAX_ROWS} rows per call (413 beyond); 409 when another import "
                "wrote the same figures at the same moment.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["rows"],
                            "properties": {
                                "rows": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": API_MAX_ROWS,
                                    "items": {"$ref": "#/components/schemas/KpiRow"},
                                }
                            },
                        }
                    ),
                },
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/KpiImportResult"}),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                    "409": _E,
                    "413": _E,
                    "422": {
                        "description": "Nothing was imported; error.problems lists every "
                        "problem (or error.fields names a bad rows list).",
                        **openapi.as_json(
                            {
                                "type": "object",
                                "properties": {
                                    "error": {
                                        "type": "object",
                                        "properties": {
                                            "status": {"type": "integer", "const": 422},
                                            "message": {"type": "string"},
                                            "problems": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/KpiProblem"
                                                },
                                            },
                                        },
                                    }
                                },
                            }
                        ),
                    },
                },
            }
        }
    },
    schemas={
        "KpiRow": {
            "type": "object",
            "required": ["employee_no", "month"],
            "properties": {
                "employee_no": {"type": "string", "example": "C1001"},
                "month": {"type": "string", "example": "2026-10"},
            },
            "additionalProperties": _FIGURE,
            "example": {"employee_no": "C1001", "month": "2026-10", "csat": 93.5, "frt": 35},
        },
        "KpiProblem": {
            "type": "object",
            "properties": {
                "row": {"type": "integer", "description": "the index in rows, from 0"},
                "field": {"type": ["string", "null"], "example": "csat"},
                "message": {"type": "string"},
            },
        },
        "KpiImportResult": {
            "type": "object",
            "properties": {
                "import_id": {"type": "integer"},
                "rows": {"type": "integer"},
                "figures": {"type": "integer", "description": "figures given"},
                "created": {"type": "integer", "description": "figures new to the system"},
                "updated": {"type": "integer", "description": "stored figures changed"},
                "unchanged": {"type": "integer", "description": "stored figures sent again"},
                "people": {"type": "integer"},
                "months": {"type": "integer"},
            },
        },
    },
)
