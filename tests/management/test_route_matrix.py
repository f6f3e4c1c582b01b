"""Every /manage route, for every role and for an anonymous visitor: allowed or refused.

The table below is the contract. A new /manage route that is not in it fails
`test_every_manage_route_is_in_the_table`, so nobody can add a staff page without deciding
who may use it; the parametrised test then proves each decision on the real app.
"""

from __future__ import annotations

import pytest

from tests.management.helpers import make_co_organised_world, sign_in_as, with_volunteer_leader

# Who is who (make_co_organised_world): a Recovery School course that the school's peer worker
# and a volunteer-centre staff member facilitate, co-organised by the volunteer centre.
ROLES = (
    "admin",
    "coordinator",  # the owning school's coordinator
    "peer",  # the school's peer worker, named facilitator
    "volunteer_staff",  # centre staff, not a facilitator: the co-organiser's other staff
    "centre_facilitator",  # centre staff named facilitator: a facilitator of another org
    "cover",  # a school peer worker who does not run it: covers attendance for a sick colleague
    "co_coordinator",  # the co-organising centre's coordinator
    "outsider",  # staff of a third organisation with no part in the course
    "leader",  # a centre volunteer leader (frivillig tovholder) named facilitator of the course
)
STAFF = frozenset(ROLES)
# Staff whose organisation's offerings are theirs: everyone but the volunteer leader, who
# only has the groups they are named on (no creating, places or key figures).
ORGANISATION_STAFF = STAFF - {"leader"}
# Issue 12, "co-organising, both ways": the owner's staff edit; named facilitators of any
# organisation run participants and attendance; the owner's staff cover attendance; a
# co-organiser's other staff see the offering and its counts, nothing more.
SEES_IT = STAFF - {"outsider"}
EDITS_IT = frozenset({"admin", "coordinator", "peer"})
RUNS_IT = EDITS_IT | {
    "centre_facilitator",
    "leader",
}  # participants: list, CSV, sheet, decisions, mail
TAKES_ATTENDANCE = RUNS_IT | {"cover"}
COPIES_IT = EDITS_IT | {"cover"}  # sees it and may create for the owner (without its join link)
EVALUATES = RUNS_IT | {"co_coordinator"}  # its facilitators, and coordinators of all
COORDINATES = frozenset({"admin", "coordinator", "co_coordinator"})
ADMIN = frozenset({"admin"})
# group suggestions: by role, admins, coordinators and volunteer-centre staff
MODERATES = frozenset(
    {"admin", "coordinator", "volunteer_staff", "centre_facilitator", "co_coordinator", "outsider"}
)
# accounts: admins all, coordinators their own organisation's (the school's peer: its coordinator)
ACCOUNTS = frozenset({"admin", "coordinator", "co_coordinator"})
SCHOOL_ACCOUNT = frozenset({"admin", "coordinator"})
PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # protected by a secret in the URL: a wrong one is 404 for everyone

