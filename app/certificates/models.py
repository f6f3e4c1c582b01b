"""An issued certificate: what the public verification page may show, and nothing more.

The initials and the period are copied in when it is issued, so the code still verifies after
retention has erased the person's name from the enrollment.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models import Offering


class Certificate(db.Model):
    """One person's certificate of participation for one course (kursusbevis)."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)  # e.g. K7QF-3M9X-TP2A
    # One certificate per enrollment: asking again gives the same code.
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="SET NULL"), unique=True
    )
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    initials: Mapped[str] = mapped_column(sa.String(20))
    first_day: Mapped[date] = mapped_column(sa.Date)  # local days of the first and last
    last_day: Mapped[date] = mapped_column(sa.Date)  # held dates
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offering: Mapped[Offering] = relationship()
