"""The digest command runs on every app server at once: each facilitator gets one digest.

Four `send-digests` run at the same moment, as four servers' timers would, against the suite's
database (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write lock), then `send-mail`
delivers to a real SMTP server.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.models import OutboxMessage
from app.notices import services as notices
from tests.enrollment.helpers import person
from tests.factories import add_facilitator, make_offering, make_user, now
from tests.ops.test_jobs_once import SERVERS, _run_at_once

pytestmark = pytest.mark.committing


def test_four_digest_runs_at_once_send_each_facilitator_one_digest(app, smtp_server):
    facilitators = [make_user(email=f"tovholder{n}@example.org") for n in range(3)]
    for n in range(3):
        offering = make_offering(enrolment_mode="request")
        for user in facilitators:
            add_facilitator(offering, user=user)
            notices.set_frequency(user.id, offering.id, "daily", now=now())
        for k in range(2):
            services.enroll(offering.id, person(f"{n}-{k}"), now=now())
    db.session.commit()

    _run_at_once(app, ["send-digests"] * SERVERS)
    _run_at_once(app, ["send-digests", "send-mail"] * SERVERS)

    db.session.rollback()
    digests = list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "facilitator_digest")
        )
    )
    assert sorted(d.to_address for d in digests) == sorted(u.email for u in facilitators)
    assert all("6 ting" in d.subject for d in digests)  # two requests on each of three
    received = Counter(m.envelope_to[0] for m in smtp_server.messages)
    assert {u.email: received[u.email] for u in facilitators} == {u.email: 1 for u in facilitators}
