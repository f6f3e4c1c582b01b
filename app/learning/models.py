"""The learning plan's one table. Its content is a Fernet token, never the text itself."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class LearningPlan(db.Model):
    """One person's goals and notes for one course, by their address (as /my knows them)."""

    __tablename__ = "learning_plans"
    __table_args__ = (
        sa.UniqueConstraint(
            "email_normalized", "offering_id", name="uq_learning_plans_person_offering"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint below also serves lookups by address.
    email_normalized: Mapped[str] = mapped_column(sa.String(254))
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    # Fernet token of {"goals": ..., "notes": ...} as JSON (app/learning/crypto.py).
    content_encrypted: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
