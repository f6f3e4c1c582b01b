"""Staff sign-in with the municipality's accounts, against a real OpenID Connect provider.

The provider (tests/management/oidc_provider.py) is Authlib's own authorization server with
OpenID Connect and PKCE, on a real port; Holdplads talks to it over HTTP as it would to
Entra ID: discovery, then the code flow with PKCE, state and nonce, then the ID token checks.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.extensions import limiter
from tests.conftest import IsolatedClient
from tests.factories import make_user
from tests.management.oidc_provider import Person, RunningProvider

CLIENT_ID = "holdplads-test"
SECRET = "test-client-secret"


@pytest.fixture
def provider(monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on 127.0.0.1 only
    with RunningProvider() as provider:
        provider.add_client(CLIENT_ID, SECRET, "http://holdplads.test/manage/oidc/callback")
        yield provider


@pytest.fixture
def make_site(app, provider):
    """A Holdplads app on the suite's database, configured for the test provider."""

    def make(**config):
        site = create_app(
            {
                **app.config,
                "OIDC_ISSUER": provider.issuer,
                "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": SECRET,
                **config,
            }
        )
        site.test_client_class = IsolatedClient
        return site

    try:
        yield make
    finally:
        limiter.enabled = app.config["RATELIMIT_ENABLED"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _through_the_provider(client, next_path: str = "") -> tuple[str, dict, object]:
    """Start sign-in, let the provider answer; returns (authorize URL, its query, callback)."""
    start = client.get("/manage/oidc/sign-in" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorize, timeout=10)
        raise AssertionError("the provider should redirect back")
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read()
        back = urlsplit(answer.headers["Location"])
    return authorize, query, back


def _callback(client, back):
    return client.get(f"{back.path}?{back.query}")


def test_a_staff_member_signs_in_with_the_municipality_account(make_site, provider):
    make_user("coordinator", email="kim@kommune.dk", name="Kim Koordinator")
    provider.person = Person("Kim@Kommune.dk")
    client = make_site().test_client()
    authorize, query, back = _through_the_provider(client, "/manage/offerings")
    # Discovery told us where to go; the request carries PKCE, state and nonce.
    assert authorize.startswith(provider.issuer + "/authorize?")
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == "http://holdplads.test/manage/oidc/callback"
    answer = _callback(client, back)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/manage/offerings")
    assert "Kim Koordinator" in client.get("/manage/").text


def _refused(client, back) -> str:
    answer = _callback(client, back)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/manage/login")
    assert client.get("/manage/").status_code == 302  # still not signed in
    return client.get("/manage/login").text  # the flashed message, in Danish


def test_a_state_we_did_not_issue_is_refused(make_site, provider):
    make_user("coordinator", email="kim@kommune.dk")
    provider.person = Person("kim@kommune.dk")
    client = make_site().test_client()
    _, _, back = _through_the_provider(client)
    forged = back._replace(query=back.query.replace("state=", "state=forged"))
    assert "lykkedes ikke" in _refused(client, forged)


def test_a_code_cannot_be_used_twice(make_site, provider):
    make_user("coordinator", email="kim@kommune.dk")
    provider.person = Person("kim@kommune.dk")
    site = make_site()
    client = site.test_client()
    _, _, back = _through_the_provider(client)
    assert _callback(client, back).headers["Location"].endswith("/manage/")
    replay = site.test_client()
    assert "lykkedes ikke" in _refused(replay, back)


@pytest.mark.parametrize(
    "misbehaviour",
    [
        pytest.param({"audience": "another-app"}, id="wrong audience"),
        pytest.param({"expires_in": -3600}, id="expired ID token"),
        pytest.param({"wrong_nonce": True}, id="wrong nonce"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(make_site, provider, misbehaviour):
    make_user("coordinator", email="kim@kommune.dk")
    provider.person = Person("kim@kommune.dk")
    for name, value in misbehaviour.items():
        setattr(provider, name, value)
    client = make_site().test_client()
    _, _, back = _through_the_provider(client)
    assert "lykkedes ikke" in _refused(client, back)


def test_an_unverified_or_unknown_email_signs_nobody_in(make_site, provider):
    make_user("coordinator", email="kim@kommune.dk")
    site = make_site()
    provider.person = Person("kim@kommune.dk", email_verified=False)
    client = site.test_client()
    _, _, back = _through_the_provider(client)
    assert "bekræftet e-mailadresse" in _refused(client, back)
    provider.person = Person("stranger@kommune.dk")
    client = site.test_client()
    _, _, back = _through_the_provider(client)
    assert "Ingen medarbejderkonto" in _refused(client, back)


def test_a_deactivated_account_cannot_sign_in_this_way(make_site, provider):
    make_user("coordinator", email="kim@kommune.dk", is_active_account=False)
    provider.person = Person("kim@kommune.dk")
    client = make_site().test_client()
    _, _, back = _through_the_provider(client)
    assert "Ingen medarbejderkonto" in _refused(client, back)


def test_with_local_passwords_off_only_the_municipality_account_signs_in(make_site):
    from app.management.accounts import hash_password

    make_user("admin", email="ada@kommune.dk", password_hash=hash_password("a long password 1"))
    client = make_site(LOCAL_PASSWORDS=False).test_client()
    page = client.get("/manage/login?lang=en").text
    assert "Sign in with your municipality account" in page
    assert 'type="password"' not in page
    refused = client.post(
        "/manage/login", data={"email": "ada@kommune.dk", "password": "a long password 1"}
    )
    assert refused.status_code == 302
    assert client.get("/manage/").status_code == 302  # not signed in
    assert client.get("/manage/password/forgot").status_code == 404


def test_passwords_stay_on_while_no_provider_is_configured(app, client):
    from app.oidc import local_passwords

    app.config["LOCAL_PASSWORDS"] = False
    try:
        assert local_passwords(app)  # nobody could sign in otherwise
        assert 'type="password"' in client.get("/manage/login").text
        assert client.get("/manage/oidc/sign-in").status_code == 404
    finally:
        app.config["LOCAL_PASSWORDS"] = True
