"""API resources of mentorship: mentorships, check-ins, a mentor's mentees.

People are named by their employee numbers. Records a caller may not see answer 404, so
their ids and numbers cannot be probed; the mentee's rating is shown to HR only, never to
the mentor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError, json_body, paginated
from lms.extensions import db
from lms.mentorship import plan, queries, services
from lms.mentorship.models import CheckIn, Mentorship, MentorshipKind, MentorshipStatus
from lms.organisation import queries as org_queries
from lms.organisation.models import Employee, Team

HR = ("hr", "admin")
CREATE_FIELDS = ("mentor", "mentee", "kind", "started_on", "planned_end_on")
CHECK_IN_FIELDS = ("held_on", "notes", "actions", "pulse")
MAX_TEXT = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one is no row, not a database error
# A MentorshipError naming one of these is a bad input (400); any other is a conflict with
# the current state (409): the mentor is full, not eligible, already assigned, ...
INPUT_FIELDS = frozenset({"kind", "started_on", "planned_end_on", "held_on", "pulse"})


# --- JSON -----------------------------------------------------------------------------


def person_json(person: Employee) -> dict[str, str]:
    return {"employee_no": person.employee_no, "name": person.name}


def _day(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def mentorship_json(m: Mentorship, *, hr: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": m.id,
        "mentor": person_json(m.mentor),
        "mentee": person_json(m.mentee),
        "kind": str(m.kind),
        "status": str(m.status),
        "started_on": _day(m.started_on),
        "planned_end_on": _day(m.planned_end_on),
        "ended_on": _day(m.ended_on),
        "end_reason": m.end_reason,
        "score": m.score,
        "reasons": m.reasons or [],
        "signed_off_at": _day(m.signed_off_at),
    }
    if hr:  # the mentee's rating: HR's alone
        body["rating"] = m.rating
        body["rating_comment"] = m.rating_comment
    return body


def check_in_json(c: CheckIn) -> dict[str, Any]:
    return {
        "id": c.id,
        "day": c.day,
        "due_on": _day(c.due_on),
        "held_on": _day(c.held_on),
        "pulse": c.pulse,
        "notes": c.notes,
        "actions": c.actions,
    }


# --- parsing --------------------------------------------------------------------------


def _bad(field: str, message: str) -> ApiError:
    return ApiError(400, message, fields={field: message})


def _only(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(400, _("Unknown fields: %(v)s", v=", ".join(unknown)))


def _date(body: dict[str, Any], name: str) -> dt.date | None:
    raw = body.get(name)
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, str):
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise _bad(name, _("%(name)s must be a date like 2026-12-31.", name=name))


def _text(body: dict[str, Any], name: str) -> str:
    raw = body.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw) > MAX_TEXT:
        raise _bad(
            name, _("%(name)s must be text of at most %(n)d characters.", name=name, n=MAX_TEXT)
        )
    return raw


def _pulse(body: dict[str, Any]) -> int | None:
    raw = body.get("pulse")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
        raise _bad("pulse", _("The pulse is 1 to 5."))
    return raw


def _kind(body: dict[str, Any]) -> MentorshipKind:
    raw = body.get("kind")
    if raw is None:
        return MentorshipKind.ONBOARDING
    if isinstance(raw, str) and raw in {k.value for k in MentorshipKind}:
        return MentorshipKind(raw)
    choices = ", ".join(k.value for k in MentorshipKind)
    raise _bad("kind", _("kind is one of %(v)s.", v=choices))


def _employee_no(body: dict[str, Any], name: str) -> str:
    raw = body.get(name)
    if not isinstance(raw, str) or not raw.strip():
        raise _bad(name, _("%(name)s: give an employee number.", name=name))
    return raw.strip()


def _person(employee_no: str, name: str) -> Employee:
    person = org_queries.employee_by_no(employee_no)
    if person is None:
        raise ApiError(
            404,
            _("No employee has the number %(v)s.", v=employee_no),
            fields={name: "unknown"},
        )
    return person


@contextlib.contextmanager
def _saving() -> Iterator[None]:
    """Around one service call: commit once; a broken rule is a JSON 400 (bad input) or 409
    (the state forbids it), and so is a race lost to a concurrent request."""
    try:
        yield
        db.session.commit()
    except services.MentorshipError as error:
        db.session.rollback()
        status = 400 if error.field in INPUT_FIELDS else 409
        extra = {"fields": {error.field: str(error)}} if error.field else {}
        raise ApiError(status, str(error), **extra) from None
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, _("Somebody changed this mentorship meanwhile; try again.")) from None


# --- queries --------------------------------------------------------------------------


def _choice(name: str, kind: type[MentorshipKind] | type[MentorshipStatus]) -> str | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if raw not in {k.value for k in kind}:
        choices = ", ".join(k.value for k in kind)
        raise ApiError(400, _("%(name)s is one of %(v)s.", name=name, v=choices))
    return raw


def mentorship_query(user: Employee) -> sa.Select:
    """The mentorships ``user`` may see, filtered by the request's arguments: HR all of
    them; others those they mentor or mentored, their own as mentee, and (supervisors)
    those of people in teams they lead or who report to them."""
    mentor, mentee = aliased(Employee), aliased(Employee)
    query = (
        sa.select(Mentorship)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .options(
            contains_eager(Mentorship.mentor.of_type(mentor)),
            contains_eager(Mentorship.mentee.of_type(mentee)),
        )
        .order_by(Mentorship.id.desc())
    )
    if not user.has_role(*HR):
        mine = [Mentorship.mentor_id == user.id, Mentorship.mentee_id == user.id]
        if user.has_role("supervisor"):
            led = sa.select(Team.id).where(Team.lead_id == user.id)
            mine += [mentee.supervisor_id == user.id, mentee.team_id.in_(led)]
        query = query.where(sa.or_(*mine))
    status = _choice("status", MentorshipStatus)
    if status:
        query = query.where(Mentorship.status == status)
    kind = _choice("kind", MentorshipKind)
    if kind:
        query = query.where(Mentorship.kind == kind)
    # Unknown numbers and names find nothing rather than an error: no probing for people.
    if request.args.get("mentor"):
        query = query.where(mentor.employee_no == request.args["mentor"])
    if request.args.get("mentee"):
        query = query.where(mentee.employee_no == request.args["mentee"])
    if request.args.get("team"):
        named = sa.select(Team.id).where(Team.name == request.args["team"])
        query = query.where(mentee.team_id.in_(named))
    return query


# --- routes ---------------------------------------------------------------------------


@bp.get("/mentorships")
@access.api()
def list_mentorships():
    user = authenticate_bearer()
    hr = user.has_role(*HR)
    return jsonify(paginated(mentorship_query(user), lambda m: mentorship_json(m, hr=hr)))


@bp.post("/mentorships")
@access.api(*HR)
def create_mentorship():
    body = json_body()
    _only(body, CREATE_FIELDS)
    kind = _kind(body)
    started_on, planned_end_on = _date(body, "started_on"), _date(body, "planned_end_on")
    numbers = {name: _employee_no(body, name) for name in ("mentor", "mentee")}
    mentor, mentee = (_person(numbers[name], name) for name in ("mentor", "mentee"))
    with _saving():
        mentorship = services.assign(
            mentor,
            mentee,
            actor=authenticate_bearer(),
            now=clock.now(),
            kind=kind,
            started_on=started_on,
            planned_end_on=planned_end_on,
        )
    return jsonify(mentorship_json(mentorship, hr=True)), 201


@bp.post("/mentorships/<int:mentorship_id>/check-ins")
@access.api()
def log_mentorship_check_in(mentorship_id: int):
    user = authenticate_bearer()
    mentorship = db.session.get(Mentorship, mentorship_id) if mentorship_id <= MAX_ID else None
    if mentorship is None or not (user.has_role(*HR) or user.id == mentorship.mentor_id):
        raise ApiError(404, _("No such mentorship."))
    body = json_body()
    _only(body, CHECK_IN_FIELDS)
    values = {
        "held_on": _date(body, "held_on"),
        "notes": _text(body, "notes"),
        "actions": _text(body, "actions"),
        "pulse": _pulse(body),
    }
    with _saving():
        check_in = plan.log_check_in(mentorship, actor=user, now=clock.now(), **values)
    return jsonify(check_in_json(check_in)), 201


@bp.get("/mentors/<employee_no>/mentees")
@access.api()
def mentor_mentees(employee_no: str):
    mentor = org_queries.employee_by_no(employee_no)
    if mentor is None or not mentor.is_visible_to(authenticate_bearer()):
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no))
    rows = queries.mentorships_of_mentor(mentor)  # open ones first, then the past ones
    progress = queries.progress(m.mentee_id for m in rows)  # one grouped statement
    items = []
    for m in rows:
        completed, total = progress.get(m.mentee_id, (0, 0))
        items.append(
            {
                "id": m.id,
                "mentee": person_json(m.mentee),
                "kind": str(m.kind),
                "status": str(m.status),
                "started_on": _day(m.started_on),
                "planned_end_on": _day(m.planned_end_on),
                "ended_on": _day(m.ended_on),
                "signed_off_at": _day(m.signed_off_at),
                "progress": {"completed": completed, "total": total},
            }
        )
    return jsonify({"mentor": person_json(mentor), "items": items, "total": len(items)})


from lms.mentorship import api_docs  # noqa: E402,F401 - documents the routes above
