"""Request logs: one JSON line per request with an id and the route pattern, no personal data."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app.ops.logs import REQUEST_LOGGER, JsonFormatter
from tests.factories import make_offering


@pytest.fixture
def request_lines():
    """What the request logger writes, as parsed JSON objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_id_route_status_and_duration(client, request_lines):
    offering = make_offering()
    response = client.get(f"/offerings/{offering.slug}", buffered=True)
    assert response.status_code == 200
    [line] = request_lines()
    assert line["route"] == "/offerings/<slug:slug>"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert offering.slug not in json.dumps(line)


def test_a_cached_answer_is_logged_with_its_route_too(client, request_lines):
    offering = make_offering()
    client.get(f"/offerings/{offering.slug}", buffered=True)
    client.get(f"/offerings/{offering.slug}", buffered=True)  # served whole, before Flask runs
    lines = request_lines()
    assert [line["route"] for line in lines] == ["/offerings/<slug:slug>"] * 2
    assert [line["cache"] for line in lines] == ["miss", "hit"]  # rendered, then kept whole
    assert lines[0]["request_id"] != lines[1]["request_id"]


def test_a_token_in_the_path_never_reaches_the_log(client, request_lines):
    client.get("/enrollments/secret-token-abcdef123456?email=someone@example.org", buffered=True)
    [line] = request_lines()
    text = json.dumps(line)
    assert "secret-token" not in text
    assert "someone@example.org" not in text
    assert line["route"] == "/enrollments/<token:token>"


def test_a_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client, request_lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-id-1234abcd"}, buffered=True)
    assert kept.headers["X-Request-ID"] == "proxy-id-1234abcd"
    replaced = client.get(
        "/healthz", headers={"X-Request-ID": "bad id; with spaces"}, buffered=True
    )
    assert replaced.headers["X-Request-ID"] != "bad id; with spaces"
    assert [line["request_id"] for line in request_lines()] == [
        "proxy-id-1234abcd",
        replaced.headers["X-Request-ID"],
    ]


def test_unknown_urls_are_logged_without_their_path(client, request_lines):
    client.get("/no/such/page/holding-a-name", buffered=True)
    [line] = request_lines()
    assert line["route"] == "<unmatched>"
    assert line["status"] == 404


def test_json_lines_carry_the_extra_fields():
    record = logging.LogRecord("holdplads.jobs", logging.INFO, "", 0, "sent %s", (3,), None)
    record.sent = 3
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sent 3"
    assert line["sent"] == 3
    assert line["level"] == "info"


def test_a_line_of_the_app_is_written_once(tmp_path):
    """Flask's own handler on its app logger (named "app", as the package) is gone: beside
    ours it wrote every line of the app a second time, in another format. In a process of its
    own, as gunicorn's worker is (pytest's log capture would hide Flask's handler)."""
    import os
    import subprocess
    import sys

    code = (
        "import logging; from app import create_app; "
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite'}}); "
        "logging.getLogger('app.ops.warm_up').warning('one line of the app')"
    )
    env = {**os.environ, "SECRET_KEY": "log-test", "LOG_FORMAT": "plain"}
    written = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stderr
    assert written.count("one line of the app") == 1, written
