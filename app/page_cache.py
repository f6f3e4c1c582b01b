"""A response cache for public pages that is never stale.

Every rendered page is keyed by the change marker (a counter raised in the same transaction
as every change, read with one indexed query), the language, the URL and the current minute
(pages show "next date" and whether sign-up is open, which move with the clock). A sign-up
or an edit raises the marker, so every worker renders afresh on its next request. Browsers
get an ETag from the same key and are answered 304 without rendering.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, session

from app.extensions import db

_MARKER_QUERY = "SELECT version FROM change_marker WHERE id = 1"
_MARKER_SQL = sa.text(_MARKER_QUERY)


class PageCache:
    """A small thread-safe LRU of rendered bodies, one per worker process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, body: bytes, mimetype: str) -> None:
        with self._lock:
            self._entries[key] = (body, mimetype)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def current_marker() -> int:
    """The change marker as committed now, in one statement.

    Outside a transaction it is read on a pooled connection of its own, in autocommit: no
    ORM session, no BEGIN/ROLLBACK around it, so a cached page costs one round trip. A session
    that is already in a transaction, or bound to an open connection (the tests), reads it
    through that transaction instead, so it sees its own changes.
    """
    if db.session.registry.has():  # else no session yet, so no transaction either
        session = db.session()
        if session.in_transaction() or isinstance(session.bind, sa.Connection):
            return session.execute(_MARKER_SQL).scalar_one()
    return _read_autocommit(db.engine, _MARKER_QUERY)


def _read_autocommit(engine: sa.Engine, query: str) -> int:
    connection = engine.raw_connection()  # the pool's DBAPI connection (pre-ping still applies)
    driver = connection.driver_connection
    # psycopg would open a transaction (BEGIN, then ROLLBACK on return to the pool): one
    # round trip becomes three. SQLite's connections are in autocommit already (database.py).
    autocommit = (
        getattr(driver, "autocommit", None) if engine.dialect.name == "postgresql" else None
    )
    try:
        if autocommit is False:
            driver.autocommit = True
        cursor = connection.cursor()
        try:
            cursor.execute(query)
            return cursor.fetchone()[0]
        finally:
            cursor.close()
    finally:
        if autocommit is False:
            driver.autocommit = False
        connection.close()  # back to the pool


def _personal_request() -> bool:
    """A signed-in visitor or a pending flash message sees a page made for them alone."""
    return "_user_id" in session or "_flashes" in session


def cached_page(view: Callable) -> Callable:
    """Serve a public GET page from the cache while nothing has changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or _personal_request():
            return view(*args, **kwargs)
        # The language Babel will choose, without building a babel Locale on a cached hit.
        from app.i18n import select_locale

        minute = datetime.now(UTC).strftime("%Y%m%d%H%M")
        key = f"{current_marker()}|{select_locale()}|{minute}|{request.full_path}"
        etag = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        cache: PageCache = current_app.extensions["page_cache"]
        if etag in request.if_none_match:
            response = Response(status=304)
        else:
            entry = cache.get(key)
            if entry is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200:
                    return response
                cache.put(key, response.get_data(), response.mimetype)
            else:
                response = Response(entry[0], mimetype=entry[1])
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
        response.vary.update(("Cookie", "Accept-Language"))
        return response

    return wrapper


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"])