EXPECTED: dict[tuple[str, str], object] = {
    ("management.login", "GET"): PUBLIC,
    ("management.login", "POST"): PUBLIC,
    ("management.logout", "POST"): PUBLIC,
    ("management.forgot_password", "GET"): PUBLIC,
    ("management.forgot_password", "POST"): PUBLIC,
    ("management.reset_password", "GET"): TOKEN,
    ("management.reset_password", "POST"): TOKEN,
    ("calendar.facilitator_feed", "GET"): TOKEN,
    ("management.dashboard", "GET"): STAFF,
    ("management.calendar_link", "POST"): STAFF,
    # evaluation results: the offering's facilitators, coordinators and admins (all offerings)
    ("evaluations.results", "GET"): EVALUATES,
    ("evaluations.hide_comment", "POST"): EVALUATES,
    ("evaluations.show_comment", "POST"): EVALUATES,
    # peer workers and centre staff: their organisation's; a volunteer leader none
    ("figures.index", "GET"): ORGANISATION_STAFF,
    ("figures.table_csv", "GET"): ORGANISATION_STAFF,
    ("figures.compare_page", "GET"): COORDINATES,
    ("figures.compare_page", "POST"): COORDINATES,
    ("figures.remove_upload", "POST"): COORDINATES,
    ("management.offerings", "GET"): STAFF,  # a volunteer leader: only their groups
    ("management.new_offering", "GET"): ORGANISATION_STAFF,
    ("management.new_offering", "POST"): ORGANISATION_STAFF,
    ("management.offering", "GET"): SEES_IT,
    ("management.edit_offering", "GET"): EDITS_IT,
    ("management.edit_offering", "POST"): EDITS_IT,
    ("management.preview_offering", "GET"): SEES_IT,  # the public page, as it will look
    ("management.publish", "POST"): EDITS_IT,
    ("management.unpublish", "POST"): EDITS_IT,
    ("management.duplicate", "POST"): COPIES_IT,
    ("management.cancel_offering", "GET"): EDITS_IT,
    ("management.cancel_offering", "POST"): EDITS_IT,
    ("management.audience_shares", "GET"): EDITS_IT,
    ("management.audience_shares", "POST"): EDITS_IT,
    ("management.new_occurrence", "GET"): EDITS_IT,
    ("management.new_occurrence", "POST"): EDITS_IT,
    ("management.new_series", "GET"): EDITS_IT,
    ("management.new_series", "POST"): EDITS_IT,
    ("management.move_occurrence", "GET"): EDITS_IT,
    ("management.move_occurrence", "POST"): EDITS_IT,
    ("management.cancel_occurrence", "GET"): EDITS_IT,
    ("management.cancel_occurrence", "POST"): EDITS_IT,
    ("management.participants", "GET"): RUNS_IT,
    ("management.add_participant", "GET"): RUNS_IT,
    ("management.add_participant", "POST"): RUNS_IT,
    ("management.participants_csv", "GET"): RUNS_IT,
    ("management.attendance_sheet", "GET"): RUNS_IT,
    ("management.email_participants", "GET"): RUNS_IT,
    ("management.email_participants", "POST"): RUNS_IT,
    ("management.approve", "POST"): RUNS_IT,
    ("management.decline", "POST"): RUNS_IT,
    ("management.decline", "GET"): RUNS_IT,  # the confirmation page
    ("management.cancel_seat", "POST"): RUNS_IT,
    ("management.cancel_seat", "GET"): RUNS_IT,  # the confirmation page
    ("management.promote", "POST"): RUNS_IT,
    ("management.attendance", "GET"): TAKES_ATTENDANCE,
    ("management.attendance", "POST"): TAKES_ATTENDANCE,
    ("management.interest_list", "GET"): RUNS_IT,
    ("management.start_group", "POST"): RUNS_IT,
    ("management.record_talk", "POST"): RUNS_IT,
    ("management.give_seat", "POST"): RUNS_IT,
    ("management.suggestion_to_group", "GET"): MODERATES,
    ("management.suggestion_to_group", "POST"): MODERATES,
    ("management.headcount", "POST"): TAKES_ATTENDANCE,
    # how I hear about an offering: only its named facilitators choose (for themselves)
    ("management.set_notices", "POST"): frozenset({"peer", "centre_facilitator", "leader"}),
    ("management.correct_participant", "GET"): RUNS_IT,
    ("management.correct_participant", "POST"): RUNS_IT,
    ("management.send_mail_again", "POST"): RUNS_IT,
    ("management.accounts_list", "GET"): ACCOUNTS,
    ("management.new_account", "GET"): ACCOUNTS,
    ("management.new_account", "POST"): ACCOUNTS,
    ("management.set_account_active", "POST"): SCHOOL_ACCOUNT,  # the school's peer worker
    ("management.edit_account", "GET"): SCHOOL_ACCOUNT,
    ("management.edit_account", "POST"): SCHOOL_ACCOUNT,
    ("management.resend_invitation", "POST"): SCHOOL_ACCOUNT,
    ("management.organisations", "GET"): ADMIN,
    ("management.edit_organisation", "GET"): ADMIN,
    ("management.edit_organisation", "POST"): ADMIN,
    ("management.new_organisation", "GET"): ADMIN,
    ("management.new_organisation", "POST"): ADMIN,
    # staff who plan offerings correct places (a volunteer leader plans none)
    ("management.places_list", "GET"): ORGANISATION_STAFF,
    ("management.new_place", "GET"): ORGANISATION_STAFF,
    ("management.new_place", "POST"): ORGANISATION_STAFF,
    ("management.edit_place", "GET"): ORGANISATION_STAFF,
    ("management.edit_place", "POST"): ORGANISATION_STAFF,
    ("management.audit_log", "GET"): ADMIN,
    ("management.audit_csv", "GET"): ADMIN,
    ("management.sign_in_settings", "GET"): ADMIN,
    ("management.sign_in_settings", "POST"): ADMIN,
    ("management.undelivered_mail", "GET"): ADMIN,
    ("management.retry_mail", "POST"): ADMIN,
    ("suggestions.manage", "GET"): MODERATES,
    ("suggestions.approve", "POST"): MODERATES,
    ("suggestions.decline", "POST"): MODERATES,
    ("suggestions.merge", "POST"): MODERATES,
}


def _manage_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_manage_route_is_in_the_table(app):
    found = {(rule.endpoint, method) for rule, method in _manage_routes(app)}
    assert found - EXPECTED.keys() == set(), "new /manage routes: decide who may use them above"
    assert EXPECTED.keys() - found == set(), "routes in the table that no longer exist"


