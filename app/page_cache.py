"""A response cache for public pages that is never stale.

Every rendered page is keyed by the change marker (a counter raised in the same transaction
as every change, read with one indexed query), the language, the URL and the current minute
(pages show "next date" and whether sign-up is open, which move with the clock). A sign-up
or an edit raises the marker, so every worker renders afresh on its next request. Browsers
get an ETag from the same key and are answered 304 without rendering.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, session

from app.extensions import db

_MARKER_QUERY = "SELECT version FROM change_marker WHERE id = 1"
_MARKER_SQL = sa.text(_MARKER_QUERY)


class PageCache:
    """A small thread-safe LRU of rendered bodies, one per worker process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[bytes, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, list[tuple[str, str]]] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, body: bytes, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self._entries[key] = (body, headers)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

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
    if db.session.registry.has():  # else no session yet, so no transaction either
        session = db.session()
        if session.in_transaction() or isinstance(session.bind, sa.Connection):
            return session.execute(_MARKER_SQL).scalar_one()
    return _read_autocommit(db.engine, _MARKER_QUERY)


_held = threading.local()  # (engine, pid, DBAPI connection) of this thread's marker reads


def _read_autocommit(engine: sa.Engine, query: str, *, retry: bool = True) -> int:
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
            cursor.execute(query)
            return cursor.fetchone()[0]
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error:
        # The server closed it (restart, idle timeout): open a new one, once.
        _held.connection = None
        with contextlib.suppress(Exception):
            held[2].close()
        if not retry:
            raise
        return _read_autocommit(engine, query, retry=False)


def _personal_request() -> bool:
    """A signed-in visitor or a pending flash message sees a page made for them alone."""
    return "_user_id" in session or "_flashes" in session


_VALIDATORS = [("Cache-Control", "no-cache"), ("Vary", "Cookie, Accept-Language")]
_STORED_HEADERS = {"content-type", "etag", "cache-control", "vary"}


def cached_page(view: Callable) -> Callable:
    """Serve a public GET page from the cache while nothing has changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or _personal_request():
            return view(*args, **kwargs)
        # The language Babel will choose, without building a babel Locale on a cached hit.
        from app.i18n import select_locale

        minute = int(time.time()) // 60
        key = f"{current_marker()}|{select_locale()}|{minute}|{request.full_path}"
        etag = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        if etag in request.if_none_match:
            return Response(status=304, headers=[("ETag", f'"{etag}"'), *_VALIDATORS])
        cache: PageCache = current_app.extensions["page_cache"]
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
        cache.put(key, response.get_data(), stored)
        return response

    return wrapper


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"])
