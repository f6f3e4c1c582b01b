"""The whole participant flow through gunicorn, with its access log on: no secret in the log.

gunicorn runs with the repository's gunicorn.conf.py, as `make run` and deploy/ do, on a
database of its own. Afterwards the access and error logs are searched for every token the
flow used, the person's email (also URL-encoded) and their name.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.models import Occurrence, Offering, OfferingAudience, Organisation
from tests.conftest import ROOT

NAME = "Ingeborg Fjeldsted"
EMAIL = "ingeborg.fjeldsted@example.com"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_with_an_offering(path) -> str:
    url = f"sqlite:///{path}"
    builder = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "gunicorn-test"})
    with builder.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        engine = db.engine
        with Session(engine) as session:
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
            offering = Offering(
                slug="stemmehoering",
                kind="course",
                title="At leve med stemmer",
                summary="Et kursus",
                organisation=Organisation(slug="recovery-skolen", name="Recovery-skolen"),
                capacity=1,
                status="published",
                occurrences=[Occurrence(starts_at=start, ends_at=start + timedelta(hours=2))],
                audience_rows=[OfferingAudience(audience="citizen")],
            )
            session.add(offering)
            session.commit()
        engine.dispose()
    return url


class Browser:
    """urllib with cookies and a Referer, like a person's browser on the same site."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.last_url: str | None = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, form: dict | None = None) -> tuple[str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)
        if self.last_url:
            request.add_header("Referer", self.last_url)
        with self.opener.open(request, timeout=20) as response:
            self.last_url = response.geturl()
            return response.geturl(), response.read().decode()


def _mail_bodies(tmp_path) -> list[str]:
    with sqlite3.connect(tmp_path / "holdplads.sqlite") as connection:
        return [row[0] for row in connection.execute("SELECT body_text FROM outbox_messages")]


