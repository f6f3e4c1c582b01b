"""`flask seed-demo`: fill a database with the demo catalogue, for trying Holdplads out."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from app.demo.catalogue import seed_demo_catalogue
from app.transaction import write_transaction


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Add the Danish demo catalogue. Safe to repeat: what exists already is left alone."""
    # A writer from the first statement, so a running site cannot slip in between on SQLite.
    with write_transaction():
        summary = seed_demo_catalogue(datetime.now(UTC))
    click.echo(f"Created: {_describe(summary['created'])}.")
    click.echo(f"Already present, left as they were: {_describe(summary['present'])}.")


def _describe(counts: dict[str, int]) -> str:
    parts = [f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n]
    return ", ".join(parts) or "nothing"
