"""The opening of a new term: 1,000 visitors browse while 300 of them sign up within a minute.

Builds a throw-away PostgreSQL database next to the one --database-url names (or SQLite with
--sqlite), 40 published offerings with 8 seats each, then starts two gunicorn servers of 2
workers each on this machine (as two app servers behind a load balancer would be) and runs
Locust headless against both: every visitor browses the catalogue and offering pages (1–4 s
between pages), the first 300 to arrive also sign up once. All 1,000 arrive within the first
20 s; the run lasts --seconds (60). Prints throughput, median/p95/p99 per page, errors (must
be 0) and overbooked seats (must be 0); exits non-zero otherwise. Talks only to 127.0.0.1 and
stops everything it started.

    .venv/bin/python bench/term_opening.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _common import SERVER_CONFIG, VENV_BIN, fresh_database, gunicorn  # noqa: E402

OFFERINGS = 40
SEATS = 8


def prepare(url: str) -> list[str]:
    """Migrate and publish the term's offerings; returns their slugs."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Location, Occurrence, Offering, OfferingAudience, Organisation

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    slugs = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        organisation = Organisation(slug="recovery-skolen", name="Recovery-skolen")
        location = Location(name="Huset", address="Vej 1")
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
        for n in range(OFFERINGS):
            slug = f"forloeb-{n}"
            offering = Offering(
                slug=slug,
                kind=("course", "group", "meeting")[n % 3],
                title=f"Forløb nummer {n}",
                summary="Et forløb i det nye semester",
                description="Vi mødes otte gange og taler om det, der fylder.",
                organisation=organisation,
                location=location,
                capacity=SEATS,
                enrolment_mode="instant",
                status="published",
            )
            offering.audience_rows = [OfferingAudience(audience="citizen")]
            start = first + timedelta(days=n)
            offering.occurrences = [
                Occurrence(
                    starts_at=start + timedelta(weeks=w),
                    ends_at=start + timedelta(weeks=w, hours=2),
                )
                for w in range(8)
            ]
            db.session.add(offering)
            slugs.append(slug)
        db.session.commit()
        db.engine.dispose()
    return slugs


