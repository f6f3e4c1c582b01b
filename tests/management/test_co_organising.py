"""Co-organising, both ways (issue 12): who picks whom as facilitator, and what each side of a
co-organised offering may do. The route×role matrix proves every URL; these tests follow the
people through the pages."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Attendance, AuditEntry, Offering
from tests.factories import held_now, make_offering
from tests.management.helpers import make_co_organised_world, make_staff, make_world, sign_in_as
from tests.management.test_offerings import _edit_data, _form


def _offering(slug: str) -> Offering:
    db.session.expire_all()
    return db.session.scalars(sa.select(Offering).where(Offering.slug == slug)).one()


def _audit() -> list[tuple[int, str, int]]:
    rows = db.session.execute(
        sa.select(AuditEntry.user_id, AuditEntry.action, AuditEntry.offering_id).order_by(
            AuditEntry.id
        )
    )
    return [tuple(row) for row in rows]


# --- the editor: facilitators from every organisation that owns or co-organises it ---------


def test_centre_staff_are_offered_the_recovery_school_peer_worker_by_organisation(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    page = client.get("/manage/offerings/new").text
    picker = page.split('name="facilitators-1-user_id"')[1].split("</select>")[0]
    assert f'value="{w.peer.id}"' in picker
    assert f"{w.peer.name} (Recovery-skolen)" in picker
    assert f"{w.volunteer_staff.name} (Frivilligcenteret)" in picker


def test_centre_staff_name_a_school_peer_worker_when_the_school_co_organises(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            title="Hørestemmer-gruppen",
            kind="group",
            organisation_id=str(w.centre.id),
            co_organisers=[str(w.school.id)],
            **{
                "facilitators-0-user_id": str(w.volunteer_staff.id),
                "facilitators-0-guest_name": "",
                "facilitators-0-role": "volunteer",
                "facilitators-1-user_id": str(w.peer.id),
                "facilitators-1-role": "peer",
            },
        ),
    )
    assert response.status_code == 302, response.text
    group = _offering("hoerestemmer-gruppen")
    assert [f.user_id for f in group.facilitators] == [w.volunteer_staff.id, w.peer.id]
    assert [o.slug for o in group.co_organisers] == ["recovery-skolen"]
    group_id = group.id
    added = client.post(
        f"/manage/offerings/{group_id}/occurrences/new",
        data={"day": "2055-01-12", "start": "17:00", "end": "19:00"},
    )
    assert added.status_code == 302
    first_date = _offering("hoerestemmer-gruppen").occurrences[0].id
    # The peer worker now runs its participants and attendance (not as a guest name, no 403).
    sign_in_as(client, w.peer)
    assert client.get(f"/manage/offerings/{group_id}/participants").status_code == 200
    assert client.get(f"/manage/occurrences/{first_date}/attendance").status_code == 200
    assert client.get(f"/manage/offerings/{group_id}/edit").status_code == 403


def test_a_colleague_of_an_organisation_without_a_part_in_it_is_refused_with_a_reason(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            title="Pårørendegruppen",
            kind="group",
            organisation_id=str(w.centre.id),
            **{"facilitators-1-user_id": str(w.peer.id), "facilitators-1-role": "peer"},
        ),
    )
    assert response.status_code == 400
    page = response.text
    assert f"{w.peer.name} arbejder for Recovery-skolen" in page
    assert 'id="facilitators-1-user_id-error"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Offering)) == 1


def test_who_already_facilitates_stays_when_the_offering_is_edited(client):
    w = make_co_organised_world()
    sign_in_as(client, w.coordinator)
    page = client.get(f"/manage/offerings/{w.offering.id}/edit").text
    assert f"{w.centre_facilitator.name} (Frivilligcenteret)" in page
    # The centre is no longer ticked as co-organiser; its facilitator is kept, a new one is not.
    keep = {
        "facilitators-0-user_id": str(w.peer.id),
        "facilitators-0-guest_name": "",
        "facilitators-0-role": "peer",
        "facilitators-1-user_id": str(w.centre_facilitator.id),
        "facilitators-1-role": "volunteer",
    }
    newcomer = {"facilitators-2-user_id": str(w.volunteer_staff.id), "facilitators-2-role": "peer"}
    refused = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(w.offering, co_organisers=[], **keep, **newcomer),
    )
    assert refused.status_code == 400
    assert f"{w.volunteer_staff.name} arbejder for Frivilligcenteret" in refused.text
    assert f"{w.centre_facilitator.name} arbejder for" not in refused.text
    kept = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, **keep)
    )
    assert kept.status_code == 302
    assert [f.user_id for f in _offering(w.offering.slug).facilitators] == [
        w.peer.id,
        w.centre_facilitator.id,
    ]


# --- one co-organised course, seen from each side ------------------------------------------


def test_a_co_organisers_staff_see_the_course_and_its_counts_but_no_participant(client):
    w = make_co_organised_world()
    for user in (w.volunteer_staff, w.co_coordinator):
        sign_in_as(client, user)
        page = client.get(f"/manage/offerings/{w.offering.id}").text
        assert w.offering.title in page
        assert "1 af 2 pladser taget" in page  # the counts
        assert "1 ny anmodning" in page
        for name in ("Anna Andersen", "Bo Berg", "Carl Clausen"):
            assert name not in page
        assert f"/manage/offerings/{w.offering.id}/participants" not in page
        assert f"/manage/offerings/{w.offering.id}/edit" not in page
        assert f"/manage/offerings/{w.offering.id}/cancel" not in page
        assert "/attendance" not in page
        for path in ("participants", "participants.csv", "attendance-sheet", "edit", "cancel"):
            assert client.get(f"/manage/offerings/{w.offering.id}/{path}").status_code == 403
        assert client.get(f"/manage/occurrences/{w.occurrence.id}/attendance").status_code == 403
    assert _audit() == []


def test_the_centre_facilitator_runs_participants_and_attendance_but_does_not_edit(client):
    w = make_co_organised_world()
    held_now(w.occurrence)
    sign_in_as(client, w.centre_facilitator)
    page = client.get(f"/manage/offerings/{w.offering.id}").text
    assert f"/manage/offerings/{w.offering.id}/participants" in page
    assert f"/manage/offerings/{w.offering.id}/edit" not in page
    assert "Anna Andersen" in client.get(f"/manage/offerings/{w.offering.id}/participants").text
    assert client.get(f"/manage/offerings/{w.offering.id}/participants.csv").status_code == 200
    response = client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Attendance.status)) == "present"
    assert (
        client.post(
            f"/manage/offerings/{w.offering.id}/cancel", data={"message": "Aflyst"}
        ).status_code
        == 403
    )
    assert _offering(w.offering.slug).status == "published"


# --- cover for a sick colleague ---------------------------------------------------------------


def test_a_school_colleague_takes_attendance_as_cover_and_it_is_logged(client):
    w = make_co_organised_world()
    held_now(w.occurrence)
    sign_in_as(client, w.cover)
    offering_page = client.get(f"/manage/offerings/{w.offering.id}").text
    assert f"/manage/occurrences/{w.occurrence.id}/attendance" in offering_page
    assert f"/manage/offerings/{w.offering.id}/participants" not in offering_page
    page = client.get(f"/manage/occurrences/{w.occurrence.id}/attendance").text
    assert "Anna Andersen" in page
    assert "som afløser" in page  # told that it is logged as cover
    assert w.confirmed.email not in page
    response = client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Attendance.recorded_by_id)) == w.cover.id
    actions = [(user, action) for user, action, _ in _audit()]
    assert actions == [
        (w.cover.id, "view_attendance_as_cover"),
        (w.cover.id, "record_attendance_as_cover"),
    ]
    # Covering is not running it: no participant list, no editing of the facilitators.
    assert client.get(f"/manage/offerings/{w.offering.id}/participants").status_code == 403
    assert client.get(f"/manage/offerings/{w.offering.id}/edit").status_code == 403
    assert [f.user_id for f in _offering(w.offering.slug).facilitators] == [
        w.peer.id,
        w.centre_facilitator.id,
    ]


def test_a_facilitator_taking_attendance_is_logged_as_usual_not_as_cover(client):
    w = make_co_organised_world()
    held_now(w.occurrence)
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/occurrences/{w.occurrence.id}/attendance").text
    assert "som afløser" not in page
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "absent"},
    )
    assert [action for _, action, _ in _audit()] == ["view_attendance", "record_attendance"]


def test_cover_is_only_for_the_owning_organisations_staff(client):
    w = make_world()
    centre_group = make_offering(kind="group", organisation=w.centre)
    sign_in_as(client, make_staff("peer_worker", w.school))
    occurrence_id = centre_group.occurrences[0].id
    assert client.get(f"/manage/occurrences/{occurrence_id}/attendance").status_code == 403


# --- who sees contact data and needs (issue 13, §4) ------------------------------------------


def _csv_rows(client, offering_id: int) -> list[list[str]]:
    raw = client.get(f"/manage/offerings/{offering_id}/participants.csv").get_data()
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_leaves_out_the_columns_a_person_may_not_see(client):
    w = make_co_organised_world()
    sign_in_as(client, w.coordinator)  # owning organisation, not a facilitator
    header, *rows = _csv_rows(client, w.offering.id)
    assert header == [
        "Navn", "E-mail", "Telefon", "Deltager som", "Status", "Plads på ventelisten", "Tilmeldt",
    ]  # fmt: skip
    anna = next(row for row in rows if row[0] == "Anna Andersen")
    assert anna[1:3] == [w.confirmed.email, "'+45 20 30 40 50"]  # never a formula
    assert "Kommer i kørestol" not in "".join(sum(rows, []))
    sign_in_as(client, w.centre_facilitator)
    header, *rows = _csv_rows(client, w.offering.id)
    assert header[6:8] == ["Ønsker følgeskab", "Behov"]
    anna = next(row for row in rows if row[0] == "Anna Andersen")
    assert anna[6:8] == ["Ja", "Kommer i kørestol"]


def test_the_owning_coordinator_is_told_why_needs_are_not_shown(client):
    w = make_co_organised_world()
    sign_in_as(client, w.coordinator)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants").text
    assert w.confirmed.email in page and "+45 20 30 40 50" in page
    assert "Kommer i kørestol" not in page
    assert "Behov og ønske om følgeskab vises kun for holdets tovholdere." in page
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants").text
    assert "Kommer i kørestol" in page and "ønsker følgeskab" in page
    assert "vises kun for holdets tovholdere" not in page
