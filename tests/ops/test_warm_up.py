"""A new worker renders the public pages before its first visitor (app/ops/warm_up.py)."""

from __future__ import annotations

import io
import logging
import sys
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment
from app.ops.logs import REQUEST_LOGGER
from app.ops.warm_up import warm_up
from app.page_cache import current_marker
from tests.factories import make_offering
from tests.ops.servers import base_env, gunicorn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def request_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_after_the_warm_up_the_first_visitors_are_served_kept_pages(app, client):
    listed = [make_offering(), make_offering(kind="group")]
    draft = make_offering(status="draft")
    rendered = warm_up(app)
    # the catalogue in Danish and English, with free seats only, each listed offering, a form
    assert rendered == 3 + len(listed) + 1
    for path, language in [("/", "da"), ("/", "en"), ("/?free=1", "da")] + [
        (f"/offerings/{offering.slug}", "da") for offering in listed
    ]:
        response = client.get(path, headers={"Accept-Language": language})
        assert (path, response.status_code, response.headers["X-Cache"]) == (path, 200, "hit")
    assert "Skip to content" in client.get("/", headers={"Accept-Language": "en"}).text
    assert client.get(f"/offerings/{draft.slug}").status_code == 404


def test_the_warm_up_writes_nothing_and_logs_no_request(app, request_log):
    make_offering()
    marker = current_marker()
    warm_up(app)
    assert current_marker() == marker
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0
    assert request_log.getvalue() == ""


def test_no_warm_up_when_it_is_switched_off(app, client, monkeypatch):
    offering = make_offering()
    monkeypatch.setitem(app.config, "WARM_UP_PAGES", 0)
    assert warm_up(app) == 0
    assert client.get(f"/offerings/{offering.slug}").headers["X-Cache"] == "miss"


@pytest.mark.committing  # the app's own session, not the test's connection
def test_a_database_out_of_reach_leaves_the_worker_cold_not_dead(other_app, caplog):
    unreachable = other_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:9/x")
    with caplog.at_level(logging.WARNING, logger="app.ops.warm_up"):
        assert warm_up(unreachable) == 0
    assert "warm-up skipped: the database could not be read" in caplog.text


def test_the_warm_up_tells_gunicorn_after_each_page_that_the_worker_lives(app):
    make_offering()
    told = []
    pages = warm_up(app, notify=lambda: told.append(1))
    assert len(told) == pages > 0


@pytest.mark.committing
def test_a_server_started_with_the_deploy_settings_answers_its_first_visitors_from_kept_pages(
    app, tmp_path
):
    offering = make_offering()
    env = base_env(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="warm-up-test",
        RATELIMIT_ENABLED="false",
    )
    config = ROOT / "deploy" / "gunicorn.conf.py"
    with gunicorn(
        sys.executable, "app:create_app()", env=env, cwd=tmp_path, workers=2, config=config
    ) as url:
        for _ in range(6):  # both workers, each on its first visit to the page
            for path in ("/", f"/offerings/{offering.slug}"):
                with urllib.request.urlopen(url + path, timeout=10) as response:
                    assert (path, response.headers["X-Cache"]) == (path, "hit")
