"""Two gunicorn servers (separate processes, 2 workers each) on one database.

What a load balancer in front of several app servers relies on: nothing is kept in one
server's memory that the other needs. A sign-up on one shows at once on the other (their page
caches are validated by the change marker in the database), and a rush split across both
never gives away more seats than there are (the offering's row lock is in the database).
Runs on the suite's database: PostgreSQL in CI, and SQLite by default.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import threading
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment, EnrollmentStatus
from app.transaction import write_transaction
from tests.enrollment.helpers import form_data
from tests.factories import make_offering
from tests.ops.servers import base_env, gunicorns

pytestmark = pytest.mark.committing

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Visitor:
    """A browser of one: its own cookies, GET the form for its CSRF token, then POST."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=30) as response:
            return response.read().decode()

    def open_form(self, server: str, slug: str) -> str:
        """GET the sign-up form; returns its CSRF token (the session cookie is kept)."""
        token = _CSRF.search(self.get(f"{server}/offerings/{slug}/enroll"))
        assert token, "the sign-up form has a CSRF token"
        return token.group(1)

    def submit(self, server: str, slug: str, n: int | str, token: str, **fields) -> int:
        data = urllib.parse.urlencode({**form_data(n, **fields), "csrf_token": token}).encode()
        with self.opener.open(f"{server}/offerings/{slug}/enroll", data=data, timeout=60) as r:
            return r.status

    def sign_up(self, server: str, slug: str, n: int | str) -> int:
        return self.submit(server, slug, n, self.open_form(server, slug))


@pytest.fixture(scope="module")
def two_servers(app, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("two-servers")
    env = base_env(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="two-servers-shared-secret",
        PUBLIC_URL="http://holdplads.test",
        RATELIMIT_ENABLED="false",
        MAIL_SERVER="",
        MAIL_OUTBOX=str(tmp_path / "outbox"),
    )
    with gunicorns(2, sys.executable, "app:create_app()", env=env, cwd=tmp_path, workers=2) as urls:
        yield urls


def _seats_left(server: str, slug: str) -> int:
    with urllib.request.urlopen(f"{server}/api/v1/offerings/{slug}", timeout=10) as response:
        return json.loads(response.read())["seats_left"]


def test_a_signup_on_one_server_shows_at_once_on_the_other(two_servers):
    first, second = two_servers
    offering = make_offering(capacity=5)
    for _ in range(4):  # every worker of the second server has the page cached
        assert _seats_left(second, offering.slug) == 5
    assert Visitor().sign_up(first, offering.slug, 1) == 200
    assert [_seats_left(second, offering.slug) for _ in range(4)] == [4] * 4


def test_a_rush_split_across_both_servers_never_overbooks(two_servers):
    first, second = two_servers
    offering = make_offering(capacity=10)
    slug = offering.slug
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def rush(n: int) -> None:
        visitor = Visitor()
        server = first if n % 2 else second
        token = visitor.open_form(server, slug)
        barrier.wait()
        statuses.append(visitor.submit(server, slug, n, token))

    threads = [threading.Thread(target=rush, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * 40
    db.session.rollback()
    counts = dict(
        db.session.execute(
            sa.select(Enrollment.status, sa.func.count())
            .where(Enrollment.offering_id == offering.id)
            .group_by(Enrollment.status)
        ).all()
    )
    assert counts == {EnrollmentStatus.CONFIRMED: 10, EnrollmentStatus.WAITLISTED: 30}
    assert _seats_left(first, offering.slug) == _seats_left(second, offering.slug) == 0


def test_a_mixed_rush_across_both_servers_keeps_every_audience_share(two_servers):
    """Citizens, relatives and staff at once, on two servers with two workers each: 50 % of
    the seats kept for citizens, at most 2 staff; no share and no capacity is exceeded."""
    from datetime import timedelta

    from tests.factories import now

    first, second = two_servers
    audiences = ("citizen", "relative", "staff")
    offering = make_offering(capacity=8, audiences=audiences)
    with write_transaction():  # the servers may still be writing the last test's mail
        for row in offering.audience_rows:
            if row.audience == "citizen":
                row.min_share_percent, row.kept_until = 50, now() + timedelta(days=1)
            if row.audience == "staff":
                row.max_seats = 2
    slug = offering.slug
    barrier = threading.Barrier(36)
    statuses: list[int] = []

    def rush(n: int) -> None:
        visitor = Visitor()
        server = first if n % 2 else second
        token = visitor.open_form(server, slug)
        barrier.wait()
        statuses.append(visitor.submit(server, slug, n, token, audience=audiences[n % 3]))

    threads = [threading.Thread(target=rush, args=(n,)) for n in range(36)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * 36
    db.session.rollback()
    held = dict(
        db.session.execute(
            sa.select(Enrollment.audience, sa.func.count())
            .where(
                Enrollment.offering_id == offering.id,
                Enrollment.status.in_([EnrollmentStatus.CONFIRMED, EnrollmentStatus.OFFERED]),
            )
            .group_by(Enrollment.audience)
        ).all()
    )
    assert sum(held.values()) == 8
    assert held.get("staff", 0) <= 2
    assert held.get("relative", 0) + held.get("staff", 0) <= 4
    with urllib.request.urlopen(f"{first}/api/v1/offerings/{slug}", timeout=10) as response:
        body = json.loads(response.read())
    assert body["seats_left_by_audience"] == {"citizen": 0, "relative": 0, "staff": 0}
