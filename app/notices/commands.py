"""`flask send-digests`: the facilitators' daily digest (a systemd timer runs it each morning)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.database import utcnow
from app.notices.services import send_digests
from app.ops.logs import log_job
from app.transaction import write_transaction


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Mail each facilitator who chose the daily digest what happened since the last one.

    Idempotent and safe on every server at once: one digest per person and day."""
    with write_transaction():
        queued = send_digests(now=utcnow())
    log_job("send-digests", queued=queued)
    click.echo(f"digests queued: {queued}")
