"""The one slug pattern: the URL map and the two middlewares in front of Flask agree on it."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from app.calendar.conditional import PRIVATE_FEED, PUBLIC_FEED
from app.page_cache import _CACHED_PATHS

SAMPLE_VALUES = {
    "slug": "tilbud-2",
    "token": "abcdefghijklmnopqrstuvwxyz",
    "int": 7,
    "key": "signups",  # a table of /manage/figures
    "code": "K7QF-3M9X-TP2A",  # a certificate's verification code
}
NOT_SLUGS = ["Tilbud", "tilbud--2", "-tilbud", "tilbud-", "til_bud", "tilbud.2", "æble"]


def _get_routes(app):
    """(path with sample values, rule, view) for every GET route."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {}
        for name in rule.arguments:
            is_int = isinstance(rule._converters[name], IntegerConverter)  # IdConverter too
            values[name] = SAMPLE_VALUES["int" if is_int else name]
        yield adapter.build(rule.endpoint, values), rule, app.view_functions[rule.endpoint]


def test_the_page_cache_middleware_serves_exactly_the_cached_views(app):
    routes = list(_get_routes(app))
    assert any(getattr(view, "is_cached_page", False) for _path, _rule, view in routes)
    for path, rule, view in routes:
        cached = getattr(view, "is_cached_page", False)
        assert bool(_CACHED_PATHS.match(path)) == cached, rule.rule


def test_the_feed_middleware_knows_every_feed_and_which_are_private(app):
    for path, rule, _view in _get_routes(app):
        is_feed = rule.rule.endswith(".ics")
        private = "token" in rule.arguments  # a feed behind a secret link
        assert bool(PUBLIC_FEED.match(path)) == (is_feed and not private), rule.rule
        assert bool(PRIVATE_FEED.match(path)) == (is_feed and private), rule.rule


@pytest.mark.parametrize("not_a_slug", NOT_SLUGS)
def test_what_the_url_map_refuses_as_a_slug_no_middleware_takes(app, not_a_slug):
    adapter = app.url_map.bind("localhost")
    for path in (f"/offerings/{not_a_slug}", f"/api/v1/offerings/{not_a_slug}"):
        endpoint = _endpoint_or_none(adapter, path)
        assert endpoint is None or "slug" not in endpoint[1], path
        assert _CACHED_PATHS.match(path) is None, path
    feed = f"/offerings/{not_a_slug}.ics"
    assert _endpoint_or_none(adapter, feed) is None
    assert PUBLIC_FEED.match(feed) is None


def _endpoint_or_none(adapter, path):
    try:
        return adapter.match(path, method="GET")
    except Exception:  # noqa: BLE001 - NotFound, or a redirect: either way not this route
        return None
