"""Operator commands: `flask backup`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.database import utcnow
from app.extensions import db
from app.ops.backup import BackupError, make_backup, prune
from app.ops.logs import log_job


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--keep",
    type=int,
    default=0,
    help="When PATH is a folder: keep only this many newest backups in it (0 keeps all).",
)
@with_appcontext
def backup_command(path: Path, keep: int) -> None:
    """Back up the database to PATH (a file, or a folder for a dated file), site running."""
    try:
        written = make_backup(db.engine, path, now=utcnow())
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    removed = prune(path, keep) if path.is_dir() and keep else []
    log_job("backup", bytes=written.stat().st_size, pruned=len(removed))
    click.echo(f"backup written: {written}")
