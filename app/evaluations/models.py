"""The evaluation's two tables: who was invited (for sending once), and the answers.

An answer holds no tie to a person: no enrollment, no email, no invitation, only the
offering, the round and the day. When an answer is stored its invitation's token hash is
replaced by the hash of a token nobody has, so used and unused invitations look alike.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class EvaluationInvite(db.Model):
    """One person's questionnaire link for one offering and round (written once)."""

    __tablename__ = "evaluation_invites"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "round", name="uq_evaluation_invites_once"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[str] = mapped_column(sa.String(30))  # "end", or a term: 2026-autumn
    language: Mapped[str] = mapped_column(sa.String(8), default="da")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvaluationAnswer(db.Model):
    """One anonymous answer: scores 1-5, an optional comment, and the day only."""

    __tablename__ = "evaluation_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[str] = mapped_column(sa.String(30))
    answered_on: Mapped[date] = mapped_column(sa.Date)
    usefulness: Mapped[int] = mapped_column()  # 1-5
    learnt: Mapped[int] = mapped_column()  # 1 = strongly disagree ... 5 = strongly agree
    welcome: Mapped[int] = mapped_column()
    recommend: Mapped[int] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    comment_hidden: Mapped[bool] = mapped_column(default=False)
