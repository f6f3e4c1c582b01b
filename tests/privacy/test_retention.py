"""Retention: each rule before and after its cut-off, on a known history; counts survive."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.enrollment.tokens import manage_token
from app.extensions import db
from app.i18n import local
from app.models import (
    Attendance,
    Enrollment,
    OutboxMessage,
    PersonalCalendar,
    SignInToken,
)
from app.privacy.retention import RetentionRules, enrollment_erase_date, run_retention
from tests.factories import make_enrollment, make_offering, make_user

RULES = RetentionRules(after_last_date=183, after_ended=30, mail_after_delivery=7)
NOW = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)


def _at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def _enrollment(offering, status, *, ended_days_ago=None, **fields) -> Enrollment:
    enrollment = make_enrollment(offering, status=status, commit=False)
    enrollment.phone = "12345678"
    enrollment.needs = "Kørestol"
    enrollment.wants_companion = True
    enrollment.staff_message = "Ring gerne"
    enrollment.privacy_notice_version = "v1"
    if ended_days_ago is not None:
        enrollment.cancelled_at = _at(ended_days_ago)
    for key, value in fields.items():
        setattr(enrollment, key, value)
    db.session.commit()
    return enrollment


def _attend(enrollment, occurrence, status):
    db.session.add(
        Attendance(enrollment_id=enrollment.id, occurrence_id=occurrence.id, status=status)
    )
    db.session.commit()


def _mail(enrollment, *, status="sent", sent_days_ago=None, kind="confirmed") -> OutboxMessage:
    message = OutboxMessage(
        kind=kind,
        to_address=enrollment.email if enrollment else "staff@example.org",
        to_name=enrollment.name if enrollment else None,
        subject="Din plads",
        body_text=f"Hej {enrollment.name if enrollment else 'kollega'}",
        enrollment_id=enrollment.id if enrollment else None,
        status=status,
        created_at=_at(sent_days_ago if sent_days_ago is not None else 1),
        sent_at=_at(sent_days_ago) if sent_days_ago is not None else None,
    )
    db.session.add(message)
    db.session.commit()
    return message


class History:
    """Four offerings, each with people in every state, some mails, feeds and attendance."""

    def __init__(self) -> None:
        # A: ended 200 days ago, past the 183-day cut-off: everyone is erased.
        self.a = make_offering(starts=[_at(230), _at(200)])
        self.a_confirmed = [_enrollment(self.a, "confirmed") for _ in range(3)]
        for person, status in zip(self.a_confirmed, ("present", "absent", "present"), strict=True):
            _attend(person, self.a.occurrences[0], status)
            _attend(person, self.a.occurrences[1], "present")
        self.a_waiting = _enrollment(self.a, "waitlisted", audience="citizen")
        self.a_cancelled = _enrollment(self.a, "cancelled", ended_days_ago=240)
        # B: ended 100 days ago: seats kept; ended ones and the never-seated are erased.
        self.b = make_offering(starts=[_at(100)], audiences=("citizen", "relative"))
        self.b_confirmed = _enrollment(self.b, "confirmed", audience="relative")
        _attend(self.b_confirmed, self.b.occurrences[0], "present")
        self.b_cancelled_long_ago = _enrollment(self.b, "cancelled", ended_days_ago=40)
        self.b_cancelled_lately = _enrollment(self.b, "cancelled", ended_days_ago=10)
        self.b_declined = _enrollment(self.b, "declined", ended_days_ago=31)
        self.b_never_seated = _enrollment(self.b, "waitlisted")
        self.b_request = _enrollment(self.b, "requested")
        # C: still to come.
        self.c = make_offering(starts=[NOW + timedelta(days=20)])
        self.c_confirmed = _enrollment(self.c, "confirmed")
        self.c_cancelled = _enrollment(self.c, "cancelled", ended_days_ago=31)
        # D: its own, shorter time: 10 days after its last date (20 days ago).
        self.d = make_offering(starts=[_at(20)], retention_days=10)
        self.d_confirmed = _enrollment(self.d, "confirmed")
        # Mails
        self.mail_erased = _mail(self.a_confirmed[0], sent_days_ago=199)
        self.mail_failed_erased = _mail(self.a_confirmed[1], status="failed")
        self.mail_pending_erased = _mail(self.a_confirmed[2], status="pending")
        self.mail_old = _mail(self.c_confirmed, sent_days_ago=8)
        self.mail_recent = _mail(self.c_confirmed, sent_days_ago=3)
        self.mail_staff_failed = _mail(None, status="failed", sent_days_ago=None)
        self.mail_staff_failed.created_at = _at(45)
        db.session.commit()

    @property
    def erased(self) -> set[int]:
        return {
            *(e.id for e in self.a_confirmed),
            self.a_waiting.id,
            self.a_cancelled.id,
            self.b_cancelled_long_ago.id,
            self.b_declined.id,
            self.b_never_seated.id,
            self.b_request.id,
            self.c_cancelled.id,
            self.d_confirmed.id,
        }


def _figures(admin) -> dict:
    """What reports are built from: key figures, and per offering statuses, audiences,
    dates and attendance."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            Enrollment.offering_id,
            Enrollment.status,
            Enrollment.audience,
            Enrollment.created_at,
            Enrollment.confirmed_at,
            Enrollment.cancelled_at,
        )
    ).all()
    attendance = db.session.execute(
        sa.select(Attendance.enrollment_id, Attendance.occurrence_id, Attendance.status)
    ).all()
    return {
        "rows": Counter(tuple(row) for row in rows),
        "attendance": Counter(tuple(row) for row in attendance),
        "mails": Counter(db.session.scalars(sa.select(OutboxMessage.kind)).all()),
    }


