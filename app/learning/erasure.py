"""A person's learning plan goes when their sign-up is erased, whichever path erases it.

Retention (`flask retention`) and the person's own "delete my data" both erase a sign-up with
app/privacy/retention.py's `erase_enrollment`, which blanks its address to `erased-<id>`. When
that happens, the course's plan of the old address is deleted before the change is flushed,
unless the address still holds another sign-up on the course that is not erased (a cancelled
seat is erased sooner than a later one on the same course). Listening here keeps the rule in
this area, and every way of erasing keeps it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from app.learning.models import LearningPlan
from app.models import Enrollment

_PENDING = "learning_plans_to_erase"
ERASED_PREFIX = "erased-"


@event.listens_for(Enrollment.email_normalized, "set", active_history=True)
def _note_erasure(target: Enrollment, value, oldvalue, _initiator) -> None:
    if oldvalue in (None, NO_VALUE, NEVER_SET) or not isinstance(value, str):
        return
    if value.startswith(ERASED_PREFIX) and not str(oldvalue).startswith(ERASED_PREFIX):
        session = object_session(target)
        if session is not None:
            pending = session.info.setdefault(_PENDING, set())
            pending.add((oldvalue, target.offering_id, target.id))


@event.listens_for(Session, "before_flush")
def _erase_noted_plans(session: Session, _flush_context, _instances) -> None:
    pending = session.info.pop(_PENDING, None)
    for email, offering_id, enrollment_id in sorted(pending or ()):
        erase_plan_of(session, email, offering_id, erased_enrollment_id=enrollment_id)


def erase_plan_of(
    session: Session, email_normalized: str, offering_id: int, *, erased_enrollment_id: int
) -> int:
    """Delete the address's plan for the course unless another sign-up of it remains."""
    others = session.execute(
        sa.select(sa.func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.email_normalized == email_normalized,
            Enrollment.offering_id == offering_id,
            Enrollment.erased_at.is_(None),
            Enrollment.id != erased_enrollment_id,
        )
    ).scalar_one()
    if others:
        return 0
    return session.execute(
        sa.delete(LearningPlan).where(
            LearningPlan.email_normalized == email_normalized,
            LearningPlan.offering_id == offering_id,
        )
    ).rowcount
