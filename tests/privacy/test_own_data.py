"""A person's own data, from /my and from a manage link: see it, download it, delete it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.evaluations.models import EvaluationInvite
from app.extensions import db
from app.figures.period import Period
from app.figures.pseudonym import person_key, pseudonym_key
from app.figures.queries import Filters, key_figures
from app.mail.sender import send_pending
from app.models import (
    Attendance,
    Enrollment,
    OutboxMessage,
    PersonalCalendar,
    SignInToken,
    SmsMessage,
)
from app.privacy.own_data import NOT_EXPORTED
from app.suggestions import services as suggestions
from app.suggestions.models import SuggestionSupporter
from tests.enrollment.helpers import outbox, person
from tests.factories import make_enrollment, make_offering

EMAIL = "ida.holm@example.com"


@pytest.fixture(autouse=True)
def _app_context(app):
    """Enrollments get their pseudonym from the app's key, as in a request."""
    with app.app_context():
        yield


def _now() -> datetime:
    return datetime.now(UTC)


class Person:
    """Ida: a seat on a course that is over (she came), a seat on a full course still to
    come (someone waits behind her), a place on a waiting list, mails, a text message, a
    calendar feed, a sign-in link, a suggestion and a questionnaire invitation."""

    def __init__(self) -> None:
        now = _now()
        self.past = make_offering(
            title="Stemmer og håb", starts=[now - timedelta(days=30), now - timedelta(days=23)]
        )
        self.seat_past = make_enrollment(self.past, email=EMAIL, name="Ida Holm", commit=False)
        self.seat_past.phone = "+45 22 33 44 55"
        self.seat_past.needs = "Jeg sidder gerne ved døren"
        self.seat_past.wants_companion = True
        self.seat_past.sms_reminders = True
        self.seat_past.staff_message = "Velkommen tilbage"
        self.seat_past.privacy_notice_version = "2026-11"
        self.seat_past.confirmed_at = now - timedelta(days=40)
        db.session.flush()
        for occurrence, status in zip(self.past.occurrences, ("present", "excused"), strict=True):
            db.session.add(
                Attendance(
                    enrollment_id=self.seat_past.id,
                    occurrence_id=occurrence.id,
                    status=status,
                    sent_word_at=now - timedelta(days=24) if status == "excused" else None,
                )
            )
        db.session.add(
            EvaluationInvite(
                enrollment_id=self.seat_past.id,
                offering_id=self.past.id,
                round="end",
                token_hash="e" * 64,
                expires_at=now + timedelta(days=10),
            )
        )
        db.session.add(
            SmsMessage(
                kind="reminder",
                msisdn="4522334455",
                body="Husk Stemmer og håb i morgen",
                enrollment_id=self.seat_past.id,
                status="sent",
                sent_at=now - timedelta(days=31),
            )
        )
        self.future = make_offering(title="Angst i hverdagen", capacity=1)
        self.seat_future, self.token = services.enroll(
            self.future.id, person("ida", email=EMAIL, name="Ida Holm"), now=now
        )
        self.behind, _ = services.enroll(self.future.id, person("bo"), now=now)
        self.full = make_offering(title="Søvn", capacity=1)
        services.enroll(self.full.id, person("carl"), now=now)
        self.waiting, _ = services.enroll(
            self.full.id, person("ida2", email=EMAIL.upper(), name="Ida Holm"), now=now
        )
        db.session.add(PersonalCalendar(email_normalized=EMAIL, token_hash="c" * 64))
        db.session.add(SignInToken(email_normalized=EMAIL, token_hash="s" * 64, expires_at=now))
        suggestions.suggest(
            "Hørestemmer for unge", "Vi mangler en gruppe", email=EMAIL, language="da", now=now
        )
        from app.mail.participants import mail_sign_in_link

        mail_sign_in_link(EMAIL, "token", language="da", now=now)
        db.session.commit()
        self.other = make_enrollment(self.past, email="someone.else@example.com")

    @property
    def ids(self) -> list[int]:
        return [self.seat_past.id, self.seat_future.id, self.waiting.id]


