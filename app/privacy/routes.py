"""Privacy and accessibility: every URL of the area at a glance.

/privacy                         the privacy notice (from settings), Danish and English
/accessibility                   the accessibility statement, when no municipal URL is set
/.well-known/security.txt        how to report a vulnerability (RFC 9116), from settings
/my/data                         signed in: everything we hold about you (own_data.py)
/my/data.json                    the same, as a download
/my/data/delete                  GET asks "are you sure?", POST deletes it all
/enrollments/<token>/data[.json] one sign-up's data, from its manage link (and /my/enrollments/<id>)
/enrollments/<token>/delete-data GET asks, POST deletes that sign-up's data
/my/data/deleted                 "your data is erased"

CLI: flask retention [--as-of DATE] [--dry-run]   erase what is due (run daily)
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from app.database import utcnow
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.enrollment.tokens import enrollment_by_token
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import current_language, local_to_utc
from app.models import Enrollment
from app.ops.logs import log_job
from app.privacy import own_data
from app.privacy.notice import privacy_notice, security_txt
from app.privacy.retention import RetentionRules, erase_date, run_retention, scrub_freed_space
from app.security import no_store
from app.transaction import write_transaction

bp = Blueprint("privacy", __name__, cli_group=None)


@bp.app_context_processor
def _footer_links() -> dict:
    """Every page links the accessibility statement (Danish law) and the privacy notice."""

    def accessibility_statement_url() -> str:
        return current_app.config["ACCESSIBILITY_STATEMENT_URL"] or url_for("privacy.accessibility")

    def privacy_erase_date(offering) -> date | None:
        return erase_date(offering, RetentionRules.from_config(current_app.config))

    return {
        "accessibility_statement_url": accessibility_statement_url,
        "privacy_erase_date": privacy_erase_date,
    }


def notice():
    """What we keep about participants, why, for how long, and the person's rights."""
    return render_template(
        "privacy/notice.html", notice=privacy_notice(current_app.config, current_language())
    )


def accessibility():
    """Our accessibility statement (tilgængelighedserklæring): WCAG 2.1 AA and how we test."""
    external = current_app.config["ACCESSIBILITY_STATEMENT_URL"]
    if external:
        return Response(status=302, headers={"Location": external})
    contact = (
        current_app.config["ACCESSIBILITY_CONTACT"]
        or current_app.config["PRIVACY_CONTROLLER_CONTACT"]
    )
    return render_template(
        "privacy/accessibility.html",
        controller=current_app.config["PRIVACY_CONTROLLER_NAME"],
        contact=contact,
    )


def security_txt_file():
    """Where to report a vulnerability; 404 until SECURITY_CONTACT is set."""
    text = security_txt(current_app.config, now=utcnow())
    if text is None:
        abort(404)
    return Response(text, mimetype="text/plain")


for _rule, _view in (
    ("/privacy", notice),
    ("/accessibility", accessibility),
    ("/.well-known/security.txt", security_txt_file),
):
    bp.add_url_rule(_rule, _view.__name__, _view, methods=["GET"])


# --- a person's own data -------------------------------------------------------------------

_PERSONAL_ENDPOINTS = {
    "privacy.my_data",
    "privacy.my_data_json",
    "privacy.delete_my_data",
    "privacy.enrollment_data",
    "privacy.enrollment_data_json",
    "privacy.delete_enrollment_data",
}


@bp.after_request
def _personal_pages_are_not_stored(response):
    if request.endpoint in _PERSONAL_ENDPOINTS:
        no_store(response)
    return response


def _signed_in_email() -> str:
    email = session.get(PARTICIPANT_SESSION_KEY)
    if not email:
        abort(redirect(url_for("enrollment.my_bookings")))
    return email


def _one_enrollment(token: str | None, enrollment_id: int | None) -> tuple[Enrollment, dict]:
    """The sign-up behind a manage link, or one of the signed-in person's own."""
    if token is not None:
        enrollment = enrollment_by_token(token)
        if enrollment is None:
            abort(404)
        return enrollment, {"token": token}
    email = _signed_in_email()
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.email_normalized != email:
        abort(404)
    return enrollment, {"enrollment_id": enrollment_id}


