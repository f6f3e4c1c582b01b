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


def test_widening_enum_checks_keeps_every_row_of_the_tables_it_rebuilds(
    other_app, empty_database_url
):
    """Interest mode widens CHECKs on offerings, enrollments and group suggestions; on SQLite
    that rebuilds those tables, and with foreign keys on, dropping a parent would cascade
    into its children. Attendance, occurrences and supporters must all survive."""
    roundtrip = other_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with roundtrip.app_context():
        try:
            upgrade(revision="7f2288ef29ca")  # the revision before interest mode
            with db.engine.begin() as c:
                for sql in (
                    "INSERT INTO organisations (id, slug, name) VALUES (1, 'o', 'O')",
                    "INSERT INTO offerings (id, slug, kind, title, summary, description, "
                    "organisation_id, is_online, enrolment_mode, status, teaching_language, "
                    "revision, created_at, updated_at) VALUES (1, 'x', 'group', 'T', 'S', '', "
                    "1, false, 'instant', 'published', 'da', 0, '2026-01-01', '2026-01-01')",
                    "INSERT INTO offering_audiences (offering_id, audience) VALUES (1, 'citizen')",
                    "INSERT INTO occurrences (id, offering_id, starts_at, ends_at, status, "
                    "sequence, updated_at) VALUES (1, 1, '2027-01-01 10:00', '2027-01-01 12:00', "
                    "'scheduled', 0, '2026-01-01')",
                    "INSERT INTO enrollments (id, offering_id, name, email, email_normalized, "
                    "audience, status, queued_at, consent_at, wants_companion, sms_reminders, "
                    "language, manage_token_hash, created_at, updated_at) VALUES (1, 1, 'A', "
                    "'a@x', 'a@x', 'citizen', 'confirmed', '2026-01-01', '2026-01-01', false, "
                    "false, 'da', 'h', '2026-01-01', '2026-01-01')",
                    "INSERT INTO attendance (id, enrollment_id, occurrence_id, status, "
                    "recorded_at) VALUES (1, 1, 1, 'present', '2026-01-01')",
                    "INSERT INTO group_suggestions (id, topic, reason, status, created_at) "
                    "VALUES (1, 'T', 'R', 'approved', '2026-01-01')",
                    "INSERT INTO suggestion_supporters (id, suggestion_id, is_author, language, "
                    "created_at) VALUES (1, 1, true, 'da', '2026-01-01')",
                ):
                    c.exec_driver_sql(sql)
            upgrade()
            with db.engine.connect() as c:
                counts = {
                    table: c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                    for table in (
                        "offerings",
                        "offering_audiences",
                        "occurrences",
                        "enrollments",
                        "attendance",
                        "group_suggestions",
                        "suggestion_supporters",
                    )
                }
                if db.engine.dialect.name == "sqlite":
                    assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert set(counts.values()) == {1}, counts
        finally:
            db.engine.dispose()


def test_volunteer_leader_role_keeps_the_rows_that_reference_users(other_app, empty_database_url):
    """The volunteer leader role widens the CHECK on users.role; on SQLite that rebuilds
    `users`, and with foreign keys on, dropping it would delete every facilitator and reset
    token (ON DELETE CASCADE) and forget who wrote each audit entry (SET NULL). They survive,
    up and down; a leader is switched off on the way down rather than made centre staff."""
    roundtrip = other_app(SQLALCHEMY_DATABASE_URI=empty_database_url)

    def rows(c) -> dict:
        return {
            "facilitators": c.exec_driver_sql(
                "SELECT count(*) FROM facilitators WHERE user_id = 1"
            ).scalar(),
            "password_reset_tokens": c.exec_driver_sql(
                "SELECT count(*) FROM password_reset_tokens WHERE user_id = 1"
            ).scalar(),
            "audit_log": c.exec_driver_sql(
                "SELECT count(*) FROM audit_log WHERE user_id = 1"
            ).scalar(),
            "offerings": c.exec_driver_sql(
                "SELECT count(*) FROM offerings WHERE created_by_id = 1"
            ).scalar(),
        }

    with roundtrip.app_context():
        try:
            upgrade(revision="3f6a9d2c81b4")  # the revision before the leader role
            with db.engine.begin() as c:
                for sql in (
                    "INSERT INTO organisations (id, slug, name) VALUES (1, 'o', 'O')",
                    "INSERT INTO users (id, email, name, role, organisation_id, "
                    "is_active_account, session_version, created_at, language) VALUES (1, "
                    "'a@x', 'A', 'volunteer_staff', 1, true, 0, '2026-01-01', 'da')",
                    "INSERT INTO offerings (id, slug, kind, title, summary, description, "
                    "organisation_id, is_online, enrolment_mode, status, teaching_language, "
                    "revision, created_at, updated_at, created_by_id) VALUES (1, 'x', 'group', "
                    "'T', 'S', '', 1, false, 'instant', 'published', 'da', 0, '2026-01-01', "
                    "'2026-01-01', 1)",
                    "INSERT INTO facilitators (id, offering_id, user_id, role, position) "
                    "VALUES (1, 1, 1, 'volunteer', 0)",
                    "INSERT INTO password_reset_tokens (id, user_id, token_hash, created_at, "
                    "expires_at) VALUES (1, 1, 'h', '2026-01-01', '2026-01-02')",
                    "INSERT INTO audit_log (id, user_id, action, offering_id, created_at) "
                    "VALUES (1, 1, 'view_participants', 1, '2026-01-01')",
                ):
                    c.exec_driver_sql(sql)
            upgrade()
            with db.engine.begin() as c:
                assert rows(c) == dict.fromkeys(rows(c), 1)
                c.exec_driver_sql("UPDATE users SET role = 'volunteer_leader' WHERE id = 1")
                if db.engine.dialect.name == "sqlite":
                    assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            downgrade(revision="3f6a9d2c81b4")
            with db.engine.connect() as c:
                assert rows(c) == dict.fromkeys(rows(c), 1)
                role, active = c.exec_driver_sql(
                    "SELECT role, is_active_account FROM users WHERE id = 1"
                ).one()
                assert (role, bool(active)) == ("volunteer_staff", False)
            upgrade()
            with db.engine.connect() as c:
                assert rows(c) == dict.fromkeys(rows(c), 1)
        finally:
            db.engine.dispose()
