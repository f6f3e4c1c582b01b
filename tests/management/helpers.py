"""Factories and a sign-in helper for the staff area's tests."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login.utils import _create_identifier

from app.extensions import db
from app.management import accounts
from app.models import Enrollment, Occurrence, Offering, Organisation, User
from tests.factories import (
    add_facilitator,
    make_enrollment,
    make_offering,
    make_organisation,
    make_user,
)

PASSWORD = "lang-nok-adgangskode"
_password_hash: str | None = None


def password_hash() -> str:
    """Argon2 is slow on purpose; hash the test password once per run."""
    global _password_hash
    if _password_hash is None:
        _password_hash = accounts.hash_password(PASSWORD)
    return _password_hash


def make_staff(role: str, organisation: Organisation | None, **fields) -> User:
    fields.setdefault("password_hash", password_hash())
    return make_user(role=role, organisation_id=organisation.id if organisation else None, **fields)


def sign_in_as(client, user: User) -> None:
    """Put the user in the client's session the way Flask-Login would (strong protection)."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier


@dataclass
class World:
    school: Organisation
    centre: Organisation
    admin: User
    coordinator: User
    peer: User
    volunteer_staff: User
    offering: Offering
    occurrence: Occurrence
    requested: Enrollment
    confirmed: Enrollment
    waitlisted: Enrollment
    # make_co_organised_world: the course co-organised by the volunteer centre (issue 12)
    centre_facilitator: User | None = None  # centre staff named facilitator of the course
    cover: User | None = None  # a school peer worker who does not run it (covers if sick)
    co_coordinator: User | None = None  # the co-organising centre's coordinator
    outsider: User | None = None  # staff of an organisation with no part in it
    # with_volunteer_leader: a centre volunteer leader named on the course (issue 12), and a
    # self-help group of the centre that they do not lead
    leader: User | None = None
    centre_group: Offering | None = None
    centre_group_enrollment: Enrollment | None = None

    def by_role(self, role: str) -> User:
        return getattr(self, role)


def make_world() -> World:
    """Two organisations, one user per role, and a school course the peer worker runs."""
    school = make_organisation("recovery-skolen", "Recovery-skolen")
    centre = make_organisation("frivilligcenter", "Frivilligcenteret")
    admin = make_staff("admin", None)
    coordinator = make_staff("coordinator", school)
    peer = make_staff("peer_worker", school)
    volunteer_staff = make_staff("volunteer_staff", centre)
    offering = make_offering(title="Håb og recovery", organisation=school, capacity=2)
    add_facilitator(offering, user=peer, role="peer")
    confirmed = make_enrollment(offering, status="confirmed", name="Anna Andersen")
    waitlisted = make_enrollment(offering, status="waitlisted", name="Bo Berg")
    requested = make_enrollment(offering, status="requested", name="Carl Clausen")
    db.session.commit()
    return World(
        school=school,
        centre=centre,
        admin=admin,
        coordinator=coordinator,
        peer=peer,
        volunteer_staff=volunteer_staff,
        offering=offering,
        occurrence=offering.occurrences[0],
        requested=requested,
        confirmed=confirmed,
        waitlisted=waitlisted,
    )


def make_co_organised_world() -> World:
    """make_world's school course, co-organised by the volunteer centre, with a centre staff
    member as its second facilitator, and the people around it who do not run it."""
    world = make_world()
    partner = make_organisation("laaf", "LAAF")
    world.offering.co_organisers.append(world.centre)
    world.centre_facilitator = make_staff("volunteer_staff", world.centre, name="Frida Frivillig")
    add_facilitator(world.offering, user=world.centre_facilitator, role="volunteer")
    world.cover = make_staff("peer_worker", world.school, name="Karen Kollega")
    world.co_coordinator = make_staff("coordinator", world.centre, name="Cecilie Centerleder")
    world.outsider = make_staff("volunteer_staff", partner, name="Ole Udenfor")
    # what only some may see (issue 13, §4): contact data, needs, the companion wish
    world.confirmed.phone = "+45 20 30 40 50"
    world.confirmed.needs = "Kommer i kørestol"
    world.confirmed.wants_companion = True
    db.session.commit()
    return world


def with_volunteer_leader(world: World) -> World:
    """A volunteer group leader (frivillig tovholder) of the volunteer centre, named
    facilitator of the world's course; and a self-help group the centre owns, run by its
    staff, that the leader does not lead: their organisation's, never theirs."""
    world.leader = make_staff("volunteer_leader", world.centre, name="Tove Tovholder")
    add_facilitator(world.offering, user=world.leader, role="volunteer")
    world.centre_group = make_offering(
        title="Selvhjælpsgruppe om angst", kind="group", organisation=world.centre, capacity=8
    )
    add_facilitator(world.centre_group, user=world.volunteer_staff, role="volunteer")
    world.centre_group_enrollment = make_enrollment(
        world.centre_group,
        status="confirmed",
        name="Dorte Dahl",
        email="dorte@example.org",
    )
    world.centre_group_enrollment.phone = "+45 60 70 80 90"
    db.session.commit()
    return world
