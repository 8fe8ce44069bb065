"""API resources for keeping people, teams and posts in sync with an HR system."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body, paginated
from lms.extensions import db
from lms.organisation import queries, services
from lms.organisation.fields import FIELDS_BY_NAME, FieldError
from lms.organisation.models import Employee, Post, Team

HR = ("hr", "admin")
REQUIRED = ("employee_no", "name", "hire_date")


def employee_json(person: Employee) -> dict[str, Any]:
    return {
        "employee_no": person.employee_no,
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "hire_date": person.hire_date.isoformat(),
        "status": str(person.status),
        "left_on": person.left_on.isoformat() if person.left_on else None,
        "team": person.team.name if person.team else None,
        "post": person.post.title if person.post else None,
        "supervisor": person.supervisor.employee_no if person.supervisor else None,
        "username": person.username,
        "locale": person.locale,
        "timezone": person.timezone,
        "roles": sorted(person.roles),
        "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
    }


def _parse(body: dict[str, Any], creating: bool) -> dict[str, Any]:
    unknown = sorted(set(body) - set(FIELDS_BY_NAME))
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))
    values, errors = {}, {}
    for name, raw in body.items():
        if raw is None or raw == "":
            if name in REQUIRED or name in ("status", "locale", "timezone", "roles"):
                errors[name] = _("This field is required.")
            else:
                values[name] = None
            continue
        try:
            values[name] = FIELDS_BY_NAME[name].parse(raw)
        except FieldError as error:
            errors[name] = str(error)
    if creating:
        for name in REQUIRED:
            if name not in body:
                errors.setdefault(name, _("This field is required."))
    if errors:
        raise ApiError(422, _("Some fields are not valid."), fields=errors)
    return values


def _save(person: Employee | None, values: dict[str, Any]):
    try:
        saved, password = services.save_employee(
            person, values, actor=authenticate_bearer(), now=clock.now(), source="api"
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # lost a race with a concurrent request: the row exists now
        raise ApiError(
            409, _("This employee number, e-mail or username is already in use.")
        ) from None
    except services.OrganisationError as error:
        db.session.rollback()
        status = 409 if error.conflict else 422
        raise ApiError(
            status, str(error), fields={error.field or "employee_no": str(error)}
        ) from None
    return saved, password


@bp.get("/employees")
@access.api(*HR)
def list_employees():
    f = queries.EmployeeFilter(
        q=request.args.get("q", "")[:100],
        status=request.args.get("status") or None,
        role=request.args.get("role") or None,
    )
    for key, model, column in (("team", Team, Team.name), ("post", Post, Post.title)):
        if request.args.get(key):
            found = db.session.scalar(sa.select(model.id).where(column == request.args[key]))
            if found is None:
                raise ApiError(400, _("Unknown %(key)s “%(v)s”.", key=key, v=request.args[key]))
            setattr(f, f"{key}_id", found)
    return jsonify(paginated(queries.employee_query(f), employee_json))


@bp.post("/employees")
@access.api(*HR)
def create_employee():
    values = _parse(json_body(), creating=True)
    if queries.employee_by_no(values["employee_no"]) is not None:
        raise ApiError(409, _("Employee number %(v)s is already in use.", v=values["employee_no"]))
    person, password = _save(None, values)
    body = employee_json(person) | {"initial_password": password}
    return jsonify(body), 201, {"Location": f"/api/v1/employees/{person.employee_no}"}


@bp.get("/employees/<employee_no>")
@access.api(*HR)
def get_employee(employee_no: str):
    person = queries.employee_by_no(employee_no)
    if person is None:
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    return jsonify(employee_json(person))


@bp.patch("/employees/<employee_no>")
@access.api(*HR)
def update_employee(employee_no: str):
    person = queries.employee_by_no(employee_no)
    if person is None:
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    values = _parse(json_body(), creating=False)
    values.pop("initial_password", None)
    saved, _password = _save(person, values)
    return jsonify(employee_json(saved))


@bp.get("/teams")
@access.api(*HR)
def list_teams():
    query = (
        sa.select(Team)
        .options(joinedload(Team.department), joinedload(Team.lead))
        .order_by(Team.name)
    )
    return jsonify(
        paginated(
            query,
            lambda t: {
                "id": t.id,
                "name": t.name,
                "name_en": t.name_en,
                "department": t.department.name,
                "lead": t.lead.employee_no if t.lead else None,
            },
        )
    )


@bp.get("/posts")
@access.api(*HR)
def list_posts():
    query = sa.select(Post).order_by(Post.level, Post.title)
    return jsonify(
        paginated(
            query,
            lambda p: {"id": p.id, "title": p.title, "title_en": p.title_en, "level": p.level},
        )
    )
