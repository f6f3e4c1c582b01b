"""The participant's pages through the test client: form, confirmation, manage link, /my."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.models import Enrollment, SignInToken
from tests.enrollment.helpers import form_data, outbox, statuses
from tests.factories import held_now, make_offering


def _sign_up(client, offering, n=1, **fields):
    return client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(n, **fields), follow_redirects=True
    )


def _link(mail, path="/enrollments/"):
    return re.search(re.escape(path) + r"[A-Za-z0-9_-]+", mail.body_text).group(0)


def test_form_shows_only_the_offerings_audiences_preselected_when_one(client):
    offering = make_offering(audiences=("relative",))
    page = client.get(f"/offerings/{offering.slug}/enroll").text
    assert 'value="relative"' in page and 'value="citizen"' not in page
    assert re.search(r'value="relative"[^>]*checked|checked[^>]*value="relative"', page)
    assert 'href="/privacy"' in page
    assert 'name="website"' in page  # the honeypot


def test_signup_says_check_your_mail_and_the_mail_says_where_one_stands(client):
    offering = make_offering(capacity=1)
    response = _sign_up(client, offering, 1)
    assert response.status_code == 200
    assert "Check your mail" in response.text
    second = _sign_up(client, offering, 2)
    assert "Check your mail" in second.text
    mail = outbox("confirmed")[0]
    assert mail.to_address == "deltager1@example.com"
    assert "as number 1" in outbox("waitlisted")[0].body_text
    manage = client.get(_link(mail))
    assert manage.status_code == 200 and "You have a seat" in manage.text


def test_request_mode_mail_says_request_received(client):
    offering = make_offering(enrolment_mode="request")
    assert "Check your mail" in _sign_up(client, offering).text
    assert len(outbox("requested")) == 1


def test_invalid_input_keeps_what_was_typed_and_says_what_to_do(client):
    offering = make_offering()
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, email="ikke-en-adresse", consent=None, name="Mette Frederiksen"),
    )
    assert response.status_code == 400
    assert 'value="Mette Frederiksen"' in response.text
    assert 'value="ikke-en-adresse"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "does not look like an email address" in response.text
    assert "tick the box" in response.text
    assert not statuses(offering)


def test_forged_audience_gets_a_message_not_a_500(client):
    offering = make_offering(audiences=("relative",))
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, audience="staff")
    )
    assert response.status_code == 400
    assert "choose how you take part" in response.text


def test_second_signup_with_same_email_resends_manage_link_and_reveals_nothing(client):
    offering = make_offering()
    _sign_up(client, offering, 1, email="Signe@Example.com")
    other = _sign_up(client, offering, 1, email="signe@example.com")
    assert "Check your mail" in other.text
    assert "You have a seat" not in other.text
    assert len(statuses(offering)) == 1
    resent = outbox("already_enrolled")[0]
    assert resent.to_address == "Signe@Example.com"
    # The honeypot answers with the very same page.
    bot = _sign_up(client, offering, 9, website="http://spam.example")
    assert bot.text.count("Check your mail") == other.text.count("Check your mail")
    assert "deltager9@example.com" not in statuses(offering)


def test_unknown_offering_or_token_is_404(client):
    assert client.get("/offerings/findes-ikke/enroll").status_code == 404
    assert client.get("/enrollments/" + "x" * 43).status_code == 404


def test_drop_in_page_says_just_come(client):
    offering = make_offering(enrolment_mode="drop_in")
    page = client.get(f"/offerings/{offering.slug}/enroll")
    assert "just come" in page.text
    assert _sign_up(client, offering).status_code == 200
    assert not statuses(offering)


def test_the_thank_you_page_names_the_offerings_way_of_joining(client):
    course = make_offering(title="Håb og recovery")
    asked = make_offering(title="Samtalegruppe", enrolment_mode="request")
    assert "Thank you for signing up for Håb og recovery." in _sign_up(client, course).text
    asking = _sign_up(client, asked).text
    assert "Thank you for asking to join Samtalegruppe." in asking
    assert "signing up" not in asking


def test_cancel_asks_first_then_frees_the_seat_for_the_next_in_line(client):
    offering = make_offering(capacity=1)
    _sign_up(client, offering, 1)
    _sign_up(client, offering, 2)
    manage = _link(outbox("confirmed")[0])
    ask = client.get(manage + "/cancel")
    assert "Cancel your sign-up?" in ask.text
    assert statuses(offering)["deltager1@example.com"] == "confirmed"
    done = client.post(manage + "/cancel", follow_redirects=True)
    assert "no longer signed up" in done.text
    assert statuses(offering) == {
        "deltager1@example.com": "cancelled",
        "deltager2@example.com": "offered",
    }
    offer_link = _link(outbox("offer")[0])
    page = client.get(offer_link).text
    assert "Yes, I take the seat" in page
    client.post(offer_link + "/accept")
    assert statuses(offering)["deltager2@example.com"] == "confirmed"


def test_the_cancel_page_names_a_waiting_list_only_when_somebody_is_on_it(client):
    offering = make_offering(capacity=2)
    _sign_up(client, offering, 1)
    manage = _link(outbox("confirmed")[0])
    alone = client.get(manage + "/cancel").text
    assert "Your seat is free for someone else at once." in alone
    assert "waiting list" not in alone
    _sign_up(client, offering, 2)
    _sign_up(client, offering, 3)  # full: the third waits
    assert (
        "Your seat goes to the next person on the waiting list"
        in client.get(manage + "/cancel").text
    )
    held_now(offering.occurrences[0])  # the course has begun: sign-up is closed
    closed = client.get(manage + "/cancel").text
    assert "Sign-up has closed, so you cannot sign up again afterwards." in closed
    assert "waiting list" not in closed  # nobody is offered a seat once the course has begun


def test_leave_waitlist_with_one_click(client):
    offering = make_offering(capacity=1)
    _sign_up(client, offering, 1)
    _sign_up(client, offering, 2)
    link = _link(outbox("waitlisted")[0])
    page = client.get(link).text
    assert "number 1" in page
    assert "Leave the waiting list" in page and "Cancel my sign-up" not in page
    assert client.get(link + "/cancel").status_code == 302  # waiting: leave, not cancel
    client.post(link + "/leave")
    assert statuses(offering)["deltager2@example.com"] == "cancelled"


def test_online_join_link_only_shown_once_confirmed(client):
    offering = make_offering(
        capacity=1, is_online=True, online_join_url="https://meet.example/hemmelig"
    )
    _sign_up(client, offering, 1)
    _sign_up(client, offering, 2)
    confirmed = client.get(_link(outbox("confirmed")[0])).text
    waiting = client.get(_link(outbox("waitlisted")[0])).text
    assert "meet.example/hemmelig" in confirmed
    assert "meet.example/hemmelig" not in waiting


def test_my_bookings_magic_link_works_once_and_shows_only_own_enrollments(client):
    first = make_offering(title="Søvn og ro")
    second = make_offering(title="Pårørendegruppe")
    _sign_up(client, first, 1, email="ida@example.com")
    _sign_up(client, second, 2, email="bo@example.com")
    fresh_client = client.application.test_client()
    fresh_client.set_cookie("lang", "en")
    asked = fresh_client.post("/my", data={"email": "IDA@example.com"})
    assert "Check your mail" in asked.text
    unknown = fresh_client.post("/my", data={"email": "nobody@example.com"})
    assert unknown.text.replace("nobody@example.com", "X") == asked.text.replace(
        "IDA@example.com", "X"
    )
    # A link either way (the answer must not tell who signed up), to the stored address.
    assert [m.to_address for m in outbox("sign_in")] == ["ida@example.com", "nobody@example.com"]
    link = _link(outbox("sign_in")[0], "/my/sign-in/")
    assert "Show my bookings" in fresh_client.get(link).text  # a scanner's GET uses nothing
    fresh_client.post(link)
    mine = fresh_client.get("/my").text
    assert "Søvn og ro" in mine and "Pårørendegruppe" not in mine
    assert fresh_client.post(link).status_code == 410  # single use
    fresh_client.post("/my/sign-out")
    assert "Send me a link" in fresh_client.get("/my").text


def test_sign_in_link_expires_after_30_minutes(client, app):
    from app import one_time_links
    from app.database import utcnow
    from app.extensions import db

    token = one_time_links.issue(
        SignInToken,
        now=utcnow() - timedelta(minutes=31),
        lifetime=timedelta(minutes=30),
        email_normalized="a@example.com",
    )
    db.session.commit()
    assert client.get(f"/my/sign-in/{token}").status_code == 410


def test_my_enrollment_pages_refuse_other_peoples_enrollments(client):
    offering = make_offering()
    _sign_up(client, offering, 1, email="ida@example.com")
    _sign_up(client, offering, 2, email="bo@example.com")
    from app.extensions import db

    bo = db.session.scalar(db.select(Enrollment).filter_by(email="bo@example.com"))
    with client.session_transaction() as session:
        session["participant_email"] = "ida@example.com"
    assert client.get(f"/my/enrollments/{bo.id}").status_code == 404
    assert client.post(f"/my/enrollments/{bo.id}/cancel").status_code == 404
    assert statuses(offering)["bo@example.com"] == "confirmed"


def test_privacy_page_in_both_languages(client):
    assert "diagnoses" in client.get("/privacy?lang=en").text
    assert client.get("/privacy?lang=da").status_code == 200


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limits on (the shared limiter is global,
    so it is switched off again afterwards for every other test)."""
    from app import create_app
    from app.extensions import limiter

    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "SIGNUP_RATE_LIMIT": "2/minute",
            "SIGN_IN_RATE_LIMIT": "1/minute",
        }
    )
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False


