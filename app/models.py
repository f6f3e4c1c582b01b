"""The domain of DESIGN.md as typed SQLAlchemy 2 models.

The database guards the rules as well as the code: foreign keys, check constraints on
capacity and times, unique slugs, and a partial unique index that allows one *active*
enrollment per person and offering. Behaviour lives in each area's services, not here.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db


def _enum_check(column: str, values: type[enum.Enum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class OfferingKind(enum.StrEnum):
    COURSE = "course"  # kursus: Recovery School course, several dated meetings
    GROUP = "group"  # selvhjælpsgruppe, co-run with the volunteer centre
    MEETING = "meeting"  # temamøde for citizens, relatives and staff together


class Audience(enum.StrEnum):
    CITIZEN = "citizen"  # borger
    RELATIVE = "relative"  # pårørende
    STAFF = "staff"  # medarbejder
    VOLUNTEER = "volunteer"  # frivillig


class EnrolmentMode(enum.StrEnum):
    INSTANT = "instant"
    REQUEST = "request"  # a facilitator approves, e.g. after a short intake talk
    DROP_IN = "drop_in"  # no sign-up: "just come"


class OfferingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class OccurrenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class FacilitatorRole(enum.StrEnum):
    PEER = "peer"  # peermedarbejder: teaches from lived experience
    PROFESSIONAL = "professional"
    VOLUNTEER = "volunteer"


class UserRole(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    PEER_WORKER = "peer_worker"
    VOLUNTEER_STAFF = "volunteer_staff"  # frivilligcentermedarbejder


class EnrollmentStatus(enum.StrEnum):
    REQUESTED = "requested"  # request mode: waiting for a facilitator's answer
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed seat is held for this person until offer_expires_at
    CANCELLED = "cancelled"
    DECLINED = "declined"  # a facilitator said no to a request


# A person holds at most one enrollment in these states per offering.
ACTIVE_ENROLLMENT_STATUSES = (
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.CONFIRMED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
)
# These hold a seat: an offer holds the freed seat for the person it was offered to.
SEAT_HOLDING_STATUSES = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.OFFERED)


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class ChangeMarker(db.Model):
    """One row; its version rises with every committed change (see app/database.py)."""

    __tablename__ = "change_marker"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


offering_co_organisers = sa.Table(
    "offering_co_organisers",
    db.metadata,
    sa.Column("offering_id", sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    ),
)

offering_themes = sa.Table(
    "offering_themes",
    db.metadata,
    sa.Column("offering_id", sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(db.Model):
    """The Recovery School, the volunteer centre, a partner association."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))


class Theme(db.Model):
    """A tag in the catalogue ("angst", "pårørende", "søvn"); filterable by slug."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str | None] = mapped_column(sa.String(120))


class Location(db.Model):
    """Where people meet, with the facts someone needs to decide whether they can get in."""

    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    room: Mapped[str | None] = mapped_column(sa.String(120))
    step_free: Mapped[bool] = mapped_column(default=False)  # niveaufri adgang
    accessible_toilet: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)  # teleslynge
    accessibility_notes: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes_en: Mapped[str | None] = mapped_column(sa.Text)
    directions: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def full_address(self) -> str:
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.address, town) if p)


class User(db.Model):
    """A staff account. Participants need no account: their manage link is their key."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(_enum_check("role", UserRole), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # The facilitator's calendar feed (calendar issue); only a hash is kept.
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()

    # Flask-Login's interface
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Offering(db.Model):
    """One entry in the catalogue (tilbud): a course, a self-help group or a themed meeting."""

    __tablename__ = "offerings"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("kind", OfferingKind), name="kind"),
        sa.CheckConstraint(_enum_check("enrolment_mode", EnrolmentMode), name="enrolment_mode"),
        sa.CheckConstraint(_enum_check("status", OfferingStatus), name="status"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "signup_opens_at IS NULL OR signup_closes_at IS NULL "
            "OR signup_opens_at < signup_closes_at",
            name="signup_window",
        ),
        sa.Index("ix_offerings_status_kind", "status", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    summary_en: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, sanitised on render
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="SET NULL"), index=True
    )
    is_online: Mapped[bool] = mapped_column(default=False)
    # Only confirmed participants ever see this (manage page, personal feed).
    online_join_url: Mapped[str | None] = mapped_column(sa.String(500))
    capacity: Mapped[int | None] = mapped_column()  # None: no limit (drop-in)
    enrolment_mode: Mapped[str] = mapped_column(sa.String(20), default=EnrolmentMode.INSTANT)
    signup_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=OfferingStatus.DRAFT)
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes_en: Mapped[str | None] = mapped_column(sa.Text)
    teaching_language: Mapped[str] = mapped_column(sa.String(8), default="da")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    # Raised whenever the offering itself changes in a way a calendar shows (title, place).
    revision: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    co_organisers: Mapped[list[Organisation]] = relationship(
        secondary=offering_co_organisers, order_by="Organisation.name"
    )
    location: Mapped[Location | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=offering_themes, order_by="Theme.name")
    audience_rows: Mapped[list[OfferingAudience]] = relationship(
        cascade="all, delete-orphan", order_by="OfferingAudience.audience"
    )
    facilitators: Mapped[list[Facilitator]] = relationship(
        cascade="all, delete-orphan", order_by="Facilitator.position"
    )
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="offering", cascade="all, delete-orphan", order_by="Occurrence.starts_at"
    )

    @property
    def audiences(self) -> list[str]:
        order = [a.value for a in Audience]
        return sorted((row.audience for row in self.audience_rows), key=order.index)


