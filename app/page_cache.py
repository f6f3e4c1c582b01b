"""A response cache for public pages that is never stale.

Every rendered page is keyed by the change marker (a counter raised in the same transaction
as every change, read with one indexed query), the language, the URL and the current minute
(pages show "next date" and whether sign-up is open, which move with the clock). A sign-up
or an edit raises the marker, so every worker renders afresh on its next request. Browsers
get an ETag from the same key and are answered 304 without rendering.

Two layers share the key: `cached_page` keeps rendered bodies inside Flask, and
`CachedPageMiddleware` keeps whole finished answers (after every after-request hook) and
serves a repeat visit to a public page before Flask runs: no request context, no routing,
no hooks, one marker read. A visitor with a session cookie (staff, flash messages) always
goes through Flask.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar
from urllib.parse import parse_qs

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, session
from werkzeug.http import parse_cookie
from werkzeug.sansio.utils import host_is_trusted

from app.extensions import db
from app.i18n import LANG_COOKIE, choose_language, select_locale
from app.routing import SLUG

_MARKER_QUERY = "SELECT version FROM change_marker WHERE id = 1"
_CATALOGUE_QUERY = "SELECT structure_version, seats_version FROM change_marker WHERE id = 1"
_OFFERING_QUERY = (
    "SELECT c.structure_version, m.version FROM change_marker c"
    " LEFT JOIN offerings o ON o.slug = {slug}"
    " LEFT JOIN seat_markers m ON m.offering_id = o.id WHERE c.id = 1"
)
_OFFERING_PATH = re.compile(rf"^/offerings/({SLUG})$")

Kept = TypeVar("Kept")
Answer = tuple[bytes, list[tuple[str, str]]]  # a body and the headers to send with it


class PageCache(Generic[Kept]):
    """A small thread-safe LRU, one per worker process: rendered answers (a body and its
    headers), or the catalogue's rendered parts (app/catalogue/cards.py)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}  # keys being made now (get_or_make)

    def get(self, key: str) -> Kept | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Kept) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_make(
        self, key: str, make: Callable[[], Kept], usable: Callable[[Kept], bool] | None = None
    ) -> Kept:
        """The entry under `key`, made by `make` if there is none (or none `usable`), by one
        thread at a time: the others wait for it instead of making it again. After a change
        every thread of a worker asks for the same few pages at once, when CPU is scarcest."""

        def found() -> Kept | None:
            entry = self.get(key)
            return entry if entry is None or usable is None or usable(entry) else None

        entry = found()
        if entry is not None:
            return entry
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        try:
            with making:
                entry = found()
                if entry is None:
                    entry = make()
                    self.put(key, entry)
        finally:
            with self._lock:  # kept before it is let go: a thread after this finds the entry
                self._making.pop(key, None)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def current_marker() -> int:
    """The change marker as committed now, in one statement.

    Outside a transaction it is read in autocommit on a connection kept for this one read
    (one per worker thread): no ORM session, no BEGIN/ROLLBACK, no pool checkout or pre-ping,
    so a cached page costs a single round trip. A session that is already in a transaction, or
    bound to an open connection (the tests), reads it there instead and sees its own changes.
    """
    return _read(_MARKER_QUERY)[0]


def marker_for(path: str) -> str:
    """What a public page at `path` depends on, as one string for its cache key.

    The catalogue: everything public but seats, and seats anywhere. An offering's page:
    everything public but seats, and its own seats, so a sign-up for one offering keeps every
    other offering's page cached. The rest (API, prospectus): every change at all.
    """
    if path == "/":
        structure, seats = _read(_CATALOGUE_QUERY)
        return f"c{structure}.{seats}"
    offering = _OFFERING_PATH.match(path)
    if offering is not None:
        structure, seats = _read(_OFFERING_QUERY, offering.group(1))
        return f"o{structure}.{seats or 0}"
    return str(current_marker())


def structure_marker() -> int:
    """The counter of everything public but seats (for pages rendered in parts)."""
    return _read(_CATALOGUE_QUERY)[0]


def page_marker(path: str) -> str:
    """The marker this request's page is keyed by (read once per request)."""
    marker = request.environ.get(_MARKER)
    if marker is None:
        marker = request.environ[_MARKER] = marker_for(path)
    return marker


def _read(query: str, parameter: str | None = None) -> tuple:
    if db.session.registry.has():  # else no session yet, so no transaction either
        session = db.session()
        if session.in_transaction() or isinstance(session.bind, sa.Connection):
            params = {} if parameter is None else {"p": parameter}
            return tuple(session.execute(sa.text(query.format(slug=":p")), params).one())
    return _read_autocommit(db.engine, query, parameter)


_held = threading.local()  # (engine, pid, DBAPI connection) of this thread's marker reads


def _read_autocommit(
    engine: sa.Engine, query: str, parameter: str | None = None, *, retry: bool = True
) -> tuple:
    held = getattr(_held, "connection", None)
    if held is None or held[0] is not engine or held[1] != os.getpid():
        if held is not None and held[1] == os.getpid():
            with contextlib.suppress(Exception):
                held[2].close()  # another app's engine (tests, bench)
        connection = engine.raw_connection()
        if engine.dialect.name == "postgresql":  # psycopg: no BEGIN; SQLite: see database.py
            connection.driver_connection.autocommit = True
        connection.detach()  # ours alone from now on; the pool opens another for itself
        held = _held.connection = (engine, os.getpid(), connection)
    try:
        cursor = held[2].cursor()
        try:
            if parameter is None:
                cursor.execute(query)
            else:
                placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
                cursor.execute(query.format(slug=placeholder), (parameter,))
            return tuple(cursor.fetchone())
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error:
        # The server closed it (restart, idle timeout): open a new one, once.
        _held.connection = None
        with contextlib.suppress(Exception):
            held[2].close()
        if not retry:
            raise
        return _read_autocommit(engine, query, parameter, retry=False)


