"""Signing in and out, throttling, and the one-time password reset link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db, limiter
from app.models import OutboxMessage, PasswordResetToken, User
from tests.factories import now
from tests.management.helpers import PASSWORD, make_staff, make_world


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/manage/login", data={"email": email, "password": password, **extra})


def test_staff_member_signs_in_and_lands_on_their_page(client):
    w = make_world()
    response = _login(client, w.peer.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manage/")
    page = client.get("/manage/").get_data(as_text=True)
    assert "Håb og recovery" in page


def test_wrong_password_says_so_next_to_the_field_and_keeps_the_email(client):
    w = make_world()
    response = _login(client, w.peer.email, "forkert-adgangskode")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "field__error" in page and w.peer.email in page
    assert client.get("/manage/").status_code == 302


def test_deactivated_account_cannot_sign_in(client):
    user = make_staff("peer_worker", None, is_active_account=False)
    _login(client, user.email)
    assert client.get("/manage/").status_code == 302


def test_sign_in_rotates_the_session(client):
    w = make_world()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, w.peer.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(w.peer.id)


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client):
    w = make_world()
    response = _login(client, w.peer.email, next=f"/manage/offerings/{w.offering.id}")
    assert response.headers["Location"].endswith(f"/manage/offerings/{w.offering.id}")
    client.post("/manage/logout")
    response = _login(client, w.peer.email, next="//evil.example/")
    assert response.headers["Location"].endswith("/manage/")


def test_anonymous_visitor_is_asked_to_sign_in_in_danish(client):
    response = client.get("/manage/offerings", follow_redirects=True)
    assert (
        "Log ind" in response.get_data(as_text=True)
        or "sign in" in response.get_data(as_text=True).lower()
    )


def test_sign_out_ends_the_session(client):
    w = make_world()
    _login(client, w.peer.email)
    client.post("/manage/logout")
    assert client.get("/manage/").status_code == 302


@pytest.fixture
def limited_app(app):
    """A second app on the same database with limits on; the limiter is global, so it is
    switched off again afterwards for every other test."""
    from app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3/minute"})
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False


def test_login_attempts_are_throttled_per_email_and_per_ip(limited_app):
    w = make_world()
    client = limited_app.test_client()
    codes = [
        client.post(
            "/manage/login",
            data={"email": w.peer.email, "password": "gæt"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # one email guessed from many places
    codes = [
        client.post(
            "/manage/login",
            data={"email": f"x{i}@example.org", "password": "gæt"},
            environ_base={"REMOTE_ADDR": "10.0.1.1"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # many emails guessed from one place
    assert client.get("/manage/login", environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 200


def _reset_link(email: str) -> str:
    message = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"http://holdplads\.test(/manage/password/reset/\S+)", message.body_text)[1]


def test_forgotten_password_link_sets_a_new_password_once(client):
    w = make_world()
    response = client.post("/manage/password/forgot", data={"email": w.peer.email})
    assert response.status_code == 302
    path = _reset_link(w.peer.email)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "en-ny-lang-kode", "confirm": "en-ny-lang-kode"})
    assert response.status_code == 302
    assert client.get(path).status_code == 404  # single use
    assert _login(client, w.peer.email, "en-ny-lang-kode").headers["Location"].endswith("/manage/")


def test_reset_form_does_not_reveal_whether_an_email_has_an_account(client):
    make_world()
    known = client.post(
        "/manage/password/forgot",
        data={"email": "staff-unknown@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds == ["password_reset_unknown"]  # a note, and no link: there is no account
    assert "flash--success" in known


def test_reset_link_expires_after_an_hour(client):
    w = make_world()
    client.post("/manage/password/forgot", data={"email": w.peer.email})
    path = _reset_link(w.peer.email)
    row = db.session.scalars(sa.select(PasswordResetToken)).one()
    row.expires_at = now() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_passwords_are_stored_as_argon2_hashes():
    w = make_world()
    stored = db.session.get(User, w.peer.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("password", ["", "kort"])
def test_new_password_must_be_long_enough(client, password):
    w = make_world()
    client.post("/manage/password/forgot", data={"email": w.peer.email})
    path = _reset_link(w.peer.email)
    response = client.post(path, data={"password": password, "confirm": password})
    assert response.status_code == 200
    assert "field__error" in response.get_data(as_text=True)
