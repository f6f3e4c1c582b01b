"""Admins switch Holdplads passwords off (and on) in the staff area, never locking anyone out.

The switch is stored in the database; LOCAL_PASSWORDS is its default. Switching off is refused
while the municipality sign-in (OpenID Connect) is not configured, and unless the admin is
signed in through it right now; `flask local-passwords on` is the way back from the server.
The provider is the real one of tests/management/test_oidc.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.management.accounts import hash_password
from app.management.site_settings import SiteSetting, stored_local_passwords
from app.models import AuditEntry, User
from tests.factories import make_user
from tests.management.helpers import sign_in_as
from tests.management.oidc_provider import Person
from tests.management.test_oidc import (  # noqa: F401  (fixtures)
    _callback,
    _through_the_provider,
    make_site,
    provider,
)

PAGE = "/manage/settings/sign-in"
PASSWORD = "a long password 1"


def _admin(email: str = "ada@kommune.dk") -> User:
    return make_user("admin", email=email, name="Ada Admin", password_hash=hash_password(PASSWORD))


def _stored() -> bool | None:
    db.session.expire_all()
    return stored_local_passwords()


def _password_sign_in(client, email: str = "ada@kommune.dk") -> bool:
    client.post("/manage/login", data={"email": email, "password": PASSWORD})
    signed_in = client.get("/manage/").status_code == 200
    if signed_in:
        client.post("/manage/logout")
    return signed_in


def _oidc_sign_in(client, provider, email: str = "ada@kommune.dk") -> None:  # noqa: F811
    provider.person = Person(email)
    _, _, back = _through_the_provider(client)
    assert _callback(client, back).status_code == 302
    assert client.get("/manage/").status_code == 200


def test_without_the_municipality_sign_in_passwords_cannot_be_switched_off(app, client):
    admin = _admin()
    sign_in_as(client, admin)
    page = client.get(PAGE + "?lang=en").text
    assert '<dd data-key="oidc">Not configured</dd>' in page
    assert '<dd data-key="passwords">On</dd>' in page
    assert "nobody could sign in at all" in page
    assert 'value="off"' not in page  # no button that would be refused anyway
    refused = client.post(PAGE, data={"local_passwords": "off"})
    assert refused.status_code == 302
    message = "Passwords stay on: sign-in with the municipality account is not configured"
    assert message in client.get(PAGE).text  # in the language of the page that asked
    assert _stored() is None
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_an_admin_signed_in_with_a_password_must_use_the_municipality_account_first(
    make_site,  # noqa: F811
):
    _admin()
    client = make_site().test_client()
    client.post("/manage/login", data={"email": "ada@kommune.dk", "password": PASSWORD})
    page = client.get(PAGE + "?lang=en").text
    assert '<dd data-key="oidc">Configured</dd>' in page
    assert "sign in with your municipality account first" in page
    assert 'value="off"' not in page
    assert client.post(PAGE, data={"local_passwords": "off"}).status_code == 302
    message = "Passwords stay on: sign in with your municipality account first"
    assert message in client.get(PAGE).text
    assert _stored() is None


def test_an_admin_signed_in_with_the_municipality_account_switches_passwords_off_and_on(
    make_site,  # noqa: F811
    provider,  # noqa: F811
):
    admin = _admin()
    site = make_site()
    client = site.test_client()
    _oidc_sign_in(client, provider)
    page = client.get(PAGE + "?lang=en").text
    assert "Switch Holdplads passwords off" in page
    assert client.post(PAGE, data={"local_passwords": "off"}).status_code == 302
    assert _stored() is False
    assert '<dd data-key="passwords">Fra</dd>' in client.get(PAGE + "?lang=da").text
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.user_id, entry.action, entry.details) == (
        admin.id,
        "switch_local_passwords",
        "local passwords off",
    )

    # Off: only the municipality account, for everyone (the setting said "on").
    other = site.test_client()
    login = other.get("/manage/login?lang=en").text
    assert "Sign in with your municipality account" in login and 'type="password"' not in login
    assert _password_sign_in(other) is False
    assert other.get("/manage/password/forgot").status_code == 404

    log = client.get("/manage/audit?lang=en").text
    assert "Switched Holdplads passwords off" in log and "Ada Admin" in log
    assert client.post(PAGE, data={"local_passwords": "on"}).status_code == 302
    assert _stored() is True
    assert 'type="password"' in site.test_client().get("/manage/login").text
    assert _password_sign_in(site.test_client()) is True


def test_the_admins_choice_wins_over_the_setting(make_site):  # noqa: F811
    _admin()
    db.session.add(SiteSetting(key="local_passwords", value="on"))
    db.session.commit()
    site = make_site(LOCAL_PASSWORDS=False)
    assert 'type="password"' in site.test_client().get("/manage/login").text
    assert _password_sign_in(site.test_client()) is True


def test_passwords_switched_off_come_back_when_the_provider_is_gone(app, client):
    """Never a lock-out: without a configured provider the stored "off" is not obeyed."""
    _admin()
    db.session.add(SiteSetting(key="local_passwords", value="off"))
    db.session.commit()
    assert 'type="password"' in client.get("/manage/login").text
    assert _password_sign_in(client) is True
    client.post("/manage/login", data={"email": "ada@kommune.dk", "password": PASSWORD})
    page = client.get(PAGE + "?lang=en").text
    assert "they stay on until the municipality account is configured" in page


def test_flask_local_passwords_on_is_the_way_back_from_the_server(app, runner):
    db.session.add(SiteSetting(key="local_passwords", value="off"))
    db.session.commit()
    result = runner.invoke(args=["local-passwords", "on"])
    assert result.exit_code == 0, result.output
    assert "local passwords: on" in result.output
    assert _stored() is True
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.user_id, entry.details) == (None, "local passwords on")
    status = runner.invoke(args=["local-passwords", "status"])
    assert "local passwords: on (municipality sign-in not configured)" in status.output
    assert runner.invoke(args=["local-passwords", "off"]).exit_code != 0  # not from the shell


def test_the_municipality_sign_in_works_after_a_sign_out(
    make_site,  # noqa: F811
    provider,  # noqa: F811
):
    """Signing out renews the account's session version; the next sign-in must carry it."""
    _admin()
    site = make_site()
    client = site.test_client()
    _oidc_sign_in(client, provider)
    client.post("/manage/logout")
    assert client.get("/manage/").status_code == 302
    _oidc_sign_in(client, provider)  # would land on the login page again without it
