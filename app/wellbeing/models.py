"""WHO-5 answers, and the keys that pair a person's answer at the start with the one at the end.

`WellbeingAnswer` holds no person data: no enrollment, no email, no name, no date. Its
`pseudonym` is an HMAC, under a server-side key, of the offering and a random secret that
only `WellbeingKey` holds next to the enrollment. Retention deletes that key row with the
rest of the person's data: from then on nothing turns the enrollment into the pseudonym,
and no later answer can be paired with an earlier one.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

ITEMS = ("item1", "item2", "item3", "item4", "item5")


class WellbeingKey(db.Model):
    """One enrollment's pairing secret (erased by retention), and whether it was asked."""

    __tablename__ = "wellbeing_keys"
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(sa.String(64))
    # Asked at the start: answered or skipped (which of the two is not kept).
    start_asked: Mapped[bool] = mapped_column(default=False)


class WellbeingAnswer(db.Model):
    """One WHO-5 answer: five items 0-5, the round, the term; a pseudonym, never a person."""

    __tablename__ = "wellbeing_answers"
    __table_args__ = (
        sa.UniqueConstraint("offering_id", "pseudonym", "round", name="uq_wellbeing_once"),
        *(sa.CheckConstraint(f"{item} BETWEEN 0 AND 5", name=f"{item}_range") for item in ITEMS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[str] = mapped_column(sa.String(30))  # "start", "end", or a term: 2026-autumn
    term: Mapped[str] = mapped_column(sa.String(20))  # the period a pair is reported under
    pseudonym: Mapped[str] = mapped_column(sa.String(64))
    item1: Mapped[int] = mapped_column()  # 0 = at no time ... 5 = all of the time
    item2: Mapped[int] = mapped_column()
    item3: Mapped[int] = mapped_column()
    item4: Mapped[int] = mapped_column()
    item5: Mapped[int] = mapped_column()
