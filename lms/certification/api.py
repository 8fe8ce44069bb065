"""API resources of certifications: the catalogue of certifications, a person's standings with
the history of every cycle, and assignment by HR.

People are named by their employee numbers. A person's certifications are visible to the
person, their supervisor or team lead, HR and admins; anyone else gets 404, as for the other
per-person resources, so employee numbers cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body, paginated
from lms.certification import queries, services
from lms.certification.models import (
    Certification,
    CertificationCourse,
    CertificationCycle,
    CourseRole,
    CycleCourse,
    PersonCertification,
)
from lms.extensions import db
from lms.organisation import queries as org_queries
from lms.organisation.models import Department, Employee, Post, Team

HR = ("hr", "admin")
STATES = ("assigned", "in_progress", "certified", "due", "expired")
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one is no row, not a database error
MAX_PEOPLE = 5000  # employee numbers in one assignment
TARGETS = ("employee_nos", "team_id", "post_id", "department_id", "everyone")
PC = PersonCertification


# --- JSON -----------------------------------------------------------------------------


def _day(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def certification_json(c: Certification, counts: dict[str, int] | None = None) -> dict[str, Any]:
    slugs = {link.course_id: link.course.slug for link in c.courses}
    body: dict[str, Any] = {
        "id": c.id,
        "slug": c.slug,
        "title": c.title,
        "title_en": c.title_en,
        "active_months": c.active_months,
        "window_days": c.window_days,
        "expiry_base": str(c.expiry_base),
        "fixed_dates": list(c.fixed_dates or []),
        "min_active_days": c.min_active_days,
        "initial_due_days": c.initial_due_days,
        "reminder_days": list(c.reminder_days or []),
        "escalation": list(c.escalation or []),
        "initial_courses": [slugs[i] for i in c.course_ids(CourseRole.INITIAL)],
        "renewal_courses": [slugs[i] for i in c.course_ids(CourseRole.RENEWAL)],
        "active": c.active,
    }
    if counts is not None:
        body["holders"] = {state: counts.get(state, 0) for state in STATES}
    return body


def cycle_json(cycle: CertificationCycle) -> dict[str, Any]:
    return {
        "number": cycle.number,
        "kind": str(cycle.kind),
        "reason": cycle.reason,
        "opened_at": _day(cycle.opened_at),
        "due_on": _day(cycle.due_on),
        "completed_on": _day(cycle.completed_on),
        "expires_on": _day(cycle.expires_on),
        "lapsed_on": _day(cycle.lapsed_on),
        "courses": [
            {
                "course": counted.course.slug,
                "version": counted.version.number if counted.version else None,
                "completed_at": _day(counted.completed_at),
                "attempt_ids": list(counted.attempt_ids or []),
            }
            for counted in cycle.courses
        ],
    }


def holder_json(holder: PersonCertification, state: str, today: dt.date) -> dict[str, Any]:
    c = holder.certification
    return {
        "id": holder.id,
        "certification": {"id": c.id, "slug": c.slug, "title": c.title},
        "state": state,
        "status": str(holder.status),
        "due_on": _day(holder.due_on),
        "certified_on": _day(holder.certified_on),
        "expires_on": _day(holder.expires_on),
        "window_opens_on": _day(holder.window_opens_on),
        "days_left": holder.days_left(today),
        "cycle_number": holder.cycle_number,
        "required_by": _day(holder.required_by),
        "history": [cycle_json(cycle) for cycle in holder.cycles],
    }


def _with_courses():
    return selectinload(Certification.courses).joinedload(CertificationCourse.course)


# --- assignment body -------------------------------------------------------------------


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, fields={field: message})


def _row_id(body: dict[str, Any], name: str, model) -> int:
    raw = body[name]
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise _invalid(name, _("%(name)s must be a positive whole number.", name=name))
    if raw > MAX_ID or db.session.get(model, raw) is None:
        raise _invalid(name, _("There is no %(name)s %(v)s.", name=name, v=raw))
    return raw


def _employee_ids(raw: Any) -> list[int]:
    if (
        not isinstance(raw, list)
        or not raw
        or len(raw) > MAX_PEOPLE
        or not all(isinstance(no, str) and no.strip() for no in raw)
    ):
        raise _invalid(
            "employee_nos",
            _("employee_nos must be a list of 1 to %(n)d employee numbers.", n=MAX_PEOPLE),
        )
    numbers = list(dict.fromkeys(no.strip() for no in raw))
    found = dict(
        db.session.execute(
            sa.select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(numbers))
        ).all()
    )
    unknown = [no for no in numbers if no not in found]
    if unknown:
        message = _("Unknown employee numbers: %(v)s", v=", ".join(unknown))
        raise ApiError(422, message, fields={"employee_nos": unknown})
    return [found[no] for no in numbers]


def _target(body: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``services.assign`` the body asks for (exactly one target)."""
    unknown = sorted(set(body) - set(TARGETS))
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))
    given = [name for name in TARGETS if name in body]
    if len(given) != 1:
        raise ApiError(
            422,
            _("Give exactly one of employee_nos, team_id, post_id, department_id or everyone."),
        )
    (name,) = given
    if name == "employee_nos":
        return {"employee_ids": _employee_ids(body[name])}
    if name == "everyone":
        if body[name] is not True:
            raise _invalid(name, _("everyone must be true."))
        return {"everyone": True}
    model = {"team_id": Team, "post_id": Post, "department_id": Department}[name]
    return {name: _row_id(body, name, model)}


