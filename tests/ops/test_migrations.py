"""Every migration, up and down and up again, on an empty database of its own.

On PostgreSQL the test makes a throw-away database next to the suite's; on SQLite a file.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db


@pytest.fixture
def empty_database_url(app, tmp_path):
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
        return
    name = f"{url.database}_roundtrip"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_upgrade_downgrade_upgrade_matches_the_models(other_app, empty_database_url):
    roundtrip = other_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with roundtrip.app_context():
        try:
            upgrade()
            assert _differences() == []
            downgrade(revision="base")
            assert _tables() <= {"alembic_version"}
            upgrade()
            assert _differences() == []
        finally:
            db.engine.dispose()