def _sign_in(client, email: str = EMAIL) -> None:
    with client.session_transaction() as session:
        session[PARTICIPANT_SESSION_KEY] = email


def _leaves(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_leaves(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_leaves(v) for v in value)) if value else set()
    return {json.dumps(value, ensure_ascii=False)}


def _as_json(value) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    elif hasattr(value, "value"):
        value = value.value
    return json.dumps(value, ensure_ascii=False)


def _rows_about(email: str, enrollment_ids: list[int]) -> dict[str, list[dict]]:
    """Every row in the database that names the person or points at one of their sign-ups,
    found by walking the schema (so a table added later is found too)."""
    found: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        conditions = []
        for column in table.columns:
            if any(fk.column.table.name == "enrollments" for fk in column.foreign_keys):
                conditions.append(column.in_(enrollment_ids))
            if column.name in ("email", "email_normalized", "to_address", "msisdn"):
                conditions.append(sa.func.lower(column) == email)
        if table.name == "enrollments":
            conditions.append(table.c.id.in_(enrollment_ids))
        if not conditions or table.name == "users":
            continue  # staff accounts are not about participants
        rows = db.session.execute(sa.select(table).where(sa.or_(*conditions))).mappings().all()
        if rows:
            found[table.name] = [dict(row) for row in rows]
    return found


