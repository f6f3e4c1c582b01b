"""The empty sign-up form is rendered once per offering, state and language, and each visitor
still gets a CSRF token of their own (app/enrollment/routes.py, `_empty_form`)."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.enrollment.helpers import form_data
from tests.factories import make_enrollment, make_offering

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_two_visitors_get_the_same_form_with_tokens_of_their_own_and_both_tokens_work(app, csrf_on):
    offering = make_offering(capacity=5, title="Samme side")
    first, second = app.test_client(), app.test_client()
    page_one = first.get(f"/offerings/{offering.slug}/enroll").text
    page_two = second.get(f"/offerings/{offering.slug}/enroll").text
    token_one, token_two = _TOKEN.search(page_one).group(1), _TOKEN.search(page_two).group(1)
    assert token_one != token_two
    assert page_one.replace(token_one, "") == page_two.replace(token_two, "")
    assert "\x00" not in page_two
    for n, (client, token) in enumerate([(first, token_one), (second, token_two)], 1):
        response = client.post(
            f"/offerings/{offering.slug}/enroll", data={**form_data(n), "csrf_token": token}
        )
        assert response.status_code == 302
    # A token from someone else's page is refused: the tokens are each visitor's own.
    third = app.test_client()
    third.get(f"/offerings/{offering.slug}/enroll")
    response = third.post(
        f"/offerings/{offering.slug}/enroll", data={**form_data(3), "csrf_token": token_one}
    )
    assert response.status_code == 400


def test_the_form_follows_a_change_to_the_offering_and_its_seats(client):
    offering = make_offering(capacity=1, title="Før ændringen")
    assert "Før ændringen" in client.get(f"/offerings/{offering.slug}/enroll").text
    offering.title = "Efter ændringen"
    db.session.commit()
    page = client.get(f"/offerings/{offering.slug}/enroll").text
    assert "Efter ændringen" in page and "Før ændringen" not in page
    assert "Sign me up" in page
    make_enrollment(offering)  # the one seat is taken
    page = client.get(f"/offerings/{offering.slug}/enroll").text
    assert "Put me on the waiting list" in page and "Sign me up" not in page


def test_the_form_speaks_the_visitors_language(app, client):
    offering = make_offering(capacity=5, title="Sprog", title_en="Language")
    english = client.get(f"/offerings/{offering.slug}/enroll").text
    assert "Sign me up" in english and "Language" in english
    danish = app.test_client().get(f"/offerings/{offering.slug}/enroll").text
    assert "Tilmeld mig" in danish and "Sprog" in danish and "Sign me up" not in danish
