"""deploy/ and docs/deploy.md stay complete as settings and scheduled commands are added."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEDULED = {
    "send-mail",
    "process-waitlist",
    "send-reminders",
    "send-evaluations",
    "retention",
    "send-digests",
}


def _settings_read_by_the_app() -> set[str]:
    """Every environment setting read by the app's config and by the server's gunicorn config."""
    source = (ROOT / "app" / "config.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    return set(re.findall(r'(?:environ\.get|env)\(\s*"([A-Z][A-Z0-9_]+)"', source))


def test_the_guide_and_the_example_file_name_every_setting():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    example = (DEPLOY / "holdplads.env.example").read_text()
    settings = _settings_read_by_the_app()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_FORMAT", "GUNICORN_MAX_REQUESTS"} <= settings
    missing = "a new setting belongs in docs/deploy.md (section 4) and deploy/holdplads.env.example"
    assert sorted(s for s in settings if f"`{s}`" not in guide) == [], missing
    assert sorted(s for s in settings if s not in example) == [], missing


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_every_scheduled_command_has_a_timer_that_starts_it(app):
    timers = {p.stem.removeprefix("holdplads-"): _unit(p) for p in DEPLOY.glob("systemd/*.timer")}
    assert set(timers) >= SCHEDULED
    for name in SCHEDULED:
        assert timers[name]["Timer"]["Unit"] == f"holdplads-job@{name}.service"
        assert name in app.cli.commands
    job = _unit(DEPLOY / "systemd" / "holdplads-job@.service")
    assert job["Service"]["ExecStart"].endswith("flask --app app:create_app %I")
    assert "backup" in timers
    assert (
        "backup" in _unit(DEPLOY / "systemd" / "holdplads-backup.service")["Service"]["ExecStart"]
    )


def test_nginx_passes_the_headers_the_app_trusts():
    site = (DEPLOY / "nginx" / "holdplads.conf").read_text()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID"):
        assert f"proxy_set_header {header}" in site
    assert "listen 443 ssl" in site and "ssl_certificate " in site


def test_a_worker_is_replaced_rarely_and_the_server_can_choose_when(monkeypatch):
    """A fresh worker answers slowly while it starts: at 2,000 requests each worker of a term
    opening restarted every ~25 s (README, "The opening of a term")."""
    import runpy

    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["max_requests"] >= 20_000
    assert 0 < settings["max_requests_jitter"] < settings["max_requests"]
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "1234")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["max_requests"] == 1234


def test_nginx_closes_an_idle_connection_to_the_app_before_the_app_would(monkeypatch):
    """Were the app to close first, a sign-up nginx sent on the closing connection would be
    lost (502): in the term opening, gunicorn's default of 2 s lost 14-19 sign-ups."""
    import runpy

    monkeypatch.delenv("GUNICORN_KEEPALIVE", raising=False)
    app_keeps = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["keepalive"]
    site = (DEPLOY / "nginx" / "holdplads.conf").read_text()
    upstream = re.search(r"upstream holdplads \{(.*?)\}", site, re.DOTALL).group(1)
    assert re.search(r"^\s*keepalive \d+;", upstream, re.MULTILINE)  # nginx reuses connections
    nginx_keeps = re.search(r"^\s*keepalive_timeout (\d+)s;", upstream, re.MULTILINE)
    assert nginx_keeps is not None, "nginx's upstream keepalive_timeout must be set"
    assert app_keeps > int(nginx_keeps.group(1))
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "90")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["keepalive"] == 90