def close_marker_connection() -> None:
    """Close this thread's connection for marker reads (a thread that serves no more pages)."""
    held = getattr(_held, "connection", None)
    _held.connection = None
    if held is not None and held[1] == os.getpid():
        with contextlib.suppress(Exception):
            held[2].close()


def personal_request() -> bool:
    """A signed-in visitor or a pending flash message sees a page made for them alone."""
    return "_user_id" in session or "_flashes" in session


_VALIDATORS = [("Cache-Control", "no-cache"), ("Vary", "Cookie, Accept-Language")]
_STORED_HEADERS = {"content-type", "etag", "cache-control", "vary", "content-disposition"}


def cached_page(view: Callable) -> Callable:
    """Serve a public GET page from the cache while nothing has changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or personal_request():
            return view(*args, **kwargs)
        # select_locale: the language Babel will choose, without building a babel Locale.
        key = request.environ.get(_KEY) or page_key(
            page_marker(request.path), select_locale(), request.full_path
        )
        request.environ[_CACHEABLE] = True
        etag = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        if etag in request.if_none_match:
            return Response(status=304, headers=[("ETag", f'"{etag}"'), *_VALIDATORS])
        cache: PageCache[Answer] = current_app.extensions["page_cache"]
        entry = cache.get(key)
        if entry is not None:  # headers built once, when the page was stored
            return Response(entry[0], headers=entry[1])
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
        response.vary.update(("Cookie", "Accept-Language"))
        stored = [(k, v) for k, v in response.headers if k.lower() in _STORED_HEADERS]
        cache.put(key, (response.get_data(), stored))
        return response

    wrapper.is_cached_page = True  # _CACHED_PATHS must match exactly these views' URLs
    return wrapper


def page_key(marker: int | str, language: str, full_path: str) -> str:
    return f"{marker}|{language}|{page_minute(full_path)}|{full_path}"


def page_minute(full_path: str) -> int:
    """The minute a page is kept for, its turn shifted by a fixed 0–59 s per URL.

    Pages show what moves with the clock (the next date, whether sign-up is open), so each is
    rendered again at least once a minute. Were every page's minute to turn at the same
    second, every worker would render every page at once; shifted per URL, the renders are
    spread over the minute, and no page is ever older than a minute.
    """
    return (int(time.time()) + zlib.crc32(full_path.encode()) % 60) // 60


_KEY = "holdplads.page_key"  # set by the middleware, so Flask uses the very same key
_MARKER = "holdplads.page_marker"  # the marker behind that key (fragments use it too)
_CACHEABLE = "holdplads.page_cacheable"  # set by cached_page: this answer may be kept whole
# The URLs of the views wrapped in `cached_page` (tests/test_routing.py checks it).
_CACHED_PATHS = re.compile(
    rf"^/(?:|offerings/{SLUG}|api/v1/offerings(?:/{SLUG})?|prospectus(?:\.pdf)?)$"
)
_NOT_KEPT = {"set-cookie", "date", "server", "connection", "transfer-encoding"}
# Whether a public page was answered whole from the store or rendered (the load test reads it).
_HIT, _MISS = ("X-Cache", "hit"), ("X-Cache", "miss")


class CachedPageMiddleware:
    """Serve repeat visits to public pages from whole stored answers, before Flask runs."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.answers: PageCache[Answer] = PageCache(app.config["PAGE_CACHE_SIZE"])
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")

    def __call__(self, environ: dict, start_response: Callable):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        stored = self.answers.get(key)
        if stored is not None:
            body, headers = stored
            etag = next((v for k, v in headers if k == "ETag"), None)
            if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
                start_response(
                    "304 NOT MODIFIED",
                    [(k, v) for k, v in headers if k not in ("Content-Type", "Content-Length")],
                )
                return []
            start_response("200 OK", [*headers, _HIT])
            return [body]
        environ[_KEY] = key
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, [*headers, _MISS], exc_info)

        result = self.wsgi_app(environ, capture)
        if not environ.get(_CACHEABLE) or not captured.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = captured["headers"]
        if not any(k.lower() == "set-cookie" for k, _ in headers):
            kept = [(k, v) for k, v in headers if k.lower() not in _NOT_KEPT]
            self.answers.put(key, (body, kept))
        return [body]

    def _key(self, environ: dict) -> str | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        path = environ.get("PATH_INFO", "")
        if _CACHED_PATHS.match(path) is None:
            return None
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted and not host_is_trusted(environ.get("HTTP_HOST"), trusted):
            return None  # Flask answers 400; nothing is kept for, or served to, a forged host
        raw_cookie = environ.get("HTTP_COOKIE")
        cookies = parse_cookie(raw_cookie) if raw_cookie else {}
        if self.session_cookie in cookies:
            return None
        query = environ.get("QUERY_STRING", "")
        languages = self.app.config["LANGUAGES"]
        asked = parse_qs(query).get("lang", [None])[-1] if "lang=" in query else None
        remembered = cookies.get(LANG_COOKIE)
        if asked in languages and asked != remembered:
            return None  # Flask answers, and remembers the choice in a cookie
        language = choose_language(
            asked, remembered, environ.get("HTTP_ACCEPT_LANGUAGE", ""), languages
        )
        with self.app.app_context():
            marker = environ[_MARKER] = marker_for(path)
        return page_key(marker, language, f"{path}?{query}")

    def clear(self) -> None:
        self.answers.clear()


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"])
    middleware = CachedPageMiddleware(app, app.wsgi_app)
    app.extensions["page_answers"] = middleware.answers
    app.wsgi_app = middleware