# --- routes ---------------------------------------------------------------------------


@bp.get("/certifications")
@access.api()
def list_certifications():
    hr = authenticate_bearer().has_role(*HR)
    query = (
        sa.select(Certification)
        .options(_with_courses())
        .order_by(Certification.active.desc(), Certification.title, Certification.id)
    )
    if not hr:
        query = query.where(Certification.active.is_(True))
    page = paginated(query, lambda c: c)
    counts = queries.state_counts(clock.today()) if hr and page["items"] else None
    page["items"] = [
        certification_json(c, counts.get(c.id, {}) if counts is not None else None)
        for c in page["items"]
    ]
    return jsonify(page)


@bp.get("/employees/<employee_no>/certifications")
@access.api()
def employee_certifications(employee_no: str):
    person = org_queries.employee_by_no(employee_no)
    if person is None or not person.is_visible_to(authenticate_bearer()):
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    today = clock.today()
    rows = db.session.execute(
        sa.select(PC, queries.state_expression(today))
        .join(Certification, Certification.id == PC.certification_id)
        .where(PC.employee_id == person.id)
        .options(
            contains_eager(PC.certification),
            selectinload(PC.cycles)
            .selectinload(CertificationCycle.courses)
            .options(joinedload(CycleCourse.course), joinedload(CycleCourse.version)),
        )
        .order_by(Certification.title, Certification.id)
    ).all()
    items = [holder_json(holder, state, today) for holder, state in rows]
    return jsonify(
        {
            "employee": {"employee_no": person.employee_no, "name": person.name},
            "items": items,
            "total": len(items),
        }
    )


@bp.post("/certifications/<int:certification_id>/assignments")
@access.api(*HR)
def assign_certification(certification_id: int):
    certification = (
        db.session.get(Certification, certification_id) if certification_id <= MAX_ID else None
    )
    if certification is None:
        raise ApiError(404, _("No such certification."))
    target = _target(json_body())
    if not certification.active:
        raise ApiError(409, _("This certification is not active."))
    try:
        count = services.assign(
            certification, actor=authenticate_bearer(), now=clock.now(), **target
        )
        db.session.commit()
    except services.CertificationError as error:
        db.session.rollback()
        raise ApiError(422, error.message, fields={error.field or "body": error.message}) from None
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, _("Somebody assigned these people meanwhile; try again.")) from None
    return jsonify({"assigned": count}), 201


from lms.certification import api_docs  # noqa: E402,F401 - documents the routes above
