"""Sign-up rush: hundreds of people press "sign up" for the same 20 seats within seconds.

Starts gunicorn (4 workers) on 127.0.0.1 against a throw-away database it makes itself — a new
PostgreSQL database next to the one --database-url (or DATABASE_URL) names, dropped at the end,
else SQLite in a temporary directory — creates one offering, then
fires real HTTP sign-ups from many threads: GET the form (CSRF token + session cookie), POST
it. Rate limits are off (RATELIMIT_ENABLED=false). Prints sign-ups per second, p50/p99
latency of the POST, the number of overbooked seats (must be 0) and whether the waiting list
is in order. Stops by itself (hard limit: --timeout seconds) and talks only to 127.0.0.1.

With --mixed the offering keeps classes mixed (audience shares): citizens, relatives and staff
sign up in turn, 60 % of the seats are kept for citizens and at most a fifth go to staff; it
then also prints the seats each audience holds and fails if any share was exceeded.

    .venv/bin/python bench/rush.py
    .venv/bin/python bench/rush.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/rush.py --mixed --workers 4
    .venv/bin/python bench/rush.py --worker-class gthread   # as gunicorn.conf.py runs it
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _common import SERVER_CONFIG, fresh_database, gunicorn  # noqa: E402

HOST = "127.0.0.1"
SLUG = "rush-kursus"
MIXED = ("citizen", "relative", "staff")
CITIZEN_PERCENT = 60


def staff_max(seats: int) -> int:
    return max(1, seats // 5)


def prepare_database(url: str, seats: int, mixed: bool = False) -> None:
    """Drop, migrate, and create the one offering everybody wants."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Location, Occurrence, Offering, OfferingAudience, Organisation

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            else:
                for name in sa.inspect(connection).get_table_names():
                    connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
        upgrade(directory=str(ROOT / "migrations"))
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
        offering = Offering(
            slug=SLUG,
            kind="course",
            title="Rush-kurset",
            summary="Alle vil med",
            organisation=Organisation(slug="rush", name="Rush"),
            location=Location(name="Huset", address="Vej 1"),
            capacity=seats,
            enrolment_mode="instant",
            status="published",
        )
        offering.audience_rows = [OfferingAudience(audience="citizen")]
        if mixed:
            offering.audience_rows = [
                OfferingAudience(
                    audience="citizen",
                    min_share_percent=CITIZEN_PERCENT,
                    kept_until=start - timedelta(days=1),
                ),
                OfferingAudience(audience="relative"),
                OfferingAudience(audience="staff", max_seats=staff_max(seats)),
            ]
        offering.occurrences = [Occurrence(starts_at=start, ends_at=start + timedelta(hours=2))]
        db.session.add(offering)
        db.session.commit()
        db.engine.dispose()


def results(url: str) -> tuple[dict[str, int], bool, dict[str, int]]:
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Enrollment

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        rows = db.session.execute(
            sa.select(Enrollment.id, Enrollment.status, Enrollment.audience).order_by(
                Enrollment.queued_at, Enrollment.id
            )
        ).all()
        db.engine.dispose()
    counts: dict[str, int] = {}
    held: dict[str, int] = {}
    for _id, status, audience in ((i, str(s), str(a)) for i, s, a in rows):
        counts[status] = counts.get(status, 0) + 1
        if status in ("confirmed", "offered"):
            held[audience] = held.get(audience, 0) + 1
    seated = [i for i, s, _a in rows if s in ("confirmed", "offered")]
    waiting = [i for i, s, _a in rows if s == "waitlisted"]
    # With shares a later citizen may get a seat a waiting staff member may not take.
    in_order = waiting == sorted(waiting) and (
        bool(held.keys() - {"citizen"}) or not seated or not waiting or max(seated) < min(waiting)
    )
    return counts, in_order, held


