"""Safe defaults: headers on every response, nothing loaded from other sites, no 500s."""

from __future__ import annotations

import re

from tests.factories import make_offering


def test_security_headers_on_pages_and_errors(client):
    offering = make_offering()
    for url in ("/", f"/offerings/{offering.slug}", "/nope", "/api/v1/offerings"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_reference_no_other_site_and_no_inline_script_or_style(client):
    offering = make_offering(description="Se [kommunen](https://aarhus.dk).")
    for url in ("/", f"/offerings/{offering.slug}", "/nope"):
        page = client.get(url).text
        for tag in re.findall(r"<(?:script|link|img|iframe)[^>]*>", page):
            assert "http" not in tag, tag
        assert "<style" not in page
        assert " style=" not in page
        assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def test_stylesheet_is_served_by_the_app(client):
    response = client.get("/static/holdplads.css")
    assert response.status_code == 200
    assert "--teal" in response.text


def test_friendly_500_page_in_the_visitors_language(app):
    from app import create_app

    broken = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )

    @broken.get("/__boom")
    def _boom():
        raise RuntimeError("boom")

    client = broken.test_client()
    danish = client.get("/__boom")
    assert danish.status_code == 500
    assert "Beklager, noget gik galt hos os" in danish.text
    english = client.get("/__boom?lang=en")
    assert "Sorry, something went wrong on our side" in english.text
    assert "RuntimeError" not in english.text


def test_wrong_method_is_not_a_500(client):
    response = client.post("/")
    assert response.status_code == 405
