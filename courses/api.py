"""API resources of the catalogue: courses, enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from courses import assignment, queries
from courses import enrolment as enrolment_service
from courses.models import Course, CourseStatus, Curriculum, Enrolment, Track
from lms import access, clock
from lms.api import bp, openapi
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body, paginated
from lms.extensions import db
from lms.organisation import queries as org_queries

TIERS = {"foundation": 1, "advanced": 2, "leadership": 3}
TIER_NAMES = {v: k for k, v in TIERS.items()}


def course_json(course: Course, *, outline: bool = False) -> dict[str, Any]:
    version = course.current_version
    body: dict[str, Any] = {
        "id": course.id,
        "slug": course.slug,
        "status": str(course.status),
        "track": course.track.code,
        "tier": TIER_NAMES[course.tier],
        "version": version.number if version else None,
        "title": version.title if version else None,
        "title_en": version.title_en if version else None,
        "summary": version.summary if version else None,
        "summary_en": version.summary_en if version else None,
        "estimated_minutes": version.estimated_minutes if version else None,
        "self_enrolment": course.self_enrolment,
    }
    if outline and version is not None:
        full = queries.version_outline(version.id)
        body["modules"] = [
            {
                "title": m.title,
                "title_en": m.title_en,
                "lessons": [
                    {
                        "key": lesson.key,
                        "title": lesson.title,
                        "title_en": lesson.title_en,
                        "minutes": lesson.minutes,
                        "required": lesson.required,
                    }
                    for lesson in m.lessons
                ],
            }
            for m in full.modules
        ]
    return body


def enrolment_json(e: Enrolment, progress: queries.Progress, today: dt.date) -> dict[str, Any]:
    return {
        "id": e.id,
        "employee_no": e.employee.employee_no,
        "course": e.course.slug,
        "course_id": e.course_id,
        "version": e.version.number if e.version else None,
        "curriculum": e.curriculum.slug if e.curriculum else None,
        "source": str(e.source),
        "status": e.status(today),
        "progress": progress.percent if not e.completed_at else 100,
        "due_on": e.due_on.isoformat() if e.due_on else None,
        "started_at": e.started_at.isoformat() if e.started_at else None,
        "completed_at": e.completed_at.isoformat() if e.completed_at else None,
    }


@bp.get("/courses")
@access.api()
def list_courses():
    user = authenticate_bearer()
    query = (
        sa.select(Course)
        .join(Track, Track.id == Course.track_id)
        .options(joinedload(Course.track), joinedload(Course.current_version))
        .order_by(Track.position, Course.tier, Course.slug)
    )
    status = request.args.get("status", "published")
    if status not in ("published", "draft", "archived", "all"):
        raise ApiError(400, _("status is one of published, draft, archived, all."))
    if status != "published" and not user.has_role("hr", "admin"):
        raise ApiError(403, _("Only HR sees unpublished courses."))
    if status != "all":
        query = query.where(Course.status == status)
    if request.args.get("track"):
        query = query.where(Track.code == request.args["track"])
    if request.args.get("tier"):
        if request.args["tier"] not in TIERS:
            raise ApiError(400, _("tier is one of foundation, advanced, leadership."))
        query = query.where(Course.tier == TIERS[request.args["tier"]])
    return jsonify(paginated(query, course_json))


@bp.get("/courses/<int:course_id>")
@access.api()
def get_course(course_id: int):
    course = db.session.get(Course, course_id)
    user = authenticate_bearer()
    if course is None or (
        course.status != CourseStatus.PUBLISHED and not user.has_role("hr", "admin")
    ):
        raise ApiError(404, _("No such course."))
    return jsonify(course_json(course, outline=True))


@bp.post("/enrolments")
@access.api("hr", "admin")
def create_enrolment():
    body = json_body()
    unknown = sorted(set(body) - {"employee_no", "course", "curriculum", "due_on"})
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))
    person = org_queries.employee_by_no(str(body.get("employee_no") or ""))
    if person is None:
        raise ApiError(422, _("Unknown employee number."), fields={"employee_no": "unknown"})
    due_on = None
    if body.get("due_on"):
        try:
            due_on = dt.date.fromisoformat(str(body["due_on"]))
        except ValueError:
            raise ApiError(
                422, _("due_on must be a date like 2026-12-31."), fields={"due_on": "invalid"}
            ) from None
    course = curriculum = None
    if ("course" in body) == ("curriculum" in body):
        raise ApiError(422, _("Give either course (id or slug) or curriculum (slug)."))
    if "course" in body:
        ref = body["course"]
        course = (
            db.session.get(Course, ref)
            if isinstance(ref, int)
            else db.session.scalar(sa.select(Course).where(Course.slug == str(ref)))
        )
        if course is None:
            raise ApiError(422, _("No such course."), fields={"course": "unknown"})
    else:
        curriculum = db.session.scalar(
            sa.select(Curriculum).where(Curriculum.slug == str(body["curriculum"]))
        )
        if curriculum is None:
            raise ApiError(422, _("No such curriculum."), fields={"curriculum": "unknown"})
    actor = authenticate_bearer()
    try:
        if course is not None:
            enrolment_service.enrol(person, course, now=clock.now(), due_on=due_on, actor=actor)
        else:
            assignment.enrol_curriculum(
                person, curriculum, now=clock.now(), due_on=due_on, actor=actor
            )
    except enrolment_service.EnrolmentError as error:
        db.session.rollback()
        raise ApiError(422, str(error), fields={error.field or "course": str(error)}) from None
    db.session.commit()
    return jsonify(
        _enrolments_of(
            person, only_course_ids=([course.id] if course else [c.id for c in curriculum.courses])
        )
    ), 201


def _enrolments_of(person, only_course_ids=None) -> dict[str, Any]:
    rows = [
        e
        for e in queries.enrolments_of(person)
        if only_course_ids is None or e.course_id in only_course_ids
    ]
    progress = queries.progress_for(rows)
    today = clock.today()
    return {"items": [enrolment_json(e, progress[e.id], today) for e in rows], "total": len(rows)}


@bp.get("/employees/<employee_no>/enrolments")
@access.api()
def employee_enrolments(employee_no: str):
    person = org_queries.employee_by_no(employee_no)
    if person is None or not person.is_visible_to(authenticate_bearer()):
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    return jsonify(_enrolments_of(person))


_PAGE = openapi.PAGE_PARAMS
_E = openapi.ERROR
_ENROLMENTS = openapi.as_json(
    {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Enrolment"}},
            "total": {"type": "integer"},
        },
    }
)
openapi.register(
    paths={
        "/courses": {
            "get": {
                "summary": "List courses",
                "description": "Published courses for every token; HR may ask for status=draft, "
                "archived or all.",
                "parameters": _PAGE
                + [
                    {"name": "track", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "tier",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(TIERS)},
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["published", "draft", "archived", "all"],
                        },
                    },
                ],
                "responses": {
                    "200": openapi.as_json(openapi.page_of("#/components/schemas/Course")),
                    "400": _E,
                    "401": _E,
                    "403": _E,
                },
            }
        },
        "/courses/{course_id}": {
            "parameters": [
                {"name": "course_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "One course with its modules and lessons",
                "responses": {
                    "200": openapi.as_json({"$ref": "#/components/schemas/Course"}),
                    "401": _E,
                    "404": _E,
                },
            },
        },
        "/enrolments": {
            "post": {
                "summary": "Enrol a person in a course or a curriculum (HR and admin)",
                "description": "Enrolling someone already enrolled keeps their enrolment; an "
                "earlier due date wins.",
                "requestBody": {
                    "required": True,
                    **openapi.as_json(
                        {
                            "type": "object",
                            "required": ["employee_no"],
                            "additionalProperties": False,
                            "properties": {
                                "employee_no": {"type": "string"},
                                "course": {
                                    "type": ["integer", "string"],
                                    "description": "id or slug",
                                },
                                "curriculum": {"type": "string", "description": "slug"},
                                "due_on": {"type": "string", "format": "date"},
                            },
                        }
                    ),
                },
                "responses": {"201": _ENROLMENTS, "400": _E, "401": _E, "403": _E, "422": _E},
            }
        },
        "/employees/{employee_no}/enrolments": {
            "parameters": [openapi.EMPLOYEE_NO],
            "get": {
                "summary": "A person's enrolments with status and progress",
                "description": "HR and admin, the person themself, their supervisor.",
                "responses": {"200": _ENROLMENTS, "401": _E, "404": _E},
            },
        },
    },
    schemas={
        "Course": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "slug": {"type": "string"},
                "status": {"type": "string", "enum": ["draft", "published", "archived"]},
                "track": {"type": "string"},
                "tier": {"type": "string", "enum": list(TIERS)},
                "version": {"type": ["integer", "null"]},
                "title": {"type": ["string", "null"]},
                "title_en": {"type": ["string", "null"]},
                "summary": {"type": ["string", "null"]},
                "summary_en": {"type": ["string", "null"]},
                "estimated_minutes": {"type": ["integer", "null"]},
                "self_enrolment": {"type": "boolean"},
                "modules": {"type": "array", "items": {"type": "object"}},
            },
        },
        "Enrolment": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "employee_no": {"type": "string"},
                "course": {"type": "string"},
                "course_id": {"type": "integer"},
                "version": {"type": ["integer", "null"]},
                "curriculum": {"type": ["string", "null"]},
                "source": {"type": "string", "enum": ["self", "assignment", "rule", "curriculum"]},
                "status": {
                    "type": "string",
                    "enum": ["not_started", "in_progress", "completed", "overdue"],
                },
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "due_on": {"type": ["string", "null"], "format": "date"},
                "started_at": {"type": ["string", "null"], "format": "date-time"},
                "completed_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
    },
)
