"""Learning plans in the person's own data (app/privacy/own_data.py): listed on /my/data,
in the JSON download (decrypted: it is the person's own text) and deleted with the rest.

A manage link may have been forwarded, so one sign-up's data (its page and download) only
says that a plan exists and where to read it: only the person signed in at /my reads the
words (issue 15)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.learning import services
from app.learning.models import LearningPlan
from app.mail.compose import public_url
from app.models import Enrollment, Offering
from app.privacy.own_data import Scope, register_section


def _which(scope: Scope):
    """The plans of the address, or for one sign-up the plan of its course."""
    if scope.email is not None:
        return LearningPlan.email_normalized == scope.email
    pairs = db.session.execute(
        sa.select(Enrollment.email_normalized, Enrollment.offering_id).where(
            Enrollment.id.in_(scope.enrollment_ids)
        )
    ).all()
    if not pairs:
        return sa.false()
    return sa.tuple_(LearningPlan.email_normalized, LearningPlan.offering_id).in_(pairs)


def collect(scope: Scope) -> list[dict]:
    rows = db.session.execute(
        sa.select(LearningPlan, Offering.title)
        .join(Offering, Offering.id == LearningPlan.offering_id)
        .where(_which(scope))
        .order_by(LearningPlan.id)
    ).all()
    if scope.email is None:  # a manage link: that a plan exists, not what it says
        return [
            {
                "course": title,
                "offering_id": row.offering_id,
                "created_at": row.created_at.isoformat(),
                "updated_at": row.updated_at.isoformat(),
                "read_it_signed_in_at": public_url("learning.plan", offering_id=row.offering_id),
            }
            for row, title in rows
        ]
    return [services.plan_as_dict(row, title) for row, title in rows]


def erase(scope: Scope, _now: datetime) -> None:
    db.session.execute(sa.delete(LearningPlan).where(_which(scope)))


register_section("learning_plans", collect, erase, label=_l("Learning plans"))
