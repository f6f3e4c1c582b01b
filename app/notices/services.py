"""Telling facilitators: at once (a mail now), in the daily digest, or never.

`tell_facilitators` is called by the service that made the change (a request, a cancellation,
an offer taken or run out, an afbud for one date or its undo) and by the mail sender when a
participant's mail gives up, in the same transaction. `send_digests` is the scheduled
command's work: safe on every server at once, and safe to run as often as you like (one
digest per person and day).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.i18n import local
from app.mail.compose import when
from app.mail.failures import failure_reason
from app.mail.staff import (
    NoticeLine,
    mail_absence,
    mail_facilitator_digest,
    mail_facilitator_notice,
)
from app.models import (
    Enrollment,
    Facilitator,
    Occurrence,
    Offering,
    OutboxMessage,
    OutboxStatus,
    User,
)
from app.notices.models import NoticeEvent, NoticeFrequency, NoticePreference, PendingNotice

DEFAULT = NoticeFrequency.AT_ONCE
# afbud: about one date, so they carry it (and at once keep their own mail kinds)
ABOUT_A_DATE = frozenset({NoticeEvent.ABSENCE, NoticeEvent.ABSENCE_TAKEN_BACK})


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


def _mail_at_once(
    user: User,
    enrollment: Enrollment,
    event: NoticeEvent,
    *,
    occurrence: Occurrence | None,
    error: str | None,
    now: datetime,
) -> None:
    language = _language_of(user)
    if event in ABOUT_A_DATE:
        mail_absence(
            user,
            enrollment,
            occurrence,
            taken_back=event == NoticeEvent.ABSENCE_TAKEN_BACK,
            now=now,
            language=language,
        )
    else:
        mail_facilitator_notice(user, enrollment, event, error=error, now=now, language=language)


def _language_of(user: User) -> str:
    return user.language if user.language in ("da", "en") else "da"


def tell_facilitators(
    enrollment: Enrollment,
    event: str,
    *,
    now: datetime,
    error: str | None = None,
    occurrence: Occurrence | None = None,
) -> int:
    """Tell each staff facilitator of the enrollment's offering, as each chose, in their own
    language; returns how many were mailed at once or queued for their digest. An afbud
    (and its undo) names the `occurrence` it is about."""
    event = NoticeEvent(event)
    if event in ABOUT_A_DATE and occurrence is None:
        raise ValueError(f"{event} needs the date it is about")
    told = 0
    for user in _facilitating_users(enrollment.offering_id):
        frequency = frequency_for(user.id, enrollment.offering_id)
        if frequency == NoticeFrequency.AT_ONCE:
            _mail_at_once(user, enrollment, event, occurrence=occurrence, error=error, now=now)
        elif frequency == NoticeFrequency.DAILY:
            db.session.add(
                PendingNotice(
                    user_id=user.id,
                    offering_id=enrollment.offering_id,
                    enrollment_id=enrollment.id,
                    occurrence_id=occurrence.id if occurrence is not None else None,
                    event=event,
                    created_at=now,
                )
            )
        else:
            continue
        told += 1
    db.session.flush()
    return told


def forget_notices_about(enrollment_id: int) -> None:
    """The person's data is erased: the notices about them go, sent or waiting (a waiting
    one would only say "–" in the digest, and a row pairs the sign-up with a date's afbud)."""
    db.session.execute(sa.delete(PendingNotice).where(PendingNotice.enrollment_id == enrollment_id))


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


def send_digests(*, now: datetime) -> int:
    """One digest per facilitator with waiting notices, in their language; returns how many
    were queued.

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
        language = _language_of(user)
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
        .options(
            joinedload(PendingNotice.enrollment),
            joinedload(PendingNotice.occurrence),
            selectinload(PendingNotice.offering),
        )
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
        date=when(notice.occurrence.starts_at) if notice.occurrence is not None else None,
    )
