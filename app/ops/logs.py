"""Logs a machine can read: one line per request, and the scheduled commands' results.

`LOG_FORMAT=json` writes JSON lines (one object per line) for a log shipper; anything else
writes plain lines. A request line holds a request id (taken from the proxy's `X-Request-ID`
when it looks like one, else new; always sent back as `X-Request-ID`), the method, the route
*pattern* (`/enrollments/<token>`, never the path itself: paths carry secret tokens), the
status and the duration. No query strings, addresses, names or IPs: no personal data.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask import Flask, request
from flask.logging import default_handler as flask_default_handler
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import ClosingIterator

from app.log_redaction import RedactingFilter

REQUEST_LOGGER = "holdplads.request"
JOBS_LOGGER = "holdplads.jobs"
_ID_KEY = "holdplads.request_id"
WARM_UP_KEY = "holdplads.warm_up"  # set by app/ops/warm_up.py on its own requests
_ROUTE_KEY = "holdplads.route"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((k, v) for k, v in vars(record).items() if k not in _STANDARD_ATTRS)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """`time level logger: message key=value ...` for a person reading journalctl."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD_ATTRS)
        return f"{text} {extra}" if extra else text


def configure(log_format: str) -> None:
    """Send the app's, the requests' and the jobs' logs to stderr in the chosen format.

    Called once per process; a second app in the same process (tests) changes only the format.
    """
    if log_format == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = PlainFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("app", "holdplads"):
        logger = logging.getLogger(name)
        handler = next((h for h in logger.handlers if getattr(h, "_holdplads", False)), None)
        if handler is None:
            handler = logging.StreamHandler(sys.stderr)
            handler._holdplads = True  # type: ignore[attr-defined]
            handler.addFilter(RedactingFilter())  # no token, email or name in any line
            logger.addHandler(handler)
            logger.propagate = False
        # Flask gave its app logger (also named "app") a handler of its own when the app first
        # logged; with ours beside it every line of the app was written twice.
        logger.removeHandler(flask_default_handler)
        handler.setFormatter(formatter)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def log_job(job: str, **counts: int) -> None:
    """One line per scheduled command run: what it did, as numbers (`sent=3 failed=0`)."""
    summary = " ".join(f"{k}={v}" for k, v in counts.items())
    logging.getLogger(JOBS_LOGGER).info("%s: %s", job, summary, extra={"job": job, **counts})


def request_id() -> str | None:
    """The id of the request being served (for log lines written inside it)."""
    return request.environ.get(_ID_KEY) if request else None


class RequestLogMiddleware:
    """The outermost layer: ids, times and logs every answer, cached ones too."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get(WARM_UP_KEY):  # a new worker rendering its pages, not a visitor
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        environ[_ID_KEY] = rid
        seen: dict = {}

        def start(status: str, headers: list, exc_info=None):
            seen["status"] = status
            seen["cache"] = next((v for k, v in headers if k == "X-Cache"), None)
            headers.append(("X-Request-ID", rid))
            return start_response(status, headers, exc_info)

        def log() -> None:
            status = seen.get("status", "500")
            self.logger.info(
                "%s %s %s",
                environ.get("REQUEST_METHOD"),
                self._route(environ),
                status.split(" ", 1)[0],
                extra={
                    "request_id": rid,
                    "method": environ.get("REQUEST_METHOD"),
                    "route": self._route(environ),
                    "status": int(status.split(" ", 1)[0]),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    # A public page: "hit" (kept whole) or "miss" (rendered, maybe in part).
                    **({"cache": seen["cache"]} if seen.get("cache") else {}),
                },
            )

        try:
            result = self.wsgi_app(environ, start)
        except BaseException:
            seen.setdefault("status", "500")
            log()
            raise
        return ClosingIterator(result, [log])

    def _route(self, environ: dict) -> str:
        """The URL rule that served the request; for a cached answer, matched here."""
        if _ROUTE_KEY in environ:
            return environ[_ROUTE_KEY]
        try:
            rule, _args = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
            environ[_ROUTE_KEY] = rule.rule
        except HTTPException:
            environ[_ROUTE_KEY] = "<unmatched>"
        return environ[_ROUTE_KEY]


def _remember_route() -> None:
    if request.url_rule is not None:
        request.environ[_ROUTE_KEY] = request.url_rule.rule


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"])
    app.before_request(_remember_route)
    app.wsgi_app = RequestLogMiddleware(app, app.wsgi_app)
