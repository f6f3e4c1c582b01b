"""Seats and mail for any address (issue 11, finding 2): one address cannot fill an offering,
names are short plain names (never in a subject), and an optional setting holds a seat only
until the address is confirmed from the mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db, limiter
from app.models import Enrollment
from tests.enrollment.helpers import form_data, outbox, person, statuses
from tests.factories import make_offering, now


@pytest.fixture
def limited_app(app):
    from app import create_app

    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SIGNUP_PER_OFFERING_LIMIT": "3/hour"}
    )
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False


def _post(client, offering, n, ip):
    return client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(n),
        environ_base={"REMOTE_ADDR": ip},
    ).status_code


def test_one_ip_address_cannot_take_every_seat_of_an_offering(limited_app):
    offering = make_offering(capacity=20)
    other = make_offering(capacity=20)
    client = limited_app.test_client()
    assert [_post(client, offering, n, "203.0.113.9") for n in range(4)] == [302, 302, 302, 429]
    assert _post(client, other, 10, "203.0.113.9") == 302  # another offering: its own count
    assert _post(client, offering, 11, "198.51.100.4") == 302  # another visitor
    assert len(statuses(offering)) == 4


def test_a_form_sent_back_for_a_correction_does_not_use_up_a_sign_up(limited_app):
    offering = make_offering(capacity=20)
    client = limited_app.test_client()
    url = f"/offerings/{offering.slug}/enroll"
    for wrong in ({"email": "anna@"}, {"consent": ""}, {"name": ""}, {"email": "x"}):
        sent_back = client.post(
            url, data=form_data(1, **wrong), environ_base={"REMOTE_ADDR": "203.0.113.8"}
        )
        assert sent_back.status_code == 400  # the form again, with what to correct
    assert _post(client, offering, 1, "203.0.113.8") == 302  # the fifth try, now right
    assert _post(client, offering, 2, "203.0.113.8") == 302
    assert _post(client, offering, 3, "203.0.113.8") == 302
    assert _post(client, offering, 4, "203.0.113.8") == 429  # three sign-ups taken: the limit


def test_the_wait_page_says_how_long_the_limit_that_was_reached_lasts(limited_app):
    offering = make_offering(capacity=20)
    client = limited_app.test_client()
    client.set_cookie("lang", "da")
    for n in range(3):  # three sign-ups an hour for one offering from one address
        assert _post(client, offering, n, "203.0.113.7") == 302
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(3),
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 60 < wait <= 3600  # the hourly limit, not "a few minutes"
    minutes = -(-wait // 60)
    assert f"Du kan prøve igen om {minutes} minutter." in response.text
    assert "Hvis du allerede er tilmeldt, ligger dit link i din mail." in response.text


def test_with_two_limits_reached_the_wait_page_names_the_longer(app):
    from app import create_app

    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "SIGNUP_RATE_LIMIT": "4/minute",
            "SIGNUP_PER_OFFERING_LIMIT": "3/hour",
        }
    )
    limiter.reset()
    try:
        offering = make_offering(capacity=20)
        client = limited.test_client()
        client.set_cookie("lang", "en")
        statuses_seen = [_post(client, offering, n, "203.0.113.6") for n in range(5)]
        assert statuses_seen == [302, 302, 302, 429, 429]  # the 5th is over both limits
        response = client.post(
            f"/offerings/{offering.slug}/enroll",
            data=form_data(9),
            environ_base={"REMOTE_ADDR": "203.0.113.6"},
        )
        wait = int(response.headers["Retry-After"])
        assert wait > 60  # the hour of the per-offering limit, not the minute's end
        assert f"You can try again in {-(-wait // 60)} minutes." in response.text
    finally:
        limiter.reset()
        limiter.enabled = False


@pytest.mark.parametrize(
    "name",
    [
        "Vind en iPhone på http://evil.example",
        "www.evil.example",
        "Anna <anna@example.com>",
        "Anna; Bo, Carl: hej",
        "A" * 101,
        "12345",
        "Anna\u202eevil",  # right-to-left override
    ],
)
def test_a_name_that_is_not_a_plain_name_is_refused_next_to_the_field(client, name):
    offering = make_offering()
    response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1, name=name))
    assert response.status_code == 400
    assert "field__error" in response.text
    assert not statuses(offering)
    assert outbox() == []


@pytest.mark.parametrize(
    "name", ["Søren Ærø-Østergaard", "Anne-Marie O'Neil", "Zoë Ågård", "José María Núñez"]
)
def test_ordinary_names_in_many_spellings_are_welcome(client, name):
    offering = make_offering()
    response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1, name=name))
    assert response.status_code == 302


def test_no_subject_carries_the_participants_name(client):
    offering = make_offering(capacity=1)
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1, name="Anna Andersen"))
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(2, name="Bo Berg"))
    subjects = [m.subject for m in outbox()]
    assert len(subjects) == 2
    assert not any("Anna" in s or "Bo Berg" in s for s in subjects)


# --- holding a seat until the address is confirmed --------------------------------------------


@pytest.fixture
def confirm_hours(app):
    app.config["SIGNUP_CONFIRM_HOURS"] = 2
    try:
        yield 2
    finally:
        app.config["SIGNUP_CONFIRM_HOURS"] = 0


def _link(kind):
    return re.search(r"/enrollments/[A-Za-z0-9_-]+", outbox(kind)[0].body_text)[0]


def test_by_default_a_seat_needs_no_confirmation(client):
    offering = make_offering()
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    enrollment = db.session.scalars(sa.select(Enrollment)).one()
    assert enrollment.status == "confirmed" and enrollment.hold_expires_at is None


def test_with_confirmation_on_the_seat_is_held_until_the_address_is_confirmed(
    client, confirm_hours
):
    offering = make_offering()
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    enrollment = db.session.scalars(sa.select(Enrollment)).one()
    assert enrollment.status == "confirmed" and enrollment.hold_expires_at is not None
    assert "confirm" in outbox("confirmed")[0].body_text.lower()
    link = _link("confirmed")
    page = client.get(link)
    assert "Confirm my seat" in page.text
    response = client.post(f"{link}/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).hold_expires_at is None
    assert "Confirm my seat" not in client.get(link).text


def test_an_unconfirmed_seat_is_released_to_the_waiting_list_after_the_hold(ctx, confirm_hours):
    offering = make_offering(capacity=1)
    held, _token = services.enroll(offering.id, person(1), now=now())
    waiting, _token = services.enroll(offering.id, person(2), now=now())
    db.session.commit()
    assert waiting.status == "waitlisted"
    released = services.expire_offers(now=now() + timedelta(hours=confirm_hours, minutes=1))
    db.session.commit()
    assert released == 1
    assert statuses(offering) == {
        "deltager1@example.com": "cancelled",
        "deltager2@example.com": "offered",
    }
    assert outbox("offer_expired", to="deltager1@example.com")


def test_a_confirmed_address_keeps_its_seat_after_the_hold_time(ctx, confirm_hours):
    offering = make_offering(capacity=1)
    held, _token = services.enroll(offering.id, person(1), now=now())
    services.confirm_address(held.id, now=now())
    db.session.commit()
    assert services.expire_offers(now=now() + timedelta(hours=3)) == 0
    assert statuses(offering) == {"deltager1@example.com": "confirmed"}
