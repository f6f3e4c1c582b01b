"""The scheduled commands run on every app server at once: each mail goes out once.

Four of each command run at the same moment, as four servers' timers would, against the
suite's database (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write lock) and a real
SMTP server. Each command runs its own click entry point in a thread with its own app
context and database session.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.models import Attendance, AttendanceStatus, Enrollment, OutboxMessage, OutboxStatus
from tests.enrollment.helpers import person
from tests.factories import make_enrollment, make_offering, now

pytestmark = pytest.mark.committing

SERVERS = 4
_OUTBOX_ID = re.compile(r"\.outbox(\d+)@")


def _run_at_once(app, names: list[str]) -> None:
    """Run the named `flask` commands at the same moment, one thread each."""
    barrier = threading.Barrier(len(names))
    failures: list[BaseException] = []

    def run(name: str) -> None:
        command = app.cli.commands[name]
        with app.app_context():
            barrier.wait()
            try:
                command.main(args=[], prog_name=name, standalone_mode=False)
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _work_for_every_command() -> dict[str, int]:
    """Expired seat offers on three offerings, reminders due on three others."""
    for _ in range(3):
        offering = make_offering(capacity=1, starts=[now() + timedelta(days=10)])
        seated, _ = services.enroll(offering.id, person(f"{offering.id}-a"), now=now())
        offered, _ = services.enroll(offering.id, person(f"{offering.id}-b"), now=now())
        services.enroll(offering.id, person(f"{offering.id}-c"), now=now())
        services.cancel_enrollment(seated.id, now=now())
        db.session.flush()
        db.session.get(Enrollment, offered.id).offer_expires_at = now() - timedelta(minutes=1)
        db.session.commit()
    for _ in range(3):
        offering = make_offering(capacity=10, starts=[now() + timedelta(hours=3)])
        for n in range(4):
            services.enroll(offering.id, person(f"{offering.id}-{n}"), now=now())
        db.session.commit()
    finished = make_offering(starts=[now() - timedelta(days=3)])
    for n in range(3):
        came = make_enrollment(finished, email=f"came{n}@example.com")
        db.session.add(
            Attendance(
                enrollment_id=came.id,
                occurrence_id=finished.occurrences[0].id,
                status=AttendanceStatus.PRESENT,
            )
        )
    db.session.commit()
    return {"offer_expired": 3, "reminder": 12, "evaluation": 3}


def _outbox() -> list[OutboxMessage]:
    db.session.rollback()  # a fresh snapshot
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_four_of_each_command_at_once_send_every_message_exactly_once(app, smtp_server):
    expected = _work_for_every_command()

    _run_at_once(
        app,
        ["process-waitlist"] * SERVERS
        + ["send-reminders"] * SERVERS
        + ["send-evaluations"] * SERVERS,
    )
    _run_at_once(app, ["send-mail"] * SERVERS)
    every = ["process-waitlist", "send-reminders", "send-evaluations", "send-mail"]
    _run_at_once(app, every * SERVERS)

    queued = _outbox()
    kinds = Counter(str(message.kind) for message in queued)
    assert kinds["offer_expired"] == expected["offer_expired"]  # each offer expired once
    assert kinds["reminder"] == expected["reminder"]  # each reminder written once
    assert kinds["evaluation"] == expected["evaluation"]  # each questionnaire mailed once
    assert {message.status for message in queued} == {OutboxStatus.SENT}

    received = Counter(
        int(_OUTBOX_ID.search(message["Message-ID"]).group(1)) for message in smtp_server.messages
    )
    assert set(received) == {message.id for message in queued}
    duplicates = {outbox_id: n for outbox_id, n in received.items() if n != 1}
    assert duplicates == {}
    assert len(smtp_server.messages) == len(queued)
