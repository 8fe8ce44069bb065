"""API resources of career paths: the ladders with their steps and requirements, a person's
readiness for a step, and the succession slate of a post.

- ``GET /api/v1/career-ladders``: any signed-in API user; names and labels in both languages.
- ``GET /api/v1/employees/<employee_no>/readiness?target=<post>&lang=<en|zh_CN>``: the person,
  their supervisor or team lead, HR and admins; anyone else gets 404, as for the other
  per-person resources. ``target`` is a post id or exact title; without it, the person's
  career-plan target, else the first promotion step out of their post.
- ``GET /api/v1/succession/<post>?lang=…``: HR and admins; ``post`` an id or exact title.

``lang`` chooses the language of labels, evidence and error messages about the target; by
default the caller's own language.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from lms import access, clock
from lms.api import bp
from lms.api.auth import authenticate_bearer
from lms.api.helpers import ApiError
from lms.career import readiness, requirements, succession
from lms.career.models import CareerLadder, CareerStep, StepRequirement
from lms.extensions import db
from lms.i18n import locale_code
from lms.organisation import queries as org_queries
from lms.organisation.models import Post

HR = ("hr", "admin")
LANGUAGES = ("en", "zh_CN")


def _lang() -> str:
    """``?lang=`` when given (400 unless a known language), else the caller's language."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in current_app.config["LANGUAGES"]:
            raise ApiError(400, _("lang must be one of: %(v)s.", v=", ".join(LANGUAGES)))
        return asked
    user = authenticate_bearer()
    if user is not None and user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    return locale_code()


def post_json(post: Post | None) -> dict[str, Any] | None:
    if post is None:
        return None
    return {
        "id": post.id,
        "title": post.title,
        "title_en": post.title_en,
        "level": post.level,
        "is_key": post.is_key,
        "description": post.description,
        "description_en": post.description_en,
    }


def _requirement_json(requirement: StepRequirement, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": requirement.id,
        "kind": str(requirement.kind),
        "course_id": requirement.course_id,
        "certification_id": requirement.certification_id,
        "metric": requirement.metric.code if requirement.metric else None,
        "months": requirement.months,
        "threshold": requirement.threshold,
        "count": requirement.count,
        "endorser": str(requirement.endorser) if requirement.endorser else None,
        "label": labels,
    }


def ladders_json(ladders: list[CareerLadder]) -> list[dict[str, Any]]:
    """The ladders with their posts (by level), steps and requirements; each requirement's
    label in both languages."""
    every = [r for ladder in ladders for step in ladder.steps for r in step.requirements]
    labels: dict[int, dict[str, str]] = {r.id: {} for r in every}
    for lang in LANGUAGES:
        with force_locale(lang):
            for requirement in every:
                labels[requirement.id][lang] = requirements.label(requirement)
    items = []
    for ladder in ladders:
        posts = {p.id: p for step in ladder.steps for p in (step.from_post, step.to_post)}
        ordered = sorted(posts.values(), key=lambda p: (p.level, p.title))
        items.append(
            {
                "id": ladder.id,
                "name": ladder.name,
                "name_en": ladder.name_en,
                "description": ladder.description,
                "description_en": ladder.description_en,
                "posts": [post_json(p) for p in ordered],
                "steps": [
                    {
                        "id": step.id,
                        "kind": str(step.kind),
                        "from_post_id": step.from_post_id,
                        "to_post_id": step.to_post_id,
                        "position": step.position,
                        "requirements": [
                            _requirement_json(r, labels[r.id]) for r in step.requirements
                        ],
                    }
                    for step in ladder.steps
                ],
            }
        )
    return items


def all_ladders() -> list[CareerLadder]:
    """Every ladder with what ``ladders_json`` reads (a fixed number of statements)."""
    return list(
        db.session.scalars(
            sa.select(CareerLadder)
            .options(
                selectinload(CareerLadder.steps).options(
                    joinedload(CareerStep.from_post),
                    joinedload(CareerStep.to_post),
                    selectinload(CareerStep.requirements).options(*requirements.target_options()),
                )
            )
            .order_by(CareerLadder.position, CareerLadder.name)
        ).unique()
    )


def slate_json(slate: succession.Slate, lang: str) -> dict[str, Any]:
    candidates = []
    for rank, candidate in enumerate(slate.candidates, start=1):
        person = candidate.employee
        candidates.append(
            {
                "rank": rank,
                "employee_no": person.employee_no,
                "name": person.name,
                "team": person.team.display_name(lang) if person.team else None,
                "post": person.post.display_name(lang) if person.post else None,
                "horizon": str(candidate.horizon),
                "readiness": candidate.readiness.as_json(),
            }
        )
    counts = {h: len(slate.by_horizon(h)) for h in readiness.Horizon}
    return {
        "post": post_json(slate.post),
        "lang": lang,
        "counts": {str(h): n for h, n in counts.items()},
        "candidates": candidates,
    }


# --- routes ---------------------------------------------------------------------------


@bp.get("/career-ladders")
@access.api()
def career_ladders():
    items = ladders_json(all_ladders())
    return jsonify({"items": items, "total": len(items)})


@bp.get("/employees/<employee_no>/readiness")
@access.api()
def employee_readiness(employee_no: str):
    user = authenticate_bearer()
    person = org_queries.employee_by_no(employee_no)
    if person is None or user is None or not person.is_visible_to(user):
        raise ApiError(404, _("No employee has the number %(v)s.", v=employee_no[:32]))
    lang = _lang()
    with force_locale(lang):
        try:
            found = readiness.resolve(person, request.args.get("target"), clock.today())
        except readiness.TargetError as error:
            raise ApiError(error.status, error.message) from None
        body = found.as_json()
        body["employee"] = {
            "employee_no": person.employee_no,
            "name": person.name,
            "post": post_json(person.post),
        }
        body["lang"] = lang
    return jsonify(body)


@bp.get("/succession/<post>")
@access.api(*HR)
def succession_slate(post: str):
    lang = _lang()
    with force_locale(lang):
        found = readiness.find_post(post)
        if found is None:
            raise ApiError(404, _("No post has the id or title %(v)s.", v=post[:100]))
        slate = succession.slate(found.id, clock.today())
        assert slate is not None
        return jsonify(slate_json(slate, lang))


from lms.career import api_docs  # noqa: E402,F401 - documents the routes above