def test_the_download_holds_every_personal_field_we_keep(client):
    ida = Person()
    _sign_in(client)
    response = client.get("/my/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    export = response.get_json()
    leaves = _leaves(export)

    rows = _rows_about(EMAIL, ida.ids)
    assert {
        "enrollments",
        "attendance",
        "outbox_messages",
        "sms_messages",
        "evaluation_invites",
        "personal_calendars",
        "sign_in_tokens",
        "suggestion_supporters",
    } <= set(rows)
    missing = [
        (table, column, value)
        for table, table_rows in rows.items()
        for row in table_rows
        for column, value in row.items()
        if value is not None
        and column not in NOT_EXPORTED.get(table, set())
        and _as_json(value) not in leaves
    ]
    assert missing == []
    # The secrets of links are left out, and so is everyone else.
    assert all(("e" * 64) not in leaf and ("c" * 64) not in leaf for leaf in leaves)
    assert "someone.else@example.com" not in response.text
    assert {e["offering"]["title"] for e in export["enrollments"]} == {
        "Stemmer og håb",
        "Angst i hverdagen",
        "Søvn",
    }


def test_the_page_shows_every_sign_up_its_status_attendance_and_our_mails(client):
    ida = Person()
    client.set_cookie("lang", "en")
    assert client.get("/my/data").status_code == 302  # not signed in: to /my
    _sign_in(client)
    assert "/my/data" in client.get("/my").text
    page = client.get("/my/data").text
    for text in (
        EMAIL,
        "Stemmer og håb",
        "Angst i hverdagen",
        "Søvn",
        "Confirmed",
        "Waiting list",
        "+45 22 33 44 55",
        "Jeg sidder gerne ved døren",
        "Present",
        "Excused",
        "you sent word",
        "Du har fået en plads: Angst i hverdagen",  # a mail we sent (in her language)
        "Husk Stemmer og håb i morgen",  # the text message
        "Hørestemmer for unge",
        "Delete all my data",
    ):
        assert text in page, text
    assert "someone.else" not in page
    one = client.get(f"/enrollments/{ida.token}/data").text
    assert "Angst i hverdagen" in one and "Stemmer og håb" not in one
    assert "Delete my data for this sign-up" in one
    assert f"/enrollments/{ida.token}/data" in client.get(f"/enrollments/{ida.token}").text


def _figures_of(offering) -> object:
    first = min(o.starts_at for o in offering.occurrences) - timedelta(days=2)
    period = Period("range", first.date(), _now().date(), "test")
    return key_figures(period, None, Filters(), now=_now())


def test_deleting_everything_cancels_seats_to_come_moves_the_line_and_erases_at_once(client):
    ida = Person()
    figures_before = _figures_of(ida.past)
    client.set_cookie("lang", "en")
    _sign_in(client)
    ask = client.get("/my/data/delete")
    assert ask.status_code == 200
    assert "Yes, delete my data" in ask.text and "cancelled first" in ask.text
    before = {m.id for m in outbox()}

    response = client.post("/my/data/delete")
    assert response.status_code == 302 and response.location.endswith("/my/data/deleted")
    assert "Your data is erased" in client.get(response.location).text
    db.session.expire_all()

    # Seats to come ended as any cancellation: Bo, behind Ida, is offered her seat.
    seat_future = db.session.get(Enrollment, ida.seat_future.id)
    assert seat_future.status == "cancelled"
    assert db.session.get(Enrollment, ida.behind.id).status in ("offered", "confirmed")
    assert [m.to_address for m in outbox("offer") if m.id not in before] == [
        "deltagerbo@example.com"
    ]
    assert db.session.get(Enrollment, ida.waiting.id).status == "cancelled"
    # The course that is over keeps its seat and attendance in the counts.
    past = db.session.get(Enrollment, ida.seat_past.id)
    assert past.status == "confirmed"
    assert len(db.session.scalars(sa.select(Attendance).filter_by(enrollment_id=past.id)).all())
    for enrollment_id in ida.ids:
        e = db.session.get(Enrollment, enrollment_id)
        assert (e.name, e.email, e.phone, e.needs, e.wants_companion, e.staff_message) == (
            "",
            "",
            None,
            None,
            False,
            None,
        )
        assert e.erased_at is not None
    # Nothing names her any more but the last mail, on its way.
    left = _rows_about(EMAIL, [])
    assert [(table, row["kind"]) for table, rows in left.items() for row in rows] == [
        ("outbox_messages", "data_erased")
    ]
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.enrollment_id.in_(ida.ids))
    ).all()
    assert all(m.to_address == "" and m.body_text == "" for m in mails)
    assert db.session.scalars(
        sa.select(SmsMessage.msisdn).where(SmsMessage.enrollment_id == past.id)
    ).all() == [""]
    assert db.session.scalars(sa.select(SuggestionSupporter.email)).all() == [None]
    # The one pending mail is the last one, which says so.
    [last] = [m for m in outbox() if m.id not in before and m.to_address.lower() == EMAIL]
    assert last.kind == "data_erased" and last.to_address == EMAIL and last.enrollment_id is None
    assert "we have erased the personal data we held about you" in last.body_text
    assert "2 sign-ups for dates still to come are cancelled" in last.body_text
    assert "Ida" not in last.body_text
    # Signed out; the old link is dead.
    with client.session_transaction() as session:
        assert PARTICIPANT_SESSION_KEY not in session
    assert 'name="email"' in client.get("/my").text  # asked for an address again
    assert client.get(f"/enrollments/{ida.token}").status_code == 404
    # The figures' pseudonym: one new random key for all her rows; the figures are unchanged.
    keys = set(
        db.session.scalars(sa.select(Enrollment.person_key).where(Enrollment.id.in_(ida.ids)))
    )
    assert len(keys) == 1
    assert keys != {person_key(EMAIL, pseudonym_key(client.application.config))}
    assert _figures_of(ida.past) == figures_before


def test_a_sign_up_erased_earlier_by_retention_loses_its_pseudonym_too(client):
    ida = Person()
    old_key = person_key(EMAIL, pseudonym_key(client.application.config))
    earlier = make_enrollment(ida.past, email="erased-x", name="", commit=False)
    earlier.person_key = old_key
    earlier.erased_at = _now()
    db.session.commit()
    _sign_in(client)
    client.post("/my/data/delete")
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Enrollment.person_key == old_key)) == 0
    )
    assert (
        db.session.get(Enrollment, earlier.id).person_key
        == db.session.get(Enrollment, ida.seat_past.id).person_key
    )


