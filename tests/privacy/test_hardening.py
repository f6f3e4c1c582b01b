"""Section 7: HSTS and secure cookies over https, staff session limits, password rules,
security.txt, and CSRF on every state-changing route."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from app import create_app
from app.extensions import csrf, db
from app.management import accounts
from app.models import Enrollment
from app.passwords import common_passwords, is_too_common
from app.staff_session import SEEN_AT, SIGNED_IN_AT
from tests.enrollment.helpers import form_data
from tests.factories import make_offering, make_organisation
from tests.management.helpers import PASSWORD, make_staff, sign_in_as


def _app_with(app, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX": app.config["MAIL_OUTBOX"],
        # No background courier: on the shared SQLite file its write would hold the lock
        # while the next test starts ("database is locked" in CI).
        "MAIL_DELIVER_AT_ONCE": False,
        "MAIL_SERVER": "",
    }
    config.update(overrides)
    other = create_app(config)
    other.test_client_class = app.test_client_class
    return other


# --- https ---------------------------------------------------------------------------------


def test_https_public_url_turns_on_hsts_and_secure_cookies(app):
    https = _app_with(app, PUBLIC_URL="https://holdplads.aarhus.dk", WTF_CSRF_ENABLED=False)
    client = https.test_client()
    response = client.get("/privacy?lang=en")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    lang_cookie = response.headers["Set-Cookie"]
    assert "lang=en" in lang_cookie and "Secure" in lang_cookie and "HttpOnly" in lang_cookie
    login = client.post("/manage/login", data={"email": "nobody@example.org", "password": "x"})
    session_cookie = login.headers["Set-Cookie"]
    assert session_cookie.startswith("session=") and "Secure" in session_cookie
    assert https.config["PREFERRED_URL_SCHEME"] == "https"


def test_http_public_url_sends_no_hsts_and_plain_cookies(app, client):
    response = client.get("/privacy?lang=da")
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]
    assert response.headers["Referrer-Policy"] == "same-origin"


# --- the staff session's lifetime -----------------------------------------------------------


def _signed_in(client, *, signed_in_ago: int, seen_ago: int):
    user = make_staff("admin", None)
    sign_in_as(client, user)
    now = int(time.time())
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = now - signed_in_ago
        session[SEEN_AT] = now - seen_ago
    return user


def test_a_staff_session_in_use_stays_open(client):
    _signed_in(client, signed_in_ago=3600, seen_ago=60)
    assert client.get("/manage/").status_code == 200


def test_a_staff_session_ends_after_30_idle_minutes(client):
    _signed_in(client, signed_in_ago=3600, seen_ago=31 * 60)
    response = client.get("/manage/")
    assert response.status_code == 302 and "/manage/login" in response.location
    assert "session had run out" in client.get(response.location).text
    assert client.get("/manage/").status_code == 302  # still signed out


def test_a_staff_session_ends_10_hours_after_sign_in_however_busy(client):
    _signed_in(client, signed_in_ago=10 * 3600 + 5, seen_ago=10)
    response = client.get("/manage/offerings")
    assert response.status_code == 302 and "/manage/login" in response.location


def test_signing_in_starts_the_clock(client):
    user = make_staff("admin", None)
    client.post("/manage/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert abs(session[SIGNED_IN_AT] - time.time()) < 5
        assert session[SEEN_AT] == session[SIGNED_IN_AT]


# --- passwords -----------------------------------------------------------------------------


def test_the_bundled_list_holds_the_common_passwords():
    assert len(common_passwords()) > 19_000
    for password in ("password", "123456789", "qwertyuiop", "iloveyou"):
        assert is_too_common(password)
    assert is_too_common("Holdplads2026!")
    assert is_too_common("kirsten1234", email="kirsten1234@aarhus.dk")
    assert not is_too_common(PASSWORD)


def test_staff_cannot_choose_a_common_password(client):
    admin = make_staff("admin", None)
    sign_in_as(client, admin)
    org = make_organisation()
    response = client.post(
        "/manage/accounts/new",
        data={
            "name": "Ny Kollega",
            "email": "ny@example.org",
            "role": "peer_worker",
            "organisation_id": str(org.id),
            "password": "password1234",
        },
    )
    assert response.status_code in (200, 400)
    assert "one of the most common ones" in response.text
    with pytest.raises(accounts.PasswordTooCommon):
        accounts.hash_password("1234567890")
    with pytest.raises(accounts.PasswordTooShort):
        accounts.hash_password("kort")


def test_the_cli_refuses_a_common_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--password",
            "qwertyuiop",
        ]
    )
    assert result.exit_code != 0
    assert "most common" in result.output


# --- security.txt --------------------------------------------------------------------------


def test_security_txt_comes_from_settings(client, settings):
    assert client.get("/.well-known/security.txt").status_code == 404
    settings(
        SECURITY_CONTACT="security@aarhus.dk",
        SECURITY_POLICY_URL="https://aarhus.dk/security-policy",
        SECURITY_TXT_EXPIRES="2027-06-30T00:00:00Z",
    )
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert "Contact: mailto:security@aarhus.dk" in lines
    assert "Expires: 2027-06-30T00:00:00Z" in lines
    assert "Policy: https://aarhus.dk/security-policy" in lines
    assert "Preferred-Languages: da, en" in lines
    assert "Canonical: http://holdplads.test/.well-known/security.txt" in lines


def test_security_txt_expires_within_a_year_by_default(client, settings):
    settings(SECURITY_CONTACT="https://aarhus.dk/report")
    text = client.get("/.well-known/security.txt").text
    assert "Contact: https://aarhus.dk/report" in text
    expires = next(line for line in text.splitlines() if line.startswith("Expires: "))
    year = int(expires.split()[1][:4])
    assert year in (time.gmtime().tm_year, time.gmtime().tm_year + 1)


# --- CSRF on every state change ------------------------------------------------------------


def _example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif name == "token":
            values[name] = "1-" + "a" * 64
        else:
            values[name] = "kursus"
    return rule.build(values, append_unknown=False)[1]


# Views that check the form's own CSRF token (to give the form back with what was typed), and
# the text of their answer to a missing token.
CHECKS_ITS_OWN_TOKEN = {"enrollment.enroll": "we need you to press the button once more"}


def test_every_post_route_refuses_a_request_without_a_csrf_token(app):
    protected = _app_with(app, PUBLIC_URL="http://holdplads.test", WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    client.set_cookie("lang", "en")
    admin = make_staff("admin", None)
    sign_in_as(client, admin)
    offering = make_offering()
    post_rules = [r for r in protected.url_map.iter_rules() if "POST" in r.methods]
    assert len(post_rules) >= 30
    exempt = csrf._exempt_views | {f"app.{b}" for b in csrf._exempt_blueprints}
    person = form_data("csrf")
    for rule in post_rules:
        view = protected.view_functions[rule.endpoint]
        if rule.endpoint in CHECKS_ITS_OWN_TOKEN:
            url = rule.build({"slug": offering.slug}, append_unknown=False)[1]
            response = client.post(url, data=person)
            assert response.status_code == 400, rule.rule
            assert CHECKS_ITS_OWN_TOKEN[rule.endpoint] in response.text, rule.rule
            continue
        assert f"{view.__module__}.{view.__name__}" not in exempt, rule.rule
        assert view.__module__ not in exempt, rule.rule
        response = client.post(_example_url(rule), data=person)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "The form had expired" in response.text, rule.rule
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0


def test_a_post_with_the_token_gets_through(app):
    protected = _app_with(app, PUBLIC_URL="http://holdplads.test", WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    page = client.get("/my?lang=en").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/my", data={"csrf_token": token, "email": "ida@example.com"})
    assert response.status_code == 200
