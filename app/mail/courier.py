"""Hand new mail to delivery right after the commit that queued it, in the background.

The outbox (`outbox.py`) and the `send-mail` timer stay the safety net; this only makes mail go
out within seconds instead of at the next timer run. A commit in a web request that wrote to
the outbox wakes one background thread per worker process, which runs the same claiming sender
as `flask send-mail` (so it never sends a message twice, even with the timer running at the
same moment). It also writes the mails of the sign-ups' drafts (app/enrollment/standing.py),
a batch at a time, so the sign-up's request does not. The request never waits for it: a slow
or absent SMTP server never slows a page.
Best effort: if the worker stops mid-send, the claim's lease runs out and the timer sends it.

Only requests nudge the courier. A CLI command exits when it is done, so its mail is left to
the next `send-mail` run (the same minute) rather than to a thread the exit would cut short.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask, current_app, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from app.database import utcnow

_QUEUED = "holdplads.mail_queued"
log = logging.getLogger("holdplads.mail")


class Courier:
    """One background sender per worker process, woken after each commit that queued mail.

    Woken, it waits `GATHER` seconds before it claims: in a rush the mails of the next few
    sign-ups are queued by then and go out as one batch (one read, one transaction to mark
    them sent) instead of one transaction after another, each fighting the sign-ups for the
    processor.
    """

    GATHER = 1.0  # seconds: batches of 10-20 in a rush (0.3 s gave 4-5); still within seconds

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def nudge(self) -> None:
        self.idle.clear()
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()  # a forked worker starts its own thread
                self._thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
                self._thread.start()
        self.wake.set()

    def _run(self) -> None:
        from app.enrollment.standing import DRAFT_BATCH, write_drafts
        from app.extensions import db
        from app.mail.sender import send_pending

        while True:
            self.wake.wait()
            time.sleep(self.GATHER)
            self.wake.clear()
            try:
                with self.app.app_context():
                    try:
                        for _ in range(10):  # the sign-ups' drafts first (a full batch: more)
                            if write_drafts(now=utcnow()) < DRAFT_BATCH:
                                break
                        report = send_pending(now=utcnow())
                        if report.sent or report.errors:
                            log.info("mail handed over at once: %s", report)
                    finally:
                        db.session.remove()
            except Exception:  # noqa: BLE001 - best effort: the timer is the safety net
                log.exception("background mail delivery failed")
            if not self.wake.is_set():
                self.idle.set()


def courier_runs() -> bool:
    """In a request whose worker has a courier: mail it is woken for goes out after the
    commit (the sign-up leaves its mail as a draft for it to write)."""
    return has_request_context() and "mail_courier" in current_app.extensions


def mark_mail_queued(session) -> None:
    """Called by `queue_mail`: this transaction wrote to the outbox."""
    session.info[_QUEUED] = True


def _after_commit(session) -> None:
    if not session.info.pop(_QUEUED, False) or not has_request_context():
        return
    courier: Courier | None = current_app.extensions.get("mail_courier")
    if courier is not None:
        courier.nudge()


def _after_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the rest queued
        session.info.pop(_QUEUED, None)


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    if app.config.get("MAIL_DELIVER_AT_ONCE", True):
        app.extensions["mail_courier"] = Courier(app)
    if not _listening:  # listeners are global: one set, however many apps
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
        _listening = True
