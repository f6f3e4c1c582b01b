"""The outside probe's hostile values, sent to every route of the app: never a 500.

Every rule in `app.url_map` is walked, as an anonymous visitor and as an admin (who reaches
every staff page), with: dates 0001-01-01 and 9999-12-31 in every date parameter, `endpoint`,
`_method` and `_external` in the query string, NUL bytes and file parts in every text field
any form of the site has, ids beyond the column's range (2^31, 23 digits) and digits like `²`.
The answer must be a 4xx (or a normal 2xx/3xx) with the site's security headers; the suite runs
on SQLite and on PostgreSQL (DATABASE_URL), so both databases are probed.
"""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask import url_for
from wtforms import DateField, IntegerField

from app.extensions import db
from app.forms import Form
from app.models import Enrollment
from tests.factories import make_offering
from tests.management.helpers import make_world, sign_in_as

HUGE_IDS = (2**31, 10**23)
DATES = ("0001-01-01", "9999-12-31")

# Merged so that each route is asked a few times, not dozens (the suite stays fast).
HOSTILE_QUERIES = [
    {
        "from": "0001-01-01",
        "to": "9999-12-31",
        "endpoint": "x",
        "page": "²",
        "per_page": "²",
        "q": "a\x00b",
        "kind": "\x00",
        "lang": "\x00",
        "next": "/\t/evil.example",
    },
    {
        "from": "9999-12-31",
        "to": "0001-01-01",
        "_method": "DELETE",
        "_external": "1",
        "_scheme": "javascript",
        "_anchor": "x",
        "page": "9" * 23,
        "per_page": "9" * 23,
        "theme": "\x00",
        "audience": "\x00",
    },
    {"endpoint": "management.dashboard", "_method": "POST"},
]


def _all_form_fields() -> dict[str, type]:
    """Every field name of every form of the site, with its field class."""
    fields: dict[str, type] = {}
    pending = [Form]
    seen = set()
    while pending:
        form = pending.pop()
        if form in seen:
            continue
        seen.add(form)
        pending.extend(form.__subclasses__())
        for name, unbound in getattr(form, "_unbound_fields", None) or []:
            fields.setdefault(name, unbound.field_class)
        for name in dir(form):
            unbound = getattr(form, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is not None:
                fields.setdefault(name, field_class)
    # Read from request.form by hand in a few views.
    for name in ("enrollment_id", "status", "page", "location_id", "occurrence_id", "weekday"):
        fields.setdefault(name, IntegerField)
    return fields


def _hostile_forms(app) -> list[dict]:
    with app.app_context():
        fields = _all_form_fields()
    nul = {name: "x\x00y" for name in fields}
    dates = [
        {
            name: (day if issubclass(cls, DateField) else number if cls is IntegerField else "1")
            for name, cls in fields.items()
        }
        for day, number in zip(DATES, ("²", str(10**23)), strict=True)
    ]
    files = {name: (io.BytesIO(b"file"), "a.txt") for name in fields}
    return [nul, *dates, files]


def _values(rule, world, huge_id: int | None) -> dict:
    ids = {
        "offering_id": world.offering.id,
        "occurrence_id": world.occurrence.id,
        "enrollment_id": world.confirmed.id,
        "user_id": world.peer.id,
        "message_id": 1,
        "organisation_id": world.school.id,
    }
    values = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = huge_id if huge_id is not None else ids[name]
        elif name == "slug":
            values[name] = world.offering.slug
        elif name == "token":
            values[name] = f"{huge_id or 1}-" + "0" * 64
        elif name == "filename":
            values[name] = "holdplads.css"
        else:
            values[name] = "x"
    return values


def _urls(app, rule, world):
    """The route with real ids first, then (if it takes ids) with ids beyond the range."""
    variants = [None]
    if rule.arguments - {"slug", "filename"}:
        variants += list(HUGE_IDS)
    with app.test_request_context():
        for huge in variants:
            try:
                yield huge is None, url_for(rule.endpoint, **_values(rule, world, huge))
            except Exception:  # noqa: BLE001  (a converter refuses a value: no such URL)
                continue


def _check(response, label, failures):
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {label}")
    elif response.status_code >= 400 and "Content-Security-Policy" not in response.headers:
        failures.append(f"no security headers: {response.status_code} {label}")


def _walk(app, client, world) -> list[str]:
    failures: list[str] = []
    forms = _hostile_forms(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for first, url in _urls(app, rule, world):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                queries = HOSTILE_QUERIES if first and method == "GET" else HOSTILE_QUERIES[:1]
                for query in queries:
                    try:
                        response = client.open(url, method=method, query_string=query)
                    except Exception as error:  # noqa: BLE001  (TESTING propagates the 500)
                        failures.append(f"{type(error).__name__} {method} {url} {query}")
                        continue
                    _check(response, f"{method} {url} {query}", failures)
                if method != "POST" or not first:
                    continue
                for data in forms:
                    label = f"POST {url} form={next(iter(data.values()))!r}"
                    data = {
                        k: (io.BytesIO(b"file"), "a.txt") if isinstance(v, tuple) else v
                        for k, v in data.items()
                    }
                    try:
                        response = client.post(url, data=data)
                    except Exception as error:  # noqa: BLE001
                        failures.append(f"{type(error).__name__} {label}")
                        continue
                    _check(response, label, failures)
    return failures


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_route_answers_500_to_the_probes_values(app, client, who):
    world = make_world()
    if who == "admin":
        sign_in_as(client, world.admin)
    failures = _walk(app, client, world)
    assert failures == [], "\n".join(failures[:60]) + f"\n({len(failures)} in all)"


def test_language_link_drops_url_for_arguments_from_the_query(client):
    page = client.get("/?_external=1&_scheme=javascript&endpoint=x&_method=POST&kind=group")
    assert page.status_code == 200
    assert "javascript:" not in page.text
    assert re.search(r'href="/\?(kind=group&amp;lang=en|lang=en&amp;kind=group)"', page.text)


def test_ids_beyond_the_column_range_are_404(client):
    world = make_world()
    sign_in_as(client, world.admin)
    for number in ("2147483648", "9" * 23, "²"):
        assert client.get(f"/manage/offerings/{number}").status_code == 404
        assert client.get(f"/enrollments/{number}-{'0' * 64}").status_code == 404


def test_nul_byte_in_a_text_field_is_refused_next_to_the_field(client):
    offering = make_offering()
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data={
            "name": "Anna\x00",
            "email": "anna@example.com",
            "audience": "citizen",
            "consent": "y",
        },
    )
    assert response.status_code == 400
    assert "usynlige kontroltegn" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0


def test_dates_outside_the_calendar_are_a_clear_400_not_500(client):
    for query in ("from=0001-01-01&to=9999-12-31", "from=9999-12-31"):
        for url in ("/", "/calendar.ics", "/api/v1/offerings"):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 400, url
            assert "Content-Security-Policy" in response.headers
