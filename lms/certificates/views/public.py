"""Public verification, no sign-in: a form, a result page and its JSON, and the Open Badges
2.0 hosted documents. They show what the certificate says (holder, title, dates, status) and
nothing else. An unknown code and a malformed one get the same 404, whatever was typed. All of
it shares one rate limit per client address (``VERIFY_RATE_LIMIT``; the limiter's storage is
shared across processes in production)."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField

from lms import access, clock
from lms.certificates import badges, services
from lms.certificates.views import bp
from lms.errors import _message, json_error
from lms.extensions import limiter
from lms.i18n import locale_code

SCOPE = "certificate-verification"
JSON_LD = "application/ld+json"


class VerifyForm(FlaskForm):
    code = StringField()


def _rate() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _just_the_form() -> bool:
    return request.method == "GET" and "code" not in request.args


verification_limit = limiter.shared_limit(_rate, scope=SCOPE)


def _public(response: Response, *, cors: bool = False) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found() -> Response:
    """The one answer for an unknown or malformed code: nothing in it comes from the input."""
    html = render_template(
        "certificates/public/result.html",
        facts=None,
        next_path=url_for("certificates.verify"),
    )
    return _public(Response(html, status=404))


def _found(code_text: str, status: int):
    certificate = services.find_by_code(code_text)
    if certificate is None:
        return _not_found()
    return redirect(url_for("certificates.verify_code", code=certificate.grouped_code), status)


@bp.route("/verify", methods=["GET", "POST"])
@access.public
@limiter.shared_limit(_rate, scope=SCOPE, exempt_when=_just_the_form)
def verify():
    """The form; given a code (``?code=`` by GET, or POSTed with the CSRF token) it goes to
    the certificate's page, or answers the same 404 as that page for an unknown code."""
    form = VerifyForm()
    if request.method == "POST":
        if form.validate_on_submit() and (form.code.data or "").strip():
            return _found(form.code.data, 303)
    elif (request.args.get("code") or "").strip():
        return _found(request.args["code"], 302)
    blank = request.method == "POST" or "code" in request.args
    html = render_template(
        "certificates/public/verify.html",
        form=form,
        blank=blank,
        next_path=url_for("certificates.verify"),
    )
    return _public(Response(html))


@bp.get("/verify/<path:code>")
@access.public
@verification_limit
def verify_code(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return _not_found()
    facts = services.public_facts(certificate, clock.today(), locale_code())
    html = render_template(
        "certificates/public/result.html",
        facts=facts,
        days={
            "issued_on": certificate.issued_on,
            "expires_on": certificate.expires_on,
            "revoked_on": certificate.revoked_at.date() if certificate.revoked_at else None,
        },
        next_path=url_for("certificates.verify_code", code=certificate.grouped_code),
        json_url=url_for("certificates.verify_json", code=certificate.grouped_code),
        badge_url=url_for("certificates.badge_assertion", code=certificate.grouped_code),
    )
    return _public(Response(html))


@bp.get("/verify/<path:code>.json")
@access.public
@verification_limit
def verify_json(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        response, status = json_error(404, _("No certificate has this code."))
        response.status_code = status
        return _public(response, cors=True)
    facts = services.public_facts(certificate, clock.today(), locale_code())
    status = 410 if facts["revoked"] else 200
    response = current_app.json.response(facts)
    response.status_code = status
    return _public(response, cors=True)


# --- Open Badges 2.0 -------------------------------------------------------------------------


def _document(body: dict[str, Any], status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, indent=2)
    return _public(Response(text, status=status, mimetype=JSON_LD), cors=True)


def _no_document() -> Response:
    return _document({"error": {"status": 404, "message": _("No such badge document.")}}, 404)


@bp.get("/badges/assertions/<path:code>.json")
@access.public
@verification_limit
def badge_assertion(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return _no_document()
    if certificate.revoked_at is not None:
        return _document(badges.revoked_assertion(certificate), 410)
    return _document(badges.assertion(certificate))


@bp.get("/badges/classes/<any(course, certification):kind>-<int:subject_id>.json")
@access.public
@verification_limit
def badge_class(kind: str, subject_id: int):
    document = badges.badge_class(kind, subject_id)
    return _no_document() if document is None else _document(document)


@bp.get("/badges/issuer.json")
@access.public
@verification_limit
def badge_issuer():
    return _document(badges.issuer())


@bp.errorhandler(429)
def _too_many(_error):
    """The JSON documents answer a JSON 429; the pages answer as the site does."""
    message = _message(429)
    if request.path.endswith(".json"):
        return json_error(429, message)
    return render_template("errors/error.html", code=429, message=message), 429
