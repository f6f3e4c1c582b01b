"""A new worker renders the public pages before it takes its first visitor.

A worker starts cold: its templates are not compiled, its SQL statements not built, and its
page caches (app/page_cache.py, app/catalogue/) are empty. Its first catalogue took ~200 ms
and each offering page ~50 ms in one process; in a term opening (bench/term_opening.py) the
first visitors of four cold workers queued behind those renders, and the answers of the first
ten seconds took up to 1.6 s. gunicorn calls `warm_up` from `post_worker_init`
(deploy/gunicorn.conf.py), after the app is loaded and before the worker accepts a
connection, so that cost is paid before anyone waits for it.

It only reads: GET requests through the app's own stack, without a cookie, as an anonymous
visitor would send them (the pages kept for everybody are kept by them), and never in the
request log. A database that cannot be reached does not stop the worker: the warm-up is
skipped with a warning, and the worker renders on demand as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from app.catalogue.queries import CatalogueFilters, catalogue_listing
from app.extensions import db
from app.models import Offering
from app.ops.logs import WARM_UP_KEY
from app.page_cache import close_marker_connection

logger = logging.getLogger(__name__)

_TEMPLATE_ENDINGS = (".html", ".txt", ".ics", ".xml", ".svg")


def warm_up(app: Flask, notify: Callable[[], None] = lambda: None) -> int:
    """Compile every template and render the pages a term's first visitors ask for: the
    catalogue (in each language, and with free seats only), each offering it lists (up to
    WARM_UP_PAGES) and one sign-up form. Returns how many pages were rendered.

    `notify` is called after each page: gunicorn's worker tells its master it is alive with
    it, or the master would replace a worker that took longer than its timeout."""
    limit = app.config["WARM_UP_PAGES"]
    if limit <= 0:
        return 0
    started = time.perf_counter()
    for name in app.jinja_env.list_templates():
        if name.endswith(_TEMPLATE_ENDINGS):
            app.jinja_env.get_template(name)
    try:
        paths = _paths(app, limit)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("warm-up skipped: the database could not be read (%s)", error)
        return 0
    client = app.test_client(use_cookies=False)
    public = urlsplit(app.config["PUBLIC_URL"])
    trusted = app.config.get("TRUSTED_HOSTS") or [public.hostname or "localhost"]
    base_url = f"{public.scheme or 'http'}://{trusted[0]}"
    rendered = 0
    for path, language in paths:
        response = client.get(
            path,
            base_url=base_url,
            headers={"Accept-Language": language},
            environ_overrides={WARM_UP_KEY: True},
        )
        rendered += response.status_code == 200
        notify()
    close_marker_connection()  # this thread serves no visitor; gthread's threads have their own
    logger.info(
        "warmed up: %d pages in %d ms",
        rendered,
        (time.perf_counter() - started) * 1000,
        extra={"pages": rendered},
    )
    return rendered


def _paths(app: Flask, limit: int) -> list[tuple[str, str]]:
    """(path, language) of the pages to render, the catalogue's offerings in its order."""
    with app.app_context():
        listing = catalogue_listing(CatalogueFilters(), datetime.now(UTC), page_size=limit)
        ids = listing.ids if listing is not None else ()
        found = sa.select(Offering.id, Offering.slug).where(Offering.id.in_(ids))
        slugs = dict(db.session.execute(found).all())
        db.session.remove()
    default, *others = app.config["LANGUAGES"]
    paths = [("/", default), *(("/", language) for language in others), ("/?free=1", default)]
    paths += [(f"/offerings/{slugs[i]}", default) for i in ids if i in slugs]
    if ids:
        paths.append((f"/offerings/{slugs[ids[0]]}/enroll", default))
    return paths
