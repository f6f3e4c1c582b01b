"""Each facilitator's choice per offering, and the notices that wait for their daily digest.

No choice stored means "at once" (the default). A waiting notice holds ids and the event,
never a participant's name or address: the digest reads the enrollment when it is written.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models import Enrollment, LabelledEnum, Occurrence, Offering, _enum


class NoticeFrequency(LabelledEnum):
    AT_ONCE = "at_once", _l("At once, one mail each time")
    DAILY = "daily", _l("In one mail a day (a digest)")
    NEVER = "never", _l("Never")


class NoticeEvent(LabelledEnum):
    """What facilitators are told about; the label is the digest's line."""

    REQUEST = "request", _l("New request")
    CANCELLED = "cancelled", _l("Cancelled their sign-up")
    OFFER_ACCEPTED = "offer_accepted", _l("Accepted the offered seat")
    OFFER_EXPIRED = "offer_expired", _l("Did not answer the offer in time")
    BOUNCED = "bounced", _l("A mail could not be delivered")
    # afbud: one date, not the seat; the notice names the date (`PendingNotice.occurrence_id`)
    ABSENCE = "absence", _l("Cannot come to one date")
    ABSENCE_TAKEN_BACK = "absence_taken_back", _l("Can come to the date after all")


class NoticePreference(db.Model):
    """How one staff member wants to hear about one offering they facilitate."""

    __tablename__ = "notice_preferences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "offering_id", name="uq_notice_preferences_user_offering"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    frequency: Mapped[NoticeFrequency] = mapped_column(_enum(NoticeFrequency, "frequency"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingNotice(db.Model):
    """One event for one facilitator who chose the daily digest; `sent_at` once it went."""

    __tablename__ = "pending_notices"
    __table_args__ = (sa.Index("ix_pending_notices_unsent", "sent_at", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[NoticeEvent] = mapped_column(_enum(NoticeEvent, "event"))
    # The date an afbud is about; a date deleted takes its afbud notices with it.
    occurrence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offering: Mapped[Offering] = relationship()
    enrollment: Mapped[Enrollment | None] = relationship()
    occurrence: Mapped[Occurrence | None] = relationship()
