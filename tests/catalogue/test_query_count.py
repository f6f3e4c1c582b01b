"""The catalogue and offering pages make a fixed number of queries, whatever the data size."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.factories import add_facilitator, make_enrollment, make_offering, make_theme, now

# Two answers to one URL are compared: its minute must not turn between them.
pytestmark = pytest.mark.usefixtures("still_minute")


@contextmanager
def count_queries(app):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _fill(count: int) -> str:
    theme = make_theme("angst", "Angst")
    slug = ""
    for n in range(count):
        starts = [now() + timedelta(days=n % 20 + 1, hours=w * 24 * 7) for w in range(4)]
        offering = make_offering(themes=[theme], starts=starts, audiences=["citizen", "relative"])
        make_enrollment(offering)
        add_facilitator(offering, guest_name=f"Gæst {n}")
        slug = offering.slug
    return slug


def _queries_for(app, client, url: str) -> int:
    app.extensions["page_cache"].clear()
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_catalogue_query_count_does_not_grow_with_the_catalogue(app, client):
    _fill(2)
    small = _queries_for(app, client, "/")
    _fill(40)
    large = _queries_for(app, client, "/")
    assert small == large
    assert large <= 8


def test_offering_page_query_count_does_not_grow_with_occurrences(app, client):
    few = make_offering(starts=[now() + timedelta(days=1)])
    many = make_offering(starts=[now() + timedelta(days=d) for d in range(1, 60)])
    for offering in (few, many):
        for _ in range(3):
            make_enrollment(offering)
    assert _queries_for(app, client, f"/offerings/{few.slug}") == _queries_for(
        app, client, f"/offerings/{many.slug}"
    )


def test_cached_page_costs_one_query(app, client):
    _fill(3)
    client.get("/")
    with count_queries(app) as statements:
        assert client.get("/").status_code == 200
    assert len(statements) == 1, statements
