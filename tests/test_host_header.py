"""The Host header (issue 11, finding 10): links are built from PUBLIC_URL only, a forged host
is refused by Flask's TRUSTED_HOSTS, and the page cache never keeps or serves a page made for
a forged host."""

from __future__ import annotations

import re

from app.config import from_env
from tests.enrollment.helpers import form_data, outbox
from tests.factories import make_offering


def test_a_forged_host_gets_400_with_the_sites_page(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Content-Security-Policy" in response.headers
    assert "evil.example" not in response.text


def test_a_forged_host_cannot_put_its_name_into_pages_served_to_others(client):
    offering = make_offering()
    for url in ("/?_external=1", f"/offerings/{offering.slug}?_external=1", "/"):
        client.get(url, headers={"Host": "evil.example"})
        client.get(url, headers={"X-Forwarded-Host": "evil.example"})
    for url in ("/?_external=1", f"/offerings/{offering.slug}?_external=1", "/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "evil.example" not in page.text


def test_links_in_mail_use_public_url_whatever_host_the_request_named(client, app):
    offering = make_offering()
    app.config["TRUSTED_HOSTS"] = [*app.config["TRUSTED_HOSTS"], "other.test"]
    try:
        client.post(
            f"/offerings/{offering.slug}/enroll",
            data=form_data(1),
            headers={"Host": "other.test"},
        )
    finally:
        app.config["TRUSTED_HOSTS"].remove("other.test")
    links = re.findall(r"https?://[^/\s]+", outbox("confirmed")[0].body_text)
    assert links and set(links) == {"http://holdplads.test"}


def test_trusted_hosts_default_to_the_public_url_host(monkeypatch, tmp_path):
    monkeypatch.setenv("PUBLIC_URL", "https://holdplads.aarhus.dk")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    config = from_env(str(tmp_path))
    assert "holdplads.aarhus.dk" in config["TRUSTED_HOSTS"]
    assert "evil.example" not in config["TRUSTED_HOSTS"]
    monkeypatch.setenv("TRUSTED_HOSTS", "holdplads.aarhus.dk, www.holdplads.dk")
    assert from_env(str(tmp_path))["TRUSTED_HOSTS"] == ["holdplads.aarhus.dk", "www.holdplads.dk"]
