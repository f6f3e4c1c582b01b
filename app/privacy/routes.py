"""Privacy and accessibility: every URL of the area at a glance.

/privacy                         the privacy notice (from settings), Danish and English
/accessibility                   the accessibility statement, when no municipal URL is set
/.well-known/security.txt        how to report a vulnerability (RFC 9116), from settings

CLI: flask retention [--as-of DATE] [--dry-run]   erase what is due (run daily)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import click
from flask import Blueprint, Response, abort, current_app, render_template, url_for

from app.database import utcnow
from app.extensions import db
from app.i18n import current_language, local_to_utc
from app.ops.logs import log_job
from app.privacy.notice import privacy_notice, security_txt
from app.privacy.retention import RetentionRules, erase_date, run_retention, scrub_freed_space
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
