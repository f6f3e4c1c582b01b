"""How the catalogue scales and how fast it serves.

1. Seeds 100, 1,000 and 5,000 offerings (8 occurrences each, plus audiences, themes,
   facilitators and a few enrollments) into a fresh database and counts the SQL statements one
   request of `/` and of `/offerings/<slug>` makes, with the page cache cleared so the real
   query work is counted. The count must be the same at every size; the script fails if not.
2. Serves the app with gunicorn (2 sync workers) next to a bare Flask app that answers "ok"
   under the same gunicorn, and measures requests per second with wrk, alternating
   bare → catalogue → bare → offering page, several rounds, median. At the demo catalogue
   (`seed-demo`) and at 1,000 offerings. Target: the catalogue and the offering page each serve
   at least half the bare app's rate at demo size.

Usage:
    .venv/bin/python bench/catalogue.py                    # SQLite in a temporary directory
    .venv/bin/python bench/catalogue.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/catalogue.py --no-rps           # query counts only (seconds)

With a PostgreSQL URL a new database is created on that server and dropped at the end.
Only 127.0.0.1 is ever contacted; every gunicorn started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    QueryCounter,
    fresh_database,
    gunicorn,
    make_app,
    markdown_table,
    median,
    warm,
    wrk,
)

from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Enrollment,
    Facilitator,
    Location,
    Occurrence,
    Offering,
    OfferingAudience,
    Organisation,
    Theme,
    offering_themes,
)

SIZES = (100, 1_000, 5_000)
OCCURRENCES_PER_OFFERING = 8
KINDS = ("course", "group", "meeting")
AUDIENCES = ("citizen", "relative", "staff", "volunteer")
TARGET_RATIO = 0.5


# --- seeding -------------------------------------------------------------------------------


def _reference_rows() -> tuple[list[int], list[int], list[int]]:
    """A few organisations, locations and themes for the synthetic offerings to point at."""
    orgs = [Organisation(slug=f"bench-org-{i}", name=f"Organisation {i}") for i in range(3)]
    places = [
        Location(name=f"Huset {i}", address=f"Vestergade {i}", postcode="8000",
                 city="Aarhus C", step_free=i % 2 == 0, accessibility_notes="Elevator.")
        for i in range(6)
    ]  # fmt: skip
    themes = [Theme(slug=f"tema-{i}", name=f"Tema {i}", name_en=f"Theme {i}") for i in range(12)]
    db.session.add_all([*orgs, *places, *themes])
    db.session.flush()
    return [o.id for o in orgs], [p.id for p in places], [t.id for t in themes]


def grow_to(size: int, now: datetime, refs) -> None:
    """Bulk-insert synthetic published offerings until the database holds `size` of them."""
    org_ids, place_ids, theme_ids = refs
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Offering))
    new = range(have, size)
    if not new:
        return
    db.session.execute(
        sa.insert(Offering.__table__),
        [
            {
                "slug": f"bench-tilbud-{n}",
                "kind": KINDS[n % 3],
                "title": f"Tilbud nummer {n}",
                "title_en": f"Offering number {n}",
                "summary": "Et roligt forløb om håb, hverdag og fællesskab. " * 2,
                "summary_en": "A calm course about hope, everyday life and community. " * 2,
                "description": "## Om forløbet\n\nVi mødes og taler om **recovery**.\n" * 3,
                "organisation_id": org_ids[n % len(org_ids)],
                "location_id": None if n % 10 == 0 else place_ids[n % len(place_ids)],
                "is_online": n % 10 == 0,
                "capacity": None if n % 7 == 0 else 12,
                "enrolment_mode": "drop_in" if n % 7 == 0 else "instant",
                "status": "published",
                "teaching_language": "da",
                "revision": 0,
                "created_at": now,
                "updated_at": now,
            }
            for n in new
        ],
    )
    ids = dict(
        db.session.execute(
            sa.select(Offering.slug, Offering.id).where(Offering.slug.like("bench-tilbud-%"))
        ).all()
    )
    offering_ids = [(n, ids[f"bench-tilbud-{n}"]) for n in new]
    db.session.execute(
        sa.insert(OfferingAudience.__table__),
        [
            {"offering_id": oid, "audience": a}
            for n, oid in offering_ids
            for a in AUDIENCES[: 1 + n % 3]
        ],
    )
    db.session.execute(
        sa.insert(offering_themes),
        [
            {"offering_id": oid, "theme_id": theme_ids[(n + k) % len(theme_ids)]}
            for n, oid in offering_ids
            for k in range(2)
        ],
    )
    db.session.execute(
        sa.insert(Facilitator.__table__),
        [
            {"offering_id": oid, "guest_name": f"Underviser {n}-{k}", "role": role, "position": k}
            for n, oid in offering_ids
            for k, role in enumerate(("peer", "professional"))
        ],
    )
    occurrences = []
    for n, oid in offering_ids:
        first = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=1 + n % 60)
        for k in range(OCCURRENCES_PER_OFFERING):
            start = first + timedelta(weeks=k)
            occurrences.append(
                {
                    "offering_id": oid,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "status": "cancelled" if k == 3 and n % 5 == 0 else "scheduled",
                    "sequence": 0,
                    "updated_at": now,
                }
            )
    db.session.execute(sa.insert(Occurrence.__table__), occurrences)
    enrollments = []
    for n, oid in offering_ids:
        for k, status in enumerate(("confirmed", "confirmed", "waitlisted")):
            email = f"person{n}-{k}@example.com"
            enrollments.append(
                {
                    "offering_id": oid,
                    "name": f"Person {n}-{k}",
                    "email": email,
                    "email_normalized": email,
                    "audience": "citizen",
                    "status": status,
                    "queued_at": now,
                    "consent_at": now,
                    "language": "da",
                    "wants_companion": False,
                    "manage_token_hash": hashlib.sha256(email.encode()).hexdigest(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    db.session.execute(sa.insert(Enrollment.__table__), enrollments)
    db.session.commit()


# --- counting queries ----------------------------------------------------------------------


def count_queries(app, slug: str) -> dict[str, int]:
    """Statements per request: catalogue and offering page rendered afresh, and a cached hit."""
    client = app.test_client()
    cache = _BothCaches(app.extensions["page_cache"], app.extensions["page_answers"])
    with app.app_context():
        counter = QueryCounter(db.engine)
    with _counting_marker_reads(counter):
        return _count(client, cache, counter, slug)


class _BothCaches:
    """Rendered bodies (inside Flask) and whole answers (the middleware): clear both."""

    def __init__(self, *caches) -> None:
        self.caches = caches

    def clear(self) -> None:
        for cache in self.caches:
            cache.clear()


@contextlib.contextmanager
def _counting_marker_reads(counter: QueryCounter):
    """The page cache reads the change marker on a raw DBAPI cursor, which SQLAlchemy's
    events do not see; count those reads too, so the numbers are the real round trips."""
    from app import page_cache

    original = getattr(page_cache, "_read_autocommit", None)
    if original is None:
        yield
        return

    def counted(*args, **kwargs):
        if counter._on:
            counter.statements.append("SELECT version FROM change_marker  -- autocommit")
        return original(*args, **kwargs)

    page_cache._read_autocommit = counted
    try:
        yield
    finally:
        page_cache._read_autocommit = original


def _count(client, cache, counter: QueryCounter, slug: str) -> dict[str, int]:
    counts = {}
    for name, url in (("catalogue", "/"), ("offering", f"/offerings/{slug}")):
        cache.clear()
        assert client.get(url).status_code == 200, url  # warm-up: imports, connections
        cache.clear()
        with counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(counter)
        with counter:
            response = client.get(url)  # same key: served from the cache
        assert response.status_code == 200, url
        counts[f"{name}_cached"] = len(counter)
    return counts


def offering_slug(app, prefer: str | None = None) -> str:
    """A public offering with the most occurrences: the heaviest page to render."""
    with app.app_context():
        query = (
            sa.select(Offering.slug)
            .join(Occurrence)
            .where(Offering.status == "published")
            .group_by(Offering.id, Offering.slug)
            .order_by(sa.func.count(Occurrence.id).desc(), Offering.id)
            .limit(1)
        )
        if prefer:
            query = query.where(Offering.slug == prefer)
        return db.session.scalar(query)


# --- requests per second -------------------------------------------------------------------


def measure_rps(database_url: str, slug: str, *, rounds: int, seconds: int, workers: int,
                connections: int, app_spec: str) -> dict[str, float]:  # fmt: skip
    """Median req/s of bare, catalogue and offering page, the apps alternating in one run.

    Every measurement of the app sits between two of the bare app (bare, `/`, bare, offering,
    bare, ...), and its ratio is taken against the mean of those two neighbours, so a machine
    that gets busier or quieter during the run shifts both sides alike. The CPU time the
    gunicorn workers spend per request is recorded too: it hardly moves with other load.
    """
    rates: dict[str, list[float]] = {"bare": [], "catalogue": [], "offering": []}
    cpu_us: dict[str, list[float]] = {"bare": [], "catalogue": [], "offering": []}
    ratios: dict[str, list[float]] = {"catalogue": [], "offering": []}
    with (
        gunicorn("bare_app:app", workers=workers) as bare,
        gunicorn(app_spec, database_url=database_url, workers=workers) as real,
    ):
        targets = {
            "bare": (bare, bare.url + "/"),
            "catalogue": (real, real.url + "/"),
            "offering": (real, real.url + f"/offerings/{slug}"),
        }
        for _, url in targets.values():
            warm(url)

        def run(name: str, round_: int) -> float:
            server, url = targets[name]
            cpu_before = server.workers_cpu_seconds()
            result = wrk(url, connections=connections, seconds=seconds)
            cpu = (server.workers_cpu_seconds() - cpu_before) / result.requests * 1e6
            rates[name].append(result.rate)
            cpu_us[name].append(cpu)
            print(f"    round {round_}: {name:<9} {result.rate:8.0f} req/s "
                  f"{cpu:6.0f} µs CPU/request", flush=True)  # fmt: skip
            return result.rate

        before = run("bare", 1)
        for round_ in range(1, rounds + 1):
            for name in ("catalogue", "offering"):
                rate = run(name, round_)
                after = run("bare", round_)
                ratios[name].append(rate / ((before + after) / 2))
                before = after
    result = {name: median(values) for name, values in rates.items()}
    result.update({f"{name}_ratio": median(values) for name, values in ratios.items()})
    result.update({f"{name}_cpu": median(values) for name, values in cpu_us.items()})
    return result


# --- the run -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a PostgreSQL server to create a throw-away database on",
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument(
        "--rps-size",
        type=int,
        default=1_000,
        help="the synthetic size measured under gunicorn besides the demo",
    )
    parser.add_argument("--no-rps", action="store_true", help="count queries only")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--app", default="wsgi:app", help="the app to serve (module:attribute)")
    args = parser.parse_args()  # fmt: skip
    sizes = sorted(int(s) for s in args.sizes.split(","))
    now = datetime.now(UTC)
    rps_kwargs = {"rounds": args.rounds, "seconds": args.seconds, "workers": args.workers,
                  "connections": args.connections, "app_spec": args.app}  # fmt: skip

    query_rows: list[tuple[str, dict[str, int]]] = []
    rps_rows: list[tuple[str, dict[str, float]]] = []

    with fresh_database(args.database_url) as database:
        print(f"Database: {database.label} (fresh, removed afterwards)", flush=True)
        app = make_app(database.url)
        with app.app_context():
            from app.demo.catalogue import seed_demo_catalogue

            seed_demo_catalogue(now)
            db.session.commit()
            demo_count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Offering)
                .where(Offering.status == "published")
            )
        slug = offering_slug(app)
        counts = count_queries(app, slug)
        label = f"demo ({demo_count} published)"
        query_rows.append((label, counts))
        print(f"  {label}: {counts}", flush=True)
        with app.app_context():
            db.engine.dispose()
        if not args.no_rps:
            print(f"  gunicorn at demo size, offering page /offerings/{slug}", flush=True)
            rps_rows.append((label, measure_rps(database.url, slug, **rps_kwargs)))

    with fresh_database(args.database_url) as database:
        app = make_app(database.url)
        with app.app_context():
            refs = _reference_rows()
            db.session.commit()
        for size in sizes:
            started = time.monotonic()
            with app.app_context():
                grow_to(size, now, refs)
            seeded = time.monotonic() - started
            slug = offering_slug(app, prefer="bench-tilbud-1")
            counts = count_queries(app, slug)
            label = f"{size:,} offerings"
            query_rows.append((label, counts))
            print(f"  {label} (seeded in {seeded:.1f}s): {counts}", flush=True)
            first_label, first = query_rows[1]
            if counts != first:
                raise SystemExit(
                    f"FAIL: the number of SQL statements per request grows with the catalogue: "
                    f"{first_label}: {first}, {label}: {counts}"
                )
            if size == args.rps_size and not args.no_rps:
                with app.app_context():
                    db.engine.dispose()
                print(f"  gunicorn at {label}", flush=True)
                rps_rows.append((label, measure_rps(database.url, slug, **rps_kwargs)))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    print()
    print(f"### SQL statements per request ({database.label})")
    print()
    print(
        markdown_table(
            ["catalogue size", "`/` (rendered)", "`/offerings/<slug>` (rendered)",
             "either page from the cache"],
            [
                [label, str(c["catalogue"]), str(c["offering"]),
                 str(max(c["catalogue_cached"], c["offering_cached"]))]
                for label, c in query_rows
            ],
        )
    )  # fmt: skip
    ok = True
    print("\nThe same at every size: the catalogue is paged and related rows are loaded with a")
    print("fixed number of `selectinload` queries; a cached page reads only the change marker.")
    if rps_rows:
        print()
        print(
            f"### Requests per second ({database.label}, gunicorn {args.workers} sync workers, "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s, median of {args.rounds} "
            "alternating rounds)"
        )
        print()
        rows = []
        for label, r in rps_rows:
            rows.append(
                [label, f"{r['bare']:.0f}", f"{r['catalogue']:.0f}",
                 f"**{r['catalogue_ratio']:.2f}**", f"{r['offering']:.0f}",
                 f"**{r['offering_ratio']:.2f}**",
                 f"{r['bare_cpu']:.0f} / {r['catalogue_cpu']:.0f} / {r['offering_cpu']:.0f}"]
            )  # fmt: skip
        print(
            markdown_table(
                ["catalogue size", "bare Flask", "`/`", "`/` ÷ bare", "offering page",
                 "offering ÷ bare", "worker CPU µs/request (bare / `/` / offering)"],
                rows,
            )
        )  # fmt: skip
        print(
            "\nRatios: the median over the rounds of each run's rate against the mean of the bare "
            "runs just before and after it."
        )
        demo = rps_rows[0][1]
        for name in ("catalogue", "offering"):
            ratio = demo[f"{name}_ratio"]
            if ratio < TARGET_RATIO:
                ok = False
                print(f"\nMISSED: {name} at demo size serves {ratio:.2f} of the bare rate "
                      f"(target {TARGET_RATIO})")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
