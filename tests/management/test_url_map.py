"""The staff URL map is one table (app/management/routes.py), and it is the whole truth."""

from __future__ import annotations

from pathlib import Path

from app.management.routes import URLS

MANAGEMENT = Path(__file__).resolve().parents[2] / "app" / "management"


def test_every_staff_url_is_a_line_of_the_table_and_nothing_else(app):
    table = {
        ("/manage" + rule, f"management.{view.__name__}", frozenset(methods))
        for rule, view, methods in URLS
    }
    registered = {
        (rule.rule, rule.endpoint, frozenset(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("management.")
    }
    assert registered == table


def test_staff_view_modules_do_not_register_routes_or_import_the_map():
    for path in MANAGEMENT.glob("*.py"):
        if path.name == "routes.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "@bp." not in text, path.name
        assert "management.routes" not in text, path.name
