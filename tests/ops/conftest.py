"""Fixtures for the operations tests."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import limiter


@pytest.fixture
def other_app(app):
    """Build more apps (other databases, other settings) without disturbing the suite's.

    Extensions are shared objects: Flask-Limiter keeps `enabled` and its storage on the one
    limiter, so a second app's settings would switch rate limits on for every later test.
    """

    def make(**config):
        return create_app({"TESTING": True, "SECRET_KEY": "other-app", **config})

    try:
        yield make
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