def test_deleting_one_sign_up_from_its_manage_link_leaves_the_others(client):
    ida = Person()
    client.set_cookie("lang", "en")
    url = f"/enrollments/{ida.token}/delete-data"
    ask = client.get(url)
    assert ask.status_code == 200 and "Angst i hverdagen" in ask.text
    before = {m.id for m in outbox()}

    assert client.post(url).status_code == 302
    db.session.expire_all()
    gone = db.session.get(Enrollment, ida.seat_future.id)
    assert (gone.status, gone.name, gone.email) == ("cancelled", "", "")
    assert db.session.get(Enrollment, ida.behind.id).status in ("offered", "confirmed")
    kept = db.session.get(Enrollment, ida.seat_past.id)
    assert (kept.name, kept.email, kept.needs) == (
        "Ida Holm",
        EMAIL,
        "Jeg sidder gerne ved døren",
    )
    # Her calendar and sign-in link stay: she still has sign-ups with us.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonalCalendar)) == 1
    # Cut loose from her other rows in the figures.
    assert gone.person_key not in (kept.person_key, None)
    [last] = [m for m in outbox("data_erased") if m.id not in before]
    assert "din tilmelding til Angst i hverdagen" in last.body_text  # in her language
    assert client.get(f"/enrollments/{ida.token}").status_code == 404
    assert client.get(url).status_code == 404


def test_the_same_from_my_bookings_for_one_sign_up_and_only_ones_own(client):
    ida = Person()
    _sign_in(client)
    assert client.get(f"/my/enrollments/{ida.other.id}/delete-data").status_code == 404
    assert client.post(f"/my/enrollments/{ida.other.id}/delete-data").status_code == 404
    assert client.post(f"/my/enrollments/{ida.waiting.id}/delete-data").status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, ida.waiting.id).erased_at is not None
    assert db.session.get(Enrollment, ida.other.id).erased_at is None


def test_the_last_mail_is_delivered_then_forgotten(client, smtp_server):
    Person()
    _sign_in(client)
    client.post("/my/data/delete")
    send_pending(now=_now() + timedelta(seconds=1))
    [farewell] = [m for m in smtp_server.messages if "erased" in str(m["Subject"]).lower()]
    assert farewell.envelope_to == [EMAIL]
    db.session.expire_all()
    [row] = outbox("data_erased")
    assert (row.status, row.to_address, row.subject, row.body_text) == ("sent", "", "", "")
    assert row.purged_at is not None


def test_the_notice_says_what_the_site_does(client):
    page = client.get("/privacy?lang=en").text
    assert "you can see everything we hold, download it, and delete it yourself at once" in page


def test_an_address_with_nothing_but_a_sign_in_link_can_delete_that_too(client):
    db.session.add(
        SignInToken(email_normalized="ny@example.com", token_hash="n" * 64, expires_at=_now())
    )
    db.session.commit()
    _sign_in(client, "ny@example.com")
    assert "No sign-ups." in client.get("/my/data?lang=en").text
    assert client.post("/my/data/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInToken)) == 0
    assert [m.to_address for m in outbox("data_erased")] == ["ny@example.com"]


def test_another_areas_rows_are_listed_by_their_label_from_either_door(client, monkeypatch):
    from app.privacy import own_data

    ida = Person()
    monkeypatch.setitem(
        own_data._SECTIONS,
        "notes",
        own_data.Section(
            "notes",
            lambda scope: [{"text": "Min note"}] if scope.enrollment_ids else [],
            lambda scope, now: None,
            "Notes of ours",
        ),
    )
    _sign_in(client)
    assert "<li>Notes of ours: 1</li>" in client.get("/my/data").text
    assert "<li>Notes of ours: 1</li>" in client.get(f"/enrollments/{ida.token}/data").text
    assert client.get("/my/data.json").get_json()["notes"] == [{"text": "Min note"}]


def test_learning_plans_are_named_in_the_persons_language(client):
    from app.privacy.own_data import section_label

    with client.application.test_request_context("/?lang=da"):
        assert section_label("learning_plans") == "Læringsplaner"
