"""Staff sessions after the outside probe: no open redirect, no session outliving its account.

Issue 11, findings 9 and 11.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.management.helpers import PASSWORD, make_world


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/manage/login", data={"email": email, "password": password, **extra})


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/%09/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\\evil.example",
        "///evil.example",
        "/ /evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x0b/evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_site(client, target):
    w = make_world()
    response = _login(client, w.peer.email, next=target)
    # A control character makes the form ask again (200); otherwise the staff page.
    assert response.status_code in (200, 302)
    assert response.headers.get("Location", "/manage/") == "/manage/"


def test_sign_in_with_next_in_the_query_string_never_gives_a_500(client):
    w = make_world()
    response = client.post(
        "/manage/login?next=/%0A/evil.example",
        data={"email": w.peer.email, "password": PASSWORD, "next": "/\n/evil.example"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


def test_sign_in_still_returns_to_a_page_on_this_site_with_its_query(client):
    w = make_world()
    response = _login(client, w.peer.email, next=f"/manage/offerings/{w.offering.id}?tab=a%20b")
    assert response.headers["Location"] == f"/manage/offerings/{w.offering.id}?tab=a%20b"


def _two_browsers(app, user):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        assert _login(client, user.email).status_code == 302
        assert client.get("/manage/").status_code == 200
    return first, second


def _signed_out(client) -> bool:
    response = client.get("/manage/")
    return response.status_code == 302 and "/manage/login" in response.headers["Location"]


def test_signing_out_ends_every_session_of_that_account(app):
    w = make_world()
    first, second = _two_browsers(app, w.peer)
    first.post("/manage/logout")
    assert _signed_out(first)
    assert _signed_out(second)
    # Signing in again works, and only the new session is valid.
    assert _login(second, w.peer.email).status_code == 302
    assert second.get("/manage/").status_code == 200


def test_a_stolen_cookie_dies_with_sign_out(app):
    w = make_world()
    victim = app.test_client()
    _login(victim, w.peer.email)
    cookie = victim.get_cookie("session").value
    victim.post("/manage/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert _signed_out(thief)


def test_password_reset_ends_every_session(app):
    from app.database import utcnow
    from app.management import accounts

    w = make_world()
    first, second = _two_browsers(app, w.peer)
    token = accounts.issue_reset_token(w.peer, now=utcnow())
    db.session.commit()
    third = app.test_client()
    response = third.post(
        f"/manage/password/reset/{token}",
        data={"password": "en-helt-ny-adgangskode", "confirm": "en-helt-ny-adgangskode"},
    )
    assert response.status_code == 302
    assert _signed_out(first)
    assert _signed_out(second)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app):
    w = make_world()
    first, _second = _two_browsers(app, w.peer)
    admin = app.test_client()
    _login(admin, w.admin.email)
    admin.post(f"/manage/accounts/{w.peer.id}/active", data={"active": "0"})
    assert _signed_out(first)
    admin.post(f"/manage/accounts/{w.peer.id}/active", data={"active": "1"})
    assert _signed_out(first)
    assert _login(first, w.peer.email).status_code == 302
    assert first.get("/manage/").status_code == 200