def wait_for_mail(url: str, *, expected: int, timeout: float) -> float | None:
    """Seconds after the rush until every sign-up's mail was written and handed over (the
    workers' couriers do it in the background); None if not within `timeout`."""
    engine = sa.create_engine(url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            with engine.connect() as connection:
                sent, waiting = connection.execute(
                    sa.text(
                        "SELECT count(*) FILTER (WHERE status = 'sent'),"
                        " count(*) FILTER (WHERE status <> 'sent') FROM outbox_messages"
                    )
                ).one()
            if sent >= expected and waiting == 0:
                return time.perf_counter() - started
            time.sleep(0.1)
        return None
    finally:
        engine.dispose()


def one_signup(port: int, n: int, mixed: bool = False) -> tuple[int, float]:
    """GET the form, POST it; returns (status of the POST, its latency in seconds)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        path = f"/offerings/{SLUG}/enroll"
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = "; ".join(
            c.split(";")[0]
            for c in response.msg.get_all("Set-Cookie") or []
            if c.startswith("session=")
        )
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if response.status != 200 or match is None:
            return response.status, 0.0
        body = urlencode(
            {
                "csrf_token": match.group(1),
                "name": f"Person {n}",
                "email": f"person{n}@example.com",
                "audience": MIXED[n % 3] if mixed else "citizen",
                "consent": "y",
                "website": "",
            }
        )
        started = time.perf_counter()
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return 0, 0.0
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=500)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=("sync", "gthread"),
        help="gthread: as deploy/gunicorn.conf.py runs a server (4 threads per worker)",
    )
    parser.add_argument("--timeout", type=int, default=300, help="hard stop, seconds")
    parser.add_argument(
        "--mixed", action="store_true", help="citizens, relatives and staff with audience shares"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a PostgreSQL server to make the throw-away database on (default: SQLite)",
    )
    args = parser.parse_args()
    signal.signal(
        signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("bench ran too long"))
    )
    signal.alarm(args.timeout)

    server = None
    if args.database_url:
        # Connect to the server's own `postgres` database to make ours: the named one need
        # not exist (the README's command used to name one that nobody had made).
        server = sa.make_url(args.database_url).set(database="postgres")
        if server.host not in (HOST, "localhost"):
            print("refusing a database that is not on this machine")
            return 2
        server = server.render_as_string(hide_password=False)
    with fresh_database(server, prefix="holdplads_rush") as database:
        return run(database.url, args)


def run(url: str, args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="holdplads-rush-"))
    prepare_database(url, args.seats, args.mixed)

    with gunicorn(
        "wsgi:app",
        database_url=url,
        workers=args.workers,
        worker_class=args.worker_class,
        extra_env={
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(tmp / "outbox"),
            "PUBLIC_URL": "http://holdplads.bench",
            "HOLDPLADS_ENV": "development",
        },
        ready_path=f"/offerings/{SLUG}",
        config=SERVER_CONFIG,
    ) as server:
        port = urlsplit(server.url).port
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            outcomes = list(
                pool.map(lambda n: one_signup(port, n, args.mixed), range(args.signups))
            )
        wall = time.perf_counter() - started
        mail_lag = wait_for_mail(url, expected=args.signups, timeout=120)

    ok = [latency for status, latency in outcomes if status == 302]
    failed = len(outcomes) - len(ok)
    counts, in_order, by_audience = results(url)
    held = counts.get("confirmed", 0) + counts.get("offered", 0)
    overbooked = max(0, held - args.seats)
    latencies = sorted(ok)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"database            {database}, gunicorn {args.workers} workers, "
        f"{args.threads} client threads"
    )
    print(f"sign-ups            {len(ok)} ok, {failed} failed, in {wall:.2f} s")
    print(f"sign-ups/s          {len(ok) / wall:.0f}")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"POST latency        p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms"
        )
    lag = "NOT ALL within 120 s" if mail_lag is None else f"{mail_lag:.1f} s after the rush"
    print(f"mail                every sign-up's mail handed over {lag}")
    print(f"enrollments         {counts}")
    print(f"overbooked seats    {overbooked}")
    print(f"waiting list order  {'ok' if in_order else 'WRONG'}")
    shares_ok = True
    if args.mixed:
        others = by_audience.get("relative", 0) + by_audience.get("staff", 0)
        kept = -(-args.seats * CITIZEN_PERCENT // 100)
        shares_ok = (
            by_audience.get("staff", 0) <= staff_max(args.seats) and others <= args.seats - kept
        )
        verdict = "shares kept" if shares_ok else "SHARE EXCEEDED"
        print(f"seats by audience   {by_audience} ({verdict})")
    signal.alarm(0)
    mail_ok = mail_lag is not None
    return 0 if overbooked == 0 and in_order and shares_ok and failed == 0 and mail_ok else 1


if __name__ == "__main__":
    sys.exit(main())
