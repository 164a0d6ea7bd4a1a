"""Error pages rendered in the theme. A user never sees a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("The upload is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Go back and try again."),
        403: _("Log in with an account that has access, or ask the course teacher."),
        404: _("The page you asked for does not exist or has moved."),
        405: _("This page cannot be used that way."),
        413: _("Choose a smaller file and try again."),
        429: _("Please wait a little and try again."),
        500: _("The error has been logged. Please try again in a moment."),
    }


def render_error(code: int, message: str | None = None):
    title = _titles().get(code, _("Error"))
    message = message or _messages().get(code, "")
    try:
        return render_template("errors.html", code=code, title=title, message=message), code
    except Exception:  # the theme itself is broken: still no traceback for the user
        log.exception("error page failed to render")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        return body, code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return {"error": exc.name, "code": exc.code}, exc.code
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error in %s %s", request.method, request.endpoint)
        from lms.extensions import db

        db.session.rollback()
        return render_error(InternalServerError.code)
