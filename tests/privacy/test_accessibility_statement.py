"""Danish law: a link to the accessibility statement on every page (tilgængelighedserklæring)."""

from __future__ import annotations

import re

from flask import url_for

from app.enrollment.tokens import manage_token
from tests.management.helpers import make_world, sign_in_as

LINK = re.compile(
    r'<footer class="site-footer">.*<a href="([^"]+)">'
    r"(Tilgængelighedserklæring|Accessibility statement)</a>",
    re.S,
)


def _every_html_page(app, client, world):
    """Every GET route without a file extension, with the world's ids; yields (url, response)."""
    values = {
        "offering_id": world.offering.id,
        "occurrence_id": world.occurrence.id,
        "enrollment_id": world.confirmed.id,
        "user_id": world.peer.id,
        "organisation_id": world.school.id,
        "location_id": world.offering.location_id,
        "slug": world.offering.slug,
        "message_id": 1,
        "suggestion_id": 1,
    }
    with app.test_request_context():
        token = manage_token(world.confirmed)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or "." in rule.rule.rsplit("/", 1)[-1]:
                continue
            if rule.endpoint.startswith("api.") or rule.endpoint == "static":
                continue
            args = {name: values.get(name, token) for name in rule.arguments}
            yield url_for(rule.endpoint, **args)


def test_every_page_links_the_accessibility_statement(app, client):
    world = make_world()
    sign_in_as(client, world.admin)
    checked = 0
    for url in _every_html_page(app, client, world):
        response = client.get(url)
        if response.mimetype != "text/html" or response.status_code >= 300:
            continue
        match = LINK.search(response.text)
        assert match, url
        assert match.group(1) == "/accessibility", url
        checked += 1
    assert checked >= 20
    not_found = client.get("/no-such-page")
    assert LINK.search(not_found.text), "the 404 page too"


def test_the_footer_links_the_municipal_statement_when_it_is_set(client, settings):
    settings(ACCESSIBILITY_STATEMENT_URL="https://www.was.digst.dk/holdplads-aarhus-dk")
    page = client.get("/?lang=da").text
    assert LINK.search(page).group(1) == "https://www.was.digst.dk/holdplads-aarhus-dk"
    assert client.get("/accessibility").location == "https://www.was.digst.dk/holdplads-aarhus-dk"


def test_our_own_statement_in_both_languages(client, settings):
    settings(ACCESSIBILITY_CONTACT="tilgaengelighed@aarhus.dk")
    english = client.get("/accessibility?lang=en").text
    assert "WCAG) 2.1 at level AA" in english
    assert "axe-core" in english and "only the keyboard" in english
    assert "tilgaengelighed@aarhus.dk" in english
    assert "Digitaliseringsstyrelsen" in english
    danish = client.get("/accessibility?lang=da").text
    assert "<h1>Tilgængelighedserklæring</h1>" in danish
    assert "WCAG) 2.1 på niveau AA" in danish
