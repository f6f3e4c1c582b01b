"""A person's own data: everything we hold about one address, to see, download and delete.

The person is an email address (signed in at /my) or one sign-up (its manage link). What we
hold about them is every row that names them or points at one of their sign-ups: the
enrollments with their attendance and questionnaire invitations, the mails and text messages
we wrote to them, their calendar feed and sign-in links, and the group suggestions they put
their address to. `collect` gathers it for the page and the JSON download; the download
holds every column of those rows except the hashes of secret links (the key, not data about
anyone), and tests/privacy/test_own_data.py proves it against the database.

Deleting (`delete_own_data`, `delete_enrollment_data`):
- a sign-up for dates still to come ends through the same service as any cancellation, so
  the waiting list moves up exactly as it always does;
- then its personal fields are erased at once (retention's `erase_enrollment`), the mails
  and text messages to the person are purged, and so are the mails to staff that name them
  (an afbud notice: linked to the sign-up, or, written before that, found by the name in
  its subject), and the feed and sign-in links deleted;
- the figures' pseudonym (`person_key`, a keyed hash of the address) of the erased rows is
  replaced by a random one: nobody can find the rows from the address any more, while the
  key figures of past periods stay the same (a whole person's rows keep one key between
  them; a single sign-up gets one of its own);
- a last mail says so, and is itself forgotten as soon as it is delivered.

Another area that keeps data about a person (a learning plan, say) hooks in with
`register_section(key, collect, erase)`; its rows then appear on the page, in the download
and go with the rest.

Plain functions with the time passed in; they flush, the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.audit import AuditAction, record_audit
from app.enrollment import services as enrollment_services
from app.extensions import db
from app.figures.pseudonym import person_key, pseudonym_key
from app.mail.kinds import TO_STAFF_ABOUT_A_PARTICIPANT
from app.mail.participants import mail_data_erased
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OutboxMessage,
    OutboxStatus,
    PersonalCalendar,
    SignInToken,
    SmsMessage,
)
from app.privacy.retention import (
    RetentionRules,
    enrollment_erase_date,
    erase_enrollment,
    forget_links_of,
    purge_message,
)

# Columns the download leaves out, and why: each is the hash of a secret link.
NOT_EXPORTED = {
    "enrollments": {"manage_token_hash"},
    "personal_calendars": {"token_hash"},
    "sign_in_tokens": {"token_hash"},
    "evaluation_invites": {"token_hash"},
}


@dataclass(frozen=True)
class Scope:
    """Whose data: an address with all its sign-ups, or one sign-up on its own."""

    email: str | None  # None: one sign-up, reached by its manage link
    enrollment_ids: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """Data another area keeps about a person: how to list it, and how to erase it."""

    key: str
    collect: Callable[[Scope], list[dict]]
    erase: Callable[[Scope, datetime], None]
    label: str | None = None  # what the page calls these rows (a lazy string); else the key


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str,
    collect: Callable[[Scope], list[dict]],
    erase: Callable[[Scope, datetime], None],
    *,
    label: str | None = None,
) -> None:
    """Let an area's own rows about a person be shown, downloaded and deleted with the rest.

    `key` names them in the JSON download, `label` on the page ("Learning plans: 1")."""
    _SECTIONS[key] = Section(key, collect, erase, label)


def section_label(key: str) -> str:
    section = _SECTIONS.get(key)
    return str(section.label) if section and section.label else key.replace("_", " ").capitalize()


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum member
        return value.value
    return value


def row_dict(row) -> dict:
    """Every column of a row, as JSON values, but the secrets named in NOT_EXPORTED."""
    table = row.__table__
    left_out = NOT_EXPORTED.get(table.name, set())
    return {
        column.name: _value(getattr(row, column.key))
        for column in table.columns
        if column.name not in left_out
    }


# --- who ---------------------------------------------------------------------------------


def scope_of_email(email_normalized: str) -> Scope:
    ids = db.session.scalars(
        sa.select(Enrollment.id)
        .where(Enrollment.email_normalized == email_normalized)
        .order_by(Enrollment.id)
    ).all()
    return Scope(email=email_normalized, enrollment_ids=tuple(ids))


def scope_of_enrollment(enrollment: Enrollment) -> Scope:
    return Scope(email=None, enrollment_ids=(enrollment.id,))


# --- what we hold --------------------------------------------------------------------------


@dataclass
class HeldEnrollment:
    enrollment: Enrollment
    erase_on: date | None
    attendance: list[Attendance]
    invitations: list = field(default_factory=list)


@dataclass
class OwnData:
    """Everything we hold about a person, as the page shows it."""

    scope: Scope
    enrollments: list[HeldEnrollment]
    mails: list[OutboxMessage]
    text_messages: list[SmsMessage]
    calendar: PersonalCalendar | None
    sign_in_links: list[SignInToken]
    suggestions: list  # SuggestionSupporter rows
    sections: dict[str, list[dict]]

    def labelled_sections(self) -> list[tuple[str, int]]:
        """Other areas' rows as the page lists them: (label, how many), the empty left out."""
        return [(section_label(key), len(rows)) for key, rows in self.sections.items() if rows]


