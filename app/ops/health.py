"""`/healthz` (the process answers) and `/readyz` (it can serve: database and schema ready).

Load balancers and systemd poll these every few seconds, so they are cheap, never cached and
never rate-limited. `/readyz` answers 503 with a short reason a person can act on.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app

from app.extensions import csrf, db, limiter

bp = Blueprint("health", __name__)


@cache
def expected_heads(directory: str) -> frozenset[str]:
    """The migration heads this code expects (read once per process)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migrations_directory() -> str:
    return current_app.extensions["migrate"].directory


def _plain(text: str, status: int) -> Response:
    return Response(
        text + "\n",
        status=status,
        mimetype="text/plain",
        headers={"Cache-Control": "no-store"},
    )


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """The process is alive and answering."""
    return _plain("ok", 200)


@bp.get("/readyz")
@limiter.exempt
@csrf.exempt
def readyz():
    """The database answers and its schema is at the migrations' head."""
    try:
        with db.engine.connect() as connection:
            found = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        current_app.logger.warning("readyz: database not reachable: %s", type(error).__name__)
        return _plain("database not reachable", 503)
    expected = expected_heads(migrations_directory())
    if found != expected:
        return _plain("database schema is not at the migrations' head: run flask db upgrade", 503)
    return _plain("ready", 200)