def _personal(enrollment_id: int) -> tuple:
    db.session.expire_all()
    e = db.session.get(Enrollment, enrollment_id)
    return (e.name, e.email, e.phone, e.needs, e.wants_companion, e.staff_message)


def test_retention_erases_exactly_what_is_due_and_counts_survive(app):
    history = History()
    admin = make_user("admin")
    before = _figures(admin)
    everyone = {e.id for e in db.session.scalars(sa.select(Enrollment))}
    kept = everyone - history.erased
    kept_before = {i: _personal(i) for i in kept}

    report = run_retention(RULES, as_of=NOW)
    db.session.commit()

    assert report.enrollments == len(history.erased)
    for enrollment_id in history.erased:
        assert _personal(enrollment_id) == ("", "", None, None, False, None), enrollment_id
        erased = db.session.get(Enrollment, enrollment_id)
        assert erased.erased_at == NOW
        assert erased.email_normalized == f"erased-{enrollment_id}"
    assert {i: _personal(i) for i in kept} == kept_before
    after = _figures(admin)
    # The pending mail to an erased person is gone; the rest of the counts are equal.
    before["mails"]["confirmed"] -= 1
    assert after == before


def test_retention_purges_mail_by_its_own_rules(app):
    history = History()
    run_retention(RULES, as_of=NOW)
    db.session.commit()
    db.session.expire_all()

    def state(message):
        fresh = db.session.get(OutboxMessage, message.id)
        if fresh is None:
            return "deleted"
        return "purged" if fresh.purged_at else "kept"

    assert state(history.mail_erased) == "purged"
    assert state(history.mail_failed_erased) == "purged"
    assert state(history.mail_pending_erased) == "deleted"
    assert state(history.mail_old) == "purged"  # delivered 8 days ago, the rule is 7
    assert state(history.mail_recent) == "kept"
    assert state(history.mail_staff_failed) == "purged"
    purged = db.session.get(OutboxMessage, history.mail_old.id)
    assert (purged.to_address, purged.to_name, purged.subject, purged.body_text) == (
        "",
        None,
        "",
        "",
    )
    assert purged.kind == "confirmed" and purged.sent_at is not None


@pytest.mark.parametrize(
    "case, erase_day_offset",
    [
        ("a_confirmed", 183),
        ("b_cancelled_long_ago", 30),
        ("b_never_seated", 30),
        ("d_confirmed", 10),
    ],
)
def test_each_rule_before_and_on_its_cut_off_day(app, case, erase_day_offset):
    history = History()
    enrollment = getattr(history, case)
    enrollment = enrollment[0] if isinstance(enrollment, list) else enrollment
    day = enrollment_erase_date(enrollment, RULES)
    if case == "b_cancelled_long_ago":
        assert day == local(enrollment.cancelled_at).date() + timedelta(days=erase_day_offset)
    else:
        last = max(local(o.ends_at).date() for o in enrollment.offering.occurrences)
        assert day == last + timedelta(days=erase_day_offset)
    end_of_day_before = datetime.combine(day, datetime.min.time(), tzinfo=local(NOW).tzinfo)
    run_retention(RULES, as_of=end_of_day_before - timedelta(seconds=1))
    db.session.commit()
    assert _personal(enrollment.id)[0] != ""
    run_retention(RULES, as_of=end_of_day_before)
    db.session.commit()
    assert _personal(enrollment.id)[0] == ""


