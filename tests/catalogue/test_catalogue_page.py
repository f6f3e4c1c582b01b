"""The catalogue page `/`: what a visitor sees, and every filter."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_date

from app.i18n import LOCAL_TZ
from app.models import EnrollmentStatus
from tests.factories import make_enrollment, make_offering, make_theme, now


def test_catalogue_shows_published_offerings_with_their_facts(client):
    make_offering(title="Håb og recovery", summary="Om at finde fodfæste igen", capacity=12)
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert "Håb og recovery" in page
    assert "Om at finde fodfæste igen" in page
    assert "12 ledige pladser" in page


def test_drafts_and_past_offerings_are_not_listed(client):
    make_offering(title="Kladde om søvn", status="draft")
    make_offering(title="Et kursus der er slut", starts=[now() - timedelta(days=30)])
    make_offering(title="Det kommende kursus")
    page = client.get("/").text
    assert "Det kommende kursus" in page
    assert "Kladde om søvn" not in page
    assert "Et kursus der er slut" not in page


def test_sorted_by_next_date_and_grouped_by_month(client):
    later = now() + timedelta(days=60)
    sooner = now() + timedelta(days=2)
    make_offering(title="Senere tilbud", starts=[later])
    make_offering(title="Snarligt tilbud", starts=[sooner])
    page = client.get("/").text
    assert page.index("Snarligt tilbud") < page.index("Senere tilbud")
    assert page.count('class="month__heading"') >= 2


def test_each_card_states_its_seats(client):
    full = make_offering(title="Det fulde kursus", capacity=1)
    make_enrollment(full)
    make_offering(title="Gruppen med samtale", kind="group", enrolment_mode="request")
    make_offering(title="Den åbne café", kind="group", enrolment_mode="drop_in", capacity=None)
    make_offering(title="Det aflyste møde", kind="meeting", status="cancelled")
    page = client.get("/").text
    assert "Fuldt – skriv dig på ventelisten" in page
    assert "Spørg om at deltage" in page
    assert "Bare mød op – ingen tilmelding" in page
    assert "Aflyst" in page


def test_filter_by_kind_audience_and_theme_combine(client):
    anxiety = make_theme("angst", "Angst", "Anxiety")
    make_offering(title="Angstkursus for borgere", kind="course", themes=[anxiety])
    make_offering(
        title="Angstgruppe for pårørende", kind="group", themes=[anxiety], audiences=["relative"]
    )
    make_offering(title="Søvnkursus", kind="course")

    page = client.get("/?kind=course").text
    assert "Angstkursus for borgere" in page and "Søvnkursus" in page
    assert "Angstgruppe for pårørende" not in page

    page = client.get("/?theme=angst").text
    assert "Angstkursus for borgere" in page and "Angstgruppe for pårørende" in page
    assert "Søvnkursus" not in page

    page = client.get("/?theme=angst&audience=relative").text
    assert "Angstgruppe for pårørende" in page
    assert "Angstkursus for borgere" not in page
    assert "1 tilbud" in page


def test_free_text_search_finds_words_in_any_language_and_case(client):
    make_offering(title="Mindfulness i hverdagen", title_en="Everyday mindfulness")
    make_offering(title="Ældre og ensomhed", description="Vi taler om **ÆLDRE** mennesker.")
    make_offering(title="Noget helt andet")
    page = client.get("/?q=EVERYDAY").text
    assert "Mindfulness i hverdagen" in page and "Noget helt andet" not in page
    page = client.get("/?q=ældre").text
    assert "Ældre og ensomhed" in page and "Noget helt andet" not in page


def test_search_treats_wildcards_as_plain_text(client):
    make_offering(title="Hundrede procent")
    page = client.get("/?q=%25").text
    assert "Hundrede procent" not in page
    assert "Intet passer" in page


def test_date_range_keeps_offerings_meeting_in_it(client):
    in_range = now() + timedelta(days=20)
    make_offering(title="Tidligt tilbud", starts=[now() + timedelta(days=3)])
    make_offering(title="Tilbud i perioden", starts=[in_range])
    day = in_range.astimezone(LOCAL_TZ).date().isoformat()  # the filter speaks Danish dates
    page = client.get(f"/?from={day}&to={day}").text
    assert "Tilbud i perioden" in page
    assert "Tidligt tilbud" not in page


def test_free_filter_hides_full_and_cancelled(client):
    full = make_offering(title="Fuldt hold", capacity=1)
    make_enrollment(full)
    make_enrollment(full, status=EnrollmentStatus.WAITLISTED)
    make_offering(title="Hold med plads", capacity=5)
    make_offering(title="Aflyst hold", status="cancelled")
    page = client.get("/?free=1").text
    assert "Hold med plads" in page
    assert "Fuldt hold" not in page
    assert "Aflyst hold" not in page


def test_filters_are_kept_in_the_form(client):
    make_theme("stress", "Stress")
    page = client.get("/?kind=group&q=kaffe&free=1&theme=stress").text
    assert '<option value="group" selected>' in page
    assert 'value="kaffe"' in page
    assert 'id="free" name="free" value="1" checked' in page
    assert '<option value="stress" selected>' in page


def test_empty_result_explains_and_offers_a_way_back(client):
    make_offering(title="Et kursus")
    page = client.get("/?q=findesikke").text
    assert "0 tilbud" in page
    assert "Intet passer til dine valg lige nu." in page
    assert 'href="/"' in page


def test_bad_filter_values_are_ignored_or_explained_never_a_500(client):
    make_offering(title="Et kursus")
    for query in (
        "kind=spaceship",
        "audience=aliens",
        "page=-3",
        "page=abc",
        "free=maybe",
        "q=" + "x" * 5000,
        "theme=%00",
        "q=%00%ff",
    ):
        response = client.get(f"/?{query}")
        assert response.status_code == 200, query
        assert "Et kursus" in response.text or "0 tilbud" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=igår", "Skriv datoen som ÅÅÅÅ-MM-DD."),
        ("to=2026-13-45", "Skriv datoen som ÅÅÅÅ-MM-DD."),
        ("from=0001-01-01", "Vælg en dato mellem 1900-01-01 og 2200-12-31."),
        ("to=9999-12-31", "Vælg en dato mellem 1900-01-01 og 2200-12-31."),
        ("from=2026-01-10&to=2026-01-01", "Slutdatoen ligger før startdatoen."),
    ],
)
def test_a_date_we_cannot_use_is_a_400_page_that_says_why(client, query, message):
    make_offering(title="Et kursus")
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Et kursus" in response.text  # the rest of the filters still work


def test_catalogue_is_paged_with_a_stable_count(client):
    for n in range(35):
        make_offering(
            title=f"Tilbud nr. {n:02d}", starts=[now() + timedelta(days=1, hours=n)], commit=False
        )
    make_offering(title="Sidste tilbud", starts=[now() + timedelta(days=9)])
    first = client.get("/").text
    assert "36 tilbud" in first
    assert "Tilbud nr. 00" in first and "Sidste tilbud" not in first
    second = client.get("/?page=2").text
    assert "Sidste tilbud" in second
    assert "Side 2 af 2" in second


def test_a_new_signup_shows_at_once_despite_the_page_cache(client):
    offering = make_offering(title="Kursus med cache", capacity=3)
    assert "3 ledige pladser" in client.get("/").text
    make_enrollment(offering)
    assert "2 ledige pladser" in client.get("/").text


def test_browsers_get_304_while_nothing_changed(client):
    offering = make_offering(title="Kursus med etag", capacity=3)
    first = client.get("/")
    etag = first.headers["ETag"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_enrollment(offering)
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_cancelled_offering_is_not_counted_and_is_listed_apart_without_a_next_date(client):
    from app.extensions import db
    from app.models import OccurrenceStatus

    soon = now() + timedelta(days=40)
    cancelled = make_offering(title="Aflyst forløb", status="cancelled", starts=[soon])
    for occurrence in cancelled.occurrences:
        occurrence.status = OccurrenceStatus.CANCELLED
    all_dates_off = make_offering(title="Alle datoer aflyst", starts=[soon])
    all_dates_off.occurrences[0].status = OccurrenceStatus.CANCELLED
    db.session.commit()
    make_offering(title="Tidligere forløb", starts=[soon - timedelta(days=1)])
    make_offering(title="Senere forløb", starts=[soon + timedelta(days=1)])
    page = client.get("/").text
    assert "2 tilbud" in page
    cards = page[page.index('class="cards"') : page.index('id="cancelled-heading"')]
    assert "Aflyst forløb" not in cards and "Alle datoer aflyst" not in cards
    apart = page[page.index('id="cancelled-heading"') :]
    assert "Aflyst forløb" in apart and "Alle datoer aflyst" in apart
    assert "Næste gang" not in apart
    assert "<del>" in apart  # the date it had, struck through
    # The catalogue feed still carries them, so calendars learn of the cancellation.
    feed = client.get("/calendar.ics").text
    assert "Aflyst forløb" in feed and "STATUS:CANCELLED" in feed


def test_date_range_groups_and_labels_each_result_by_its_first_date_in_the_range(client):
    early = now() + timedelta(days=10)
    inside = now() + timedelta(days=75)
    make_offering(title="Langt forløb", starts=[early, inside, inside + timedelta(days=7)])
    day = inside.astimezone(LOCAL_TZ).date()
    page = client.get(f"/?from={day.isoformat()}&to={(day + timedelta(days=3)).isoformat()}").text
    month_of = {early: early.astimezone(LOCAL_TZ), inside: inside.astimezone(LOCAL_TZ)}
    inside_month = format_date(month_of[inside].date(), "MMMM y", locale="da").capitalize()
    early_month = format_date(month_of[early].date(), "MMMM y", locale="da").capitalize()
    inside_day = format_date(month_of[inside].date(), "full", locale="da")
    headings = re.findall(r'class="month__heading"[^>]*>([^<]+)<', page)
    assert headings == [inside_month] and early_month not in headings
    assert "Første dato i din periode" in page and "Næste gang" not in page
    assert inside_day in page
    # Without a range the card says when it next meets.
    plain = client.get("/").text
    assert (
        "Næste gang" in plain
        and re.findall(r'class="month__heading"[^>]*>([^<]+)<', plain)[0] == early_month
    )


def test_free_seats_filter_leaves_out_offerings_whose_signup_is_closed(client):
    yesterday = now() - timedelta(days=1)
    make_offering(title="Kursus i gang", starts=[yesterday, now() + timedelta(days=6)])
    make_offering(
        title="Fristen er gået",
        starts=[now() + timedelta(days=6)],
        signup_closes_at=now() - timedelta(hours=1),
    )
    make_offering(
        title="Gruppe i gang", kind="group", starts=[yesterday, now() + timedelta(days=6)]
    )
    make_offering(title="Kursus med plads")
    listed = client.get("/").text
    assert "Kursus i gang" in listed and "Fristen er gået" in listed
    assert "Tilmeldingen er lukket" in listed
    free = client.get("/?free=1").text
    assert "Kursus med plads" in free
    assert "Gruppe i gang" in free  # groups take newcomers until their last date
    assert "Kursus i gang" not in free
    assert "Fristen er gået" not in free
    assert "2 tilbud" in free


def test_signup_opens_soon_says_the_date_it_opens(client):
    day = (now() + timedelta(days=20)).astimezone(LOCAL_TZ).date()
    opens = datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ)
    offering = make_offering(
        title="Åbner senere", starts=[opens + timedelta(days=30)], signup_opens_at=opens
    )
    danish_day = format_date(day, "long", locale="da")
    english_day = format_date(day, "long", locale="en")
    for url in ("/", f"/offerings/{offering.slug}"):
        page = client.get(url).text
        assert f"Tilmeldingen åbner {danish_day}, 10.00" in page, url
    assert f"Sign-up opens {english_day}, 10:00" in client.get("/?lang=en").text


def test_whole_card_is_one_link_and_the_seat_state_is_a_label(client):
    offering = make_offering(title="Et helt kort", capacity=4)
    page = client.get("/").text
    card = page[page.index('<article class="card') : page.index("</article>")]
    assert card.count("<a ") == 1
    assert f'class="card__link" href="/offerings/{offering.slug}"' in card
    assert '<p class="state state--open">4 ledige pladser</p>' in card
    assert "button" not in card