def _mail_link(tmp_path, pattern: str) -> re.Match | None:
    """The first link matching `pattern` in the mails, once the worker's courier has written
    them (within seconds of the request, in the background)."""
    for _ in range(100):
        found = re.search(pattern, "\n".join(_mail_bodies(tmp_path)))
        if found:
            return found
        time.sleep(0.1)
    return None


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _wait_for(base: str, process) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise AssertionError("gunicorn stopped")
        try:
            urllib.request.urlopen(base + "/privacy", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_participant_flow_through_gunicorn_leaves_no_secret_in_the_logs(tmp_path):
    database = _database_with_an_offering(tmp_path / "holdplads.sqlite")
    port = _free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = dict(
        os.environ,
        DATABASE_URL=database,
        SECRET_KEY="gunicorn-test",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        RATELIMIT_ENABLED="false",
        MAIL_SERVER="",
        MAIL_OUTBOX=str(tmp_path / "outbox"),
        GUNICORN_ACCESS_LOG=str(access_log),
        GUNICORN_ERROR_LOG=str(error_log),
    )
    env.pop("HOLDPLADS_ENV", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    secrets: list[str] = []
    try:
        _wait_for(base, server)
        person = Browser(base)
        _, form = person.open("/offerings/stemmehoering/enroll")
        fields = {"name": NAME, "email": EMAIL, "audience": "citizen", "consent": "y"}
        person.open("/offerings/stemmehoering/enroll", {**fields, "csrf_token": _csrf(form)})
        manage = _mail_link(tmp_path, r"(/enrollments/([A-Za-z0-9_-]+))")
        assert manage, "the confirmation mail holds the manage link"
        manage_path, token = manage.group(1), manage.group(2)
        secrets.append(token)
        # Someone else joins the waiting list, so the cancel promotes them (more mail).
        other = Browser(base)
        _, form = other.open("/offerings/stemmehoering/enroll")
        other.open(
            "/offerings/stemmehoering/enroll",
            {**fields, "email": "ole@example.com", "name": "Ole", "csrf_token": _csrf(form)},
        )

        _, page = person.open(manage_path)
        person.open(manage_path + ".ics")
        _, page = person.open(manage_path + "/cancel")
        person.open(manage_path + "/cancel", {"csrf_token": _csrf(page)})

        _, page = person.open("/my")
        person.open("/my", {"email": EMAIL, "csrf_token": _csrf(page)})
        sign_in = _mail_link(tmp_path, r"/my/sign-in/([A-Za-z0-9_-]+)")
        secrets.append(sign_in.group(1))
        _, page = person.open(f"/my/sign-in/{sign_in.group(1)}")
        _, page = person.open(f"/my/sign-in/{sign_in.group(1)}", {"csrf_token": _csrf(page)})
        assert "stemmer" in page.lower()
        person.open("/my/calendar/renew", {"csrf_token": _csrf(page)})
        _, page = person.open("/my")
        feed = re.search(r"/my/calendar/([A-Za-z0-9_-]+)\.ics", page)
        secrets.append(feed.group(1))
        person.open(f"/my/calendar/{feed.group(1)}.ics")
        # Someone tries made-up links: a 404 logs its path too.
        for path in ("/manage/password/reset/", "/my/sign-in/", "/enrollments/"):
            made_up = "Zx9" + "q" * 40
            secrets.append(made_up)
            try:
                person.open(path + made_up)
            except urllib.error.HTTPError as error:
                assert error.code in (404, 410)
    finally:
        server.terminate()
        server.wait(timeout=20)

    log = access_log.read_text() + error_log.read_text()
    assert "POST /offerings/stemmehoering/enroll" in log
    assert "GET /enrollments/<redacted> " in log
    assert "POST /enrollments/<redacted>/cancel " in log
    assert "GET /my/calendar/<redacted>.ics " in log
    assert "POST /my/sign-in/<redacted> " in log
    assert f'"http://127.0.0.1:{port}/enrollments/<redacted>/cancel"' in log  # a referer
    for secret in secrets:
        assert secret not in log
    for personal in (EMAIL, urllib.parse.quote(EMAIL), "ingeborg", "Fjeldsted", "ole@example"):
        assert personal.lower() not in log.lower()


@pytest.mark.parametrize(
    "line, expected",
    [
        ("GET /enrollments/12-abcdef HTTP/1.1", "GET /enrollments/<redacted> HTTP/1.1"),
        ("GET /enrollments/12-ab.ics", "GET /enrollments/<redacted>.ics"),
        ("GET /manage/calendar/aB3_x.ics", "GET /manage/calendar/<redacted>.ics"),
        ("POST /my/sign-in/aB3_x-yz", "POST /my/sign-in/<redacted>"),
        ("GET /manage/password/reset/aB3?x=1", "GET /manage/password/reset/<redacted>?x=1"),
        ("GET /x/" + "ab12" * 16 + "/y", "GET /x/<redacted>/y"),
        ("to=ida.j@example.com, ida%40example.dk", "to=<email>, <email>"),
        ("GET /offerings/angst-og-bekymring-for-paaroerende", None),
        ("GET /my/enrollments/12/cancel", None),
    ],
)
def test_redact(line, expected):
    from app.log_redaction import redact

    assert redact(line) == (expected or line)


def test_the_apps_own_log_is_redacted(app):
    import io
    import logging

    from app.ops.logs import configure

    configure("plain")
    streams = {}
    for name in ("app", "holdplads"):
        handler = next(h for h in logging.getLogger(name).handlers if getattr(h, "_holdplads", 0))
        streams[handler] = handler.setStream(io.StringIO())
    try:
        with app.app_context():
            app.logger.warning("mail to %s failed for /enrollments/%s", EMAIL, "7-" + "f" * 64)
            logging.getLogger("app.mail").warning("sending to %s failed", EMAIL)
            logging.getLogger("holdplads.jobs").info("retention done for %s", EMAIL)
        written = "".join(handler.stream.getvalue() for handler in streams)
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)
    assert EMAIL not in written and "f" * 64 not in written
    assert "mail to <email> failed for /enrollments/<redacted>" in written
    assert "sending to <email> failed" in written
    assert "retention done for <email>" in written


def test_make_run_uses_the_gunicorn_config():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--config gunicorn.conf.py" in run
    assert "--access-logfile" not in run


def test_no_database_session_leaks_between_the_test_app_and_gunicorn(db_session):
    # The gunicorn test builds its own database; the suite's database is untouched.
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Offering)) == 0


def test_every_gunicorn_config_uses_the_redacting_logger():
    import runpy

    for config in (ROOT / "gunicorn.conf.py", ROOT / "deploy" / "gunicorn.conf.py"):
        settings = runpy.run_path(str(config))
        assert settings["logger_class"] == "app.log_redaction.RedactingLogger", config


@pytest.mark.parametrize(
    "log_format",
    [
        '%(h)s "%(r)s" %(s)s "%(f)s"',  # gunicorn.conf.py's atoms
        "%(U)s?%(q)s %({Referer}i)s %({x-original-uri}i)s",  # another IT department's choice
    ],
)
def test_every_atom_an_access_format_prints_is_redacted(log_format):
    """The logger redacts only the atoms its format prints: whichever those are, no token."""
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.log_redaction import RedactingLogger

    secret = "/enrollments/7-" + "f" * 40
    config = Config()
    config.set("accesslog", os.devnull)
    config.set("access_log_format", log_format)
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": secret + "?to=" + EMAIL,
        "PATH_INFO": secret,
        "QUERY_STRING": "to=" + EMAIL,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://holdplads.example" + secret,
        "HTTP_X_ORIGINAL_URI": secret,
    }
    request = SimpleNamespace(
        headers=[("REFERER", environ["HTTP_REFERER"]), ("X-ORIGINAL-URI", secret)]
    )
    response = SimpleNamespace(status="200 OK", response_length=5, headers=[], sent=5)
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    line = log_format % logger.atoms_wrapper_class(atoms)
    assert "<redacted>" in line
    assert "f" * 40 not in line and EMAIL not in line and "%40" not in line