class OfferingAudience(db.Model):
    """Who an offering is for: any of citizen, relative, staff, volunteer."""

    __tablename__ = "offering_audiences"
    __table_args__ = (sa.CheckConstraint(_enum_check("audience", Audience), name="audience"),)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class Facilitator(db.Model):
    """Who runs an offering: a staff account or a named guest, with their role."""

    __tablename__ = "facilitators"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("role", FacilitatorRole), name="role"),
        sa.CheckConstraint("user_id IS NOT NULL OR guest_name IS NOT NULL", name="who"),
        sa.UniqueConstraint("offering_id", "user_id", name="uq_facilitators_offering_user"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    guest_name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else (self.guest_name or "")


class Occurrence(db.Model):
    """One dated gathering of an offering (mødegang)."""

    __tablename__ = "occurrences"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("status", OccurrenceStatus), name="status"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_occurrences_offering_starts", "offering_id", "starts_at"),
        sa.Index("ix_occurrences_starts_at", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(20), default=OccurrenceStatus.SCHEDULED)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    # iCal SEQUENCE: raised on every change a person would notice (time, place, status).
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offering: Mapped[Offering] = relationship(back_populates="occurrences")
    location_override: Mapped[Location | None] = relationship()

    @property
    def location(self) -> Location | None:
        return self.location_override or self.offering.location

    @property
    def is_cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED


class Enrollment(db.Model):
    """A person's place on an offering (tilmelding). The emailed manage link is their key."""

    __tablename__ = "enrollments"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("status", EnrollmentStatus), name="status"),
        sa.CheckConstraint(_enum_check("audience", Audience), name="audience"),
        # One active enrollment per person (same email) and offering.
        sa.Index(
            "uq_enrollments_active_person",
            "offering_id",
            "email_normalized",
            unique=True,
            sqlite_where=sa.text("status IN ('requested', 'confirmed', 'waitlisted', 'offered')"),
            postgresql_where=sa.text(
                "status IN ('requested', 'confirmed', 'waitlisted', 'offered')"
            ),
        ),
        sa.Index("ix_enrollments_offering_status", "offering_id", "status", "queued_at"),
        sa.Index("ix_enrollments_email_normalized", "email_normalized"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_normalized: Mapped[str] = mapped_column(sa.String(254))  # lower-cased, trimmed
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    audience: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    # First come, first served: the waiting list is ordered by queued_at, then id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wants_companion: Mapped[bool] = mapped_column(default=False)  # følgeskab
    needs: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(8), default="da")
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(  # staff who added someone who phoned
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    staff_message: Mapped[str | None] = mapped_column(sa.Text)  # e.g. why a request was declined
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offering: Mapped[Offering] = relationship()


class Attendance(db.Model):
    """Fremmøde: whether a participant came to one occurrence."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("status", AttendanceStatus), name="status"),
        sa.UniqueConstraint("enrollment_id", "occurrence_id", name="uq_attendance_once"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; staff can see it and resend


class OutboxMessage(db.Model):
    """A mail written in the same transaction as the change that causes it, sent later.

    A sign-up never waits for, or is undone by, a mail server: `flask send-mail` delivers
    pending messages and retries failures with back-off.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(_enum_check("status", OutboxStatus), name="status"),
        sa.Index("ix_outbox_messages_pending", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # confirmation, waitlisted, offer, ...
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str | None] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    ics: Mapped[str | None] = mapped_column(sa.Text)  # an iCalendar attachment
    ics_method: Mapped[str | None] = mapped_column(sa.String(20))  # REQUEST, CANCEL, PUBLISH
    language: Mapped[str] = mapped_column(sa.String(8), default="da")
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="SET NULL"), index=True
    )
    # Makes a message that must go out once (a reminder) impossible to write twice.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInToken(db.Model):
    """A one-time sign-in link for "my bookings" (participants have no password)."""

    __tablename__ = "sign_in_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_normalized: Mapped[str] = mapped_column(sa.String(254), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="da")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonalCalendar(db.Model):
    """A participant's private feed of their own occurrences, by email address.

    Only the token's hash is kept; renewing it replaces the hash and kills the old URL.
    """

    __tablename__ = "personal_calendars"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_normalized: Mapped[str] = mapped_column(sa.String(254), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # A discreet title ("Holdplads") for calendars that family or colleagues can see.
    discreet: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetToken(db.Model):
    """A one-time link to set a new staff password."""

    __tablename__ = "password_reset_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """Who looked at or exported participant data, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_created_at", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(60))  # view_participants, export_csv, ...
    offering_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
