"""`flask backup PATH`: a consistent copy of the database, safe while the site runs.

SQLite: SQLite's online backup API copies the live database inside one read transaction;
writers keep working (WAL), and the copy is one consistent moment.
The copy is written next to the target and renamed into place, then checked with
`PRAGMA integrity_check`, so a half-written file never carries the target's name.
PostgreSQL: `pg_dump --format=custom` (one consistent snapshot; restore with `pg_restore`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

PREFIX = "holdplads-"


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup_target(path: Path, *, now: datetime, suffix: str) -> Path:
    """A file path as given, or a file named by the time inside a given folder."""
    if path.is_dir():
        return path / f"{PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{suffix}"
    return path


def backup_sqlite(engine: sa.Engine, target: Path) -> Path:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(partial)
    except sqlite3.Error as error:
        source.close()
        raise BackupError(f"cannot write {partial}: {error}") from error
    try:
        try:
            # All pages in one step: one read transaction, so one consistent moment. In WAL
            # mode (app.database) readers never block writers, so sign-ups go on meanwhile;
            # a copy in several steps would restart each time a writer changed a page.
            source.driver_connection.backup(destination)
            verdict = destination.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            destination.close()
    finally:
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    os.replace(partial, target)
    return target


def libpq_url(url: sa.URL) -> str:
    """The URL as pg_dump understands it (no `+psycopg` driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_postgresql(engine: sa.Engine, target: Path) -> Path:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    partial = target.with_name(target.name + ".partial")
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)]
        + ["--dbname", libpq_url(engine.url)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    os.replace(partial, target)
    return target


def make_backup(engine: sa.Engine, path: Path, *, now: datetime) -> Path:
    """Write one backup to `path` (a file, or a folder to put a dated file in)."""
    if engine.dialect.name == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            raise BackupError("an in-memory database cannot be backed up")
        return backup_sqlite(engine, backup_target(path, now=now, suffix=".sqlite"))
    if engine.dialect.name == "postgresql":
        return backup_postgresql(engine, backup_target(path, now=now, suffix=".dump"))
    raise BackupError(f"no backup method for {engine.dialect.name}")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` dated backups in `folder`; return what was deleted."""
    dated = sorted(p for p in folder.glob(f"{PREFIX}*") if not p.name.endswith(".partial"))
    old = dated[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old
