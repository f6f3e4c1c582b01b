"""Friendly error pages in the visitor's language; JSON errors under /api/."""

from __future__ import annotations

import math
import time

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def handle_http_error(error: HTTPException):
    if isinstance(error, SecurityError):  # a Host header not in TRUSTED_HOSTS
        return render_template("errors/untrusted_host.html"), 400
    if _wants_json():
        return jsonify(error=error.name, status=error.code), error.code
    template = "errors/404.html" if error.code == 404 else "errors/error.html"
    # abort(400, "a sentence") says what was wrong; the class's own text is generic English.
    message = error.description if error.description != type(error).description else None
    if error.code == 403:
        return _forbidden(message), 403
    if error.code == 413:
        message = _("That was too much at once. Please shorten what you wrote and try again.")
    return render_template(template, error=error, message=message), error.code


def too_many_requests_page() -> Response:
    """The kind 429 page of the public forms: how long until every limit that was reached
    lets go (an hourly one can take most of an hour), in minutes and as Retry-After."""
    from app.extensions import limiter

    reached = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    wait_seconds = max(1, int(max(reached) - time.time())) if reached else 60
    page = render_template("enrollment/too_many.html", minutes=math.ceil(wait_seconds / 60))
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(wait_seconds)
    return response


def _forbidden(message: str | None):
    """A page that is not for this account: what is missing, who to ask, and for staff the
    staff menu stays, so they can go on from here."""
    from flask_login import current_user

    from app.management import policy

    staff = request.path.startswith("/manage") and policy.can_use_staff_area(current_user)
    if staff and policy.is_volunteer_leader(current_user):
        from app.management.refusals import VOLUNTEER_LEADER

        message = str(VOLUNTEER_LEADER)
    return render_template(
        "errors/403.html",
        message=message,
        layout="management/_layout.html" if staff else "base.html",
        staff=staff,
        policy=policy,
    )


def handle_csrf_error(error: CSRFError):
    message = _("The form had expired. Please go back, reload the page and try again.")
    return render_template("errors/error.html", error=error, message=message), 400


def handle_server_error(error: Exception):
    if _wants_json():
        return jsonify(error="Internal Server Error", status=500), 500
    return render_template("errors/500.html"), 500


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
