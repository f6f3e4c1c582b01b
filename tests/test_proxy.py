"""Behind a proxy (issue 11, finding 7): rate limits are keyed on the visitor, not the proxy.

The README's deployment puts a TLS proxy in front of gunicorn: every request then comes from
the proxy's address. With TRUSTED_PROXY_COUNT=1 the app takes the visitor's address from the
last X-Forwarded-For entry (the one that proxy wrote), and nothing a visitor sends can choose
another bucket.
"""

from __future__ import annotations

import os

import pytest

from app.extensions import limiter
from tests.management.helpers import make_world

PROXY = "127.0.0.1"


@pytest.fixture
def make_limited_app(app):
    from app import create_app

    def make(**config):
        limited = create_app(
            {**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3/minute", **config}
        )
        limiter.reset()
        return limited

    try:
        yield make
    finally:
        limiter.reset()
        limiter.enabled = False


def _login_codes(client, forwarded_for: str, emails: list[str]) -> list[int]:
    return [
        client.post(
            "/manage/login",
            data={"email": email, "password": "gæt"},
            environ_base={"REMOTE_ADDR": PROXY},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for email in emails
    ]


def test_behind_one_trusted_proxy_one_visitor_cannot_lock_out_another(make_limited_app):
    make_world()
    client = make_limited_app(TRUSTED_PROXY_COUNT=1).test_client()
    attacker = _login_codes(client, "203.0.113.7", [f"a{i}@example.org" for i in range(4)])
    assert attacker == [200, 200, 200, 429]
    staff = _login_codes(client, "198.51.100.2", ["b@example.org"])
    assert staff == [200]


def test_a_visitor_cannot_pick_a_new_bucket_by_sending_x_forwarded_for(make_limited_app):
    make_world()
    client = make_limited_app(TRUSTED_PROXY_COUNT=1).test_client()
    codes = [
        # The visitor writes the first entry; the proxy appends the address it saw.
        _login_codes(client, f"10.9.9.{i}, 203.0.113.7", [f"c{i}@example.org"])[0]
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(make_limited_app):
    make_world()
    client = make_limited_app(TRUSTED_PROXY_COUNT=0).test_client()
    codes = [_login_codes(client, f"203.0.113.{i}", [f"d{i}@example.org"])[0] for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_staff_login_is_limited_per_hour_as_well_as_per_minute(app):
    limits = app.config["LOGIN_RATE_LIMIT"]
    assert "minute" in limits and "hour" in limits


def test_production_refuses_per_worker_limits_with_several_workers(monkeypatch, tmp_path):
    from app.config import ConfigError, from_env

    monkeypatch.setenv("HOLDPLADS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("LEARNING_PLAN_KEYS", "bGVhcm5pbmctcGxhbi1rZXktZm9yLXRlc3RzLTMyYiE=")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        from_env(str(tmp_path))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    assert from_env(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"


_WORKER = """
import sys, json
from app import create_app
config = json.loads(sys.argv[1])
app = create_app(config)
client = app.test_client()
codes = [
    client.post("/manage/login", data={"email": f"w{i}@example.org", "password": "x"},
                environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code
    for i in range(int(sys.argv[2]))
]
print(json.dumps(codes))
"""


@pytest.fixture
def redis_url():
    import shutil
    import socket
    import subprocess
    import time

    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: apt-get install redis-server")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_workers_share_one_rate_limit_through_redis(app, redis_url):
    """Two processes, as two gunicorn workers are: the second sees what the first counted."""
    import json
    import subprocess
    import sys

    config = json.dumps(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_url,
            "LOGIN_RATE_LIMIT": "2/minute",
            "WTF_CSRF_ENABLED": False,
        }
    )

    def worker(requests: int) -> list[int]:
        done = subprocess.run(
            [sys.executable, "-c", _WORKER, config, str(requests)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert worker(2) == [200, 200]
    assert worker(1) == [429]
