"""A sign-up's mail is written after the offering's lock is let go (issue 17, §7).

The sign-up's own transaction holds the seat and a draft; the mail is written right after
the commit, in a transaction of its own. A draft left by a stopped process is written by
`flask send-mail`, once.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import sqlalchemy as sa

from app.enrollment.standing import write_draft
from app.extensions import db
from app.models import Enrollment, OutboxMessage, OutboxStatus
from app.privacy.retention import erase_enrollment
from app.transaction import write_transaction
from tests.enrollment.helpers import form_data, outbox
from tests.factories import make_enrollment, make_offering, now


@contextlib.contextmanager
def _transactions(app):
    """The SQL of each transaction the app committed, in order (a savepoint per commit here)."""
    committed: list[list[tuple[str, object]]] = [[]]

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.startswith("RELEASE SAVEPOINT"):
            committed.append([])
        elif not statement.startswith(("SAVEPOINT", "ROLLBACK")):
            committed[-1].append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield committed
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _inserts_into(transaction, table: str) -> list:
    return [p for s, p in transaction if s.startswith(f"INSERT INTO {table}")]


def test_the_seat_is_committed_first_and_the_mail_written_after(app):
    offering = make_offering(title="Tryghed", capacity=2)
    with _transactions(app) as committed:
        answer = app.test_client().post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    assert answer.status_code == 302
    seat = next(t for t in committed if _inserts_into(t, "enrollments"))
    # The seat's transaction (the one holding the lock) wrote the draft, not the mail.
    drafts = _inserts_into(seat, "outbox_messages")
    assert len(drafts) == 1 and "draft" in str(drafts[0]) and "Tryghed" not in str(drafts[0])
    later = committed[committed.index(seat) + 1 :]
    written = [p for t in later for p in _inserts_into(t, "outbox_messages")]
    assert len(written) == 1 and "Tryghed" in str(written[0])
    # What the person gets is the whole mail, with their manage link; no draft is left.
    [mail] = outbox()
    assert mail.status == OutboxStatus.PENDING and mail.kind == "confirmed"
    assert "/enrollments/" in mail.body_text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def _draft(enrollment: Enrollment, *, age: timedelta, kind: str = "confirmed") -> int:
    draft = OutboxMessage(
        kind=kind,
        to_address=enrollment.email,
        to_name=enrollment.name,
        subject="",
        body_text="",
        enrollment_id=enrollment.id,
        status=OutboxStatus.DRAFT,
        created_at=now() - age,
        next_attempt_at=now() - age,
    )
    db.session.add(draft)
    db.session.commit()
    return draft.id


def test_send_mail_writes_and_sends_a_draft_a_stopped_worker_left(app, runner, smtp_server):
    offering = make_offering(title="Efterladt kladde", capacity=1)
    seat = make_enrollment(offering, email="seat@example.com")
    waiting = make_enrollment(offering, email="wait@example.com", status="waitlisted")
    _draft(seat, age=timedelta(minutes=5))
    _draft(waiting, age=timedelta(minutes=5), kind="already_enrolled")
    fresh = _draft(make_enrollment(offering, email="ny@example.com"), age=timedelta(seconds=1))

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output

    received = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert set(received) == {"seat@example.com", "wait@example.com"}
    assert "/enrollments/" in received["seat@example.com"].get_body(("plain",)).get_content()
    assert "Efterladt kladde" in received["wait@example.com"]["Subject"]
    # A draft just made belongs to the request that is writing it right now.
    assert db.session.get(OutboxMessage, fresh).status == OutboxStatus.DRAFT


def test_a_draft_is_written_once(app):
    enrollment = make_enrollment(make_offering(title="Kun én gang"))
    draft_id = _draft(enrollment, age=timedelta(minutes=2))
    with app.app_context(), write_transaction():
        assert write_draft(draft_id, now=now()) is True
    with app.app_context(), write_transaction():
        assert write_draft(draft_id, now=now()) is False
    assert [m.kind for m in outbox()] == ["confirmed"]


def test_erasing_a_person_takes_their_unwritten_draft(app, client):
    enrollment = make_enrollment(make_offering(title="Slettet"), email="glem@example.com")
    _draft(enrollment, age=timedelta(minutes=2))
    with app.app_context(), write_transaction():
        erase_enrollment(db.session.get(Enrollment, enrollment.id), now=now())
    assert outbox(to="glem@example.com") == []


def test_the_courier_writes_drafts_in_a_batch_and_a_broken_one_does_not_hold_up_the_rest(app):
    """`write_drafts` writes a batch in one transaction; when one mail cannot be written (a
    language no catalogue knows), the batch is undone and the rest written one by one."""
    from app.enrollment.standing import write_drafts

    offering = make_offering(title="Samlet", capacity=1)
    seat = make_enrollment(offering, email="plads@example.com")
    broken = make_enrollment(offering, email="brudt@example.com", status="waitlisted")
    broken.language = "xx-bad"
    waiting = make_enrollment(offering, email="venter@example.com", status="waitlisted")
    drafts = [_draft(e, age=timedelta(seconds=1)) for e in (seat, broken, waiting)]
    with app.app_context():
        assert write_drafts(now=now()) == 3
        assert write_drafts(now=now()) == 0  # the broken one waits, not undoing every batch
        assert write_drafts(now=now() + timedelta(minutes=11)) == 1  # tried again, and stays
    written = {m.to_address: m for m in outbox() if m.status == OutboxStatus.PENDING}
    assert set(written) == {"plads@example.com", "venter@example.com"}
    assert "Samlet" in written["venter@example.com"].subject
    assert db.session.get(OutboxMessage, drafts[1]).status == OutboxStatus.DRAFT


def test_a_batch_of_waiting_people_each_learn_their_own_number_in_one_insert(app):
    """The courier reads the waiting list once for its batch and writes the batch's mails in
    one INSERT; still each mail says the person's own place in line, on each offering."""
    from app.enrollment.standing import write_drafts

    full, other = make_offering(title="Fuldt", capacity=1), make_offering(title="Andet", capacity=1)
    make_enrollment(full, email="plads@example.com")
    make_enrollment(other, email="plads2@example.com")
    start = now() - timedelta(hours=1)
    line = {
        f"{offering.title}{n}@example.com": make_enrollment(
            offering,
            email=f"{offering.title}{n}@example.com",
            status="waitlisted",
            queued_at=start + timedelta(minutes=n),
        )
        for offering, n in [(full, 1), (other, 2), (full, 3), (other, 4), (full, 5)]
    }
    # Only the later ones were just signed up: the first on each list has their mail already.
    for address in ("Fuldt3@example.com", "Andet4@example.com", "Fuldt5@example.com"):
        line[address].language = "en"
        _draft(line[address], age=timedelta(seconds=1), kind="waitlisted")
    with _transactions(app) as committed, app.app_context():
        assert write_drafts(now=now()) == 3
        dialect = db.engine.dialect.name
    [batch] = [t for t in committed if _inserts_into(t, "outbox_messages")]
    inserts = [s for s, _p in batch if s.startswith("INSERT INTO outbox_messages")]
    # SQLAlchemy sends the rows in one statement on PostgreSQL (a round trip each would cost);
    # SQLite, in the same process, takes them a row at a time.
    assert len(inserts) == (1 if dialect == "postgresql" else 3)
    bodies = {m.to_address: m.body_text for m in outbox() if m.status == OutboxStatus.PENDING}
    assert "as number 2." in bodies["Fuldt3@example.com"]
    assert "as number 2." in bodies["Andet4@example.com"]
    assert "as number 3." in bodies["Fuldt5@example.com"]
