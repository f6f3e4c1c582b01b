"""Staff decisions in the audit log: who decided what, about which offering, and when.

Each entry is written by the service that makes the change, in the same transaction.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa

from app.audit import AuditAction, record_audit
from app.enrollment.tokens import manage_token
from app.extensions import db
from app.models import AuditEntry, Occurrence
from tests.factories import held_now, make_offering
from tests.management.helpers import make_staff, make_world, sign_in_as
from tests.management.test_offerings import _edit_data


def _entries() -> list[tuple]:
    db.session.expire_all()
    return [
        (e.user_id, e.action, e.offering_id, e.details)
        for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_approving_a_request_is_logged_with_who_and_which(client):
    w = make_world()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/enrollments/{w.requested.id}/approve").status_code == 302
    assert _entries() == [
        (w.peer.id, "approve_request", w.offering.id, f"enrollment {w.requested.id}: confirmed")
    ]


def test_declining_a_request_is_logged(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    client.post(
        f"/manage/enrollments/{w.requested.id}/decline",
        data={"message": "Desværre", "confirm": "yes"},
    )
    assert _entries() == [
        (
            w.coordinator.id,
            "decline_request",
            w.offering.id,
            f"enrollment {w.requested.id}: declined",
        )
    ]


def test_staff_cancelling_a_seat_is_logged_but_a_participant_cancelling_is_not(app, client):
    w = make_world()
    with app.app_context():
        leave, cancel = manage_token(w.waitlisted), manage_token(w.requested)
    assert client.post(f"/enrollments/{leave}/leave").status_code == 302
    assert client.post(f"/enrollments/{cancel}/cancel").status_code == 302
    assert db.session.get(type(w.requested), w.requested.id).status == "cancelled"
    assert _entries() == []  # their own choices, not staff decisions
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.confirmed.id}/cancel", data={"confirm": "yes"})
    assert _entries() == [
        (w.peer.id, "cancel_seat", w.offering.id, f"enrollment {w.confirmed.id}: cancelled")
    ]


def test_promoting_from_the_waiting_list_is_logged(client):
    w = make_world()
    w.offering.capacity = 3  # a free seat the waiting list has not been offered
    db.session.commit()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/enrollments/{w.waitlisted.id}/promote").status_code == 302
    assert _entries() == [
        (
            w.peer.id,
            "promote_from_waitlist",
            w.offering.id,
            f"enrollment {w.waitlisted.id}: confirmed",
        )
    ]


def test_changing_the_number_of_seats_is_logged_with_old_and_new(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="3")
    )
    assert response.status_code == 302
    assert _entries() == [(w.peer.id, "change_capacity", w.offering.id, "capacity 2 → 3")]


def test_an_edit_that_keeps_the_seats_logs_no_capacity_change(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering))
    assert _entries() == []


def test_recording_attendance_is_logged(client):
    w = make_world()
    held_now(w.occurrence)
    sign_in_as(client, w.peer)
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    assert _entries() == [
        (
            w.peer.id,
            "record_attendance",
            w.offering.id,
            f"enrollment {w.confirmed.id}, occurrence {w.occurrence.id}: present",
        )
    ]


def test_the_audit_page_names_each_decision(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.requested.id}/approve")
    client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="4")
    )
    sign_in_as(client, w.admin)
    page = client.get("/manage/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"Approved the request of sign-up no. {w.requested.id}" in page
    assert "Changed the seats from 2 to 4" in page


# --- the log for admins and the DPO: in words, filtered, exported ---------------------------


def _on_3_december(occurrence: Occurrence) -> None:
    occurrence.starts_at = datetime(2025, 12, 3, 17, 0, tzinfo=UTC)
    occurrence.ends_at = datetime(2025, 12, 3, 19, 0, tzinfo=UTC)
    db.session.commit()


def test_the_log_reads_in_words(client):
    w = make_world()
    _on_3_december(w.occurrence)
    sign_in_as(client, w.peer)
    client.get(f"/manage/offerings/{w.offering.id}/participants")
    client.get(f"/manage/occurrences/{w.occurrence.id}/attendance")
    client.get(f"/manage/offerings/{w.offering.id}/participants.csv")
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    client.post(  # the same tap again: the mark is taken away
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    client.post(
        f"/manage/enrollments/{w.confirmed.id}/cancel", data={"message": "Syg", "confirm": "yes"}
    )
    sign_in_as(client, w.admin)
    page = client.get("/manage/audit?lang=en").text
    for words in (
        "Viewed the participant list",
        "Viewed the attendance of December 3, 2025",
        "Exported the participant list as CSV",
        f"Recorded sign-up no. {w.confirmed.id} as present on December 3, 2025",
        f"Removed the attendance mark of sign-up no. {w.confirmed.id} on December 3, 2025",
        f"Cancelled sign-up no. {w.confirmed.id}",
    ):
        assert words in page, words
    assert w.peer.name in page
    danish = client.get("/manage/audit?lang=da").text
    assert "Så fremmødet for 3. december 2025" in danish


def test_the_log_dates_each_entry_in_words_in_both_languages(client):
    """Not "12/1/26": the long date the rest of the English pages use, and Danish time."""
    w = make_world()
    record_audit(
        user_id=w.peer.id,
        action=AuditAction.VIEW_PARTICIPANTS,
        offering_id=w.offering.id,
        now=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),  # 10.30 in Copenhagen
    )
    db.session.commit()
    sign_in_as(client, w.admin)
    english = client.get("/manage/audit?lang=en").text
    assert "<td>December 1, 2026 10:30</td>" in english
    assert "12/1/26" not in english
    danish = client.get("/manage/audit?lang=da").text
    assert "<td>1. december 2026 10.30</td>" in danish
    assert "01.12.2026" not in danish


def test_the_log_is_filtered_by_offering_and_by_staff_member(client):
    w = make_world()
    other = make_offering(title="Søvn og ro", organisation=w.school)
    colleague = make_staff("coordinator", w.school, name="Kirsten Koordinator")
    sign_in_as(client, w.peer)
    client.get(f"/manage/offerings/{w.offering.id}/participants")
    sign_in_as(client, colleague)
    client.get(f"/manage/offerings/{other.id}/participants")
    client.get(f"/manage/offerings/{w.offering.id}/participants.csv")
    sign_in_as(client, w.admin)

    def rows(query: str) -> list[tuple[str, str]]:
        text = client.get(f"/manage/audit?lang=en&{query}").text
        body = text.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in text else ""
        return [
            (who, offering)
            for who, offering in (
                (w.peer.name if w.peer.name in row else colleague.name, row)
                for row in body.split("<tr>")[1:]
            )
        ]

    assert len(rows("")) == 3
    by_offering = rows(f"offering={w.offering.id}")
    assert len(by_offering) == 2 and all("Håb og recovery" in r for _who, r in by_offering)
    by_person = rows(f"user={colleague.id}")
    assert [who for who, _row in by_person] == [colleague.name, colleague.name]
    both = rows(f"offering={w.offering.id}&user={colleague.id}")
    assert len(both) == 1 and "Exported the participant list as CSV" in both[0][1]
    page = client.get("/manage/audit?lang=en").text
    assert f'<option value="{colleague.id}">{colleague.name}</option>' in page
    assert f'<option value="{other.id}">Søvn og ro</option>' in page
    # Nonsense in the URL: a message, never a 500.
    bad = client.get("/manage/audit?lang=en&offering=abc&user=99999")
    assert bad.status_code == 400 and "Not a valid choice" in bad.text


def test_the_log_exports_as_csv_for_the_dpo_and_the_export_is_logged(client):
    w = make_world()
    _on_3_december(w.occurrence)
    sign_in_as(client, w.peer)
    client.get(f"/manage/occurrences/{w.occurrence.id}/attendance")
    client.get(f"/manage/offerings/{w.offering.id}/participants")
    sign_in_as(client, w.admin)
    response = client.get(f"/manage/audit.csv?lang=da&offering={w.offering.id}&user={w.peer.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.data.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0] == ["Nr.", "Hvornår", "Hvem", "Hvad", "Tilbud", "Tilbud nr."]
    assert [row[2:5] for row in rows[1:]] == [
        [w.peer.name, "Så deltagerlisten", "Håb og recovery"],
        [w.peer.name, "Så fremmødet for 3. december 2025", "Håb og recovery"],
    ]
    assert _entries()[-1] == (
        w.admin.id,
        "export_audit_log",
        w.offering.id,
        f"offering {w.offering.id}, user {w.peer.id}",
    )
    client.get("/manage/audit.csv?lang=en")
    page = client.get("/manage/audit?lang=en").text
    assert "Exported the audit log as CSV" in page


def test_audit_entries_never_hold_participant_data(client, app):
    """Every kind of entry staff and participants cause, with names, addresses, phone
    numbers, needs and staff messages about: none of it reaches the log, its page or CSV."""
    w = make_world()
    held_now(w.occurrence)
    personal = []
    for e in (w.confirmed, w.waitlisted, w.requested):
        e.phone = f"+45 1234 {e.id:04d}"
        e.needs = f"Behov nummer {e.id} om angst"
        personal += [e.name, e.email, e.phone, e.needs]
    db.session.commit()
    sign_in_as(client, w.peer)
    client.get(f"/manage/offerings/{w.offering.id}/participants")
    client.get(f"/manage/occurrences/{w.occurrence.id}/attendance")
    client.get(f"/manage/offerings/{w.offering.id}/participants.csv")
    client.get(f"/manage/offerings/{w.offering.id}/attendance-sheet")
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "absent"},
    )
    client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={"audience": "confirmed", "subject": "Til Anna Andersen", "body": "Kære Anna"},
    )
    client.post(f"/manage/enrollments/{w.waitlisted.id}/promote")  # the second seat
    client.post(
        f"/manage/enrollments/{w.requested.id}/approve", data={"message": "Velkommen Carl Clausen"}
    )
    client.post(
        f"/manage/enrollments/{w.confirmed.id}/cancel",
        data={"message": "Anna er syg", "confirm": "yes"},
    )
    with app.test_request_context():
        token = manage_token(w.waitlisted)
    client.post(f"/enrollments/{token}/delete-data")  # the person deletes their own data
    personal += ["Anna Andersen", "Anna er syg", "Carl Clausen", "Kære Anna"]
    sign_in_as(client, w.admin)
    client.get("/manage/audit.csv")

    actions = {action for _u, action, _o, _d in _entries()}
    assert {
        "view_participants",
        "view_attendance",
        "export_csv",
        "print_attendance_sheet",
        "record_attendance",
        "email_participants",
        "approve_request",
        "cancel_seat",
        "promote_from_waitlist",
        "person_erased_own_data",
        "export_audit_log",
    } <= actions
    stored = " ".join(f"{a} {d or ''}" for _u, a, _o, d in _entries())
    page = client.get("/manage/audit?lang=en").text
    exported = client.get("/manage/audit.csv").data.decode("utf-8")
    for text in personal:
        assert text not in stored, text
        assert text not in page, text
        assert text not in exported, text
    assert "Deleted their own data" in page and "The participant" in page


def test_covering_for_a_colleague_reads_as_such(client):
    from tests.management.helpers import make_co_organised_world

    w = make_co_organised_world()
    _on_3_december(w.occurrence)
    sign_in_as(client, w.cover)
    client.get(f"/manage/occurrences/{w.occurrence.id}/attendance")
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    admin = make_staff("admin", None)
    sign_in_as(client, admin)
    page = client.get(f"/manage/audit?lang=en&user={w.cover.id}").text
    assert "Viewed the attendance of December 3, 2025, covering for a colleague" in page
    assert (
        f"Recorded sign-up no. {w.confirmed.id} as present on December 3, 2025, "
        "covering for a colleague"
    ) in page


def test_every_kind_of_entry_has_its_own_words(app):
    """A new action without a sentence would read as its raw name ("Correct details (...)")."""
    from app.audit import AuditAction
    from app.management.audit_log import _what
    from app.models import AuditEntry

    actions = [v for k, v in vars(AuditAction).items() if k.isupper() and isinstance(v, str)]
    details = "enrollment 7 occurrence 1 suggestion 2 into 3 status present"
    with app.test_request_context("/?lang=en"):
        for action in actions:
            words = _what(AuditEntry(action=action, details=details), {})
            raw = action.replace("_", " ").capitalize()
            assert not words.startswith(raw), action
