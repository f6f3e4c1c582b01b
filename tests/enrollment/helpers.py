"""Helpers for the sign-up tests: a person, the outbox, and a form post."""

from __future__ import annotations

import sqlalchemy as sa

from app.enrollment.services import PersonDetails
from app.extensions import db
from app.models import Enrollment, OutboxMessage


def person(n: int | str = 1, **fields) -> PersonDetails:
    values = {"name": f"Deltager {n}", "email": f"deltager{n}@example.com"}
    values.update(fields)
    return PersonDetails(**values)


def form_data(n: int | str = 1, **fields) -> dict:
    data = {
        "name": f"Deltager {n}",
        "email": f"deltager{n}@example.com",
        "phone": "",
        "audience": "citizen",
        "needs": "",
        "consent": "y",
        "website": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def outbox(kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def statuses(offering) -> dict[str, str]:
    """email -> status for an offering."""
    rows = db.session.execute(
        sa.select(Enrollment.email, Enrollment.status)
        .where(Enrollment.offering_id == offering.id)
        .execution_options(populate_existing=True)
    )
    return dict(rows.all())


def fresh(enrollment: Enrollment) -> Enrollment:
    db.session.expire_all()
    return db.session.get(Enrollment, enrollment.id)