def overbooked(url: str) -> tuple[int, int]:
    """(seats held beyond capacity, summed over offerings; sign-ups in the database)."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT o.capacity,"
                " count(e.id) FILTER (WHERE e.status IN ('confirmed', 'offered')),"
                " count(e.id) FROM offerings o LEFT JOIN enrollments e ON e.offering_id = o.id"
                " GROUP BY o.id, o.capacity"
            )
        ).all()
    engine.dispose()
    return sum(max(0, held - capacity) for capacity, held, _ in rows), sum(n for *_, n in rows)


def report(prefix: Path, seconds: int) -> int:
    """Print Locust's numbers per page, then those of the answers that had to be rendered
    (not served whole from the page cache); returns the number of failed requests."""
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    print(f"{'page':42} {'requests':>8} {'fails':>5} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    failures = 0
    for row in rows:
        failures += int(row["Failure Count"]) if row["Name"] == "Aggregated" else 0
        print(
            f"{row['Name'][:42]:42} {row['Request Count']:>8} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):>6.1f} {row['50%']:>5}ms {row['95%']:>5}ms "
            f"{row['99%']:>5}ms"
        )
    history = Path(f"{prefix}_stats_history.csv")
    if history.exists():  # every page, p95 per 10 s of the run: where the slow answers fell
        with open(history, newline="") as rows_file:
            aggregated = [r for r in csv.DictReader(rows_file) if r["Name"] == "Aggregated"]
        start = int(aggregated[0]["Timestamp"]) if aggregated else 0
        windows: dict[int, int] = {}
        for row in aggregated:
            second = int(row["Timestamp"]) - start
            p95 = int(float(row["95%"] or 0)) if row["95%"] not in ("", "N/A") else 0
            windows[second // 10] = max(windows.get(second // 10, 0), p95)
        print(
            "p95 over time      ", " ".join(f"{w * 10}s:{v}ms" for w, v in sorted(windows.items()))
        )
    rendered_file = Path(f"{prefix}_rendered.json")
    rendered = json.loads(rendered_file.read_text()) if rendered_file.exists() else {}
    for name, times in sorted(rendered.items()):
        times.sort()
        p50, p95, p99 = (times[min(len(times) - 1, int(len(times) * q))] for q in (0.5, 0.95, 0.99))
        label = f"{name}, rendered"
        print(
            f"{label[:42]:42} {len(times):>8} {'':>5} {len(times) / seconds:>6.1f} "
            f"{p50:>5.0f}ms {p95:>5.0f}ms {p99:>5.0f}ms"
        )
    return failures


def report_server_side(log_file: Path) -> None:
    """The rendered answers' time inside the app (its request log: from the request reaching
    the app to the answer's last byte), without the time they waited for a free worker."""
    times: dict[str, list[float]] = {}
    for line in log_file.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("cache") == "miss":
            times.setdefault(entry["route"], []).append(entry["duration_ms"])
    for route, durations in sorted(times.items()):
        durations.sort()
        p50, p95, p99 = (
            durations[min(len(durations) - 1, int(len(durations) * q))] for q in (0.5, 0.95, 0.99)
        )
        label = f"{route}, rendered, in the app"
        print(
            f"{label[:42]:42} {len(durations):>8} {'':>5} {'':>6} "
            f"{p50:>5.0f}ms {p95:>5.0f}ms {p99:>5.0f}ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--signers", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="per server")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=("sync", "gthread"),
        help="gthread (4 threads per worker): as deploy/gunicorn.conf.py runs a server",
    )
    args = parser.parse_args()
    server_url = None
    if args.database_url:
        admin = sa.make_url(args.database_url).set(database="postgres")
        if admin.host not in ("127.0.0.1", "localhost"):
            print("refusing a database that is not on this machine")
            return 2
        server_url = admin.render_as_string(hide_password=False)
    with (
        fresh_database(server_url, prefix="holdplads_term") as database,
        tempfile.TemporaryDirectory() as tmp,
    ):
        slugs = prepare(database.url)
        env = {
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(Path(tmp) / "outbox"),
            "PUBLIC_URL": "http://holdplads.bench",
            "LOG_FORMAT": "json",
        }
        with contextlib.ExitStack() as servers:
            one, two = (  # two app servers behind a load balancer, on one database
                servers.enter_context(
                    gunicorn(
                        "wsgi:app",
                        database_url=database.url,
                        workers=args.workers,
                        extra_env=env,
                        config=SERVER_CONFIG,
                        worker_class=args.worker_class,
                        log_file=Path(tmp) / "servers.log",
                    )
                )
                for _ in range(2)
            )
            prefix = Path(tmp) / "locust"
            locust_env = {
                **os.environ,
                "TERM_SERVERS": f"{one.url},{two.url}",
                "TERM_SLUGS": ",".join(slugs),
                "TERM_SIGNERS": str(args.signers),
                "TERM_VISITORS": str(args.visitors),
                "TERM_RENDERED": f"{prefix}_rendered.json",
            }
            subprocess.run(
                [
                    str(VENV_BIN / "locust"),
                    "-f", str(ROOT / "bench" / "term_opening_users.py"),
                    "--headless", "--only-summary", "--loglevel", "WARNING",
                    "--users", str(args.visitors),
                    "--spawn-rate", str(max(1, args.visitors // 20)),
                    "--run-time", f"{args.seconds}s",
                    "--stop-timeout", "10",
                    "--csv", str(prefix), "--csv-full-history",
                    "--exit-code-on-error", "0",
                ],
                env=locust_env,
                check=True,
                timeout=args.seconds + 120,
            )  # fmt: skip
        failures = report(prefix, args.seconds)
        report_server_side(Path(tmp) / "servers.log")
        extra, signups = overbooked(database.url)
    print(
        f"database            {database.label}, 2 gunicorn servers x {args.workers}"
        f" {args.worker_class} workers"
    )
    print(f"sign-ups stored     {signups} (of {args.signers} signers)")
    print(f"errors              {failures}")
    print(f"overbooked seats    {extra}")
    return 0 if failures == 0 and extra == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
