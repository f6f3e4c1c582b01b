"""One count of seats: every page, the API, the staff area and the sign-up service agree."""

from __future__ import annotations

import ast
from datetime import timedelta

from app.catalogue.queries import CatalogueFilters, catalogue_page
from app.enrollment import services
from app.enrollment.availability import SeatState
from app.enrollment.seats import has_free_seat, offering_seats, seat_counts, seats_taken
from app.models import EnrollmentStatus
from tests.conftest import ROOT
from tests.factories import make_enrollment, make_offering, now
from tests.management.helpers import make_staff, sign_in_as


def _person(email: str) -> services.PersonDetails:
    return services.PersonDetails(name="Ny Person", email=email)


def test_an_offer_holds_its_seat_on_every_page_the_api_the_staff_area_and_the_service(client, ctx):
    offering = make_offering(title="To pladser", capacity=2)
    make_enrollment(offering, status=EnrollmentStatus.CONFIRMED)
    make_enrollment(offering, status=EnrollmentStatus.OFFERED)
    make_enrollment(offering, status=EnrollmentStatus.WAITLISTED)
    make_enrollment(offering, status=EnrollmentStatus.REQUESTED)  # holds no seat
    make_enrollment(offering, status=EnrollmentStatus.CANCELLED)

    one = offering_seats(offering, now())
    assert (one.facts.seats_taken, one.facts.waitlist_count) == (2, 1)
    assert one.availability.state == SeatState.FULL and one.availability.seats_left == 0
    (entry,) = [e for e in catalogue_page(CatalogueFilters(), now()).entries]
    assert entry.facts == one.facts and entry.availability == one.availability
    counts = seat_counts([offering.id])[offering.id]
    assert (counts.taken, counts.waitlisted, counts.requested) == (2, 1, 1)
    assert seats_taken(offering.id) == 2 and not has_free_seat(offering)

    assert "Full – join the waiting list" in client.get("/").text
    assert "Full – join the waiting list" in client.get(f"/offerings/{offering.slug}").text
    item = client.get(f"/api/v1/offerings/{offering.slug}").get_json()
    assert (item["signup_state"], item["seats_left"], item["waitlist"]) == ("full", 0, 1)
    sign_in_as(client, make_staff("admin", None))
    assert "2 of 2 seats taken, 1 waiting" in client.get("/manage/offerings").text

    enrollment, _token = services.enroll(offering.id, _person("ny@example.com"), now=now())
    assert enrollment.status == EnrollmentStatus.WAITLISTED


def test_a_free_seat_reads_the_same_everywhere_and_the_service_gives_it(client, ctx):
    offering = make_offering(capacity=3)
    make_enrollment(offering)
    assert offering_seats(offering, now()).availability.seats_left == 2
    assert "2 seats left" in client.get(f"/offerings/{offering.slug}").text
    assert client.get(f"/api/v1/offerings/{offering.slug}").get_json()["seats_left"] == 2
    enrollment, _token = services.enroll(offering.id, _person("ny@example.com"), now=now())
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert seat_counts([offering.id])[offering.id].taken == 2


def test_the_free_seats_filter_lists_exactly_what_availability_calls_open(client):
    """The filter is SQL, availability is Python: both live in seats/availability, and agree."""
    soon = [now() + timedelta(days=3)]
    offerings = {
        "open": make_offering(capacity=2, starts=soon),
        "no_limit": make_offering(capacity=None, starts=soon),
        "drop_in": make_offering(enrolment_mode="drop_in", capacity=None, starts=soon),
        "full": make_offering(capacity=1, starts=soon),
        "offered_away": make_offering(capacity=1, starts=soon),
        "deadline_passed": make_offering(
            capacity=5, starts=soon, signup_closes_at=now() - timedelta(hours=1)
        ),
        "course_begun": make_offering(
            capacity=5, starts=[now() - timedelta(days=7), now() + timedelta(days=7)]
        ),
        "group_running": make_offering(
            kind="group", capacity=5, starts=[now() - timedelta(days=7), now() + timedelta(days=7)]
        ),
    }
    make_enrollment(offerings["full"])
    make_enrollment(offerings["offered_away"], status=EnrollmentStatus.OFFERED)

    everything = catalogue_page(CatalogueFilters(), now()).entries
    by_availability = {
        e.offering.slug
        for e in everything
        if e.availability.state in (SeatState.OPEN, SeatState.JUST_COME)
    }
    free = {e.offering.slug for e in catalogue_page(CatalogueFilters(free=True), now()).entries}
    assert free == by_availability
    assert free == {offerings[k].slug for k in ("open", "no_limit", "drop_in", "group_running")}


def test_enrollment_never_imports_the_catalogue():
    """Seats live beside the sign-up rules: the catalogue asks enrollment, never the reverse."""
    for path in (ROOT / "app" / "enrollment").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n.startswith("app.catalogue") for n in names), path.name
