"""Suggest a group, say "me too", and the staff decisions: approve, merge, decline.

Plain functions in the caller's transaction; every staff decision writes its audit entry here.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.audit import AuditAction, record_audit
from app.emails import normalize_email
from app.extensions import db
from app.mail.participants import mail_suggestion_declined
from app.suggestions.models import GroupSuggestion, SuggestionStatus, SuggestionSupporter


class SuggestionError(Exception):
    """The suggestion cannot take this step (not found, or already decided)."""


def _load(suggestion_id: int) -> GroupSuggestion:
    suggestion = db.session.get(GroupSuggestion, suggestion_id, with_for_update=True)
    if suggestion is None:
        raise SuggestionError(suggestion_id)
    return suggestion


def _address(email: str | None) -> str | None:
    return normalize_email(email) if email else None


def suggest(
    topic: str, reason: str, *, email: str | None, language: str, now: datetime
) -> GroupSuggestion:
    """A new suggestion, waiting for staff; its author is its first supporter."""
    suggestion = GroupSuggestion(
        topic=topic, reason=reason, status=SuggestionStatus.PENDING, created_at=now
    )
    suggestion.supporters.append(
        SuggestionSupporter(
            is_author=True, email=_address(email), language=language, created_at=now
        )
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def me_too(suggestion_id: int, *, email: str | None, language: str, now: datetime) -> bool:
    """One more person shares the need (approved suggestions only). An address already behind
    the suggestion is not counted twice; False then (the page answers the same)."""
    suggestion = _load(suggestion_id)
    if suggestion.status != SuggestionStatus.APPROVED:
        raise SuggestionError(suggestion_id)
    address = _address(email)
    if address and any(s.email == address for s in suggestion.supporters):
        return False
    suggestion.supporters.append(
        SuggestionSupporter(is_author=False, email=address, language=language, created_at=now)
    )
    db.session.flush()
    return True


def _decide(suggestion: GroupSuggestion, status: SuggestionStatus, user_id: int, now: datetime):
    suggestion.status = status
    suggestion.decided_at = now
    suggestion.decided_by_id = user_id


def approve(suggestion_id: int, *, user_id: int, now: datetime) -> GroupSuggestion:
    """Make a waiting suggestion public."""
    suggestion = _load(suggestion_id)
    if suggestion.status != SuggestionStatus.PENDING:
        raise SuggestionError(suggestion_id)
    _decide(suggestion, SuggestionStatus.APPROVED, user_id, now)
    record_audit(
        user_id=user_id,
        action=AuditAction.APPROVE_SUGGESTION,
        offering_id=None,
        details=f"suggestion {suggestion.id}",
        now=now,
    )
    return suggestion


def decline(suggestion_id: int, *, user_id: int, now: datetime) -> int:
    """Decline a suggestion (waiting or public); the kind standard answer goes to everyone who
    left an address, and then the addresses are blanked: the form promised to use them only
    to tell whether the group starts. Returns how many mails were queued."""
    suggestion = _load(suggestion_id)
    if suggestion.status not in (SuggestionStatus.PENDING, SuggestionStatus.APPROVED):
        raise SuggestionError(suggestion_id)
    _decide(suggestion, SuggestionStatus.DECLINED, user_id, now)
    mailed = 0
    for supporter in suggestion.supporters:
        if supporter.email:
            mail_suggestion_declined(
                supporter.email, topic=suggestion.topic, language=supporter.language, now=now
            )
            mailed += 1
            supporter.email = None
    record_audit(
        user_id=user_id,
        action=AuditAction.DECLINE_SUGGESTION,
        offering_id=None,
        details=f"suggestion {suggestion.id}, {mailed} mailed",
        now=now,
    )
    return mailed


def merge(keep_id: int, duplicate_id: int, *, user_id: int, now: datetime) -> GroupSuggestion:
    """The duplicate's people move to the kept suggestion (an address only once); the
    duplicate's author counts as a "me too" there."""
    if keep_id == duplicate_id:
        raise SuggestionError(duplicate_id)
    open_statuses = (SuggestionStatus.PENDING, SuggestionStatus.APPROVED)
    keep, duplicate = _load(keep_id), _load(duplicate_id)
    if keep.status not in open_statuses or duplicate.status not in open_statuses:
        raise SuggestionError(duplicate_id)
    addresses = {s.email for s in keep.supporters if s.email}
    for supporter in list(duplicate.supporters):
        if supporter.email and supporter.email in addresses:
            db.session.delete(supporter)
            continue
        addresses.add(supporter.email)
        supporter.is_author = False
        supporter.suggestion = keep
    _decide(duplicate, SuggestionStatus.MERGED, user_id, now)
    duplicate.merged_into_id = keep.id
    db.session.flush()
    db.session.expire(keep, ["supporters"])
    db.session.expire(duplicate, ["supporters"])
    record_audit(
        user_id=user_id,
        action=AuditAction.MERGE_SUGGESTION,
        offering_id=None,
        details=f"suggestion {duplicate.id} into {keep.id}",
        now=now,
    )
    return keep


def public_suggestions() -> list[GroupSuggestion]:
    """Approved suggestions, the most shared first."""
    me_too = (
        sa.select(sa.func.count(SuggestionSupporter.id))
        .where(
            SuggestionSupporter.suggestion_id == GroupSuggestion.id,
            SuggestionSupporter.is_author.is_(False),
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(GroupSuggestion)
            .where(GroupSuggestion.status == SuggestionStatus.APPROVED)
            .order_by(me_too.desc(), GroupSuggestion.id)
        )
    )


def public_suggestion(suggestion_id: int) -> GroupSuggestion | None:
    suggestion = db.session.get(GroupSuggestion, suggestion_id)
    if suggestion is None or suggestion.status != SuggestionStatus.APPROVED:
        return None
    return suggestion


def suggestions_for_staff() -> list[GroupSuggestion]:
    """Waiting and public suggestions (the open ones), the waiting first, newest first."""
    open_ones = [SuggestionStatus.PENDING, SuggestionStatus.APPROVED]
    order = sa.case((GroupSuggestion.status == SuggestionStatus.PENDING, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(GroupSuggestion)
            .where(GroupSuggestion.status.in_(open_ones))
            .order_by(order, GroupSuggestion.id.desc())
        )
    )
