"""Staff sessions after the outside probe: no open redirect, no session outliving its account.

Issue 11, findings 9 and 11.
"""

from __future__ import annotations

import pytest

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
