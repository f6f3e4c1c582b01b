"""Comparing with partner municipalities: keep their exports, line them up with our own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.figures import export, suppression
from app.figures.models import FiguresUpload


def keep_upload(
    data: bytes, *, max_bytes: int, user_id: int | None, now: datetime
) -> FiguresUpload:
    """Validate an uploaded export and keep it (replacing that municipality's for the period).

    Raises export.ExportRejected and changes nothing when the file is not a valid export.
    """
    doc = export.check(data, max_bytes=max_bytes)
    upload = db.session.scalar(
        sa.select(FiguresUpload).filter_by(
            municipality=doc["municipality"], period_id=doc["period"]["id"]
        )
    )
    if upload is None:
        upload = FiguresUpload(municipality=doc["municipality"], period_id=doc["period"]["id"])
        db.session.add(upload)
    upload.document = json.dumps(doc, ensure_ascii=False)
    upload.uploaded_at = now
    upload.uploaded_by_id = user_id
    db.session.flush()
    return upload


def remove_upload(upload: FiguresUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


def uploads() -> list[FiguresUpload]:
    return list(
        db.session.scalars(
            sa.select(FiguresUpload).order_by(
                FiguresUpload.period_id.desc(), FiguresUpload.municipality
            )
        )
    )


@dataclass
class Column:
    municipality: str
    doc: dict
    upload_id: int | None  # None: our own figures


def columns_for(period_id: str, own: dict) -> list[Column]:
    """Our own export first, then every kept export of the same period."""
    columns = [Column(own["municipality"], own, None)]
    for upload in uploads():
        if upload.period_id == period_id:
            columns.append(Column(upload.municipality, json.loads(upload.document), upload.id))
    return columns


def count_text(value) -> str:
    """A count of an export as the page shows it."""
    if value == suppression.EXPORT_HIDDEN:
        return suppression.HIDDEN_TEXT
    if value == suppression.EXPORT_SECONDARY:
        return suppression.secondary_text()
    return str(value)


def rate_text(value) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def lookup(doc: dict, table: str, part: str, key: str | None = None):
    """A value of an export: (doc, "signups", "total") or (doc, "signups", "cells", "staff")."""
    entry = doc["tables"][table][part]
    return entry if key is None else entry[key]
