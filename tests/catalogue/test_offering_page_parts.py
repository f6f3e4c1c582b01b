"""An offering's page is kept without its seats and filled from one query after a sign-up
(app/catalogue/offering_page.py): what it shows must be exactly the page rendered afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import EnrollmentStatus
from tests.catalogue.test_query_count import count_queries
from tests.enrollment.test_shares import with_shares
from tests.factories import make_enrollment, make_offering, now

# Two answers to one URL are compared: its minute must not turn between them.
pytestmark = pytest.mark.usefixtures("still_minute")

_CACHES = ("page_cache", "page_answers", "catalogue_cards")


def rendered_afresh(app, client, url: str, **kwargs) -> str:
    """The page as it is rendered with nothing kept at all."""
    for cache in _CACHES:
        app.extensions[cache].clear()
    return client.get(url, **kwargs).text


def test_after_a_sign_up_the_page_costs_its_seat_counts_and_is_the_page_rendered_afresh(
    app, client
):
    offering = make_offering(title="Delvis", capacity=3)
    url = f"/offerings/{offering.slug}"
    assert "3 ledige pladser" in client.get(url).text
    for person in range(2):
        make_enrollment(offering, email=f"plads{person}@example.com")
    with count_queries(app) as statements:
        kept = client.get(url).text
    # The markers, then the offering's seat counts: no offering, dates or people, no rendering.
    assert len(statements) == 2, statements
    assert kept.count("1 ledig plads") == 2  # the line at the top and the "Join" panel
    assert "<!--offering-seats" not in kept
    assert kept == rendered_afresh(app, client, url)


def test_the_kept_page_follows_the_seats_from_open_to_full_and_back(app, client):
    offering = make_offering(title="Fyldes", capacity=1)
    url = f"/offerings/{offering.slug}"
    opened = client.get(url).text
    assert "Tilmeld dig" in opened and "ventelisten" not in opened
    seat = make_enrollment(offering)
    make_enrollment(offering, status=EnrollmentStatus.WAITLISTED)
    full = client.get(url).text
    assert "Fuldt – skriv dig på ventelisten" in full
    assert "1 person på ventelisten" in full
    assert "“Skriv dig på ventelisten”" in full  # the calendar box names the same button
    assert full == rendered_afresh(app, client, url)
    seat.status = EnrollmentStatus.CANCELLED
    db.session.commit()
    again = client.get(url).text
    assert "1 ledig plads" in again and "Fuldt" not in again
    assert again == rendered_afresh(app, client, url)


def test_seats_per_audience_follow_a_sign_up(app, client):
    offering = make_offering(capacity=10, audiences=("citizen", "relative", "staff"))
    with_shares(offering, citizen=(70, now() + timedelta(days=1), None), staff=(None, None, 3))
    url = f"/offerings/{offering.slug}"
    assert "Medarbejder: 3 ledige pladser" in client.get(url).text
    make_enrollment(offering, audience="staff")
    with count_queries(app) as statements:
        kept = client.get(url).text
    assert len(statements) == 3, statements  # the markers, the seat counts, seats per audience
    assert "Medarbejder: 2 ledige pladser" in kept and "Borger: 9 ledige pladser" in kept
    assert kept == rendered_afresh(app, client, url)


def test_each_language_fills_its_own_seat_parts(app, client):
    offering = make_offering(title="Sprog", title_en="Language", capacity=2)
    url = f"/offerings/{offering.slug}"
    english = {"headers": {"Accept-Language": "en"}}
    client.get(url)
    client.get(url, **english)
    make_enrollment(offering)
    kept_english = client.get(url, **english).text
    kept_danish = client.get(url).text
    assert "1 seat left" in kept_english and "Sign up" in kept_english
    assert "1 ledig plads" in kept_danish and "1 seat left" not in kept_danish
    assert kept_english == rendered_afresh(app, client, url, **english)
    assert kept_danish == rendered_afresh(app, client, url)


@pytest.mark.parametrize("url", ["/", "offering"])
def test_a_flash_message_shows_on_a_kept_page_and_is_kept_for_no_one_else(client, url):
    offering = make_offering(title="Besked")
    url = f"/offerings/{offering.slug}" if url == "offering" else url
    client.get(url)  # a page is kept
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Din tilmelding er aflyst")]
    assert "Din tilmelding er aflyst" in client.get(url).text
    assert "Din tilmelding er aflyst" not in client.get(url).text


def test_the_kept_page_outlasts_the_minute_until_one_of_its_dates_ends(app, client, monkeypatch):
    start = now() + timedelta(hours=1)
    offering = make_offering(kind="group", starts=[start, start + timedelta(days=7)])
    first_end = offering.occurrences[0].ends_at
    clock = [now()]
    monkeypatch.setattr("app.catalogue.routes.utcnow", lambda: clock[0])
    url = f"/offerings/{offering.slug}"
    first = client.get(url).text
    assert "Afholdt" not in first

    def a_later_minute(at):  # the answers kept for a minute are gone; the kept page is not
        clock[0] = at
        for cache in ("page_cache", "page_answers"):
            app.extensions[cache].clear()

    a_later_minute(first_end - timedelta(minutes=1))
    with count_queries(app) as statements:
        later = client.get(url).text
    assert len(statements) == 2, statements  # the markers and the seats: not rendered
    assert later == first
    a_later_minute(first_end + timedelta(minutes=1))
    ended = client.get(url).text
    assert ended.count("Afholdt") == 1  # the first date is marked as held
    assert ended == rendered_afresh(app, client, url)
