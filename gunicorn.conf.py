"""Gunicorn's settings for Holdplads: `make run` and deploy/ both start gunicorn with these.

The access log is on, but it never holds a secret link or an email address: the logger
class redacts token paths (`/enrollments/<redacted>`) in every access and error line
(app/log_redaction.py). Command-line flags (--bind, --workers) override these values.
"""

import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, so two clients sending a request a byte a second cannot stop the site (README).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# "-" is standard output; a path writes a file.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
logger_class = "app.log_redaction.RedactingLogger"
# Apache's combined format, plus the time taken; the referer is redacted like the path.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def post_worker_init(worker):
    """Render the public pages before the worker takes a visitor (app/ops/warm_up.py)."""
    from app.ops.warm_up import warm_up

    warm_up(worker.wsgi, notify=worker.notify)
