"""Interest mode, step by step: suggestion → group → interest list → first talks → start.

Through the real views and the outbox, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import jsonschema
import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from app.extensions import db
from app.i18n import local
from app.models import Enrollment, Offering
from app.suggestions.models import GroupSuggestion, SuggestionSupporter
from tests.enrollment.helpers import form_data, outbox, statuses
from tests.factories import add_facilitator, make_enrollment, make_offering, now
from tests.management.helpers import make_world, sign_in_as


@pytest.fixture
def world(app):
    return make_world()


@pytest.fixture
def staff(app, world):
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in_as(client, world.coordinator)
    return client


@pytest.fixture
def client(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def interest_group(world, *, capacity=4, min_participants=3, **fields) -> Offering:
    offering = make_offering(
        title="Søvn og uro",
        kind="group",
        enrolment_mode="interest",
        min_participants=min_participants,
        capacity=capacity,
        organisation=world.school,
        audiences=("citizen", "relative"),
        starts=[],
        **fields,
    )
    add_facilitator(offering, user=world.peer)
    return offering


def on_list(offering, n: int, talk: str = "to_do") -> Enrollment:
    enrollment = make_enrollment(offering, status="interested", email=f"p{n}@example.com")
    enrollment.first_talk = talk
    db.session.commit()
    return enrollment


def _fresh_rows(offering):
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.offering_id == offering.id)
            .order_by(Enrollment.queued_at, Enrollment.id)
        )
    )


# --- what the public sees -------------------------------------------------------------------


def test_a_group_without_dates_gathers_interest_in_the_catalogue_and_on_its_page(client, world):
    offering = interest_group(world)
    on_list(offering, 1, "held")
    on_list(offering, 2)
    catalogue = client.get("/").get_data(as_text=True)
    assert "Søvn og uro" in catalogue
    assert "Groups that start when enough are ready" in catalogue
    assert "Starts when enough are ready — 1 of 3" in catalogue
    page = client.get(f"/offerings/{offering.slug}").get_data(as_text=True)
    assert "Starts when enough are ready — 1 of 3" in page
    assert "The dates are set when the group starts." in page
    assert f'href="/offerings/{offering.slug}/enroll">Register interest' in page
    danish = client.get(f"/offerings/{offering.slug}?lang=da").get_data(as_text=True)
    assert "Starter, når nok er klar — 1 af 3" in danish


def test_the_api_carries_interest_mode_as_its_openapi_document_says(client, world):
    offering = interest_group(world)
    on_list(offering, 1, "held")
    on_list(offering, 2)
    plain = make_offering(title="Almindeligt kursus")
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)

    def check(name, body):
        schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
        jsonschema.Draft202012Validator(schema).validate(body)

    body = client.get(f"/api/v1/offerings/{offering.slug}").get_json()
    check("Offering", body)
    assert body["enrolment_mode"] == "interest"
    assert body["signup_state"] == "interest"
    assert (body["interest_count"], body["ready_count"], body["min_participants"]) == (2, 1, 3)
    assert body["occurrences"] == [] and body["next_start"] is None
    listed = client.get("/api/v1/offerings").get_json()
    check("OfferingList", listed)
    by_slug = {o["slug"]: o for o in listed["offerings"]}
    assert by_slug[offering.slug]["interest_count"] == 2
    assert by_slug[plain.slug]["min_participants"] is None
    assert by_slug[plain.slug]["interest_count"] == 0


def test_registering_interest_uses_the_short_form_and_puts_one_on_the_list(app, client, world):
    offering = interest_group(world)
    form = client.get(f"/offerings/{offering.slug}/enroll").get_data(as_text=True)
    assert "You are put on the interest list." in form
    # the button says what it does: no seat is taken, a name goes on the list
    assert re.search(r'<button type="submit"[^>]*>Register interest</button>', form)
    another_visitor = app.test_client()
    danish = another_visitor.get(f"/offerings/{offering.slug}/enroll?lang=da").text
    assert re.search(r'<button type="submit"[^>]*>Skriv dig på interesselisten</button>', danish)
    assert "Tilmeld mig" not in danish
    response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    assert response.status_code == 302
    thanks = client.get(response.location).text
    assert "Thank you for registering your interest in Søvn og uro." in thanks
    assert "signing up" not in thanks
    [row] = _fresh_rows(offering)
    assert (row.status, row.first_talk, row.first_talk_on) == ("interested", "to_do", None)
    [mail] = outbox("interest_registered")
    assert mail.subject == "You are on the interest list: Søvn og uro"  # the page's language
    assert mail.ics is None
    manage = re.search(r"/enrollments/[A-Za-z0-9_-]+", mail.body_text).group(0)
    leaving = client.get(manage + "/cancel").text
    assert "You leave the interest list. You can register your interest again later." in leaving
    assert "seat" not in leaving.split("<main", 1)[1].split("</main>", 1)[0].lower()


# --- the staff side --------------------------------------------------------------------------


def test_staff_see_the_list_in_order_and_record_first_talks(staff, client, world):
    offering = interest_group(world)
    people = [on_list(offering, n) for n in range(3)]
    page = staff.get(f"/manage/offerings/{offering.id}/interest").get_data(as_text=True)
    assert page.index("p0@example.com") < page.index("p1@example.com") < page.index("p2@")
    assert "Ready for the start: 0 of 3 have had their first talk." in page
    assert "Write nothing about a person’s health here." in page
    url = f"/manage/enrollments/{people[0].id}/talk"
    prefix = f"p{people[0].id}-"
    # Held, but no date: refused with a clear message.
    response = staff.post(url, data={f"{prefix}talk": "held"}, follow_redirects=True)
    assert "Choose the date of the talk." in response.get_data(as_text=True)
    assert _fresh_rows(offering)[0].first_talk == "to_do"
    staff.post(url, data={f"{prefix}talk": "held", f"{prefix}on": "2026-11-30"})
    p1 = f"p{people[1].id}-"
    staff.post(
        f"/manage/enrollments/{people[1].id}/talk",
        data={f"{p1}talk": "not_now", f"{p1}on": "2026-11-29"},
    )
    p2 = f"p{people[2].id}-"
    staff.post(
        f"/manage/enrollments/{people[2].id}/talk",
        data={f"{p2}talk": "withdrew", f"{p2}on": "2026-11-28"},
    )
    rows = {r.email: r for r in _fresh_rows(offering)}
    assert (rows["p0@example.com"].first_talk, rows["p0@example.com"].first_talk_on) == (
        "held",
        date(2026, 11, 30),
    )
    assert rows["p1@example.com"].first_talk == "not_now"
    assert rows["p1@example.com"].status == "interested"
    assert rows["p2@example.com"].status == "cancelled"  # withdrew: off the list
    page = client.get(f"/offerings/{offering.slug}").get_data(as_text=True)
    assert "Starts when enough are ready — 1 of 3" in page


def test_staff_write_to_everyone_on_the_interest_list(staff, world):
    offering = interest_group(world)
    on_list(offering, 1)
    on_list(offering, 2, "held")
    make_enrollment(world.offering, email="other@example.com")
    response = staff.post(
        f"/manage/offerings/{offering.id}/email",
        data={"audience": "interested", "subject": "Første møde", "body": "Vi ringer snart."},
    )
    assert response.status_code == 302
    assert sorted(m.to_address for m in outbox("staff_message")) == [
        "p1@example.com",
        "p2@example.com",
    ]


def test_the_group_starts_only_when_enough_are_ready(staff, world):
    offering = interest_group(world)
    on_list(offering, 1, "held")
    on_list(offering, 2, "held")
    first = (local(now()) + timedelta(days=10)).date()
    data = {"first_date": first.isoformat(), "start": "17:00", "end": "19:00", "repeat": "1"}
    response = staff.post(
        f"/manage/offerings/{offering.id}/interest/start",
        data={**data, "count": "4"},
        follow_redirects=True,
    )
    assert "2 of 3 have had their first talk." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).started_at is None
    assert outbox("group_started") == []


def test_starting_confirms_the_ready_mails_the_calendar_and_keeps_the_rest_on_the_list(
    staff, client, world
):
    offering = interest_group(world, capacity=4)
    for n, talk in enumerate(["held", "to_do", "held", "held", "not_now"]):
        on_list(offering, n, talk)
    first = (local(now()) + timedelta(days=10)).date()
    response = staff.post(
        f"/manage/offerings/{offering.id}/interest/start",
        data={
            "first_date": first.isoformat(),
            "start": "17:00",
            "end": "19:00",
            "repeat": "1",
            "count": "4",
        },
        follow_redirects=True,
    )
    assert "3 people have a seat and the dates by mail." in response.get_data(as_text=True)
    db.session.expire_all()
    started = db.session.get(Offering, offering.id)
    assert started.started_at is not None
    assert len(started.occurrences) == 4
    assert all(local(o.starts_at).hour == 17 for o in started.occurrences)
    assert statuses(offering) == {
        "p0@example.com": "confirmed",
        "p1@example.com": "interested",  # talk still to do: stays on the list
        "p2@example.com": "confirmed",
        "p3@example.com": "confirmed",
        "p4@example.com": "interested",
    }
    mails = outbox("group_started")
    assert sorted(m.to_address for m in mails) == [f"p{n}@example.com" for n in (0, 2, 3)]
    assert all(m.ics_method == "REQUEST" and "BEGIN:VEVENT" in m.ics for m in mails)
    assert mails[0].subject == "Gruppen starter: Søvn og uro"
    # One seat is left: after their talk, the next person gets it from the list.
    p1 = next(e for e in _fresh_rows(offering) if e.email == "p1@example.com")
    staff.post(
        f"/manage/enrollments/{p1.id}/talk",
        data={f"p{p1.id}-talk": "held", f"p{p1.id}-on": date.today().isoformat()},
    )
    staff.post(f"/manage/enrollments/{p1.id}/seat")
    assert statuses(offering)["p1@example.com"] == "confirmed"
    # The page now shows the dates, and anyone new still registers interest first.
    page = client.get(f"/offerings/{offering.slug}").get_data(as_text=True)
    assert "Starts when enough are ready" not in page
    assert "Register interest" in page


def test_a_full_start_puts_the_rest_on_its_waiting_list(staff, world):
    offering = interest_group(world, capacity=3, min_participants=3)
    for n, talk in enumerate(["held", "held", "held", "held", "to_do", "not_now"]):
        on_list(offering, n, talk)
    first = (local(now()) + timedelta(days=10)).date()
    response = staff.post(
        f"/manage/offerings/{offering.id}/interest/start",
        data={"first_date": first.isoformat(), "start": "10:00", "end": "11:30", "repeat": "0"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "3 people have a seat" in text and "2 people are on the waiting list." in text
    assert statuses(offering) == {
        "p0@example.com": "confirmed",
        "p1@example.com": "confirmed",
        "p2@example.com": "confirmed",
        "p3@example.com": "waitlisted",
        "p4@example.com": "waitlisted",
        "p5@example.com": "interested",  # not a fit now: stays on the interest list
    }
    db.session.expire_all()
    assert len(db.session.get(Offering, offering.id).occurrences) == 1
    assert len(outbox("waitlisted")) == 2
    # A second start is refused.
    again = staff.post(
        f"/manage/offerings/{offering.id}/interest/start",
        data={"first_date": first.isoformat(), "start": "10:00", "end": "11:30", "repeat": "0"},
        follow_redirects=True,
    )
    assert "already started" in again.get_data(as_text=True)


def test_the_start_form_says_what_is_wrong_in_the_users_language(staff, world):
    offering = interest_group(world, min_participants=1)
    on_list(offering, 1, "held")
    url = f"/manage/offerings/{offering.id}/interest/start"
    response = staff.post(url, data={"first_date": "", "start": "19:00", "end": "17:00"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Choose the first date." in text and "The end must be after the start." in text
    staff.set_cookie("lang", "da")
    danish = staff.post(url, data={"first_date": "", "start": "19:00", "end": "17:00"})
    assert danish.status_code == 400
    assert "Sluttidspunktet skal ligge efter starttidspunktet." in danish.get_data(as_text=True)


def test_an_interest_group_is_published_without_dates_and_needs_a_threshold(staff, world):
    response = staff.post(
        "/manage/offerings/new",
        data={
            "title": "Ny gruppe",
            "kind": "group",
            "organisation_id": str(world.school.id),
            "summary": "Om noget",
            "audiences": ["citizen"],
            "capacity": "8",
            "enrolment_mode": "interest",
            "teaching_language": "da",
            "location_choice": "",
        },
    )
    assert response.status_code == 400
    assert "Write how many must be ready before the group starts." in response.get_data(
        as_text=True
    )
    offering = interest_group(world, status="draft")
    publish = staff.post(f"/manage/offerings/{offering.id}/publish", follow_redirects=True)
    assert "is published" in publish.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).status == "published"


# --- §1's last step: a suggestion becomes a group -------------------------------------------


def test_a_suggestion_becomes_an_interest_group_and_everyone_with_an_address_is_invited(
    app, world, client
):
    suggestion = GroupSuggestion(topic="Søvnløse nætter", reason="Vi er mange, der ikke sover.")
    suggestion.supporters = [
        SuggestionSupporter(is_author=True, email="forfatter@example.com", language="da"),
        SuggestionSupporter(is_author=False, email="enig@example.com", language="en"),
        SuggestionSupporter(is_author=False, email=None, language="da"),
    ]
    db.session.add(suggestion)
    db.session.commit()
    centre = app.test_client()
    centre.set_cookie("lang", "en")
    sign_in_as(centre, world.volunteer_staff)
    listed = centre.get("/manage/suggestions").get_data(as_text=True)
    assert f"/manage/suggestions/{suggestion.id}/group" in listed
    form = centre.get(f"/manage/suggestions/{suggestion.id}/group").get_data(as_text=True)
    assert "2 people left an address" in form
    response = centre.post(
        f"/manage/suggestions/{suggestion.id}/group",
        data={
            "title": "Søvnløse nætter",
            "summary": "En gruppe om søvn.",
            "organisation_id": str(world.centre.id),
            "min_participants": "6",
            "capacity": "8",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    suggestion = db.session.get(GroupSuggestion, suggestion.id)
    assert suggestion.status == "became_group"
    offering = db.session.get(Offering, suggestion.offering_id)
    assert (offering.enrolment_mode, offering.status, offering.min_participants) == (
        "interest",
        "published",
        6,
    )
    assert offering.organisation_id == world.centre.id
    invitations = outbox("interest_invitation")
    assert sorted(m.to_address for m in invitations) == [
        "enig@example.com",
        "forfatter@example.com",
    ]
    english = next(m for m in invitations if m.to_address == "enig@example.com")
    assert english.subject == "A group you asked for is forming: Søvnløse nætter"
    assert f"/offerings/{offering.slug}/enroll" in english.body_text
    assert all(s.email is None for s in suggestion.supporters)  # used once, as promised
    # The invited person registers interest from the link.
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data("enig", email="enig@example.com")
    )
    assert response.status_code == 302
    assert statuses(offering) == {"enig@example.com": "interested"}


def test_a_suggestion_can_become_a_group_only_once_and_bad_input_is_explained(app, world):
    suggestion = GroupSuggestion(topic="Tema", reason="Fordi", status="declined")
    db.session.add(suggestion)
    db.session.commit()
    centre = app.test_client()
    centre.set_cookie("lang", "en")
    sign_in_as(centre, world.volunteer_staff)
    response = centre.get(f"/manage/suggestions/{suggestion.id}/group", follow_redirects=True)
    assert "That suggestion is no longer open." in response.get_data(as_text=True)
    open_one = GroupSuggestion(topic="Tema to", reason="Fordi", status="approved")
    db.session.add(open_one)
    db.session.commit()
    bad = centre.post(
        f"/manage/suggestions/{open_one.id}/group",
        data={
            "title": "",
            "summary": "x",
            "organisation_id": str(world.centre.id),
            "min_participants": "8",
            "capacity": "6",
        },
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Write a title." in text
    assert "There must be at least as many seats as people to start." in text


def test_a_new_audience_row_keeps_working_with_interest_groups(app, world):
    """Audience shares and interest mode together: the start respects the shares."""
    offering = interest_group(world, capacity=2, min_participants=2)
    for row in offering.audience_rows:
        if row.audience == "relative":
            row.max_seats = 1
    db.session.commit()
    a = make_enrollment(offering, status="interested", email="r1@example.com", audience="relative")
    b = make_enrollment(offering, status="interested", email="r2@example.com", audience="relative")
    c = make_enrollment(offering, status="interested", email="c1@example.com", audience="citizen")
    for e in (a, b, c):
        e.first_talk = "held"
    db.session.commit()
    from app.interest.services import start_group
    from app.transaction import write_transaction

    start = now() + timedelta(days=5)
    with app.app_context(), write_transaction():
        start_group(offering.id, [(start, start + timedelta(hours=1))], now=now(), by_user_id=None)
    assert statuses(offering) == {
        "r1@example.com": "confirmed",
        "r2@example.com": "waitlisted",  # at most one relative; the group is then full
        "c1@example.com": "confirmed",
    }


def test_the_start_form_takes_danish_times_and_refuses_a_first_date_in_the_past(staff, world):
    """Issue 12's walk-through: 10.00 is a time, and a group cannot start in 2020."""
    offering = interest_group(world, min_participants=1)
    on_list(offering, 1, "held")
    url = f"/manage/offerings/{offering.id}/interest/start"
    staff.set_cookie("lang", "da")
    past = staff.post(
        url, data={"first_date": "06-01-2020", "start": "10.00", "end": "11.30", "repeat": "0"}
    )
    assert past.status_code == 400
    assert "6. januar 2020 er forbi. Vælg i dag eller en senere dato." in past.text
    assert 'value="10:00"' in past.text and 'value="11:30"' in past.text
    first = (local(now()) + timedelta(days=10)).date()
    started = staff.post(
        url,
        data={
            "first_date": first.strftime("%d-%m-%Y"),
            "start": "10.00",
            "end": "1130",
            "repeat": "0",
        },
    )
    assert started.status_code == 302, started.text
    db.session.expire_all()
    [occurrence] = db.session.get(Offering, offering.id).occurrences
    assert local(occurrence.starts_at).strftime("%H:%M") == "10:00"
    assert local(occurrence.ends_at).strftime("%H:%M") == "11:30"
