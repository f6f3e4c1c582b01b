"""No secret link, email address or name in any log line.

Manage links, sign-in links, calendar feeds and password-reset links carry their secret in
the path, so a plain access log is a list of keys to people's sign-ups. Every log line
(gunicorn's access and error logs, via gunicorn.conf.py, and the app's own logger) passes
through `redact` first: the token part of those paths becomes `<redacted>`, and anything
that looks like an email address becomes `<email>`. Names never reach a log: no log call
passes one.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "<redacted>"
# The paths whose next segment is a secret (see the routes of enrollment, calendar, management).
_SECRET_PATHS = re.compile(
    r"((?<!/my)/(?:enrollments|my/sign-in|my/calendar|manage/calendar|manage/password/reset)/)"
    r"[^/?#\s\"'.]+"
)
# Belt and braces: any segment holding a long hex or base64 run (a signed token's HMAC).
_LONG_SECRET = re.compile(r"(?<=/)[^/?#\s\"']*[A-Za-z0-9_]{32,}[^/?#\s\"'.]*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


_FORMAT_KEYS = re.compile(r"%\(([^)]+)\)")


def redact(text: str) -> str:
    text = _SECRET_PATHS.sub(r"\1" + REDACTED, text)
    text = _LONG_SECRET.sub(REDACTED, text)
    return _EMAIL.sub("<email>", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) with secrets and addresses removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class RedactingLogger(Logger):
    """gunicorn's logger with every access-log atom and error line redacted."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactingFilter())
        # The atoms the access-log format prints: only those are redacted (gunicorn makes one
        # for every header and environ key, and redacting them all was a few per cent of a
        # worker's time in a sign-up rush). The rest never reach a log line.
        self.printed_atoms = {
            key.lower() if key.startswith("{") else key  # as gunicorn looks them up
            for key in _FORMAT_KEYS.findall(cfg.access_log_format or "")
        }

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in self.printed_atoms.intersection(atoms):
            if isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms


def install(app) -> None:
    """The app's own logger redacts too (Flask logs the path of a request that failed)."""
    app.logger.addFilter(RedactingFilter())
