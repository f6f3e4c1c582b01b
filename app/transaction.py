"""The one transaction boundary: where a write begins, and where it is committed or undone.

Indico's request handler (`indico/web/rh.py`, `RH.process`) is the model: one commit per
request, a rollback on any error, and nobody else calls `commit()` or `rollback()`.

Who writes:
- every POST, PUT, PATCH and DELETE request: the hook installed by `init_app` begins the write
  before the view runs, so no view can forget it;
- a GET view marked `@writes` (the staff pages that write an audit entry when they show data);
- a CLI command, inside `with write_transaction():`.

To begin a write is to end whatever read the session holds and open the writer's transaction at
once: `BEGIN IMMEDIATE` on SQLite, which takes the database's write lock before the first seat is
counted (see `app.database`), and an ordinary transaction on PostgreSQL, where the services lock
the offering row with `SELECT ... FOR UPDATE`.

The request's work is committed once, after the view has answered below 400. An exception, an
error page, or a view that refuses its input (a 4xx answer, such as a form shown again with its
errors) undoes everything the request did. Services check before they change, so a view that
catches a domain error and redirects with a message has nothing to undo.

A view may read and validate before it takes the lock (the sign-up form during a rush, so that a
rush is not serialised on rendering forms): mark it `@reads_before_writing` and call
`begin_write()` right before it acts.

Work that must not hold the request's locks (the mail of a sign-up, app/enrollment/standing.py)
is handed to `after_commit`: it runs once the request's work is committed, in a write
transaction of its own, and leaves a trace in the database that a scheduled command finishes
should it fail or the process stop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from app.database import set_write_intent
from app.extensions import db

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WriteTransaction:
    """One writer's transaction on a session: begin, then commit once or roll back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.begun = False
        self._previous_intent: bool | None = None
        self.then: list[Callable[[], object]] = []  # see `after_commit`

    def begin(self) -> None:
        """End the read (if any) and open the writer's transaction now. Idempotent."""
        if self.begun:
            return
        if self.session.in_transaction():
            self.session.commit()  # a read: what it loaded stays usable and is read again
        self._previous_intent = set_write_intent(True)
        self.begun = True
        self.session.connection()  # BEGIN (IMMEDIATE on SQLite) here, not at the first query

    def end(self, *, keep: bool) -> None:
        """Commit (`keep`) or roll back, and stop marking new transactions as writers."""
        try:
            if keep:
                self.session.commit()
            else:
                self.session.rollback()
        except BaseException:
            self.session.rollback()
            raise
        finally:
            if self._previous_intent is not None:
                set_write_intent(self._previous_intent)
                self._previous_intent = None
            self.begun = False


@contextmanager
def write_transaction() -> Iterator[None]:
    """For CLI commands: the block's work is committed once, or rolled back on any error."""
    transaction = WriteTransaction(db.session())
    transaction.begin()
    try:
        yield
    except BaseException:
        transaction.end(keep=False)
        raise
    transaction.end(keep=True)


# --- requests ------------------------------------------------------------------------------


def writes(view: Callable) -> Callable:
    """Mark a view that writes on GET as well (an audit entry for showing participant data)."""
    view.transaction_writes = True
    return view


def reads_before_writing(view: Callable) -> Callable:
    """Mark a view that reads and validates first and calls `begin_write()` when it acts."""
    view.transaction_begins_in_view = True
    return view


def begin_write() -> None:
    """From a `@reads_before_writing` view: the read ends here and the write begins."""
    transaction = g.get("write_transaction")
    if transaction is None:
        raise RuntimeError("begin_write() outside a writing request")
    transaction.begin()


def after_commit(work: Callable[[], object]) -> bool:
    """Run `work` after this request's commit, in a write transaction of its own.

    Returns False outside a writing request (a command, a service called directly): the
    caller then does the work at once, in its own transaction.
    """
    transaction = g.get("write_transaction") if has_request_context() else None
    if transaction is None:
        return False
    transaction.then.append(work)
    return True


def _run_after_commit(work: Callable[[], object]) -> None:
    follow = WriteTransaction(db.session())
    follow.begin()
    try:
        work()
    except Exception:  # noqa: BLE001 - the answer is given; what is left, the timer finishes
        follow.end(keep=False)
        current_app.logger.exception("work after the commit failed; the timer finishes it")
        return
    try:
        follow.end(keep=True)
    except Exception:  # noqa: BLE001 - as above
        current_app.logger.exception("work after the commit failed; the timer finishes it")


def _view_flag(name: str) -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, name, False))


def _begin_if_writing() -> None:
    if request.endpoint is None:  # no such page: nothing to write
        return
    if request.method not in _UNSAFE_METHODS and not _view_flag("transaction_writes"):
        return
    transaction = g.write_transaction = WriteTransaction(db.session())
    if not _view_flag("transaction_begins_in_view"):
        transaction.begin()


def _commit_or_roll_back(response: Response) -> Response:
    transaction = g.pop("write_transaction", None)
    if transaction is not None:
        keep = response.status_code < 400
        transaction.end(keep=keep)
        for work in transaction.then if keep else ():
            _run_after_commit(work)
    return response


def _roll_back_if_still_open(_error: BaseException | None = None) -> None:
    transaction = g.pop("write_transaction", None)
    if transaction is not None:  # the request failed before an answer was made
        transaction.end(keep=False)


def init_app(app: Flask) -> None:
    """Install the hook. Registered after the extensions: a request refused by CSRF
    protection or a rate limit never takes the write lock."""
    app.before_request(_begin_if_writing)
    app.after_request(_commit_or_roll_back)
    app.teardown_request(_roll_back_if_still_open)
