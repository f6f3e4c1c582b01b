"""The volunteer group leader (frivillig tovholder, issue 12): a volunteer, not an employee,
limited to the groups they are named on as facilitator. What they may do there, what they
may not do anywhere else, and who gives them the role. The route×role matrix
(test_route_matrix.py, persona "leader") holds every route; these tests hold the behaviour."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.management import policy
from app.models import Attendance, Occurrence, Offering, OutboxMessage, User, UserRole
from app.notices.services import frequency_for
from tests.factories import add_facilitator, held_now, make_offering
from tests.management.helpers import (
    make_co_organised_world,
    make_staff,
    make_world,
    sign_in_as,
    with_volunteer_leader,
)
from tests.management.test_offerings import _form

EN = {"Accept-Language": "en"}


def _world():
    return with_volunteer_leader(make_co_organised_world())


# --- what they may do: their own groups ------------------------------------------------------


def test_leader_sees_their_group_its_participants_contact_and_needs():
    w = _world()
    assert policy.can_view_offering(w.leader, w.offering)
    assert policy.can_view_participants(w.leader, w.offering)
    assert policy.can_manage_participants(w.leader, w.offering)
    assert policy.can_see_contact_data(w.leader, w.offering)
    assert policy.can_see_needs(w.leader, w.offering)  # a named facilitator, as the table says
    assert policy.can_take_attendance(w.leader, w.offering)
    assert not policy.takes_attendance_as_cover(w.leader, w.offering)
    assert policy.can_choose_notices(w.leader, w.offering)


def test_leader_takes_attendance_on_their_group(client):
    w = _world()
    held_now(w.occurrence)
    sign_in_as(client, w.leader)
    response = client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": w.confirmed.id, "status": "present"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json["status"] == "present"
    rows = db.session.scalars(sa.select(Attendance)).all()
    assert [(r.enrollment_id, r.status, r.recorded_by_id) for r in rows] == [
        (w.confirmed.id, "present", w.leader.id)
    ]


def test_leader_records_the_headcount_of_a_drop_in_group_they_lead(client):
    w = _world()
    cafe = make_offering(
        title="Åben samtalegruppe",
        organisation=w.centre,
        enrolment_mode="drop_in",
        capacity=None,
        kind="group",
    )
    add_facilitator(cafe, user=w.leader, role="volunteer")
    db.session.commit()
    occurrence = cafe.occurrences[0]
    held_now(occurrence)
    sign_in_as(client, w.leader)
    response = client.post(
        f"/manage/occurrences/{occurrence.id}/headcount", data={"headcount": "9"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Occurrence, occurrence.id).headcount == 9


def test_leader_writes_to_the_participants_of_their_group(client):
    w = _world()
    sign_in_as(client, w.leader)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={"audience": "confirmed", "subject": "Husk kaffen", "body": "Vi ses.\n\nTove"},
    )
    assert response.status_code == 302
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "staff_message")
    ).all()
    assert [m.to_address for m in mails] == [w.confirmed.email]


def test_leader_chooses_how_often_they_hear_about_their_group(client):
    w = _world()
    sign_in_as(client, w.leader)
    page = client.get(f"/manage/offerings/{w.offering.id}", headers=EN).text
    assert 'id="notices"' in page
    response = client.post(
        f"/manage/offerings/{w.offering.id}/notices", data={"frequency": "daily"}
    )
    assert response.status_code == 302
    assert frequency_for(w.leader.id, w.offering.id) == "daily"


# --- what they may not do --------------------------------------------------------------------


def test_leader_may_not_create_edit_or_cancel_even_their_own_group():
    w = _world()
    assert not policy.can_create_offering(w.leader)
    assert not policy.can_create_offering_for(w.leader, w.centre)
    assert not policy.can_edit_offering(w.leader, w.offering)
    assert not policy.can_duplicate_offering(w.leader, w.offering)
    assert not policy.can_see_join_link(w.leader, w.offering)
    # not even a group their own organisation owns and they lead
    add_facilitator(w.centre_group, user=w.leader, role="volunteer")
    db.session.commit()
    assert not policy.can_edit_offering(w.leader, w.centre_group)
    assert not policy.can_change_owner(w.leader, w.centre_group)


def test_leader_does_not_see_or_cover_their_organisations_other_groups():
    w = _world()
    group = w.centre_group  # the volunteer centre's own, run by its staff
    assert policy.can_view_offering(w.volunteer_staff, group)  # centre staff do
    assert policy.can_take_attendance(w.co_coordinator, group)
    assert not policy.can_view_offering(w.leader, group)
    assert not policy.can_view_participants(w.leader, group)
    assert not policy.can_take_attendance(w.leader, group)
    assert not policy.takes_attendance_as_cover(w.leader, group)
    assert not policy.can_view_evaluations(w.leader, group)
    assert not policy.can_choose_notices(w.leader, group)


def test_leader_has_no_key_figures_accounts_organisations_places_or_audit_log():
    w = _world()
    assert not policy.can_view_key_figures(w.leader)
    assert not policy.can_compare_key_figures(w.leader)
    assert not policy.can_manage_accounts(w.leader)
    assert not policy.can_edit_account(w.leader, w.leader)
    assert not policy.can_manage_organisations(w.leader)
    assert not policy.can_manage_places(w.leader)
    assert not policy.can_view_audit_log(w.leader)
    assert not policy.can_see_undelivered_mail(w.leader)
    assert not policy.can_moderate_suggestions(w.leader)
    assert not policy.can_switch_local_passwords(w.leader)


def test_leader_lists_only_the_groups_they_lead_not_even_counts_of_others(client):
    w = _world()
    sign_in_as(client, w.leader)
    listing = client.get("/manage/offerings").text
    assert w.offering.title in listing
    assert w.centre_group.title not in listing
    assert "De grupper, du står på som tovholder." in listing
    assert "Opret et tilbud" not in listing
    dashboard = client.get("/manage/").text
    assert w.offering.title in dashboard and w.centre_group.title not in dashboard


def test_leaders_menu_shows_only_what_they_may_use(client):
    w = _world()
    sign_in_as(client, w.leader)
    page = client.get("/manage/").text
    assert 'href="/manage/offerings"' in page
    for hidden in (
        "/manage/figures",
        "/manage/suggestions",
        "/manage/accounts",
        "/manage/places",
        "/manage/organisations",
        "/manage/audit",
        "/manage/offerings/new",
    ):
        assert f'href="{hidden}' not in page, hidden
    group_page = client.get(f"/manage/offerings/{w.offering.id}").text
    assert f'href="/manage/offerings/{w.offering.id}/edit"' not in group_page
    assert f'href="/manage/offerings/{w.offering.id}/cancel"' not in group_page
    assert f'href="/manage/offerings/{w.offering.id}/participants"' in group_page


def test_the_403_page_tells_a_leader_why_in_danish(client):
    w = _world()
    sign_in_as(client, w.leader)
    response = client.get("/manage/offerings/new")
    assert response.status_code == 403
    page = response.text
    assert "Som frivillig tovholder arbejder du med de grupper" in page
    assert "frivillig tovholder" in page and w.leader.name in page
    assert "skal tilhøre en organisation" not in page  # it does; that is not the reason


def test_leader_cannot_escalate_by_editing_their_own_account(client):
    w = _world()
    sign_in_as(client, w.leader)
    for url in (f"/manage/accounts/{w.leader.id}/edit", "/manage/accounts/new"):
        assert client.get(url).status_code == 403
    response = client.post(
        f"/manage/accounts/{w.leader.id}/edit",
        data={
            "name": "Tove",
            "role": "coordinator",
            "organisation_id": str(w.centre.id),
            "active": "y",
        },
    )
    assert response.status_code == 403
    made = client.post(
        "/manage/accounts/new",
        data={
            "name": "Min Ven",
            "email": "ven@example.org",
            "role": "admin",
            "organisation_id": str(w.centre.id),
        },
    )
    assert made.status_code == 403
    db.session.expire_all()
    leader = db.session.get(User, w.leader.id)
    assert (leader.role, leader.name) == (UserRole.VOLUNTEER_LEADER, "Tove Tovholder")
    assert db.session.scalar(sa.select(User).where(User.email == "ven@example.org")) is None


# --- who gives the role, and who names them on a group ---------------------------------------


def test_a_centre_coordinator_creates_a_volunteer_leader_for_their_organisation(client):
    w = make_co_organised_world()
    sign_in_as(client, w.co_coordinator)
    form = client.get("/manage/accounts/new").text
    assert '<option value="volunteer_leader">Frivillig tovholder</option>' in form
    response = client.post(
        "/manage/accounts/new",
        data={
            "name": "Ny Tovholder",
            "email": "tovholder@example.org",
            "role": "volunteer_leader",
            "organisation_id": str(w.centre.id),
        },
    )
    assert response.status_code == 302
    made = db.session.scalar(sa.select(User).where(User.email == "tovholder@example.org"))
    assert (made.role, made.organisation_id) == (UserRole.VOLUNTEER_LEADER, w.centre.id)
    listing = client.get("/manage/accounts").text
    assert "Ny Tovholder" in listing and "Frivillig tovholder" in listing


def test_a_coordinator_edits_their_organisations_leader_and_not_another_organisations(client):
    w = _world()
    assert policy.can_edit_account(w.co_coordinator, w.leader)
    assert not policy.can_edit_account(w.coordinator, w.leader)  # the school's coordinator
    sign_in_as(client, w.co_coordinator)
    response = client.post(
        f"/manage/accounts/{w.leader.id}/edit",
        data={
            "name": "Tove T.",
            "role": "volunteer_leader",
            "organisation_id": str(w.centre.id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(w.leader)
    assert w.leader.name == "Tove T."


def test_a_volunteer_leader_account_must_belong_to_an_organisation(client):
    w = make_world()
    sign_in_as(client, w.admin)
    response = client.post(
        "/manage/accounts/new",
        data={
            "name": "Uden Sted",
            "email": "uden@example.org",
            "role": "volunteer_leader",
            "organisation_id": "0",
        },
    )
    assert response.status_code == 400
    assert "Vælg den organisation, hvis grupper den frivillige tovholder leder." in response.text
    assert db.session.scalar(sa.select(User).where(User.email == "uden@example.org")) is None


def test_a_leader_is_named_facilitator_by_the_owner_or_a_co_organiser_not_by_others():
    w = _world()
    partner = w.outsider.organisation
    kwargs = {"co_organiser_ids": [], "offering": None}
    # the centre's own staff name their leader on a centre group
    assert policy.may_facilitate(w.volunteer_staff, w.leader, organisation_id=w.centre.id, **kwargs)
    # the school names the centre's leader on a course the centre co-organises
    assert policy.may_facilitate(
        w.peer,
        w.leader,
        organisation_id=w.school.id,
        co_organiser_ids=[w.centre.id],
        offering=None,
    )
    # not on an offering the centre has no part in
    assert not policy.may_facilitate(w.outsider, w.leader, organisation_id=partner.id, **kwargs)
    assert not policy.may_facilitate(w.peer, w.leader, organisation_id=w.school.id, **kwargs)


def test_centre_staff_name_their_leader_on_a_new_group_and_the_leader_then_runs_it(client):
    w = make_world()
    leader = make_staff("volunteer_leader", w.centre, name="Lone Leder")
    db.session.commit()
    sign_in_as(client, w.volunteer_staff)
    page = client.get("/manage/offerings/new").text
    picker = page.split('name="facilitators-1-user_id"')[1].split("</select>")[0]
    assert "Lone Leder (Frivilligcenteret)" in picker
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            title="Sorggruppen",
            kind="group",
            organisation_id=str(w.centre.id),
            **{
                "facilitators-0-user_id": str(w.volunteer_staff.id),
                "facilitators-0-guest_name": "",
                "facilitators-0-role": "volunteer",
                "facilitators-1-user_id": str(leader.id),
                "facilitators-1-role": "volunteer",
            },
        ),
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    group = db.session.scalars(sa.select(Offering).where(Offering.slug == "sorggruppen")).one()
    sign_in_as(client, leader)
    assert client.get(f"/manage/offerings/{group.id}/participants").status_code == 200
    assert client.get(f"/manage/offerings/{group.id}/edit").status_code == 403


def test_staff_of_an_organisation_without_a_part_cannot_name_another_organisations_leader(
    client,
):
    w = make_world()
    leader = make_staff("volunteer_leader", w.centre, name="Lone Leder")
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            title="Skolens kursus",
            organisation_id=str(w.school.id),
            **{"facilitators-1-user_id": str(leader.id), "facilitators-1-role": "volunteer"},
        ),
    )
    assert response.status_code == 400
    assert "Lone Leder arbejder for Frivilligcenteret" in response.text
