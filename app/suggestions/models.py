"""A suggested group and the people who share the need (the one who suggested it included)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models import LabelledEnum, _enum


class SuggestionStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for approval")
    APPROVED = "approved", _l("Approved")
    DECLINED = "declined", _l("Declined")
    MERGED = "merged", _l("Merged into another")
    # staff turned it into a group in interest mode (app/interest/); its people were invited
    BECAME_GROUP = "became_group", _l("Became a group")


class GroupSuggestion(db.Model):
    """Nothing of it is public until staff approve it; a merged one lives on in the kept one."""

    __tablename__ = "group_suggestions"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(120))
    reason: Mapped[str] = mapped_column(sa.String(600))
    status: Mapped[SuggestionStatus] = mapped_column(
        _enum(SuggestionStatus, "status"), default=SuggestionStatus.PENDING, index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("group_suggestions.id", ondelete="SET NULL")
    )
    # The group it became (interest mode), once staff turned it into one.
    offering_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    supporters: Mapped[list[SuggestionSupporter]] = relationship(
        back_populates="suggestion", order_by="SuggestionSupporter.id"
    )

    @property
    def me_too_count(self) -> int:
        """Everyone who shares the need, besides the one who suggested it."""
        return sum(1 for s in self.supporters if not s.is_author)


class SuggestionSupporter(db.Model):
    """One person behind a suggestion: the author, or a "me too"; the email is optional."""

    __tablename__ = "suggestion_supporters"
    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group_suggestions.id", ondelete="CASCADE"), index=True
    )
    is_author: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="da")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suggestion: Mapped[GroupSuggestion] = relationship(back_populates="supporters")
