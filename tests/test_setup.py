"""Configuration from the environment and a schema that only migrations build."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.config import ConfigError, from_env, normalise_database_url
from app.extensions import db


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_from_hosts_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_production_without_secret_key_refuses_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HOLDPLADS_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        from_env(str(tmp_path))


def test_development_generates_and_keeps_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("HOLDPLADS_ENV", raising=False)
    first = from_env(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 40
    assert from_env(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = from_env(str(tmp_path))["SQLALCHEMY_DATABASE_URI"]
    assert url == f"sqlite:///{tmp_path / 'holdplads.sqlite'}"


def test_models_and_migrations_agree(db_session):
    """Like `flask db check`: the migrations build exactly the schema the models describe."""
    connection = db_session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_change_marker_row_is_created_by_the_migration(db_session):
    assert db_session.execute(db.text("SELECT count(*) FROM change_marker")).scalar_one() == 1


def test_every_commit_that_changes_data_raises_the_change_marker(db_session):
    from tests.factories import make_offering

    def marker():
        return db_session.execute(db.text("SELECT version FROM change_marker")).scalar_one()

    offering = make_offering()
    before = marker()
    offering.title = "Nyt navn"  # no explicit flush: commit's own flush must count
    db_session.commit()
    assert marker() == before + 1
    db_session.commit()  # nothing changed
    assert marker() == before + 1