def _mails_to(scope: Scope) -> list[OutboxMessage]:
    about = sa.and_(
        OutboxMessage.enrollment_id.in_(scope.enrollment_ids),
        # A mail to staff about the person is not one to them (it goes with their sign-up).
        OutboxMessage.kind.not_in([k.value for k in TO_STAFF_ABOUT_A_PARTICIPANT]),
    )
    if scope.email is not None:
        # Mails about no sign-up (a sign-in link, an answer to a suggestion) by address.
        about = sa.or_(
            about,
            sa.and_(
                OutboxMessage.enrollment_id.is_(None),
                sa.func.lower(sa.func.trim(OutboxMessage.to_address)) == scope.email,
            ),
        )
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(about, OutboxMessage.to_address != "")
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def _suggestions_of(scope: Scope) -> list:
    from app.suggestions.models import SuggestionSupporter

    if scope.email is None:
        return []
    return list(
        db.session.scalars(
            sa.select(SuggestionSupporter)
            .where(SuggestionSupporter.email == scope.email)
            .order_by(SuggestionSupporter.id)
        )
    )


def collect(scope: Scope) -> OwnData:
    """Everything we hold about the person (only rows not yet erased)."""
    from app.evaluations.models import EvaluationInvite

    rules = RetentionRules.from_config(current_app.config)
    enrollments = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.id.in_(scope.enrollment_ids), Enrollment.erased_at.is_(None))
            .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
            .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        )
    )
    ids = [e.id for e in enrollments]
    attendance: dict[int, list[Attendance]] = {i: [] for i in ids}
    for row in db.session.scalars(
        sa.select(Attendance).where(Attendance.enrollment_id.in_(ids)).order_by(Attendance.id)
    ):
        attendance[row.enrollment_id].append(row)
    invitations: dict[int, list] = {i: [] for i in ids}
    for row in db.session.scalars(
        sa.select(EvaluationInvite).where(EvaluationInvite.enrollment_id.in_(ids))
    ):
        invitations[row.enrollment_id].append(row)
    live = Scope(scope.email, tuple(ids))
    calendar = links = None
    if scope.email is not None:
        calendar = db.session.scalar(
            sa.select(PersonalCalendar).where(PersonalCalendar.email_normalized == scope.email)
        )
        links = list(
            db.session.scalars(
                sa.select(SignInToken)
                .where(SignInToken.email_normalized == scope.email)
                .order_by(SignInToken.id)
            )
        )
    return OwnData(
        scope=live,
        enrollments=[
            HeldEnrollment(e, enrollment_erase_date(e, rules), attendance[e.id], invitations[e.id])
            for e in enrollments
        ],
        mails=_mails_to(live),
        text_messages=list(
            db.session.scalars(
                sa.select(SmsMessage)
                .where(SmsMessage.enrollment_id.in_(ids), SmsMessage.msisdn != "")
                .order_by(SmsMessage.id)
            )
        ),
        calendar=calendar,
        sign_in_links=links or [],
        suggestions=_suggestions_of(live),
        sections={key: section.collect(live) for key, section in _SECTIONS.items()},
    )


def export(data: OwnData, *, now: datetime) -> dict:
    """The JSON download: every row of `data`, every column but the secrets."""
    occurrences = {}
    for held in data.enrollments:
        for occurrence in held.enrollment.offering.occurrences:
            occurrences[occurrence.id] = occurrence
    return {
        "exported_at": now.isoformat(),
        "email": data.scope.email,
        "enrollments": [
            {
                **row_dict(held.enrollment),
                "offering": {
                    "title": held.enrollment.offering.title,
                    "title_en": held.enrollment.offering.title_en,
                    "slug": held.enrollment.offering.slug,
                    "dates": [
                        {"id": o.id, "starts_at": o.starts_at.isoformat(), "status": o.status.value}
                        for o in held.enrollment.offering.occurrences
                    ],
                },
                "erased_on": held.erase_on.isoformat() if held.erase_on else None,
                "attendance": [
                    {**row_dict(a), "date": occurrences[a.occurrence_id].starts_at.isoformat()}
                    for a in held.attendance
                ],
                "evaluation_invitations": [row_dict(i) for i in held.invitations],
            }
            for held in data.enrollments
        ],
        "mails": [row_dict(m) for m in data.mails],
        "text_messages": [row_dict(s) for s in data.text_messages],
        "calendar": row_dict(data.calendar) if data.calendar is not None else None,
        "sign_in_links": [row_dict(t) for t in data.sign_in_links],
        "suggestions": [
            {**row_dict(s), "topic": s.suggestion.topic}
            | ({"reason": s.suggestion.reason} if s.is_author else {})
            for s in data.suggestions
        ],
        **data.sections,
    }


