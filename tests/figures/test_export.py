"""`flask figures export`, its JSON Schema and example, and the compare page's uploads."""

from __future__ import annotations

import contextvars
import io
import json

import pytest
from jsonschema import Draft202012Validator

from app.extensions import db
from app.figures import export
from app.figures.models import FiguresUpload
from tests.figures.history import build_history
from tests.figures.test_suppression import EXPECTED, EXPECTED_MONTHS, EXPECTED_RATES, S
from tests.management.helpers import make_staff, sign_in_as


def exported(runner, *args) -> dict:
    result = runner.invoke(args=["figures", "export", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def exported_count(value):
    return "<5" if value is None else "hidden" if value == S else value


def test_the_export_holds_the_suppressed_figures_and_follows_its_schema(app, runner):
    build_history()
    app.config["MUNICIPALITY_NAME"] = "Roskilde Kommune"
    try:
        doc = exported(runner, "--period", "2026-autumn")
    finally:
        app.config["MUNICIPALITY_NAME"] = "Holdplads"
    Draft202012Validator(export.schema()).validate(doc)
    assert (doc["format"], doc["version"], doc["municipality"]) == (
        "holdplads-key-figures",
        1,
        "Roskilde Kommune",
    )
    assert doc["period"] == {
        "id": "2026-autumn",
        "kind": "term",
        "first_day": "2026-08-01",
        "last_day": "2026-12-31",
    }
    for key, expected in EXPECTED.items():
        table = doc["tables"][key]
        values = {**table["cells"], **({"total": table["total"]} if "total" in table else {})}
        assert values == {k: exported_count(v) for k, v in expected.items()}, key
        rates = {
            k: None if v is None else round(v, 4) for k, v in EXPECTED_RATES.get(key, {}).items()
        }
        assert table.get("rates", {}) == rates, key
    assert [m["month"] for m in doc["months"]] == [
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    for series, (cells, total) in EXPECTED_MONTHS.items():
        assert [m[series] for m in doc["months"]] == [exported_count(v) for v in cells]
        assert doc["month_totals"][series] == total
    text = json.dumps(doc)
    assert "@example.com" not in text and "Navn" not in text and "person_key" not in text


def test_the_example_in_the_repository_is_what_the_export_writes_for_the_known_history(runner):
    build_history()
    doc = exported(runner, "--from", "2026-08-01", "--to", "2026-12-31")
    example = json.loads(export.EXAMPLE_PATH.read_text(encoding="utf-8"))
    Draft202012Validator(export.schema()).validate(example)
    assert doc["tables"] == example["tables"] and doc["months"] == example["months"]
    assert doc["period"]["id"] == "2026-08-01..2026-12-31"


def test_the_schema_refuses_an_unsuppressed_count():
    example = json.loads(export.EXAMPLE_PATH.read_text(encoding="utf-8"))
    example["tables"]["signups"]["cells"]["relative"] = 2
    assert list(Draft202012Validator(export.schema()).iter_errors(example))


def test_the_export_command_brings_its_own_application_context(runner):
    # as from a shell: no application context around the command
    result = contextvars.Context().run(
        runner.invoke, args=["figures", "export", "--period", "2026-autumn"]
    )
    assert result.exit_code == 0, repr(result.exception)
    assert json.loads(result.output)["period"]["id"] == "2026-autumn"


def test_export_refuses_a_period_it_cannot_read(runner):
    result = runner.invoke(args=["figures", "export", "--period", "2026-winter"])
    assert result.exit_code != 0 and "2026-winter" in result.output


# --- /manage/figures/compare -----------------------------------------------------------------


def _upload(client, content: bytes, name="roskilde.json", period="2026-autumn"):
    return client.post(
        f"/manage/figures/compare?period={period}&lang=en",
        data={"export_file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _partner(**changes) -> bytes:
    doc = json.loads(export.EXAMPLE_PATH.read_text(encoding="utf-8"))
    doc["municipality"] = "Rødovre Kommune"
    doc["period"] = {
        "id": "2026-autumn",
        "kind": "term",
        "first_day": "2026-08-01",
        "last_day": "2026-12-31",
    }
    doc.update(changes)
    return json.dumps(doc).encode()


@pytest.fixture
def coordinator(client):
    h = build_history()
    user = make_staff("coordinator", h.school)
    sign_in_as(client, user)
    return user


def test_an_uploaded_export_is_kept_and_shown_beside_our_own(client, coordinator):
    doc = json.loads(_partner())
    doc["tables"]["signups"]["total"] = 99
    response = _upload(client, json.dumps(doc).encode())
    assert response.status_code == 302
    page = client.get("/manage/figures/compare?period=2026-autumn&lang=en").get_data(as_text=True)
    assert "Rødovre Kommune" in page and "Holdplads (us)" in page
    row = page.split('data-key="signups.total"')[1].split("</tr>")[0]
    assert '<td class="num">28</td><td class="num">99</td>' in row
    row = page.split('data-key="signups.relative"')[1].split("</tr>")[0]
    assert row.count("&lt; 5") == 2
    # another period: our column alone, the upload still listed as kept
    page = client.get("/manage/figures/compare?period=2026-spring&lang=en").get_data(as_text=True)
    assert "Rødovre Kommune, 2026-autumn" in page
    assert page.count('<td class="num">99</td>') == 0


def test_a_new_upload_of_the_same_municipality_and_period_replaces_the_old(client, coordinator):
    _upload(client, _partner())
    _upload(client, _partner())
    assert db.session.scalar(db.select(db.func.count()).select_from(FiguresUpload)) == 1


def test_a_kept_export_can_be_removed(client, coordinator):
    _upload(client, _partner())
    upload = db.session.scalar(db.select(FiguresUpload))
    response = client.post(f"/manage/figures/compare/{upload.id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(db.select(FiguresUpload)) is None
    assert client.post(f"/manage/figures/compare/{upload.id}/remove").status_code == 302


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a JSON document"),
        (b'{"format": "something-else", "version": 1}', "not a key-figures export"),
        (_partner(version=2), "version 2"),
        (_partner(municipality=""), "does not follow the format"),
        (_partner(tables={}), "does not follow the format"),
        (_partner(extra="a name"), "does not follow the format"),
        (b" " * 300_000, "larger than 256 kB"),
        (b"", "Choose an export file"),
    ],
)
def test_a_bad_upload_gets_a_clear_message_and_changes_nothing(
    client, coordinator, content, message
):
    _upload(client, _partner())  # one kept already
    response = _upload(client, content, name="x.json" if content else "")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(FiguresUpload)) == 1


def test_peer_workers_may_not_compare(client):
    h = build_history()
    sign_in_as(client, make_staff("peer_worker", h.school))
    assert client.get("/manage/figures/compare").status_code == 403
    assert _upload(client, _partner()).status_code == 403
