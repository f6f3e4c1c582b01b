"""The policy module: who may see, edit and run what."""

from __future__ import annotations

from app.management import policy
from tests.factories import add_facilitator, make_offering
from tests.management.helpers import make_staff, make_world


def test_admin_may_do_everything():
    w = make_world()
    assert policy.can_edit_offering(w.admin, w.offering)
    assert policy.can_manage_accounts(w.admin)
    assert policy.can_view_audit_log(w.admin)
    assert policy.can_manage_organisations(w.admin)


def test_coordinator_runs_every_offering_of_their_organisation_only():
    w = make_world()
    other = make_offering(organisation=w.centre)
    assert policy.can_edit_offering(w.coordinator, w.offering)
    assert policy.can_view_participants(w.coordinator, w.offering)
    assert policy.can_view_key_figures(w.coordinator)
    assert policy.key_figures_organisation(w.coordinator) is None  # figures of all
    assert not policy.can_view_offering(w.coordinator, other)
    # Their own organisation's accounts (issue 12), not the centre's, not an admin's.
    assert policy.can_manage_accounts(w.coordinator)
    assert policy.can_edit_account(w.coordinator, w.peer)
    assert not policy.can_edit_account(w.coordinator, w.volunteer_staff)
    assert not policy.can_edit_account(w.coordinator, w.admin)
    assert not policy.can_assign_role(w.coordinator, "admin")
    assert not policy.can_view_audit_log(w.coordinator)


def test_peer_worker_edits_what_they_facilitate_and_only_sees_colleagues_offerings():
    w = make_world()
    colleagues = make_offering(organisation=w.school)
    assert policy.can_edit_offering(w.peer, w.offering)
    assert policy.can_view_offering(w.peer, colleagues)
    assert not policy.can_edit_offering(w.peer, colleagues)
    assert not policy.can_view_participants(w.peer, colleagues)
    assert policy.can_view_key_figures(w.peer)
    assert policy.key_figures_organisation(w.peer) == w.school.id
    assert not policy.can_compare_key_figures(w.peer)


def test_peer_worker_edits_an_offering_they_created():
    w = make_world()
    mine = make_offering(organisation=w.school, created_by_id=w.peer.id)
    assert policy.can_edit_offering(w.peer, mine)


def test_peer_worker_may_create_offerings_for_their_own_organisation_only():
    w = make_world()
    assert policy.can_create_offering_for(w.peer, w.school)
    assert not policy.can_create_offering_for(w.peer, w.centre)


def test_volunteer_staff_run_their_centres_offerings_and_nothing_else():
    w = make_world()
    group = make_offering(kind="group", organisation=w.centre)
    assert policy.can_edit_offering(w.volunteer_staff, group)
    assert policy.can_view_participants(w.volunteer_staff, group)
    assert not policy.can_view_offering(w.volunteer_staff, w.offering)
    assert policy.key_figures_organisation(w.volunteer_staff) == w.centre.id
    assert not policy.can_compare_key_figures(w.volunteer_staff)
    assert not policy.can_manage_accounts(w.volunteer_staff)


def test_a_co_organisers_staff_see_the_offering_and_nothing_more():
    w = make_world()
    w.offering.co_organisers.append(w.centre)
    co_coordinator = make_staff("coordinator", w.centre)
    for user in (w.volunteer_staff, co_coordinator):
        assert policy.can_view_offering(user, w.offering)
        assert not policy.can_edit_offering(user, w.offering)
        assert not policy.can_view_participants(user, w.offering)
        assert not policy.can_take_attendance(user, w.offering)


def test_a_facilitator_of_another_organisation_runs_participants_but_does_not_edit():
    w = make_world()
    w.offering.co_organisers.append(w.centre)
    add_facilitator(w.offering, user=w.volunteer_staff, role="volunteer")
    assert policy.can_view_offering(w.volunteer_staff, w.offering)
    assert policy.can_view_participants(w.volunteer_staff, w.offering)
    assert policy.can_manage_participants(w.volunteer_staff, w.offering)
    assert policy.can_take_attendance(w.volunteer_staff, w.offering)
    assert not policy.can_edit_offering(w.volunteer_staff, w.offering)
    assert not policy.can_change_owner(w.volunteer_staff, w.offering)


def test_the_owning_organisations_staff_cover_attendance_without_running_the_offering():
    w = make_world()
    colleague = make_staff("peer_worker", w.school)
    assert policy.can_take_attendance(colleague, w.offering)
    assert policy.takes_attendance_as_cover(colleague, w.offering)
    assert not policy.can_view_participants(colleague, w.offering)
    assert not policy.can_edit_offering(colleague, w.offering)
    assert not policy.takes_attendance_as_cover(w.peer, w.offering)  # the facilitator runs it
    assert not policy.can_take_attendance(w.volunteer_staff, w.offering)


def test_facilitating_a_centre_group_gives_a_peer_worker_access_to_it():
    w = make_world()
    group = make_offering(kind="group", organisation=w.centre)
    add_facilitator(group, user=w.peer, role="peer")
    assert policy.can_view_participants(w.peer, group)
    assert not policy.can_edit_offering(w.peer, group)  # the centre's staff edit their group


def test_deactivated_account_may_do_nothing():
    w = make_world()
    former = make_staff("admin", None, is_active_account=False)
    assert not policy.can_view_offering(former, w.offering)
    assert not policy.can_manage_accounts(former)
    assert not policy.can_create_offering(former)


def test_anonymous_may_do_nothing():
    w = make_world()
    assert not policy.can_view_offering(None, w.offering)
    assert not policy.can_create_offering(None)
