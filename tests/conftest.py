"""Fixtures in the spirit of flaskr's: `app`, `client`, `runner`, plus a rolled-back database.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set. The schema is
built by the real migrations, once per run. Each test then runs inside one outer transaction
that is rolled back at the end (SQLAlchemy's "join a session into an external transaction"
recipe): commits inside the test release savepoints, so nothing leaks between tests.
Tests marked `committing` (threads, a live server) write for real and the tables are emptied
afterwards.
"""

from __future__ import annotations

import contextvars
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import scoped_session

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
KEEP_TABLES = {"alembic_version", "change_marker"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "committing: the test commits for real; tables are emptied afterwards"
    )


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'holdplads-test.sqlite'}"


def _reset_schema() -> None:
    """Start every run from an empty database, so the migrations are what builds it."""
    engine = db.engine
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        else:
            names = sa.inspect(connection).get_table_names()
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for name in names:
                connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    outbox = tmp_path_factory.mktemp("outbox")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _test_database_url(tmp_path_factory),
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "PUBLIC_URL": "http://holdplads.test",
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(outbox),
            # No background sender behind the tests' backs (tests/mail/test_courier.py has one).
            "MAIL_DELIVER_AT_ONCE": False,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _reset_schema()
        upgrade(directory=str(ROOT / "migrations"))
    return app


class IsolatedClient(FlaskClient):
    """Each request runs as in production: in an app context of its own.

    Flask reuses an app context that a test has pushed, and with it `g`, where Flask-Babel
    keeps the chosen language and Flask-Login the signed-in user: one request's language
    would leak into the next. An empty contextvars context gives each request a clean start.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(autouse=True)
def db_session(request, app):
    """One rolled-back transaction per test; `db.session` everywhere joins it."""
    _clear_page_caches(app)
    _rate_limits_off()
    if request.node.get_closest_marker("committing"):
        with app.app_context():
            yield db.session
        _empty_tables(app)
        _clear_page_caches(app)
        return
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    factory = db._make_session_factory(
        {"class_": _JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    original = db.session
    # One session per test, whatever app context a request pushes.
    db.session = _TestScopedSession(factory, scopefunc=lambda: "test")
    try:
        yield db.session
    finally:
        db.session.close_for_real()
        db.session = original
        outer.rollback()
        connection.close()


class _JoinedSession(FlaskSession):
    """Flask-SQLAlchemy picks the engine itself; here every query must use our connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def _rate_limits_off() -> None:
    """The limiter is global: a test that builds another app with default settings switches
    it on for every later test. Each test starts with it off (limit tests switch it on)."""
    from app.extensions import limiter

    limiter.enabled = False


@pytest.fixture
def still_minute(monkeypatch):
    """Hold the minute pages are keyed by (app.page_cache.page_minute) still.

    A test that compares two answers to one URL, or counts what the second costs, would
    otherwise see a new page whenever that URL's minute happens to turn between them.
    """
    held = time.time()
    monkeypatch.setattr("app.page_cache.time", SimpleNamespace(time=lambda: held))


def _clear_page_caches(app) -> None:
    """Markers roll back with each test, so a cached page could match a later test's marker."""
    app.extensions["page_cache"].clear()
    app.extensions["page_answers"].clear()
    app.extensions["catalogue_cards"].clear()


class _TestScopedSession(scoped_session):
    """At the end of each request, undo what it left uncommitted but keep the test's objects.

    Flask-SQLAlchemy removes the session after every request; in a test that would detach
    the objects the test holds. A rollback discards the same uncommitted work and expires
    everything, so the test reads fresh values, and its objects stay usable.
    """

    def remove(self) -> None:
        if self.registry.has():
            self.registry().rollback()

    def close_for_real(self) -> None:
        super().remove()


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                for table in tables:
                    connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- a live server and a real browser, for the flows a person clicks through ------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a thread; tests using it must be `committing`."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing Chromium skips (or fails in CI)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh phone-sized browser tab; pass `browser.new_context(...)` yourself for others."""
    context = browser.new_context(viewport=PHONE, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.1 A and AA rules) finds no violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, results.generate_report()


# --- a real SMTP server in-process ---------------------------------------------------------


class _Inbox:
    """Collects every message the in-process SMTP server receives, parsed."""

    def __init__(self, refuse: bool = False) -> None:
        self.messages: list = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def _smtp(app, refuse: bool):
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox(refuse=refuse)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    return controller, inbox, saved


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on localhost; the app is configured to send to it.

    `smtp_server.messages` holds the received `email.message.EmailMessage`s.
    """
    controller, inbox, saved = _smtp(app, refuse=False)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


@pytest.fixture
def refusing_smtp_server(app):
    """An SMTP server that answers every message with a temporary failure (451)."""
    controller, inbox, saved = _smtp(app, refuse=True)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)
