"""Evaluation after a course: who is asked when, the once-only link, and the results.

Rounds. A course or themed meeting is evaluated once (round "end") when its last scheduled
meeting has ended, if that was within EVALUATION_WINDOW (so a new install does not mail
about years of old courses). A self-help group runs on, so it is evaluated at the end of
each term (round = the term, e.g. "2026-spring"; spring is January-June, autumn
August-December): once the term that has most recently ended is over, everyone who came to
one of its meetings in that term is asked.

Who: every enrollment with at least one "present" attendance in the round. The invitation
row (one per enrollment and round, unique) makes `send_evaluations` idempotent; the
enrollments are taken with SKIP LOCKED, like the reminders, so runs on two servers share
the work rather than collide.

The answer keeps no tie to the person (see models.py). Staff see an offering's results and
comments only from MIN_ANSWERS answers on.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.evaluations.models import EvaluationAnswer, EvaluationInvite
from app.extensions import db
from app.figures import period as periods
from app.figures.suppression import THRESHOLD
from app.i18n import LOCAL_TZ
from app.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
    OfferingStatus,
)

EVALUATION_WINDOW = timedelta(days=30)
LINK_LIFETIME = timedelta(days=60)
MIN_ANSWERS = THRESHOLD  # 5, the same small-number rule as the key figures
END = "end"
QUESTIONS = ("usefulness", "learnt", "welcome", "recommend")
COMMENT_MAX = 2000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Round:
    offering_id: int
    name: str
    starts_at: datetime | None  # attendance counted from here (None: all)
    ends_at: datetime | None


def due_rounds(*, now: datetime) -> list[Round]:
    """The rounds that are due now (whether or not their mail was already written)."""
    rounds: list[Round] = []
    last_end = (
        sa.select(Occurrence.offering_id, sa.func.max(Occurrence.ends_at).label("last"))
        .where(Occurrence.status == OccurrenceStatus.SCHEDULED)
        .group_by(Occurrence.offering_id)
        .subquery()
    )
    finished = db.session.scalars(
        sa.select(Offering.id)
        .join(last_end, last_end.c.offering_id == Offering.id)
        .where(
            Offering.status == OfferingStatus.PUBLISHED,
            Offering.kind != OfferingKind.GROUP,
            last_end.c.last <= now,
            last_end.c.last > now - EVALUATION_WINDOW,
        )
        .order_by(Offering.id)
    )
    rounds += [Round(offering_id, END, None, None) for offering_id in finished]
    today = now.astimezone(LOCAL_TZ).date()
    term = periods.term_of(today)  # in July this is the spring that has just ended
    if term.ends_at > now:
        term = periods.previous_term(term)
    if term.ends_at <= now:
        groups = db.session.scalars(
            sa.select(Offering.id)
            .where(
                Offering.status == OfferingStatus.PUBLISHED,
                Offering.kind == OfferingKind.GROUP,
                sa.exists().where(
                    Occurrence.offering_id == Offering.id,
                    Occurrence.starts_at >= term.starts_at,
                    Occurrence.starts_at < term.ends_at,
                ),
            )
            .order_by(Offering.id)
        )
        rounds += [Round(group, term.slug, term.starts_at, term.ends_at) for group in groups]
    return rounds


def send_evaluations(*, now: datetime) -> int:
    """Write the questionnaire mail to everyone due; returns how many were written.

    Call inside a write transaction. Safe to run as often as you like.
    """
    from app.mail.participants import mail_evaluation

    written = 0
    for due in due_rounds(now=now):
        came = (
            sa.select(Attendance.enrollment_id)
            .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
            .where(
                Occurrence.offering_id == due.offering_id,
                Attendance.status == AttendanceStatus.PRESENT,
            )
        )
        if due.starts_at is not None:
            came = came.where(
                Occurrence.starts_at >= due.starts_at, Occurrence.starts_at < due.ends_at
            )
        asked = sa.select(EvaluationInvite.enrollment_id).where(EvaluationInvite.round == due.name)
        enrollments = db.session.scalars(
            sa.select(Enrollment)
            .where(
                Enrollment.offering_id == due.offering_id,
                Enrollment.id.in_(came),
                Enrollment.id.not_in(asked),
                Enrollment.email != "",
            )
            .order_by(Enrollment.id)
            .with_for_update(of=Enrollment, skip_locked=True)
        ).all()
        for enrollment in enrollments:
            token = secrets.token_urlsafe(32)
            invite = EvaluationInvite(
                enrollment_id=enrollment.id,
                offering_id=due.offering_id,
                round=due.name,
                language=enrollment.language or "da",
                token_hash=_hash(token),
                expires_at=now + LINK_LIFETIME,
                created_at=now,
            )
            try:
                with db.session.begin_nested():  # another run wrote it first: skip it
                    db.session.add(invite)
            except sa.exc.IntegrityError:
                continue
            if mail_evaluation(enrollment, token=token, round_name=due.name, now=now):
                written += 1
    return written


def find_invite(token: str, *, now: datetime) -> EvaluationInvite | None:
    """The open invitation behind `token`, or None (used, expired, or never issued)."""
    if not token or len(token) > 200:
        return None
    invite = db.session.scalar(
        sa.select(EvaluationInvite).where(EvaluationInvite.token_hash == _hash(token))
    )
    if invite is None or invite.expires_at <= now:
        return None
    return invite


def store_answer(invite: EvaluationInvite, answers: dict, *, now: datetime) -> bool:
    """Store the answer and spend the link. False if the link was spent first (two clicks)."""
    spent = db.session.execute(
        sa.update(EvaluationInvite)
        .where(
            EvaluationInvite.id == invite.id,
            EvaluationInvite.token_hash == invite.token_hash,
        )
        .values(token_hash=_hash(secrets.token_urlsafe(32)))
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return False
    comment = (answers.get("comment") or "").strip()[:COMMENT_MAX] or None
    db.session.add(
        EvaluationAnswer(
            offering_id=invite.offering_id,
            round=invite.round,
            answered_on=now.astimezone(LOCAL_TZ).date(),
            usefulness=answers["usefulness"],
            learnt=answers["learnt"],
            welcome=answers["welcome"],
            recommend=answers["recommend"],
            comment=comment,
        )
    )
    db.session.flush()
    return True


@dataclass
class Results:
    answers: int
    shown: bool  # False below MIN_ANSWERS: nothing else is filled in
    means: dict[str, float]
    agree_share: dict[str, float]  # answered 4 or 5
    comments: list[EvaluationAnswer]


def results_of(offering_id: int) -> Results:
    rows = db.session.scalars(
        sa.select(EvaluationAnswer)
        .where(EvaluationAnswer.offering_id == offering_id)
        .order_by(EvaluationAnswer.answered_on, EvaluationAnswer.id)
    ).all()
    if len(rows) < MIN_ANSWERS:
        return Results(len(rows), False, {}, {}, [])
    means = {q: sum(getattr(r, q) for r in rows) / len(rows) for q in QUESTIONS}
    agree = {q: sum(getattr(r, q) >= 4 for r in rows) / len(rows) for q in QUESTIONS}
    comments = [r for r in rows if r.comment]
    return Results(len(rows), True, means, agree, comments)


def set_comment_hidden(offering_id: int, answer_id: int, *, hidden: bool) -> bool:
    answer = db.session.get(EvaluationAnswer, answer_id)
    if answer is None or answer.offering_id != offering_id:
        return False
    answer.comment_hidden = hidden
    return True
