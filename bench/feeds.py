"""How fast calendar feeds are built, and how cheap an unchanged feed is to answer.

1. Build time: one offering with 100, 1,000 and 10,000 occurrences in a fresh database; the
   time to load the occurrences and write the whole feed (`feeds.offering_events` +
   `ical.build_feed`, in-process, best of several runs), in ms and µs per event. Growth must
   be linear; target: 1,000 events in under 100 ms.
2. The 304 path: the real app under gunicorn (2 sync workers) answering `/offerings/<slug>.ics`
   with If-None-Match = its current ETag, against a bare Flask "ok" app under the same
   gunicorn, alternating bare → feed several rounds with wrk, median. Target: the 304 path at
   70 % or more of the bare app.

Usage:
    .venv/bin/python bench/feeds.py                      # SQLite in a temporary directory
    .venv/bin/python bench/feeds.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/feeds.py --no-rps             # build times only

Only 127.0.0.1 is ever contacted; every gunicorn started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    WRK,
    fresh_database,
    gunicorn,
    make_app,
    markdown_table,
    median,
    warm,
)

from app.extensions import db  # noqa: E402
from app.models import Location, Occurrence, Offering, Organisation  # noqa: E402

SIZES = (100, 1_000, 10_000)
PUBLIC_URL = "http://holdplads.bench"


def seed(sizes: tuple[int, ...]) -> None:
    organisation = Organisation(slug="recovery-skolen", name="Recovery-skolen")
    location = Location(name="Huset", address="Vestergade 1", postcode="8000", city="Aarhus C")
    db.session.add_all([organisation, location])
    start = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)
    for size in sizes:
        offering = Offering(
            slug=f"feed-{size}",
            kind="group",
            title=f"Gruppe med {size} mødegange",
            summary="En selvhjælpsgruppe, hver dag.",
            organisation=organisation,
            location=location,
            status="published",
        )
        db.session.add(offering)
        db.session.flush()
        db.session.execute(
            sa_insert_occurrences(),
            [
                {
                    "offering_id": offering.id,
                    "starts_at": start + timedelta(days=i),
                    "ends_at": start + timedelta(days=i, hours=2),
                    "status": "scheduled",
                    "sequence": 0,
                    "updated_at": start,
                }
                for i in range(size)
            ],
        )
    db.session.commit()


def sa_insert_occurrences():
    return Occurrence.__table__.insert()


def build_times(app, sizes: tuple[int, ...]) -> list[tuple[int, float, float]]:
    """Best of several runs per size: (events, seconds to load, seconds to write)."""
    from app.calendar import feeds, ical

    results = []
    with app.app_context():
        for size in sizes:
            best_total, best = float("inf"), (0.0, 0.0)
            for _ in range(10 if size <= 1_000 else 4):
                db.session.expunge_all()
                now = datetime.now(UTC)
                began = time.perf_counter()
                _, events = feeds.offering_events(
                    f"feed-{size}", now=now, public_url=PUBLIC_URL, language="da"
                )
                loaded = time.perf_counter()
                text = ical.build_feed(events, name="Bench", now=now)
                done = time.perf_counter()
                assert text.count("BEGIN:VEVENT") == size
                if done - began < best_total:
                    best_total, best = done - began, (loaded - began, done - loaded)
            results.append((size, *best))
    return results


def wrk_304(url: str, etag: str, *, seconds: int) -> float:
    """Requests/s on `url` sending If-None-Match; every answer must be a 304."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the bench only talks to 127.0.0.1")
    result = subprocess.run(
        [WRK, "-t2", "-c16", f"-d{seconds}s", "-H", f"If-None-Match: {etag}", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    if "Non-2xx" in result.stdout or "Socket errors" in result.stdout:
        raise RuntimeError(f"wrk saw errors on {url}:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def etag_of(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.headers["ETag"]


def assert_304(url: str, etag: str) -> None:
    request = urllib.request.Request(url, headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code == 304:
            return
        raise
    raise RuntimeError(f"{url} did not answer 304 to its own ETag")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on")
    parser.add_argument("--no-rps", action="store_true", help="build times only")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds (bare, feed)")
    parser.add_argument("--seconds", type=int, default=4, help="seconds per wrk run")
    args = parser.parse_args()

    with fresh_database(args.database_url, prefix="holdplads_feeds") as database:
        app = make_app(database.url)
        with app.app_context():
            seed(SIZES)
        results = build_times(app, SIZES)
        rows = [
            [
                f"{size:,}",
                f"{(load + write) * 1000:.1f}",
                f"{(load + write) / size * 1e6:.0f}",
                f"{load * 1000:.1f}",
                f"{write * 1000:.1f}",
            ]
            for size, load, write in results
        ]
        print(
            f"\nFeed build time ({database.label}, best of 10 (4 for 10,000); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n"
        )
        print(markdown_table(
            ["events", "total ms", "µs per event", "load (SQL + events) ms", "write ms"], rows
        ))  # fmt: skip
        # Linear growth: the cost per event stays about the same as the feed grows tenfold
        # (quadratic work would cost ten times as much per event; allow 2x for caches and GC).
        per_event = [(load + write) / size for size, load, write in results]
        steps = zip(per_event, per_event[1:], strict=False)
        if any(bigger > 2 * smaller for smaller, bigger in steps):
            raise SystemExit("build time grows worse than linearly")
        thousand = next(load + write for size, load, write in results if size == 1_000)
        print(f"\n1,000 events: {thousand * 1000:.0f} ms (target < 100 ms)")
        with app.app_context():
            db.engine.dispose()
        if args.no_rps:
            return

        path = "/offerings/feed-100.ics"
        bare_rates, feed_rates = [], []
        with (
            gunicorn("bare_app:app") as bare_server,
            gunicorn(
                "wsgi:app",
                database_url=database.url,
                extra_env={"PUBLIC_URL": PUBLIC_URL, "HOLDPLADS_ENV": "development"},
                ready_path=path,
            ) as real_server,
        ):
            bare, real = bare_server.url, real_server.url
            warm(bare + "/")
            warm(real + path)
            etag = etag_of(real + path)
            for _ in range(4):  # every worker has seen the marker and answers 304
                assert_304(real + path, etag)
            for _ in range(args.rounds):
                bare_rates.append(wrk_304(bare + "/", etag, seconds=args.seconds))
                feed_rates.append(wrk_304(real + path, etag, seconds=args.seconds))
        bare_rps, feed_rps = median(bare_rates), median(feed_rates)
        print(
            f"\nUnchanged feed answered 304 ({database.label}, gunicorn 2 sync workers, "
            f"wrk -t2 -c16, {args.rounds} × {args.seconds}s alternating, median)\n"
        )
        print(markdown_table(
            ["app", "requests/s", "share of bare"],
            [["bare Flask \"ok\"", f"{bare_rps:,.0f}", "100 %"],
             ["feed 304", f"{feed_rps:,.0f}", f"{feed_rps / bare_rps:.0%}"]],
        ))  # fmt: skip
        print(f"\nall rounds: bare {bare_rates}, feed {feed_rates}")


if __name__ == "__main__":
    main()
