"""Error pages in both languages, and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _message(code: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Authentication is required."),
        403: _("You do not have permission to see this page."),
        404: _("The page you asked for does not exist."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    return messages.get(code, _("The request could not be completed."))


def json_error(code: int, message: str, **extra: object):
    body = {"error": {"status": code, "message": message, **extra}}
    return jsonify(body), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = _("The form expired or was forged. Please reload the page and try again.")
        if wants_json():
            return json_error(400, message)
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        message = _message(code)
        if wants_json():
            detail = error.description if isinstance(error.description, str) else None
            extra = {"detail": detail} if detail and code not in (500,) else {}
            response, status = json_error(code, message, **extra)
        else:
            response = render_template("errors/error.html", code=code, message=message)
            status = code
        if code == 401 and wants_json():
            return response, status, {"WWW-Authenticate": 'Bearer realm="lms"'}
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.testing and not app.config.get("RENDER_ERRORS_IN_TESTS"):
            raise error
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _http_error(InternalServerError())
