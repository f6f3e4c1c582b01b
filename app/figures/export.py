"""The key-figures export: one JSON document of suppressed aggregates, and its checks.

Format "holdplads-key-figures", version 1, described by `schema/key-figures.v1.schema.json`
(JSON Schema 2020-12) with an example beside it, so other systems can write it too. A count
is a whole number or the string "<5"; a rate is a number from 0 to 1, or null when it is not
shown. It holds the municipality's name, the period and the figures: nothing about a person.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from app.figures.services import Report

FORMAT = "holdplads-key-figures"
VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / f"key-figures.v{VERSION}.schema.json"
EXAMPLE_PATH = Path(__file__).parent / "schema" / f"key-figures.v{VERSION}.example.json"


def document(report: Report, *, municipality: str, generated_on: date) -> dict:
    """The report as the export's JSON document (hidden cells are "<5", hidden rates null)."""
    period = report.period
    tables = {}
    for table in report.tables:
        entry: dict = {"cells": {row.key: row.cell.export() for row in table.rows}}
        if table.total is not None:
            entry["total"] = table.total.cell.export()
        if table.rates:
            entry["rates"] = {
                rate.key: None if rate.value is None else round(rate.value, 4)
                for rate in table.rates
            }
        tables[table.key] = entry
    months = [
        {
            "month": month.strftime("%Y-%m"),
            **{s.key: s.cells[i].export() for s in report.trend.series},
        }
        for i, month in enumerate(report.trend.months)
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "municipality": municipality,
        "generated_on": generated_on.isoformat(),
        "period": {
            "id": period.slug,
            "kind": period.kind,
            "first_day": period.start.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "tables": tables,
        "months": months,
        "month_totals": {s.key: s.total.export() for s in report.trend.series},
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class ExportRejected(ValueError):
    """An uploaded export that is not one we can compare; `reason` says why, for the user."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason  # too_large, not_json, wrong_format, wrong_version, invalid
        self.detail = detail


def check(data: bytes, *, max_bytes: int) -> dict:
    """Parse and validate an uploaded export; raise ExportRejected, never anything else."""
    if len(data) > max_bytes:
        raise ExportRejected("too_large")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ExportRejected("not_json") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportRejected("wrong_format")
    if doc.get("version") != VERSION:
        raise ExportRejected("wrong_version", str(doc.get("version"))[:20])
    errors = sorted(Draft202012Validator(schema()).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(document)"
        raise ExportRejected("invalid", f"{where}: {first.message}"[:300])
    return doc
