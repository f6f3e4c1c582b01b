"""Gunicorn's settings on a server: docs/deploy.md installs this as /etc/holdplads/.

The same choices as the checkout's `gunicorn.conf.py` (`make run`), for the installed package:
the app comes from the wheel (`app:create_app()`), nginx in front talks to a local port, and
the access log redacts secret links the same way. Every value can be overridden in
/etc/holdplads/holdplads.env without editing this file.
"""

import os

wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core, each with 4 threads: a slow client (a phone on a weak line) holds a
# thread, not a whole worker (README, "Slow clients"), and nginx in front reads a whole
# request before it passes it on. More threads only take turns at the worker's one Python
# lock: in a term opening (bench/term_opening.py) 8 threads served 207-222 requests/s and
# 4 served 245-248, and a rendered page took half the time inside the app.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Restart workers now and then so a slow leak never grows (jitter: not all at once). Not
# often: a new worker imports the app and renders the public pages (post_worker_init below)
# before it answers. At 2,000, each worker of a term opening (bench/term_opening.py, ~85
# requests/s each) restarted every ~25 s and p99 rose from 0.26 s to 2.9 s.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# An idle connection from nginx is kept open longer than nginx keeps it (its upstream
# `keepalive_timeout`, 60 s in deploy/nginx/holdplads.conf): the side that closes an idle
# connection must be nginx. Were gunicorn to close it first (its default is 2 s), a request
# nginx sent on it at that moment would be lost, and a lost POST (a sign-up) is not retried:
# the visitor gets 502. In the term opening (bench/term_opening.py) that was 14-19 sign-ups.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Only nginx on this machine may set X-Forwarded-*; the app trusts them through ProxyFix.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app writes its own request log (LOG_FORMAT=json: request id, route pattern, status,
# duration, no personal data); gunicorn's access log would add IP addresses, so it is off
# unless asked for. Errors go to the journal.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Secret links and email addresses never reach a log line (access and error log alike).
logger_class = "app.log_redaction.RedactingLogger"


def post_worker_init(worker):
    """Render the catalogue and the offering pages before the worker takes a visitor: a cold
    worker's first answers made the first visitors of a term opening wait up to 1.6 s."""
    from app.ops.warm_up import warm_up

    warm_up(worker.wsgi, notify=worker.notify)