def test_signup_is_rate_limited_per_email_and_ip_with_a_kind_page(limited_app):
    offering = make_offering()
    client = limited_app.test_client()
    client.set_cookie("lang", "en")
    url = f"/offerings/{offering.slug}/enroll"
    for i in range(2):  # the same address from two places
        client.post(url, data=form_data(1), environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
    third = client.post(url, data=form_data(1), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert third.status_code == 429
    assert "wait a moment" in third.text
    # Per IP: other addresses from one IP are stopped too.
    for i in range(2, 4):
        client.post(url, data=form_data(i), environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert (
        client.post(url, data=form_data(5), environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code
        == 429
    )
    assert client.get(url).status_code == 200  # reading the form is never limited
    client.post("/my", data={"email": "a@example.com"}, environ_base={"REMOTE_ADDR": "10.2.0.1"})
    assert (
        client.post(
            "/my", data={"email": "b@example.com"}, environ_base={"REMOTE_ADDR": "10.2.0.1"}
        ).status_code
        == 429
    )


def test_csrf_protects_the_signup_form(client, app):
    offering = make_offering()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
        assert response.status_code == 400
        assert not statuses(offering)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("path", ["/offerings/{slug}/enroll", "/my", "/privacy"])
def test_pages_answer_in_english_too(client, path):
    offering = make_offering()
    assert client.get(path.format(slug=offering.slug) + "?lang=en").status_code == 200


def test_my_bookings_gives_a_personal_calendar_that_can_be_renewed(client):
    offering = make_offering(title="Mit kursus")
    _sign_up(client, offering, 1, email="ida@example.com")
    with client.session_transaction() as session:
        session["participant_email"] = "ida@example.com"
    page = client.get("/my").text
    assert "Make my calendar address" in page
    client.post("/my/calendar/renew")
    page = client.get("/my").text
    feed = re.search(r"http://holdplads\.test(/my/calendar/[^\"<\s]+\.ics)", page).group(1)
    assert "webcal://holdplads.test/my/calendar/" in page
    assert "Mit kursus" in client.get(feed).text
    client.post("/my/calendar/settings", data={"discreet": "1"})
    assert "Mit kursus" not in client.get(feed).text
    assert 'id="discreet" name="discreet" value="1" checked' in client.get("/my").text
    client.post("/my/calendar/renew")
    assert client.get(feed).status_code == 404  # the old address is dead


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False
    app.config.pop("WTF_CSRF_TIME_LIMIT", None)


TYPED = {
    "name": "Ida Holm",
    "email": "ida@example.com",
    "phone": "+45 12 34 56 78",
    "needs": "Jeg sidder helst ved døren",
    "wants_companion": "y",
}


def _assert_kept(page: str) -> None:
    assert 'value="Ida Holm"' in page and 'value="ida@example.com"' in page
    assert 'value="+45 12 34 56 78"' in page
    assert "Jeg sidder helst ved døren</textarea>" in page
    for box in ("wants_companion", "consent"):
        assert "checked" in re.search(rf'<input[^>]*id="{box}"[^>]*>', page).group(0)
    assert "Siden har været åben et stykke tid" in page
    assert page.count('role="alert"') == 1  # one line, not a list of errors


def test_lost_cookie_gives_the_form_back_with_everything_typed_and_a_fresh_token(
    client, csrf_on, app
):
    offering = make_offering(capacity=3)
    url = f"/offerings/{offering.slug}/enroll"
    old_token = _csrf_token(client.get(url + "?lang=da").text)
    # The mail app's own browser lost the cookie: a new client has no session at all.
    lost = app.test_client()
    response = lost.post(url, data=form_data(1, csrf_token=old_token, **TYPED))
    assert response.status_code == 400
    _assert_kept(response.text)
    assert not statuses(offering)
    fresh_token = _csrf_token(response.text)
    assert fresh_token != old_token
    again = lost.post(url, data=form_data(1, csrf_token=fresh_token, **TYPED))
    assert again.status_code == 302
    assert statuses(offering) == {"ida@example.com": "confirmed"}


def test_expired_token_gives_the_form_back_and_the_second_press_signs_up(client, csrf_on, app):
    offering = make_offering(capacity=3)
    url = f"/offerings/{offering.slug}/enroll"
    token = _csrf_token(client.get(url + "?lang=da").text)
    app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is already too old
    response = client.post(url, data=form_data(1, csrf_token=token, **TYPED))
    assert response.status_code == 400
    _assert_kept(response.text)
    assert not statuses(offering)
    app.config.pop("WTF_CSRF_TIME_LIMIT")
    again = client.post(url, data=form_data(1, csrf_token=_csrf_token(response.text), **TYPED))
    assert again.status_code == 302
    assert statuses(offering) == {"ida@example.com": "confirmed"}


def test_expired_token_and_a_mistake_show_both_the_line_and_the_field_message(client, csrf_on):
    offering = make_offering(capacity=3)
    url = f"/offerings/{offering.slug}/enroll"
    client.get(url + "?lang=da")
    page = client.post(url, data=form_data(1, csrf_token="forged", email="ikke-en-adresse")).text
    assert "Siden har været åben et stykke tid" in page
    assert "Der er noget, der skal rettes." in page
    assert page.count('role="alert"') == 2


def test_cancelling_twice_says_in_one_sentence_that_the_sign_up_has_changed(client):
    offering = make_offering(capacity=1)
    _sign_up(client, offering, 1)
    manage = _link(outbox("confirmed")[0])
    client.post(manage + "/cancel")
    again = client.post(manage + "/cancel", follow_redirects=True)
    assert "That can no longer be done: your sign-up has changed." in again.text
    assert statuses(offering) == {"deltager1@example.com": "cancelled"}
