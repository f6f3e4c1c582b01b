"""Many sign-ups at the same moment, through the real views, on SQLite and PostgreSQL.

These commit for real (threads cannot share the rolled-back test transaction).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment
from tests.enrollment.helpers import form_data, outbox
from tests.factories import make_offering

pytestmark = pytest.mark.committing


def _rush(app, url: str, people: range, audience_of=None) -> list[int]:
    barrier = threading.Barrier(len(people))
    codes: list[int] = []
    lock = threading.Lock()

    def sign_up(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        fields = {"audience": audience_of(n)} if audience_of else {}
        response = client.post(url, data=form_data(n, **fields))
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def _enrollments(offering_id: int) -> list[Enrollment]:
    db.session.rollback()  # end our read snapshot: SQLite would keep showing the old data
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.offering_id == offering_id)
            .order_by(Enrollment.queued_at, Enrollment.id)
        )
    )


def test_simultaneous_signups_never_exceed_capacity_and_queue_in_order(app):
    offering = make_offering(capacity=5)
    codes = _rush(app, f"/offerings/{offering.slug}/enroll", range(40))
    assert codes == [302] * 40
    rows = _enrollments(offering.id)
    assert len(rows) == 40
    confirmed = [e for e in rows if e.status == "confirmed"]
    waiting = [e for e in rows if e.status == "waitlisted"]
    assert len(confirmed) == 5 and len(waiting) == 35
    # Whoever won the lock first got the seat, and the queue is in the order of arrival.
    assert max(e.id for e in confirmed) < min(e.id for e in waiting)
    assert [e.id for e in waiting] == sorted(e.id for e in waiting)
    assert len(outbox("confirmed")) == 5 and len(outbox("waitlisted")) == 35


def test_simultaneous_duplicate_signups_make_one_enrollment(app):
    offering = make_offering(capacity=5)
    url = f"/offerings/{offering.slug}/enroll"
    barrier = threading.Barrier(10)
    codes = []

    def same_person() -> None:
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(url, data=form_data(1)).status_code)

    threads = [threading.Thread(target=same_person) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [302] * 10
    assert len(_enrollments(offering.id)) == 1
    assert len(outbox("already_enrolled")) == 9


def test_cancellations_during_a_rush_keep_the_count_exact(app):
    from datetime import UTC, datetime

    from app.enrollment import services
    from app.transaction import write_transaction

    offering = make_offering(capacity=3)
    url = f"/offerings/{offering.slug}/enroll"
    _rush(app, url, range(3))
    seated = [e.id for e in _enrollments(offering.id)]
    barrier = threading.Barrier(13)

    def cancel(enrollment_id: int) -> None:
        with app.app_context():
            barrier.wait()
            with write_transaction():
                services.cancel_enrollment(enrollment_id, now=datetime.now(UTC))

    def sign_up(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        client.post(url, data=form_data(n))

    threads = [threading.Thread(target=cancel, args=(i,)) for i in seated]
    threads += [threading.Thread(target=sign_up, args=(n,)) for n in range(100, 110)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    rows = _enrollments(offering.id)
    held = [e for e in rows if e.status in ("confirmed", "offered")]
    assert len(held) == 3
    assert sum(e.status == "cancelled" for e in rows) == 3


MIXED = ("citizen", "relative", "staff")


def test_a_mixed_rush_never_exceeds_a_share_or_the_capacity(app):
    """Citizens, relatives and staff at once: 60 % kept for citizens, at most 2 staff."""
    from datetime import timedelta

    from app.enrollment.shares import seats_left_by_audience, shares_of
    from tests.factories import now

    offering = make_offering(capacity=10, audiences=MIXED)
    for row in offering.audience_rows:
        if row.audience == "citizen":
            row.min_share_percent, row.kept_until = 60, now() + timedelta(days=1)
        if row.audience == "staff":
            row.max_seats = 2
    db.session.commit()
    codes = _rush(
        app, f"/offerings/{offering.slug}/enroll", range(45), audience_of=lambda n: MIXED[n % 3]
    )
    assert codes == [302] * 45
    rows = _enrollments(offering.id)
    held: dict[str, int] = {}
    for e in rows:
        if e.status in ("confirmed", "offered"):
            held[e.audience] = held.get(e.audience, 0) + 1
    assert sum(held.values()) == 10  # 15 citizens fill every seat the others may not take
    assert held.get("staff", 0) <= 2
    assert held.get("relative", 0) + held.get("staff", 0) <= 4  # 6 kept for citizens
    assert held["citizen"] >= 6
    assert sum(e.status == "waitlisted" for e in rows) == 35
    left = seats_left_by_audience(10, shares_of(offering), held, now())
    assert left == {"citizen": 0, "relative": 0, "staff": 0}
