"""Telling facilitators: at once (a mail now), in the daily digest, or never.

`tell_facilitators` is called by the service that made the change (a request, a cancellation,
an offer taken or run out) and by the mail sender when a participant's mail gives up, in the
same transaction. `send_digests` is the scheduled command's work: safe on every server at
once, and safe to run as often as you like (one digest per person and day).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.i18n import local
from app.mail.failures import failure_reason
from app.mail.staff import NoticeLine, mail_facilitator_digest, mail_facilitator_notice
from app.models import Enrollment, Facilitator, Offering, OutboxMessage, OutboxStatus, User
from app.notices.models import NoticeEvent, NoticeFrequency, NoticePreference, PendingNotice

DEFAULT = NoticeFrequency.AT_ONCE


def frequency_for(user_id: int, offering_id: int) -> NoticeFrequency:
    """What this person chose for this offering; at once unless they chose otherwise."""
    chosen = db.session.scalar(
        sa.select(NoticePreference.frequency).where(
            NoticePreference.user_id == user_id, NoticePreference.offering_id == offering_id
        )
    )
    return NoticeFrequency(chosen) if chosen is not None else DEFAULT


def set_frequency(user_id: int, offering_id: int, frequency: str, *, now: datetime) -> None:
    frequency = NoticeFrequency(frequency)
    row = db.session.scalar(
        sa.select(NoticePreference).where(
            NoticePreference.user_id == user_id, NoticePreference.offering_id == offering_id
        )
    )
    if row is None:
        row = NoticePreference(user_id=user_id, offering_id=offering_id)
        db.session.add(row)
    row.frequency = frequency
    row.updated_at = now
    db.session.flush()


def _facilitating_users(offering_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Facilitator, Facilitator.user_id == User.id)
            .where(Facilitator.offering_id == offering_id, User.is_active_account)
            .order_by(Facilitator.position, User.id)
        )
    )


def tell_facilitators(
    enrollment: Enrollment, event: str, *, now: datetime, error: str | None = None
) -> int:
    """Tell each staff facilitator of the enrollment's offering, as each chose; returns how
    many were mailed at once or queued for their digest."""
    event = NoticeEvent(event)
    told = 0
    for user in _facilitating_users(enrollment.offering_id):
        frequency = frequency_for(user.id, enrollment.offering_id)
        if frequency == NoticeFrequency.AT_ONCE:
            mail_facilitator_notice(user, enrollment, event, error=error, now=now)
        elif frequency == NoticeFrequency.DAILY:
            db.session.add(
                PendingNotice(
                    user_id=user.id,
                    offering_id=enrollment.offering_id,
                    enrollment_id=enrollment.id,
                    event=event,
                    created_at=now,
                )
            )
        else:
            continue
        told += 1
    db.session.flush()
    return told


def _reason_of(notice: PendingNotice) -> str | None:
    """For a bounce: why, in plain words, from the participant's latest failed mail."""
    if notice.event != NoticeEvent.BOUNCED or notice.enrollment_id is None:
        return None
    last_error = db.session.scalar(
        sa.select(OutboxMessage.last_error)
        .where(
            OutboxMessage.enrollment_id == notice.enrollment_id,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return failure_reason(last_error)


def send_digests(*, now: datetime, language: str = "da") -> int:
    """One digest per facilitator with waiting notices; returns how many were queued.

    Each person's notices are claimed with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's write
    lock serialises the runs), marked sent in the transaction that queues the mail, and the
    mail's dedupe key allows one digest per person and local day: a second run that day, on
    this server or another, leaves new notices for tomorrow's digest.
    """
    day = local(now).date().isoformat()
    user_ids = db.session.scalars(
        sa.select(PendingNotice.user_id)
        .where(PendingNotice.sent_at.is_(None), PendingNotice.created_at <= now)
        .distinct()
        .order_by(PendingNotice.user_id)
    ).all()
    queued = 0
    for user_id in user_ids:
        notices = list(
            db.session.scalars(
                sa.select(PendingNotice)
                .where(
                    PendingNotice.user_id == user_id,
                    PendingNotice.sent_at.is_(None),
                    PendingNotice.created_at <= now,
                )
                .order_by(PendingNotice.offering_id, PendingNotice.created_at, PendingNotice.id)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        )
        if not notices:
            continue  # another server's run holds them
        user = db.session.get(User, user_id)
        if user is None or not user.is_active_account:
            for notice in notices:
                notice.sent_at = now  # nobody to tell any more
            continue
        _load(notices)
        with force_locale(language):
            grouped: dict[int, tuple[Offering, list[NoticeLine]]] = {}
            for notice in notices:
                lines = grouped.setdefault(notice.offering_id, (notice.offering, []))[1]
                lines.append(_line(notice))
        message = mail_facilitator_digest(
            user, list(grouped.values()), day=day, now=now, language=language
        )
        if message is None:
            continue  # today's digest already went; these wait for tomorrow's
        for notice in notices:
            notice.sent_at = now
        queued += 1
    db.session.flush()
    return queued


def _load(notices: list[PendingNotice]) -> None:
    ids = [n.id for n in notices]
    db.session.scalars(
        sa.select(PendingNotice)
        .where(PendingNotice.id.in_(ids))
        .options(joinedload(PendingNotice.enrollment), selectinload(PendingNotice.offering))
    ).all()


def _line(notice: PendingNotice) -> NoticeLine:
    env = current_app.jinja_env
    at = local(notice.created_at)
    name = notice.enrollment.name if notice.enrollment is not None else "–"
    return NoticeLine(
        event=str(notice.event),
        event_label=str(notice.event.label),
        name=name or "–",
        at=f"{env.filters['date'](at, 'medium')} {env.filters['time'](at)}",
        reason=_reason_of(notice),
    )