def _download(data: own_data.OwnData, filename: str) -> Response:
    body = json.dumps(own_data.export(data, now=utcnow()), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def my_data():
    """Everything we hold about the signed-in person, with download and delete."""
    data = own_data.collect(own_data.scope_of_email(_signed_in_email()))
    return render_template("privacy/own_data.html", data=data, ref=None, form=ConfirmForm())


def my_data_json():
    """Everything we hold about the signed-in person, as JSON."""
    data = own_data.collect(own_data.scope_of_email(_signed_in_email()))
    return _download(data, "holdplads-my-data.json")


def delete_my_data():
    """Delete everything about the signed-in person: a page that asks first, then the POST."""
    email = _signed_in_email()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        own_data.delete_own_data(email, language=current_language(), now=utcnow())
        session.pop(PARTICIPANT_SESSION_KEY, None)
        return redirect(url_for(".data_deleted"))
    data = own_data.collect(own_data.scope_of_email(email))
    return render_template("privacy/delete_data.html", data=data, ref=None, form=form)


def enrollment_data(token: str | None = None, enrollment_id: int | None = None):
    """What we hold about one sign-up, from its manage link."""
    enrollment, ref = _one_enrollment(token, enrollment_id)
    data = own_data.collect(own_data.scope_of_enrollment(enrollment))
    return render_template("privacy/own_data.html", data=data, ref=ref, form=ConfirmForm())


def enrollment_data_json(token: str | None = None, enrollment_id: int | None = None):
    """What we hold about one sign-up, as JSON."""
    enrollment, _ref = _one_enrollment(token, enrollment_id)
    data = own_data.collect(own_data.scope_of_enrollment(enrollment))
    return _download(data, "holdplads-sign-up-data.json")


def delete_enrollment_data(token: str | None = None, enrollment_id: int | None = None):
    """Delete one sign-up's data: a page that asks first, then the POST."""
    enrollment, ref = _one_enrollment(token, enrollment_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        own_data.delete_enrollment_data(enrollment.id, now=utcnow())
        return redirect(url_for(".data_deleted"))
    data = own_data.collect(own_data.scope_of_enrollment(enrollment))
    return render_template("privacy/delete_data.html", data=data, ref=ref, form=form)


def data_deleted():
    """Your data is erased (the same page for everyone: it names nobody)."""
    return render_template("privacy/data_deleted.html")


for _rule, _view, _methods in (
    ("/my/data", my_data, ["GET"]),
    ("/my/data.json", my_data_json, ["GET"]),
    ("/my/data/delete", delete_my_data, ["GET", "POST"]),
    ("/my/data/deleted", data_deleted, ["GET"]),
):
    bp.add_url_rule(_rule, _view.__name__, _view, methods=_methods)
# One view, two doors, as the manage page: the emailed token, or /my for the signed-in person.
for _suffix, _view, _methods in (
    ("data", enrollment_data, ["GET"]),
    ("data.json", enrollment_data_json, ["GET"]),
    ("delete-data", delete_enrollment_data, ["GET", "POST"]),
):
    bp.add_url_rule(
        f"/enrollments/<token:token>/{_suffix}", _view.__name__, _view, methods=_methods
    )
    bp.add_url_rule(
        f"/my/enrollments/<int:enrollment_id>/{_suffix}", _view.__name__, _view, methods=_methods
    )
# --- commands for cron ---------------------------------------------------------------------


def _as_of(day: date | None) -> datetime:
    """The end of that local day (what a run on that day erases), else now."""
    if day is None:
        return utcnow()
    return local_to_utc(day + timedelta(days=1), time(0, 0)) - timedelta(seconds=1)


@bp.cli.command("retention")
@click.option(
    "--as-of",
    "as_of_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were the end of this day (YYYY-MM-DD): preview or test a future day.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be erased; change nothing.")
def retention_command(as_of_day: datetime | None, dry_run: bool) -> None:
    """Erase personal data whose time has come (idempotent; run it daily)."""
    as_of = _as_of(as_of_day.date() if as_of_day else None)
    rules = RetentionRules.from_config(current_app.config)
    if dry_run:
        report = run_retention(rules, as_of=as_of, dry_run=True)  # reads only
        click.echo(f"would erase: {report}")
        return
    with write_transaction():
        report = run_retention(rules, as_of=as_of)
    if report.changed:
        scrub_freed_space(db.engine)
    click.echo(f"erased: {report}")
    log_job("retention", **report.counts())
