"""When a person's data is erased, and the erasing itself (`flask retention`).

The rules, each counted in whole local (Copenhagen) days:
- every enrollment: RETENTION_DAYS after the offering's last date (about six months);
- cancelled and declined enrollments: RETENTION_ENDED_DAYS after they ended;
- waiting-list places and requests that never got a seat: RETENTION_ENDED_DAYS after the
  offering's last date;
- an offering may set a shorter time of its own (`Offering.retention_days`), never longer;
- an address left on a group suggestion: RETENTION_DAYS after it was given (a declined
  suggestion's addresses go at once, app/suggestions/services.py).

Erasing blanks the personal fields (name, email, phone, needs, workplace, companion wish,
staff message), kills the manage link and deletes the key that pairs WHO-5 answers
(app/wellbeing/), but keeps the row with its status, audience, dates and attendance, so key
figures and attendance rates of past periods come out the same. Mails to the person are
purged with them; other delivered mails lose their address and bodies RETENTION_MAIL_DAYS
after delivery. Then the freed bytes are scrubbed from the database files (SQLite runs with
`secure_delete` and its WAL is checkpointed; PostgreSQL vacuums the tables).

Plain functions with the time passed in; they flush, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.enrollment.tokens import new_manage_nonce_hash
from app.extensions import db
from app.i18n import local, local_to_utc
from app.models import (
    Enrollment,
    EnrollmentStatus,
    Offering,
    OutboxMessage,
    OutboxStatus,
    PersonalCalendar,
    SignInToken,
    SmsMessage,
)
from app.notices.services import forget_notices_about
from app.wellbeing.services import forget_key

ENDED = (EnrollmentStatus.CANCELLED, EnrollmentStatus.DECLINED)
NEVER_SEATED = (
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.OFFERED,
    EnrollmentStatus.INTERESTED,
)
# The tables erasure writes to: the ones whose freed space is scrubbed afterwards.
ERASED_TABLES = (
    "enrollments",
    "outbox_messages",
    "personal_calendars",
    "sign_in_tokens",
    "sms_messages",
    "suggestion_supporters",
    "wellbeing_keys",
)


@dataclass(frozen=True)
class RetentionRules:
    after_last_date: int  # days
    after_ended: int
    mail_after_delivery: int

    @classmethod
    def from_config(cls, config) -> RetentionRules:
        return cls(
            after_last_date=int(config["RETENTION_DAYS"]),
            after_ended=int(config["RETENTION_ENDED_DAYS"]),
            mail_after_delivery=int(config["RETENTION_MAIL_DAYS"]),
        )


def _shorter(days: int, offering: Offering) -> int:
    if offering.retention_days is None:
        return days
    return min(days, offering.retention_days)


def last_date(offering: Offering) -> date | None:
    """The local day the offering's last occurrence ends (cancelled ones count too)."""
    ends = [occurrence.ends_at for occurrence in offering.occurrences]
    return local(max(ends)).date() if ends else None


def erase_date(offering: Offering, rules: RetentionRules) -> date | None:
    """The day a seat's personal data is erased: shown on the form and in the mail."""
    last = last_date(offering)
    if last is None:
        return None
    return last + timedelta(days=_shorter(rules.after_last_date, offering))


def enrollment_erase_date(enrollment: Enrollment, rules: RetentionRules) -> date | None:
    """The day this enrollment's personal data is erased (the soonest rule that applies)."""
    offering = enrollment.offering
    candidates = [erase_date(offering, rules)]
    ended_days = _shorter(rules.after_ended, offering)
    if enrollment.status in ENDED:
        ended = enrollment.cancelled_at or enrollment.updated_at
        candidates.append(local(ended).date() + timedelta(days=ended_days))
    elif enrollment.status in NEVER_SEATED:
        last = last_date(offering)
        if last is not None:
            candidates.append(last + timedelta(days=ended_days))
    known = [d for d in candidates if d is not None]
    return min(known) if known else None


# --- erasing -------------------------------------------------------------------------------


def erase_enrollment(enrollment: Enrollment, *, now: datetime) -> None:
    """Blank the personal fields of one enrollment and purge the mails written to it.

    The row stays with its status, audience, dates and attendance, so counts survive.
    """
    if enrollment.wants_companion:
        # The count survives, not the wish (an SQL increment: erasures never overwrite).
        enrollment.offering.erased_companion_wishes = Offering.erased_companion_wishes + 1
    enrollment.name = ""
    enrollment.email = ""
    # Unique per row, so the one-active-enrollment index never sees two erased rows as one.
    enrollment.email_normalized = f"erased-{enrollment.id}"
    enrollment.phone = None
    enrollment.needs = None
    enrollment.workplace = None
    enrollment.wants_companion = False
    enrollment.staff_message = None
    enrollment.manage_token_hash = new_manage_nonce_hash()  # the manage link stops working
    enrollment.offer_expires_at = None
    enrollment.erased_at = now
    forget_key(enrollment.id)  # WHO-5: nothing pairs this person's answers any more
    forget_notices_about(enrollment.id)  # nor a facilitator's digest (an afbud, a request)
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.enrollment_id == enrollment.id)
    ).all()
    for message in messages:
        if message.status in (OutboxStatus.DRAFT, OutboxStatus.PENDING):
            db.session.delete(message)  # nobody left to send it to
        else:
            purge_message(message, now=now)
    # Text messages hold the phone number: a waiting one goes, a sent one keeps only its kind.
    db.session.execute(
        sa.delete(SmsMessage).where(
            SmsMessage.enrollment_id == enrollment.id, SmsMessage.status == OutboxStatus.PENDING
        )
    )
    db.session.execute(
        sa.update(SmsMessage)
        .where(SmsMessage.enrollment_id == enrollment.id)
        .values(msisdn="", body="", last_error=None)
    )
    db.session.flush()


