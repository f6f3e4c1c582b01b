"""How fast /manage/figures answers on real volumes.

Builds 2,000 offerings with 10 dates each (20,000 occurrences over 2025 and 2026), 100,000
enrollments of 12,000 people (a keyed pseudonym each, as sign-up stores it) in every status
and audience, and attendance for 4 dates of every offering (~240,000 rows). Then signs in as a
coordinator and times the page (median of 5, after one warm-up) for a term, a year and two
years, the CSV of one table, and `flask figures export`, with the number of SQL statements.

Usage:
    .venv/bin/python bench/figures.py                      # SQLite in a temporary directory
    .venv/bin/python bench/figures.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a new database is created on that server and dropped at the end.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QueryCounter, fresh_database, make_app, markdown_table, median  # noqa: E402

from app.extensions import db  # noqa: E402
from app.figures.pseudonym import person_key, pseudonym_key  # noqa: E402
from app.management import accounts  # noqa: E402
from app.models import (  # noqa: E402
    Attendance,
    Enrollment,
    Occurrence,
    Offering,
    OfferingAudience,
    Organisation,
    Theme,
    User,
    offering_themes,
)

OFFERINGS = 2_000
DATES = 10  # per offering: 20,000 occurrences
ENROLLMENTS = 100_000  # 50 per offering
PEOPLE = 12_000
ATTENDED_DATES = 4
PASSWORD = "bench-adgangskode-lang-nok"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def seed(app) -> None:
    rng = random.Random(16)
    now = datetime.now(UTC)
    key = pseudonym_key(app.config)
    db.session.execute(
        sa.insert(Organisation.__table__),
        [{"slug": f"org-{i}", "name": f"Organisation {i}"} for i in range(6)],
    )
    db.session.execute(
        sa.insert(Theme.__table__), [{"slug": f"tema-{i}", "name": f"Tema {i}"} for i in range(12)]
    )
    org_ids = list(db.session.scalars(sa.select(Organisation.id)))
    theme_ids = list(db.session.scalars(sa.select(Theme.id)))
    db.session.execute(
        sa.insert(Offering.__table__),
        [
            {
                "slug": f"bench-{n}",
                "kind": ("course", "group", "meeting")[n % 3],
                "title": f"Tilbud {n}",
                "summary": "Et tilbud",
                "description": "",
                "organisation_id": org_ids[n % len(org_ids)],
                "capacity": None if n % 9 == 0 else 20 + n % 10,
                "enrolment_mode": "request" if n % 4 == 0 else "instant",
                "status": "published" if n % 25 else "cancelled",
                "teaching_language": "da",
                "revision": 0,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(OFFERINGS)
        ],
    )
    offering_ids = list(db.session.scalars(sa.select(Offering.id).order_by(Offering.id)))
    db.session.execute(
        sa.insert(OfferingAudience.__table__),
        [{"offering_id": o, "audience": "citizen"} for o in offering_ids],
    )
    db.session.execute(
        sa.insert(offering_themes),
        [
            {"offering_id": o, "theme_id": theme_ids[i % len(theme_ids)]}
            for i, o in enumerate(offering_ids)
        ],
    )
    occurrences = []
    for i, oid in enumerate(offering_ids):
        first = START + timedelta(days=(i * 730) // OFFERINGS)  # spread over two years
        for k in range(DATES):
            start = first + timedelta(weeks=k)
            occurrences.append(
                {
                    "offering_id": oid,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "status": "cancelled" if (i + k) % 17 == 0 else "scheduled",
                    "sequence": 0,
                    "updated_at": now,
                }
            )
    db.session.execute(sa.insert(Occurrence.__table__), occurrences)
    statuses = ["confirmed"] * 30 + ["waitlisted"] * 6 + ["cancelled"] * 8 + ["declined"] * 3
    statuses += ["requested"] * 3
    audiences = ["citizen"] * 6 + ["relative"] * 2 + ["staff", "volunteer"]
    keys = [person_key(f"person{p}@example.com", key) for p in range(PEOPLE)]
    rows = []
    per_offering = ENROLLMENTS // OFFERINGS
    for i, oid in enumerate(offering_ids):
        people = rng.sample(range(PEOPLE), per_offering)
        created = START + timedelta(days=(i * 730) // OFFERINGS) - timedelta(days=10)
        for j, p in enumerate(people):
            status = statuses[j]
            email = f"person{p}@example.com"
            rows.append(
                {
                    "offering_id": oid,
                    "name": f"Person {p}",
                    "email": email,
                    "email_normalized": email,
                    "person_key": keys[p],
                    "audience": audiences[(p + j) % len(audiences)],
                    "status": status,
                    "queued_at": created,
                    "consent_at": created,
                    "confirmed_at": created if status == "confirmed" or j % 8 == 0 else None,
                    "language": "da",
                    "wants_companion": j % 11 == 0,
                    "manage_token_hash": hashlib.sha256(f"{oid}-{p}".encode()).hexdigest(),
                    "created_at": created,
                    "updated_at": created,
                }
            )
    for chunk in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(Enrollment.__table__), rows[chunk : chunk + 10_000])
    db.session.commit()

    confirmed = {}
    for eid, oid in db.session.execute(
        sa.select(Enrollment.id, Enrollment.offering_id).where(Enrollment.status == "confirmed")
    ):
        confirmed.setdefault(oid, []).append(eid)
    attendance = []
    for oid, occurrence_ids in _dates_by_offering().items():
        for occurrence_id in occurrence_ids[:ATTENDED_DATES]:
            for n, eid in enumerate(confirmed.get(oid, [])):
                attendance.append(
                    {
                        "enrollment_id": eid,
                        "occurrence_id": occurrence_id,
                        "status": ("present", "present", "present", "excused", "absent")[n % 5],
                        "recorded_at": now,
                    }
                )
    for chunk in range(0, len(attendance), 20_000):
        db.session.execute(sa.insert(Attendance.__table__), attendance[chunk : chunk + 20_000])
    db.session.execute(
        sa.insert(User.__table__),
        [
            {
                "email": "koordinator@example.org",
                "name": "Koordinator",
                "role": "coordinator",
                "organisation_id": org_ids[0],
                "password_hash": accounts.hash_password(PASSWORD),
                "is_active_account": True,
                "created_at": now,
            }
        ],
    )
    db.session.commit()


def _dates_by_offering() -> dict[int, list[int]]:
    dates: dict[int, list[int]] = {}
    for oid, occurrence_id in db.session.execute(
        sa.select(Occurrence.offering_id, Occurrence.id).order_by(Occurrence.starts_at)
    ):
        dates.setdefault(oid, []).append(occurrence_id)
    return dates


def counts() -> dict[str, int]:
    def n(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {
        "offerings": n(Offering),
        "occurrences": n(Occurrence),
        "enrollments": n(Enrollment),
        "attendance": n(Attendance),
    }


def time_get(client, counter, url: str, runs: int = 5) -> tuple[float, int]:
    assert client.get(url).status_code == 200, url  # warm-up
    times = []
    for _ in range(runs):
        with counter:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return median(times), len(counter)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (optional)")
    args = parser.parse_args()
    with fresh_database(args.database_url, prefix="holdplads_bench_figures") as database:
        app = make_app(database.url)
        with app.app_context():
            started = time.perf_counter()
            seed(app)
            seeded = time.perf_counter() - started
            sizes = counts()
            counter = QueryCounter(db.engine)
        print(f"{database.label}: seeded {sizes} in {seeded:.0f} s", flush=True)
        app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in with a plain POST
        client = app.test_client()
        response = client.post(
            "/manage/login", data={"email": "koordinator@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code
        rows = []
        for label, url in (
            ("a term (2026-spring)", "/manage/figures?period=2026-spring"),
            ("a year (2025)", "/manage/figures?period=2025"),
            ("two years (from-to)", "/manage/figures?from=2025-01-01&to=2026-12-31"),
            ("a term, one kind", "/manage/figures?period=2025-autumn&kind=group"),
            ("CSV of one table", "/manage/figures/attendance.csv?period=2026-spring"),
        ):
            seconds, statements = time_get(client, counter, url)
            rows.append([label, f"{seconds * 1000:.0f} ms", str(statements)])
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["figures", "export", "--period", "2026-spring"])
        assert result.exit_code == 0, (result.output, repr(result.exception))
        rows.append(
            [
                "`flask figures export` (a term)",
                f"{(time.perf_counter() - started) * 1000:.0f} ms",
                "–",
            ]
        )
        volume = f"{sizes['enrollments']:,} enrollments over {sizes['occurrences']:,} occurrences"
        print(f"\n{database.label}, {volume}")
        print(markdown_table(["request", "median of 5", "SQL statements"], rows))


if __name__ == "__main__":
    main()
