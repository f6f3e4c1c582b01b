"""The key-figures area's own tables: partner exports kept for comparison."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class FiguresUpload(db.Model):
    """A partner municipality's key-figures export, kept so the comparison stays.

    One per municipality and period: a new upload replaces the old one.
    """

    __tablename__ = "figures_uploads"
    __table_args__ = (
        sa.UniqueConstraint("municipality", "period_id", name="uq_figures_uploads_municipality"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality: Mapped[str] = mapped_column(sa.String(200))
    period_id: Mapped[str] = mapped_column(sa.String(30), index=True)  # e.g. 2026-autumn
    document: Mapped[str] = mapped_column(sa.Text)  # the export, as uploaded (validated JSON)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
