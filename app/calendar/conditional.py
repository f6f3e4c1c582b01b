"""Validators for the feeds, and the 304 answer that never reaches Flask.

Calendar apps poll every feed every hour for years, and almost every poll finds nothing new.
A feed's validator is therefore made from cheap things only: the change marker (one indexed
read, raised by every commit), the URL, the language headers and the day (the 30-day window
for cancelled occurrences moves with it). No feed is built and no token is checked to say
"304 Not Modified".

`NotModifiedMiddleware` answers those polls in front of Flask: no request context, no session
cookie, no URL routing, no after-request hooks, just one marker read in an app context. The
routes compute the same validators, so the middleware is only a shortcut: without it every
answer would be the same, only slower.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time

from flask import Flask
from werkzeug.datastructures import ETags
from werkzeug.http import http_date, parse_cookie, parse_date, parse_etags

from app.i18n import LANG_COOKIE
from app.page_cache import current_marker
from app.routing import SLUG
from app.security import SECURITY_HEADERS

# no-transform: proxies must not gzip or rewrite feeds; some calendar clients cannot cope.
PUBLIC_CACHE = "public, max-age=900, no-transform"
PRIVATE_CACHE = "private, no-cache, no-transform"
VARY = "Accept-Language, Cookie"

# The URLs of the feeds (tests/test_routing.py checks them against the URL map).
PUBLIC_FEED = re.compile(rf"^/(?:offerings/{SLUG}|calendar)\.ics$")
PRIVATE_FEED = re.compile(r"^/(?:my/calendar|manage/calendar|enrollments)/[^/]+\.ics$")

# When this worker first saw each change-marker value: the feeds' Last-Modified. Workers may
# disagree by a few seconds; that costs at most one full answer, never a stale one.
_first_seen: dict[int, datetime] = {}


def last_modified(marker: int, now: datetime) -> datetime:
    seen = _first_seen.get(marker)
    if seen is None:
        if len(_first_seen) > 64:
            _first_seen.clear()
        seen = _first_seen.setdefault(marker, now.replace(microsecond=0))
    # Feeds also change with the day (the 30-day window for cancelled occurrences).
    midnight = datetime.combine(now.date(), time.min, tzinfo=UTC)
    return max(seen, midnight)


def etag_for(
    marker: int, now: datetime, path: str, query: str, accept_language: str, lang_cookie: str
) -> str:
    key = "|".join((str(marker), now.date().isoformat(), path, query, accept_language, lang_cookie))
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def validators(environ: dict, marker: int, now: datetime) -> tuple[str, datetime]:
    """(ETag, Last-Modified) of a feed request: the middleware and the routes both ask here."""
    cookie = environ.get("HTTP_COOKIE")
    etag = etag_for(
        marker,
        now,
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        parse_cookie(cookie).get(LANG_COOKIE, "") if cookie else "",
    )
    return etag, last_modified(marker, now)


def not_modified(
    etag: str, modified: datetime, if_none_match: ETags | None, if_modified_since: datetime | None
) -> bool:
    if if_none_match:  # takes precedence over If-Modified-Since (RFC 9110 13.1.3)
        return if_none_match.contains_weak(etag)
    return if_modified_since is not None and modified <= if_modified_since


def cache_control(private: bool) -> str:
    return PRIVATE_CACHE if private else PUBLIC_CACHE


class NotModifiedMiddleware:
    """Answer a conditional GET of an unchanged feed with 304 before Flask sees it."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self._not_modified(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        start_response("304 NOT MODIFIED", answer)
        return []

    def _not_modified(self, environ: dict) -> list[tuple[str, str]] | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if not (if_none_match or if_modified_since):
            return None
        path = environ.get("PATH_INFO", "")
        private = PRIVATE_FEED.match(path) is not None
        if not private and PUBLIC_FEED.match(path) is None:
            return None
        now = datetime.now(UTC)
        with self.app.app_context():
            marker = current_marker()
        etag, modified = validators(environ, marker, now)
        etags = parse_etags(if_none_match) if if_none_match else None
        since = parse_date(if_modified_since) if if_modified_since else None
        if not not_modified(etag, modified, etags, since):
            return None
        return [
            ("ETag", f'"{etag}"'),
            ("Last-Modified", http_date(modified)),
            ("Cache-Control", cache_control(private)),
            ("Vary", VARY),
            *SECURITY_HEADERS.items(),
        ]


def install(app: Flask) -> None:
    app.wsgi_app = NotModifiedMiddleware(app, app.wsgi_app)
