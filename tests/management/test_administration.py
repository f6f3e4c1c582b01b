"""Administration (issue 12): editing accounts, inviting again, coordinators' accounts for
their own organisation, editing organisations, and a 403 page that says what is missing."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation, OutboxMessage, User
from tests.management.helpers import make_staff, make_world, sign_in_as


def _welcome_mails(to: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.kind == "welcome", OutboxMessage.to_address == to
            )
        )
    )


def test_admin_edits_an_accounts_name_role_organisation_and_access(client):
    w = make_world()
    sign_in_as(client, w.admin)
    page = client.get(f"/manage/accounts/{w.peer.id}/edit")
    assert page.status_code == 200
    response = client.post(
        f"/manage/accounts/{w.peer.id}/edit",
        data={
            "name": "Pia Omdøbt",
            "role": "volunteer_staff",
            "organisation_id": str(w.centre.id),
            # "active" left out: the box is unticked
        },
    )
    assert response.status_code == 302
    db.session.refresh(w.peer)
    assert (w.peer.name, w.peer.role, w.peer.organisation_id, w.peer.is_active_account) == (
        "Pia Omdøbt",
        "volunteer_staff",
        w.centre.id,
        False,
    )


def test_one_cannot_change_ones_own_role_or_switch_oneself_off(client):
    w = make_world()
    sign_in_as(client, w.admin)
    response = client.post(
        f"/manage/accounts/{w.admin.id}/edit",
        data={"name": "Ny Adminnavn", "role": "peer_worker", "organisation_id": "0"},
    )
    assert response.status_code == 302
    db.session.refresh(w.admin)
    assert (w.admin.name, w.admin.role, w.admin.is_active_account) == (
        "Ny Adminnavn",
        "admin",
        True,
    )


def test_an_invitation_can_be_sent_again_until_a_password_is_chosen(client):
    w = make_world()
    invited = make_staff("peer_worker", w.school, email="ny@example.org", password_hash=None)
    db.session.commit()
    sign_in_as(client, w.coordinator)
    listing = client.get("/manage/accounts").get_data(as_text=True)
    assert "Send invitationen igen" in listing
    client.post(f"/manage/accounts/{invited.id}/invite")
    mails = _welcome_mails("ny@example.org")
    assert len(mails) == 1 and "/manage/password/reset/" in mails[0].body_text
    page = client.post(f"/manage/accounts/{w.peer.id}/invite", follow_redirects=True)
    assert "har allerede valgt en adgangskode" in page.get_data(as_text=True)
    assert _welcome_mails(w.peer.email) == []


def test_a_coordinator_creates_accounts_only_for_their_own_organisation(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    form = client.get("/manage/accounts/new").get_data(as_text=True)
    assert f'<option selected value="{w.school.id}">' in form
    assert f'value="{w.centre.id}"' not in form
    ok = client.post(
        "/manage/accounts/new",
        data={
            "name": "Ny Kollega",
            "email": "kollega@example.org",
            "role": "peer_worker",
            "organisation_id": str(w.school.id),
        },
    )
    assert ok.status_code == 302
    made = db.session.scalar(sa.select(User).where(User.email == "kollega@example.org"))
    assert made.organisation_id == w.school.id
    elsewhere = client.post(
        "/manage/accounts/new",
        data={
            "name": "Forkert Sted",
            "email": "forkert@example.org",
            "role": "peer_worker",
            "organisation_id": str(w.centre.id),
        },
    )
    assert elsewhere.status_code == 400
    admin_role = client.post(
        "/manage/accounts/new",
        data={
            "name": "Ny Admin",
            "email": "admin2@example.org",
            "role": "admin",
            "organisation_id": str(w.school.id),
        },
    )
    assert admin_role.status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == "admin2@example.org")) is None


def test_a_coordinator_sees_and_edits_only_their_organisations_accounts(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    listing = client.get("/manage/accounts").get_data(as_text=True)
    assert w.peer.name in listing and w.volunteer_staff.name not in listing
    assert w.admin.name not in listing
    assert client.get(f"/manage/accounts/{w.volunteer_staff.id}/edit").status_code == 403
    assert client.get(f"/manage/accounts/{w.admin.id}/edit").status_code == 403
    refused = client.post(f"/manage/accounts/{w.volunteer_staff.id}/active", data={"active": "0"})
    assert refused.status_code == 403
    db.session.refresh(w.volunteer_staff)
    assert w.volunteer_staff.is_active_account


def test_admin_edits_an_organisation(client):
    w = make_world()
    sign_in_as(client, w.admin)
    assert client.get(f"/manage/organisations/{w.centre.id}/edit").status_code == 200
    response = client.post(
        f"/manage/organisations/{w.centre.id}/edit",
        data={
            "name": "Frivilligcenter Nord",
            "name_en": "Volunteer Centre North",
            "slug": "frivilligcenter-nord",
            "email": "kontakt@frivillig.example",
            "phone": "12 34 56 78",
            "website": "",
        },
    )
    assert response.status_code == 302
    centre = db.session.get(Organisation, w.centre.id)
    db.session.refresh(centre)
    assert (centre.name, centre.slug, centre.phone) == (
        "Frivilligcenter Nord",
        "frivilligcenter-nord",
        "12 34 56 78",
    )
    taken = client.post(
        f"/manage/organisations/{w.centre.id}/edit",
        data={"name": "X", "slug": w.school.slug},
    )
    assert taken.status_code == 400
    assert "Another organisation" in taken.get_data(as_text=True) or "En anden organisation" in (
        taken.get_data(as_text=True)
    )


def test_the_403_page_says_what_is_missing_in_danish_and_keeps_the_staff_menu(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.get("/manage/organisations")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Kun administratorer administrerer organisationer." in page
    assert "Du er logget ind som" in page and w.peer.name in page
    assert 'href="/manage/offerings"' in page  # the staff menu
    assert "Log ud" in page
    participants = client.get(f"/manage/offerings/{w.offering.id}/participants")
    assert participants.status_code == 200
    sign_in_as(client, w.volunteer_staff)
    other = client.get(f"/manage/offerings/{w.offering.id}/participants")
    assert other.status_code == 403
    assert "deltagere" in other.get_data(as_text=True)