def test_retention_is_idempotent(app):
    History()
    first = run_retention(RULES, as_of=NOW)
    db.session.commit()
    assert first.changed
    second = run_retention(RULES, as_of=NOW)
    assert not second.changed


def test_erasure_kills_the_manage_link_and_personal_feeds(app, client):
    history = History()
    erased, kept = history.a_confirmed[0], history.c_confirmed
    with app.test_request_context():
        erased_link = manage_token(erased)
    assert client.get(f"/enrollments/{erased_link}").status_code == 200
    for person in (erased, kept):
        db.session.add(
            PersonalCalendar(email_normalized=person.email_normalized, token_hash=f"h{person.id}")
        )
        db.session.add(
            SignInToken(
                email_normalized=person.email_normalized,
                token_hash=f"s{person.id}",
                expires_at=NOW + timedelta(hours=1),
            )
        )
    db.session.commit()
    gone_email = erased.email_normalized

    report = run_retention(RULES, as_of=NOW)
    db.session.commit()

    assert client.get(f"/enrollments/{erased_link}").status_code == 404
    calendars = set(db.session.scalars(sa.select(PersonalCalendar.email_normalized)))
    assert gone_email not in calendars and kept.email_normalized in calendars
    links = set(db.session.scalars(sa.select(SignInToken.email_normalized)))
    assert gone_email not in links and kept.email_normalized in links
    assert report.calendars == 1 and report.sign_in_links == 1


@pytest.mark.committing  # the command commits and scrubs; no test transaction is left open
def test_cli_dry_run_counts_and_changes_nothing_then_as_of_erases(app, runner):
    history = History()
    erased, d_confirmed, c_confirmed = (
        len(history.erased),
        history.d_confirmed.id,
        history.c_confirmed.id,
    )
    last = local(history.c.occurrences[-1].ends_at).date()

    def retention(*args: str) -> str:
        db.session.remove()  # a checkpoint of SQLite's WAL would wait for an open read
        result = runner.invoke(args=["retention", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert f"would erase: enrollments: {erased}" in retention("--dry-run", "--as-of", "2027-06-15")
    assert _personal(d_confirmed)[0] != ""
    assert f"erased: enrollments: {erased}" in retention("--as-of", "2027-06-15")
    assert _personal(d_confirmed)[0] == ""
    # C's confirmed seat goes 183 days after its last date, and not a day before.
    retention("--as-of", (last + timedelta(days=182)).isoformat())
    assert _personal(c_confirmed)[0] != ""
    retention("--as-of", (last + timedelta(days=183)).isoformat())
    assert _personal(c_confirmed)[0] == ""


@pytest.mark.committing
def test_erased_data_is_gone_from_the_database_files(app, runner):
    """SQLite: not in the file or its WAL. PostgreSQL: the erased tables were vacuumed."""
    offering = make_offering(starts=[datetime.now(UTC) - timedelta(days=200)])
    enrollment = make_enrollment(
        offering, email="quintessa.vandermolen@example.com", name="Quintessa Vandermolen"
    )
    enrollment.needs = "Jeg hører stemmer om natten"
    enrollment.phone = "+45 87 65 43 21"
    db.session.commit()
    secrets = [b"Vandermolen", b"quintessa", "hører stemmer".encode(), b"87 65 43 21"]
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])

    if url.get_backend_name() == "sqlite":
        path = Path(url.database)

        def on_disk() -> bytes:
            wal = Path(f"{path}-wal")
            return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

        assert all(secret in on_disk() for secret in secrets)  # the test can see them
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "erased: enrollments: 1" in result.output
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        leftover = on_disk()
        assert [s for s in secrets if s in leftover] == []
    else:
        with db.engine.connect() as connection:
            vacuumed = connection.execute(
                sa.text(
                    "SELECT relname FROM pg_stat_user_tables "
                    "WHERE last_vacuum IS NOT NULL AND relname IN "
                    "('enrollments', 'outbox_messages', 'personal_calendars', 'sign_in_tokens', "
                    "'sms_messages')"
                )
            ).scalars()
            assert set(vacuumed) == {
                "enrollments",
                "outbox_messages",
                "personal_calendars",
                "sign_in_tokens",
                "sms_messages",
            }
