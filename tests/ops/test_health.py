"""/healthz and /readyz: what a load balancer and systemd poll."""

from __future__ import annotations


def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_schema_is_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_503_when_the_database_was_never_migrated(other_app, tmp_path):
    app = other_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "flask db upgrade" in response.text


def test_readyz_says_503_when_the_database_is_unreachable(other_app, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "db.sqlite"
    app = other_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.text == "database not reachable\n"


def test_health_checks_are_never_rate_limited(other_app, tmp_path):
    app = other_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_DEFAULT="2/minute",
    )
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
