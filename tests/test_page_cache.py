"""The page cache answers repeat visits without rendering, and is never stale."""

from __future__ import annotations

import threading
import time
from unittest.mock import patch

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment, EnrollmentStatus, OutboxMessage, PersonalCalendar
from app.page_cache import PageCache, page_minute
from tests.catalogue.test_offering_page_parts import rendered_afresh
from tests.catalogue.test_query_count import count_queries
from tests.factories import make_enrollment, make_offering

# Two answers to one URL are compared: its minute must not turn between them.
pytestmark = pytest.mark.usefixtures("still_minute")


def test_repeat_visit_is_answered_whole_with_every_header(app, client):
    url = f"/offerings/{make_offering(title='Gentaget besøg', capacity=4).slug}"
    first = client.get(url)
    with count_queries(app) as statements:
        again = client.get(url)
    assert len(statements) == 1  # the change marker, nothing else
    assert again.data == first.data
    for header in ("Content-Security-Policy", "ETag", "Referrer-Policy", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.data == b""


def test_a_change_is_seen_at_once(client):
    offering = make_offering(title="Ændres", capacity=4)
    assert "4 ledige pladser" in client.get(f"/offerings/{offering.slug}").text
    make_enrollment(offering)
    assert "3 ledige pladser" in client.get(f"/offerings/{offering.slug}").text


def test_each_language_has_its_own_answer(client):
    offering = make_offering(title="Dansk titel", title_en="English title")
    url = f"/offerings/{offering.slug}"
    assert "Dansk titel" in client.get(url).text
    assert "English title" in client.get(url, headers={"Accept-Language": "en"}).text
    assert "Dansk titel" in client.get(url).text
    english = client.get(url + "?lang=en")  # sets the cookie: answered by Flask
    assert "lang=en" in english.headers["Set-Cookie"]
    assert "English title" in client.get(url).text  # the cookie now decides


def test_visitors_with_a_session_never_get_a_shared_answer(client):
    offering = make_offering(title="Personlig side")
    url = f"/offerings/{offering.slug}"
    client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Tak for din tilmelding")]
    page = client.get(url).text
    assert "Tak for din tilmelding" in page
    assert "Tak for din tilmelding" not in client.get(url).text


# --- what a change throws away (issue 17): a sign-up renders only what shows its seats --------


def _sign_up(app, offering, n: int) -> None:
    """A sign-up through the form, by another visitor (their session stays theirs)."""
    answer = app.test_client().post(
        f"/offerings/{offering.slug}/enroll",
        data={
            "name": f"Deltager {n}",
            "email": f"deltager{n}@example.com",
            "audience": "citizen",
            "consent": "y",
        },
    )
    assert answer.status_code == 302, answer.text


def test_a_sign_up_keeps_every_other_offerings_page_cached(app, client):
    wanted = make_offering(title="Det alle vil på", capacity=4)
    other = make_offering(title="Et andet forløb", capacity=4)
    other_url = f"/offerings/{other.slug}"
    other_page = client.get(other_url)
    assert "4 ledige pladser" in client.get(f"/offerings/{wanted.slug}").text

    _sign_up(app, wanted, 1)

    with count_queries(app) as statements:
        again = client.get(other_url)
    assert len(statements) == 1  # its marker only: answered whole, nothing rendered
    assert again.headers["ETag"] == other_page.headers["ETag"]
    assert "3 ledige pladser" in client.get(f"/offerings/{wanted.slug}").text
    catalogue = client.get("/").text
    assert "3 ledige pladser" in catalogue and "4 ledige pladser" in catalogue


def test_a_change_to_what_every_page_shows_renders_them_all_afresh(client):
    offering = make_offering(title="Før", capacity=4)
    page = client.get(f"/offerings/{offering.slug}")
    catalogue = client.get("/")
    offering.location.name = "Et nyt sted"
    db.session.commit()
    assert client.get(f"/offerings/{offering.slug}").headers["ETag"] != page.headers["ETag"]
    assert "Et nyt sted" in client.get(f"/offerings/{offering.slug}").text
    assert client.get("/").headers["ETag"] != catalogue.headers["ETag"]
    assert "Et nyt sted" in client.get("/").text


def test_mail_going_out_keeps_every_cached_answer(client):
    offering = make_offering(title="Post", capacity=4)
    make_enrollment(offering)
    urls = ["/", f"/offerings/{offering.slug}", "/api/v1/offerings"]
    before = {url: client.get(url).headers["ETag"] for url in urls}
    db.session.add(
        OutboxMessage(kind="confirmed", to_address="a@example.com", subject="Tak", body_text="Tak")
    )
    db.session.commit()
    assert {url: client.get(url).headers["ETag"] for url in urls} == before


def test_a_private_change_keeps_the_public_pages_and_renews_the_rest(client):
    offering = make_offering(title="Privat", capacity=4)
    catalogue = client.get("/")
    page = client.get(f"/offerings/{offering.slug}")
    api = client.get("/api/v1/offerings")
    db.session.add(PersonalCalendar(email_normalized="a@example.com", token_hash="0" * 64))
    db.session.commit()
    assert client.get("/").headers["ETag"] == catalogue.headers["ETag"]
    assert client.get(f"/offerings/{offering.slug}").headers["ETag"] == page.headers["ETag"]
    # The API (like the feeds and the prospectus) keeps the plain rule: a change is a change.
    assert client.get("/api/v1/offerings").headers["ETag"] != api.headers["ETag"]


def test_enrollments_changed_in_bulk_render_every_page_afresh(client):
    offering = make_offering(title="I bulk", capacity=4)
    make_enrollment(offering)
    other = make_offering(title="Ved siden af", capacity=4)
    other_page = client.get(f"/offerings/{other.slug}")
    assert "3 ledige pladser" in client.get(f"/offerings/{offering.slug}").text
    db.session.execute(
        sa.update(Enrollment)
        .where(Enrollment.offering_id == offering.id)
        .values(status=EnrollmentStatus.CANCELLED)
    )
    db.session.commit()
    assert "4 ledige pladser" in client.get(f"/offerings/{offering.slug}").text
    assert client.get(f"/offerings/{other.slug}").headers["ETag"] != other_page.headers["ETag"]


def test_the_catalogue_after_a_sign_up_costs_its_seat_counts_and_is_the_pagerendered_afresh(
    app, client
):
    offerings = [make_offering(title=f"Forløb {n}", capacity=3) for n in range(4)]
    make_enrollment(offerings[1])
    client.get("/")
    for person in range(2):  # two of its three seats
        make_enrollment(offerings[2], email=f"fyldt{person}@example.com")
    with count_queries(app) as statements:
        kept = client.get("/").text
    # The markers, then the seat counts of the page's offerings: no list, no rendering.
    assert len(statements) == 2, statements
    assert "1 ledig plads" in kept and "2 ledige pladser" in kept
    for cache in ("page_cache", "page_answers", "catalogue_cards"):
        app.extensions[cache].clear()
    assert client.get("/").text == kept


def test_an_answer_says_whether_it_was_kept_or_rendered(client):
    offering = make_offering(title="Sagt", capacity=4)
    url = f"/offerings/{offering.slug}"
    assert client.get(url).headers["X-Cache"] == "miss"
    assert client.get(url).headers["X-Cache"] == "hit"
    make_enrollment(offering)
    assert client.get(url).headers["X-Cache"] == "miss"


def _turn(url: str) -> int:
    """The second (1-60) after a minute's start at which the page at `url` is keyed anew."""
    start = 1_800_000_000 - 1_800_000_000 % 60
    with patch("app.page_cache.time.time", return_value=start):
        first = page_minute(url)
    for second in range(1, 61):
        with patch("app.page_cache.time.time", return_value=start + second):
            if page_minute(url) != first:
                return second
    raise AssertionError("kept for more than a minute")


def test_the_minute_turns_at_a_different_second_for_each_page():
    """Every page is rendered again within a minute, but not all of them in the same second."""
    urls = ["/", "/?kind=course", "/?free=1"] + [f"/offerings/forloeb-{n}" for n in range(40)]
    turns = [_turn(url) for url in urls]
    assert len(set(turns)) >= 25


def test_the_free_seats_page_is_kept_per_listing_and_filled_from_one_query(app, client):
    offerings = [make_offering(title=f"Ledigt {n}", capacity=2) for n in range(3)]
    url = "/?free=1"
    first = client.get(url).text
    assert all(o.title in first for o in offerings) and "3 tilbud" in first
    make_enrollment(offerings[0])  # one seat of two: still listed
    with count_queries(app) as statements:
        kept = client.get(url).text
    # The markers, then which offerings are listed with their seats: no rendering.
    assert len(statements) == 2, statements
    assert "1 ledig plads" in kept
    assert kept == rendered_afresh(app, client, url)
    last_seat = make_enrollment(offerings[0])  # full: no longer listed
    full = client.get(url).text
    assert offerings[0].title not in full and "2 tilbud" in full
    assert full == rendered_afresh(app, client, url)
    last_seat.status = EnrollmentStatus.CANCELLED  # a seat is free again: listed again
    db.session.commit()
    again = client.get(url).text
    assert offerings[0].title in again and "3 tilbud" in again
    assert again == kept


def test_a_free_seats_page_past_the_last_shows_the_last(client):
    make_offering(title="Eneste med plads", capacity=2)
    page = client.get("/?free=1&page=7")
    assert page.status_code == 200
    assert "Eneste med plads" in page.text


def test_a_part_wanted_by_many_threads_at_once_is_made_once():
    """After a change every thread of a worker asks for the same page at once: one renders,
    the others wait for it (PageCache.get_or_make)."""
    cache: PageCache[str] = PageCache(8)
    made = []
    start = threading.Barrier(8)

    def make() -> str:
        made.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive meanwhile
        return f"page {len(made)}"

    answers = []

    def ask() -> None:
        start.wait()
        answers.append(cache.get_or_make("/", make))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and answers == ["page 1"] * 8
    # A kept part that is no longer usable (a date has ended) is made again, and kept.
    assert cache.get_or_make("/", make, usable=lambda kept: kept != "page 1") == "page 2"
    assert cache.get_or_make("/", make) == "page 2" and len(made) == 2
