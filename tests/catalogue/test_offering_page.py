"""The offering page `/offerings/<slug>`: everything the model holds, in local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import EnrollmentStatus, Occurrence
from tests.factories import (
    add_facilitator,
    make_enrollment,
    make_location,
    make_offering,
    make_organisation,
    make_theme,
    make_user,
    now,
)


def test_offering_page_shows_what_the_model_holds(client):
    place = make_location(
        name="Recovery-skolen",
        address="Vestergade 12",
        room="Lokale 2",
        step_free=True,
        hearing_loop=True,
        accessibility_notes="Elevator ved hovedindgangen.",
    )
    partner = make_organisation("frivilligcenter", "Frivilligcenteret")
    offering = make_offering(
        title="Håb og recovery",
        description="## Indhold\n\nVi taler om *håb*.",
        location=place,
        themes=[make_theme("haab", "Håb")],
        audiences=["citizen", "relative"],
        accessibility_notes="Der er pauser hver halve time.",
        contact_email="skole@example.org",
    )
    offering.co_organisers = [partner]
    db.session.commit()
    peer = make_user(name="Mette Peer")
    add_facilitator(offering, user=peer, role="peer")
    add_facilitator(offering, guest_name="Jens Psykolog", role="professional")

    page = client.get(f"/offerings/{offering.slug}").text
    assert "<h1>Håb og recovery</h1>" in page
    # Description headings sit below the page's own "About" heading.
    assert "<h3>Indhold</h3>" in page and "<em>håb</em>" in page
    assert "Mette Peer" in page and "Peermedarbejder" in page
    assert "Jens Psykolog" in page and "Fagperson" in page
    assert "Lokale 2" in page and "Vestergade 12, 8000 Aarhus C" in page
    assert "Niveaufri adgang" in page and "Teleslynge" in page
    assert "Elevator ved hovedindgangen." in page
    assert "Der er pauser hver halve time." in page
    assert "i samarbejde med" in page and "Frivilligcenteret" in page
    assert "Borger, Pårørende" in page
    assert "skole@example.org" in page


def test_occurrences_are_shown_in_danish_time_across_the_dst_change(client):
    # 2026-10-25 is the end of summer time: 17:00 local is 15:00 UTC before, 16:00 UTC after.
    before = datetime(2026, 10, 20, 15, 0, tzinfo=UTC)
    after = datetime(2026, 10, 27, 16, 0, tzinfo=UTC)
    offering = make_offering(kind="group", starts=[before, after, now() + timedelta(days=3)])
    page = client.get(f"/offerings/{offering.slug}").text
    assert "tirsdag den 20. oktober 2026, 17.00" in page
    assert "tirsdag den 27. oktober 2026, 17.00" in page
    english = client.get(f"/offerings/{offering.slug}?lang=en").text
    # English pages keep the 24-hour clock of the place (Denmark), never "5:00 PM".
    assert "Tuesday, October 20, 2026, 17:00" in english
    assert "Tuesday, October 27, 2026, 17:00" in english
    assert " PM" not in english


def test_cancelled_occurrence_is_marked(client):
    offering = make_offering(starts=[now() + timedelta(days=2), now() + timedelta(days=9)])
    occurrence = db.session.scalars(
        db.select(Occurrence).filter_by(offering_id=offering.id).order_by(Occurrence.starts_at)
    ).first()
    occurrence.status = "cancelled"
    db.session.commit()
    page = client.get(f"/offerings/{offering.slug}").text
    assert "occurrence--cancelled" in page
    assert page.count("Aflyst") >= 1


def test_seats_and_waiting_list_are_counted(client):
    offering = make_offering(capacity=2)
    make_enrollment(offering)
    make_enrollment(offering)
    make_enrollment(offering, status=EnrollmentStatus.WAITLISTED)
    page = client.get(f"/offerings/{offering.slug}").text
    assert "Fuldt – skriv dig på ventelisten" in page
    assert "1 person på ventelisten" in page


def test_online_offering_never_shows_its_join_link_publicly(client):
    offering = make_offering(is_online=True, online_join_url="https://meet.example.org/hemmelig")
    page = client.get(f"/offerings/{offering.slug}").text
    assert "Online" in page
    assert "meet.example.org" not in page
    api = client.get(f"/api/v1/offerings/{offering.slug}").text
    assert "meet.example.org" not in api


def test_description_cannot_inject_script(client):
    offering = make_offering(
        description="<script>alert(1)</script> [klik](javascript:alert(1)) <img src=x onerror=y>"
    )
    page = client.get(f"/offerings/{offering.slug}").text
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img" not in page


def test_unknown_and_draft_slugs_are_404_in_the_visitors_language(client):
    draft = make_offering(status="draft")
    for url in (
        "/offerings/findes-ikke",
        f"/offerings/{draft.slug}",
        "/offerings/UPPER",
        "/no-such-page",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Vi kunne ikke finde siden" in response.text
    english = client.get("/offerings/findes-ikke?lang=en")
    assert english.status_code == 404
    assert "We could not find that page" in english.text


def test_signup_deadline_is_shown(client):
    offering = make_offering(signup_closes_at=now() + timedelta(days=3))
    page = client.get(f"/offerings/{offering.slug}").text
    assert "Tilmeldingen lukker" in page


def test_course_that_has_begun_is_closed_but_group_stays_open(client):
    started = [now() - timedelta(days=7), now() + timedelta(days=7)]
    course = make_offering(kind="course", starts=started)
    group = make_offering(kind="group", starts=started)
    assert "Tilmeldingen er lukket" in client.get(f"/offerings/{course.slug}").text
    assert "ledige pladser" in client.get(f"/offerings/{group.slug}").text


def test_phone_readers_get_the_seat_state_and_a_jump_to_the_sign_up_near_the_top(client):
    offering = make_offering(capacity=5, starts=[now() + timedelta(days=d) for d in range(1, 12)])
    page = client.get(f"/offerings/{offering.slug}").text
    quick = page.index('class="offering__quick"')
    assert quick < page.index('id="dates-heading"')
    assert page.index("5 ledige pladser", quick) < page.index('id="dates-heading"')
    assert 'href="#signup-heading">Sådan deltager du</a>' in page


def test_calendar_box_says_plainly_it_does_not_book_a_seat_and_comes_after_signup(client):
    offering = make_offering(title="Kalenderkursus", capacity=5)
    page = client.get(f"/offerings/{offering.slug}").text
    box = page[page.index('<section class="calendar-box"') :]
    assert "Det tilmelder dig ikke og holder ikke en plads til dig." in box
    assert page.index('id="signup-heading"') < page.index('class="calendar-box"')
    assert 'class="panel" aria-labelledby="calendar-heading"' not in page  # not styled as sign-up
    english = client.get(f"/offerings/{offering.slug}?lang=en").text
    assert "This does not sign you up and does not keep a seat for you." in english


def test_who_teaches_is_only_for_courses(client):
    headings = {}
    for kind in ("course", "group", "meeting"):
        offering = make_offering(kind=kind)
        add_facilitator(offering, guest_name="Sanne", role="peer")
        page = client.get(f"/offerings/{offering.slug}?lang=en").text
        headings[kind] = page.split('id="facilitators-heading">', 1)[1].split("<", 1)[0]
    assert headings == {
        "course": "Who teaches",
        "group": "Who runs the group",
        "meeting": "Who hosts the meeting",
    }


def test_english_page_marks_danish_only_text_with_lang_da(client):
    place = make_location(
        directions="Gå ind ad porten.", accessibility_notes="Trappe ved indgangen."
    )
    danish_only = make_offering(
        title="Kun på dansk", summary="Et resumé", description="Om os", location=place
    )
    page = client.get(f"/offerings/{danish_only.slug}?lang=en").text
    assert '<html lang="en">' in page
    assert '<h1 lang="da">Kun på dansk</h1>' in page
    assert '<p class="lead" lang="da">Et resumé</p>' in page
    assert '<div class="prose" lang="da">' in page
    assert '<p class="hint" lang="da">Gå ind ad porten.</p>' in page
    assert '<p class="hint" lang="da">Trappe ved indgangen.</p>' in page
    card = client.get("/?lang=en").text
    assert f'href="/offerings/{danish_only.slug}" lang="da">Kun på dansk' in card
    translated = make_offering(
        title="På dansk", title_en="In English", summary="Resumé", summary_en="Summary"
    )
    english = client.get(f"/offerings/{translated.slug}?lang=en").text
    assert "<h1>In English</h1>" in english
    assert '<p class="lead">Summary</p>' in english
    danish = client.get(f"/offerings/{danish_only.slug}?lang=da").text
    assert "<h1>Kun på dansk</h1>" in danish  # the whole page is Danish already