def purge_message(message: OutboxMessage, *, now: datetime) -> None:
    """Keep that a mail of this kind went out, and when; forget to whom and what it said."""
    message.to_address = ""
    message.to_name = None
    message.subject = ""
    message.body_text = ""
    message.body_html = None
    message.ics = None
    message.last_error = None
    message.purged_at = now


def forget_links_of(emails: set[str]) -> tuple[int, int]:
    """Delete personal feeds and sign-in links of addresses that have nothing left with us."""
    if not emails:
        return 0, 0
    still_held = set(
        db.session.scalars(
            sa.select(Enrollment.email_normalized).where(
                Enrollment.email_normalized.in_(emails), Enrollment.erased_at.is_(None)
            )
        )
    )
    gone = sorted(emails - still_held)
    if not gone:
        return 0, 0
    calendars = db.session.execute(
        sa.delete(PersonalCalendar).where(PersonalCalendar.email_normalized.in_(gone))
    ).rowcount
    links = db.session.execute(
        sa.delete(SignInToken).where(SignInToken.email_normalized.in_(gone))
    ).rowcount
    return calendars, links


@dataclass
class RetentionReport:
    enrollments: int = 0
    mails: int = 0
    calendars: int = 0
    sign_in_links: int = 0
    suggestion_addresses: int = 0

    def __str__(self) -> str:
        return ", ".join(
            f"{f.name.replace('_', ' ')}: {getattr(self, f.name)}" for f in fields(self)
        )

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def due_enrollments(rules: RetentionRules, *, as_of: datetime) -> list[Enrollment]:
    """Enrollments whose erase date has come (not yet erased), in id order."""
    today = local(as_of).date()
    candidates = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.erased_at.is_(None))
        .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
        .order_by(Enrollment.id)
    )
    due = []
    for enrollment in candidates:
        day = enrollment_erase_date(enrollment, rules)
        if day is not None and day <= today:
            due.append(enrollment)
    return due


def _due_mails(rules: RetentionRules, *, as_of: datetime):
    delivered_before = as_of - timedelta(days=rules.mail_after_delivery)
    failed_before = as_of - timedelta(days=rules.after_ended)
    return sa.select(OutboxMessage).where(
        OutboxMessage.purged_at.is_(None),
        sa.or_(
            sa.and_(
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.sent_at <= delivered_before,
            ),
            # A failed mail goes with its enrollment; one without (a staff mail) after a while.
            sa.and_(
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.enrollment_id.is_(None),
                OutboxMessage.created_at <= failed_before,
            ),
        ),
    )


def _due_suggestion_addresses(rules: RetentionRules, *, as_of: datetime):
    """Addresses left on a group suggestion RETENTION_DAYS ago or longer (whole local days)."""
    from app.suggestions.models import SuggestionSupporter

    first_kept_day = local(as_of).date() - timedelta(days=rules.after_last_date - 1)
    cut = local_to_utc(first_kept_day, time(0, 0))
    return SuggestionSupporter, sa.and_(
        SuggestionSupporter.email.is_not(None), SuggestionSupporter.created_at < cut
    )


def run_retention(rules: RetentionRules, *, as_of: datetime, dry_run: bool = False):
    """Erase what is due on `as_of`; idempotent. With dry_run, only count."""
    report = RetentionReport()
    due = due_enrollments(rules, as_of=as_of)
    mails = list(db.session.scalars(_due_mails(rules, as_of=as_of)))
    expired_links = sa.delete(SignInToken).where(SignInToken.expires_at <= as_of)
    supporter, addresses_due = _due_suggestion_addresses(rules, as_of=as_of)
    report.suggestion_addresses = db.session.scalar(
        sa.select(sa.func.count()).select_from(supporter).where(addresses_due)
    )
    if dry_run:
        report.enrollments = len(due)
        report.mails = len(mails) + sum(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.enrollment_id == e.id, OutboxMessage.purged_at.is_(None))
            )
            for e in due
        )
        return report
    emails = {e.email_normalized for e in due}
    for enrollment in due:
        report.mails += db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.enrollment_id == enrollment.id, OutboxMessage.purged_at.is_(None))
        )
        erase_enrollment(enrollment, now=as_of)
    for message in mails:
        purge_message(message, now=as_of)
    report.mails += len(mails)
    report.calendars, report.sign_in_links = forget_links_of(emails)
    report.sign_in_links += db.session.execute(expired_links).rowcount
    db.session.execute(sa.update(supporter).where(addresses_due).values(email=None))
    db.session.flush()
    report.enrollments = len(due)
    return report


def scrub_freed_space(engine: sa.Engine) -> None:
    """Make erased bytes unreadable in the database files, after the erasure is committed.

    SQLite overwrites freed space itself (`secure_delete`, set on every connection in
    app/database.py); the WAL still holds old page images until it is checkpointed.
    PostgreSQL keeps dead row versions until VACUUM removes them.
    """
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # autocommit: a checkpoint cannot run in a transaction
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ERASED_TABLES:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
