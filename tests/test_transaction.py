"""The one transaction boundary (app/transaction.py): begin, commit once, roll back on failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.enrollment.tokens import manage_token
from app.extensions import db
from app.management import services as management_services
from app.models import Attendance, Enrollment, Offering, Theme
from app.transaction import write_transaction
from tests.factories import held_now, make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as
from tests.management.test_offerings import _edit_data

APP = Path(__file__).resolve().parent.parent / "app"
# The boundary itself, and the mail sender, which commits after each message on purpose: no
# transaction is held open while it talks to the mail server.
MAY_COMMIT = {"transaction.py", "mail/sender.py"}


def test_only_the_transaction_boundary_commits_or_rolls_back():
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        name = str(path.relative_to(APP))
        text = path.read_text(encoding="utf-8")
        if name not in MAY_COMMIT and re.search(r"\.(commit|rollback)\(\)", text):
            offenders.append(name)
    assert offenders == []


def test_a_refused_form_keeps_nothing_the_service_already_did(client):
    """Capacity goes up (a waiting person gets the seat), then the slug is taken: all undone."""
    w = make_world()
    other = make_offering(slug="optaget-adresse")
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(w.offering, capacity="3", slug=other.slug),
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).capacity == 2
    assert db.session.get(Enrollment, w.waitlisted.id).status == "waitlisted"


def test_an_error_in_a_view_rolls_back_what_it_wrote(client, app, monkeypatch):
    w = make_world()
    held_now(w.occurrence)  # who came is marked on the day
    real = management_services.set_attendance

    def set_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the view fails after the write")

    monkeypatch.setattr(management_services, "set_attendance", set_then_fail)
    sign_in_as(client, w.peer)
    with pytest.raises(RuntimeError):  # TESTING propagates; in production it is a 500
        client.post(
            f"/manage/occurrences/{w.occurrence.id}/attendance",
            data={"enrollment_id": str(w.confirmed.id), "status": "present"},
        )
    assert db.session.scalars(sa.select(Attendance)).all() == []


def test_a_cli_write_transaction_commits_on_success_and_rolls_back_on_error(app):
    with write_transaction():
        db.session.add(Theme(slug="kept", name="Kept"))
    with pytest.raises(RuntimeError), write_transaction():
        db.session.add(Theme(slug="undone", name="Undone"))
        db.session.flush()
        raise RuntimeError("stop")
    assert list(db.session.scalars(sa.select(Theme.slug))) == ["kept"]


@pytest.mark.committing
def test_a_post_begins_its_write_first_and_commits_once(app, client):
    """On SQLite the request's first statement takes the write lock; on both, one COMMIT."""
    offering = make_offering(capacity=2)
    enrollment = make_enrollment(offering, status="confirmed")
    token = manage_token(enrollment)
    statements: list[str] = []
    ends: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args):
        statements.append(statement.strip())

    def on_commit(_conn):
        ends.append("commit")

    def on_rollback(_conn):
        ends.append("rollback")

    listeners = [
        ("before_cursor_execute", on_statement),
        ("commit", on_commit),
        ("rollback", on_rollback),
    ]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        response = client.post(f"/enrollments/{token}/cancel")
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)
    assert response.status_code == 302
    assert ends == ["commit"]
    if db.engine.dialect.name == "sqlite":
        assert statements[0] == "BEGIN IMMEDIATE"
    assert any(s.startswith("UPDATE enrollment") for s in statements)
    db.session.rollback()  # end this thread's read snapshot
    assert db.session.get(Enrollment, enrollment.id).status == "cancelled"