# --- deleting ------------------------------------------------------------------------------


def _still_to_come(offering: Offering, now: datetime) -> bool:
    """The offering has a date that has not ended (or no dates yet): a seat there is future."""
    if not offering.occurrences:
        return True
    return any(o.ends_at > now and not o.is_cancelled for o in offering.occurrences)


def _end_future_seat(enrollment: Enrollment, now: datetime) -> bool:
    """End an active sign-up for dates to come as the person would; True if one was ended.

    The same services as the buttons on the manage page: a freed seat goes to the next in
    line exactly as after any cancellation.
    """
    if enrollment.status not in ACTIVE_ENROLLMENT_STATUSES:
        return False
    if not _still_to_come(enrollment.offering, now):
        return False  # it is over: the seat and its attendance stay in the counts
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        enrollment_services.leave_waitlist(enrollment.id, now=now)
    elif enrollment.status == EnrollmentStatus.OFFERED:
        enrollment_services.decline_offer(enrollment.id, now=now)
    else:
        enrollment_services.cancel_enrollment(enrollment.id, now=now)
    return True


def _purge_mails(messages: list[OutboxMessage], now: datetime) -> None:
    for message in messages:
        if message.status in (OutboxStatus.DRAFT, OutboxStatus.PENDING):
            db.session.delete(message)
        else:
            purge_message(message, now=now)


def _purge_unlinked_staff_mails(enrollments: list[Enrollment], now: datetime) -> None:
    """Mails to staff naming the person, written before they were linked to the sign-up:
    found by the name as their subject gives it ("Melder afbud: <name>, <title>")."""
    names = {e.name for e in enrollments if e.name}
    if not names:
        return
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.enrollment_id.is_(None),
            OutboxMessage.kind.in_([k.value for k in TO_STAFF_ABOUT_A_PARTICIPANT]),
            OutboxMessage.purged_at.is_(None),
            sa.or_(*(OutboxMessage.subject.contains(f": {name}, ") for name in names)),
        )
    ).all()
    _purge_mails(list(messages), now)


def _erase_suggestions(scope: Scope) -> None:
    for supporter in _suggestions_of(scope):
        supporter.email = None


@dataclass
class Deleted:
    enrollments: int = 0
    cancelled: int = 0


def _delete(scope: Scope, *, now: datetime, new_key: str) -> Deleted:
    enrollments = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.id.in_(scope.enrollment_ids), Enrollment.erased_at.is_(None))
            .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
            .order_by(Enrollment.offering_id, Enrollment.id)  # one lock order for everyone
        )
    )
    result = Deleted(enrollments=len(enrollments))
    emails = {e.email_normalized for e in enrollments}
    for enrollment in enrollments:
        result.cancelled += _end_future_seat(enrollment, now)
    for section in _SECTIONS.values():
        section.erase(scope, now)
    _purge_unlinked_staff_mails(enrollments, now)
    for enrollment in enrollments:
        db.session.refresh(enrollment)
        enrollment.person_key = new_key
        record_audit(
            user_id=None,
            action=AuditAction.PERSON_ERASED,
            offering_id=enrollment.offering_id,
            now=now,
            details=f"enrollment {enrollment.id}",
        )
        erase_enrollment(enrollment, now=now)
    _purge_mails(_mails_to(scope), now)
    _erase_suggestions(scope)
    forget_links_of(emails | ({scope.email} if scope.email else set()))
    db.session.flush()
    return result


def delete_own_data(email_normalized: str, *, language: str, now: datetime) -> Deleted:
    """Everything about one address, at the person's own request from /my."""
    scope = scope_of_email(email_normalized)
    address = db.session.scalar(
        sa.select(Enrollment.email)
        .where(Enrollment.id.in_(scope.enrollment_ids), Enrollment.erased_at.is_(None))
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    # Every row that still carries the address's pseudonym (rows retention erased earlier
    # too) gets one random key: they stay one person in the figures, and nobody's address.
    old_key = person_key(email_normalized, pseudonym_key(current_app.config))
    new_key = secrets.token_hex(32)
    db.session.execute(
        sa.update(Enrollment).where(Enrollment.person_key == old_key).values(person_key=new_key)
    )
    result = _delete(scope, now=now, new_key=new_key)
    mail_data_erased(
        address or email_normalized,
        language=language,
        offering=None,
        cancelled=result.cancelled,
        now=now,
    )
    return result


def delete_enrollment_data(enrollment_id: int, *, now: datetime) -> Deleted:
    """One sign-up's data, at the person's request from its manage link."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.erased_at is not None:
        raise enrollment_services.NotFound(enrollment_id)
    address, language, offering = enrollment.email, enrollment.language, enrollment.offering
    result = _delete(scope_of_enrollment(enrollment), now=now, new_key=secrets.token_hex(32))
    mail_data_erased(
        address, language=language, offering=offering, cancelled=result.cancelled, now=now
    )
    return result