def _url(app, endpoint: str, world, *, centre_group: bool = False) -> str:
    """The endpoint's URL for the world's course, or (centre_group) for the centre's own
    self-help group that the volunteer leader does not lead."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    enrollment = {
        "management.approve": world.requested,
        "management.decline": world.requested,
        "management.promote": world.waitlisted,
    }.get(endpoint, world.confirmed)
    offering, occurrence = world.offering, world.occurrence
    if centre_group:
        offering, occurrence = world.centre_group, world.centre_group.occurrences[0]
        enrollment = world.centre_group_enrollment
    values = {
        "offering_id": offering.id,
        "occurrence_id": occurrence.id,
        "enrollment_id": enrollment.id,
        "user_id": world.peer.id,
        "organisation_id": world.school.id,
        "location_id": world.offering.location_id,
        "message_id": 1,
        "token": "1-" + "0" * 64,
        "key": "signups",
        "upload_id": 1,
        "suggestion_id": 1,
        "answer_id": 1,
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/manage/login" in response.headers["Location"]


CASES = [
    (endpoint, method, who) for (endpoint, method) in EXPECTED for who in ("anonymous", *ROLES)
]


@pytest.mark.parametrize(
    ("endpoint", "method", "who"), CASES, ids=[f"{e}-{m}-{w}" for e, m, w in CASES]
)
def test_route_allows_or_refuses_by_role(app, client, endpoint, method, who):
    world = with_volunteer_leader(make_co_organised_world())
    if who != "anonymous":
        sign_in_as(client, world.by_role(who))
    response = client.open(_url(app, endpoint, world), method=method, data={})
    expected = EXPECTED[(endpoint, method)]

    if expected == TOKEN:
        assert response.status_code == 404
    elif expected == PUBLIC:
        assert response.status_code < 400
    elif who == "anonymous":
        assert _is_login_redirect(response), response.status_code
    elif who in expected:
        assert response.status_code < 400 or response.status_code == 400 and method == "POST", (
            response.status_code
        )
        assert not _is_login_redirect(response)
    else:
        assert response.status_code == 403


# --- participant data by who runs the offering (issue 13, §4) --------------------------------
#
# Contact data (email, phone) only for those who run the offering: its facilitators, the owning
# organisation's staff who run it, admins. Needs and the companion wish only for its
# facilitators and admins. Everyone else — a co-organiser's staff, coordinators of other
# organisations, a colleague covering attendance — sees counts or names at most. A page a
# persona is not listed for is refused (403) and shows nothing.

NAMES, CONTACT, NEEDS = "names", "contact", "needs"
RUNNER = {NAMES, CONTACT}  # the owning organisation's staff who run it
FACILITATOR = {NAMES, CONTACT, NEEDS}
_LIST = {"admin": FACILITATOR, "coordinator": RUNNER, "peer": FACILITATOR,
         "centre_facilitator": FACILITATOR, "leader": FACILITATOR}  # fmt: skip

PARTICIPANT_DATA: dict[str, dict[str, set[str]]] = {
    "management.participants": _LIST,
    "management.participants_csv": _LIST,
    "management.attendance_sheet": {who: {NAMES} for who in _LIST},
    "management.attendance": {who: {NAMES} for who in TAKES_ATTENDANCE},
    "management.offering": {who: set() for who in SEES_IT},  # counts, no names
    # issue 12: staff correct only what they may see; "are you sure?" names the person only
    "management.correct_participant": _LIST,
    "management.cancel_seat": {who: {NAMES} for who in RUNS_IT},
}

DATA_CASES = [(endpoint, who) for endpoint in PARTICIPANT_DATA for who in ROLES]


def _shown(body: str, world) -> set[str]:
    person = world.confirmed
    shown = set()
    if person.name in body:
        shown.add(NAMES)
    if person.email in body or person.phone in body:
        shown.add(CONTACT)
    if person.needs in body or "ønsker følgeskab" in body.lower():
        shown.add(NEEDS)
    return shown


@pytest.mark.parametrize(("endpoint", "who"), DATA_CASES, ids=[f"{e}-{w}" for e, w in DATA_CASES])
def test_participant_data_is_shown_by_role(app, client, endpoint, who):
    world = with_volunteer_leader(make_co_organised_world())
    sign_in_as(client, world.by_role(who))
    response = client.get(_url(app, endpoint, world))
    body = response.get_data(as_text=True)
    expected = PARTICIPANT_DATA[endpoint].get(who)
    if expected is None:
        assert response.status_code == 403
        assert _shown(body, world) == set()
    else:
        assert response.status_code == 200
        assert _shown(body, world) == expected


# --- the volunteer leader and the rest of their organisation (issue 12) ---------------------
#
# The leader's organisation (the volunteer centre) owns a self-help group that its staff run.
# It is their organisation's, not theirs: every route of that group refuses them, and shows
# nothing of it — not its participants, not even its title or counts.

OFFERING_ARGUMENTS = {"offering_id", "occurrence_id", "enrollment_id"}


def test_volunteer_leader_is_refused_every_route_of_a_group_they_do_not_lead(app, client):
    world = with_volunteer_leader(make_co_organised_world())
    sign_in_as(client, world.leader)
    tried, wrong = 0, []
    for rule, method in _manage_routes(app):
        if EXPECTED[(rule.endpoint, method)] in (PUBLIC, TOKEN):
            continue
        if not OFFERING_ARGUMENTS & set(rule.arguments):
            continue
        tried += 1
        response = client.open(
            _url(app, rule.endpoint, world, centre_group=True), method=method, data={}
        )
        body = response.get_data(as_text=True)
        if (
            response.status_code != 403
            or world.centre_group.title in body
            or world.centre_group_enrollment.name in body
        ):
            wrong.append((rule.endpoint, method, response.status_code))
    assert tried > 40
    assert wrong == []
