"""A person's learning plans: who may keep one, reading, saving, export and erasure.

Plain functions with the time passed in; they flush, the caller commits. The person is their
normalized address, as the /my sign-in gives it: nothing here takes a staff account, so no
role can reach another person's plan through these functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.learning import crypto
from app.learning.models import LearningPlan
from app.models import Enrollment, EnrollmentStatus, Offering, OfferingKind

GOALS_MAX = 5_000
NOTES_MAX = 20_000


class NoPlanHere(Exception):
    """The person has no seat on this course (or it is no course): there is no plan to keep."""


@dataclass(frozen=True)
class PlanContent:
    goals: str
    notes: str
    updated_at: datetime | None


EMPTY = PlanContent(goals="", notes="", updated_at=None)


def _had_a_seat():
    """A seat now, or once (a cancelled seat keeps its plan until the data is erased)."""
    return sa.or_(
        Enrollment.status == EnrollmentStatus.CONFIRMED, Enrollment.confirmed_at.is_not(None)
    )


def courses_with_plans(email_normalized: str) -> list[Offering]:
    """The courses this person has (or had) a seat on, whose data is not yet erased."""
    return list(
        db.session.scalars(
            sa.select(Offering)
            .join(Enrollment, Enrollment.offering_id == Offering.id)
            .where(
                Enrollment.email_normalized == email_normalized,
                Enrollment.erased_at.is_(None),
                Offering.kind == OfferingKind.COURSE,
                _had_a_seat(),
            )
            .distinct()
            .order_by(Offering.id)
        )
    )


def plan_offering(email_normalized: str, offering_id: int) -> Offering:
    """The course whose plan this person may keep, or NoPlanHere."""
    offering = db.session.scalar(
        sa.select(Offering)
        .join(Enrollment, Enrollment.offering_id == Offering.id)
        .where(
            Offering.id == offering_id,
            Offering.kind == OfferingKind.COURSE,
            Enrollment.email_normalized == email_normalized,
            Enrollment.erased_at.is_(None),
            _had_a_seat(),
        )
        .limit(1)
    )
    if offering is None:
        raise NoPlanHere(offering_id)
    return offering


def _row(email_normalized: str, offering_id: int) -> LearningPlan | None:
    return db.session.scalar(
        sa.select(LearningPlan).where(
            LearningPlan.email_normalized == email_normalized,
            LearningPlan.offering_id == offering_id,
        )
    )


def _open(row: LearningPlan) -> PlanContent:
    content = json.loads(crypto.decrypt(row.content_encrypted))
    return PlanContent(
        goals=content.get("goals", ""), notes=content.get("notes", ""), updated_at=row.updated_at
    )


def read_plan(email_normalized: str, offering_id: int) -> PlanContent:
    """The person's plan for the course (empty if they have written none). NoPlanHere if the
    course is not theirs; crypto.PlanUnreadable if no configured key opens it."""
    plan_offering(email_normalized, offering_id)
    row = _row(email_normalized, offering_id)
    return EMPTY if row is None else _open(row)


def save_plan(
    email_normalized: str, offering_id: int, *, goals: str, notes: str, now: datetime
) -> PlanContent:
    """Keep the person's goals and notes, encrypted. Both empty: the plan is deleted."""
    plan_offering(email_normalized, offering_id)
    goals, notes = goals.strip()[:GOALS_MAX], notes.strip()[:NOTES_MAX]
    row = _row(email_normalized, offering_id)
    if not goals and not notes:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return EMPTY
    token = crypto.encrypt(json.dumps({"goals": goals, "notes": notes}, ensure_ascii=False))
    if row is None:
        row = LearningPlan(
            email_normalized=email_normalized, offering_id=offering_id, created_at=now
        )
        db.session.add(row)
    row.content_encrypted = token
    row.updated_at = now
    db.session.flush()
    return PlanContent(goals=goals, notes=notes, updated_at=now)


# --- the person's own data: export and erasure (own_data.py hooks them into app/privacy) ---


def plan_as_dict(row: LearningPlan, course_title: str) -> dict:
    """One plan as the person's data export holds it: their own words, decrypted."""
    content = _open(row)
    return {
        "course": course_title,
        "offering_id": row.offering_id,
        "goals": content.goals,
        "notes": content.notes,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def export_plans(email_normalized: str) -> list[dict]:
    """Every plan of the address, decrypted, for the person's own data export."""
    rows = db.session.execute(
        sa.select(LearningPlan, Offering.title)
        .join(Offering, Offering.id == LearningPlan.offering_id)
        .where(LearningPlan.email_normalized == email_normalized)
        .order_by(LearningPlan.id)
    ).all()
    return [plan_as_dict(row, title) for row, title in rows]


def erase_plans(email_normalized: str) -> int:
    """Delete every plan of the address (the person deletes their data); how many."""
    return db.session.execute(
        sa.delete(LearningPlan).where(LearningPlan.email_normalized == email_normalized)
    ).rowcount


def reencrypt_all() -> int:
    """Re-encrypt every plan with the newest key (key rotation, step 2); how many."""
    rows = db.session.scalars(sa.select(LearningPlan).order_by(LearningPlan.id)).all()
    for row in rows:
        row.content_encrypted = crypto.rotate(row.content_encrypted)
    db.session.flush()
    return len(rows)
