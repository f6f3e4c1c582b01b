"""The domain of DESIGN.md as typed SQLAlchemy 2 models.

The database guards the rules as well as the code: foreign keys, check constraints on
capacity and times, unique slugs, and a partial unique index that allows one *active*
enrollment per person and offering. Behaviour lives in each area's services, not here.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db


class LabelledEnum(enum.StrEnum):
    """A string enum whose every value carries its one, lazily translated label.

    Indico's `RichEnum` is the model: templates, forms, mails and CSV files show
    `member.label` and never spell a label of their own, so two screens cannot disagree.
    `plural` is there for the few headings that name a whole kind ("Courses").
    """

    label: str
    plural: str

    def __new__(cls, value: str, label, plural=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.plural = plural if plural is not None else label
        return member

    @classmethod
    def choices(cls, members=None) -> list[tuple[str, str]]:
        """(value, label) pairs for a form, in the enum's order unless `members` says."""
        return [(m.value, m.label) for m in (members or cls)]


def _enum(enum_class: type[LabelledEnum], column: str) -> sa.Enum:
    """A string column that only takes the enum's values (a named CHECK constraint).

    VARCHAR(20) on both databases, as before; the CHECK is `ck_<table>_<column>`.
    """
    return sa.Enum(
        enum_class,
        name=column,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class OfferingKind(LabelledEnum):
    # kursus: Recovery School course, several dated meetings
    COURSE = "course", _l("Course"), _l("Courses")
    # selvhjælpsgruppe, co-run with the volunteer centre
    GROUP = "group", _l("Self-help group"), _l("Self-help groups")
    # temamøde for citizens, relatives and staff together
    MEETING = "meeting", _l("Themed meeting"), _l("Themed meetings")


class Audience(LabelledEnum):
    """Who an offering is for, and as whom a person signs up."""

    CITIZEN = "citizen", _l("Citizen")  # borger
    RELATIVE = "relative", _l("Relative")  # pårørende
    STAFF = "staff", _l("Staff member")  # medarbejder
    VOLUNTEER = "volunteer", _l("Volunteer")  # frivillig


class EnrolmentMode(LabelledEnum):
    INSTANT = "instant", _l("Instant: a seat is confirmed at once")
    # a facilitator approves, e.g. after a short intake talk
    REQUEST = "request", _l("On request: a facilitator approves each sign-up")
    DROP_IN = "drop_in", _l("Drop-in: no sign-up, just come")
    # a self-help group: people register interest, have a first talk, and the group starts
    # when `min_participants` of them are ready (app/interest/)
    INTEREST = "interest", _l("Interest list: the group starts when enough are ready")


class OfferingStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")
    CANCELLED = "cancelled", _l("Cancelled")


class OccurrenceStatus(LabelledEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    CANCELLED = "cancelled", _l("Cancelled")


class FacilitatorRole(LabelledEnum):
    PEER = "peer", _l("Peer worker")  # peermedarbejder: teaches from lived experience
    PROFESSIONAL = "professional", _l("Professional")
    VOLUNTEER = "volunteer", _l("Volunteer")


class UserRole(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    COORDINATOR = "coordinator", _l("Coordinator")
    PEER_WORKER = "peer_worker", _l("Peer worker")
    VOLUNTEER_STAFF = "volunteer_staff", _l("Volunteer-centre staff")  # frivilligcentermedarb.
    # frivillig tovholder: a volunteer, not an employee; only the groups they are named on
    VOLUNTEER_LEADER = "volunteer_leader", _l("Volunteer group leader")


class EnrollmentStatus(LabelledEnum):
    # request mode: waiting for a facilitator's answer
    REQUESTED = "requested", _l("Request")
    CONFIRMED = "confirmed", _l("Confirmed")
    WAITLISTED = "waitlisted", _l("Waiting list")
    # a freed seat is held for this person until offer_expires_at
    OFFERED = "offered", _l("Offered a seat")
    CANCELLED = "cancelled", _l("Cancelled")
    DECLINED = "declined", _l("Declined")  # a facilitator said no to a request
    # interest mode: on the list, waiting for the first talk and the group's start
    INTERESTED = "interested", _l("Interest list")


class TalkStatus(LabelledEnum):
    """The first talk with someone on an interest list: a status and a date, nothing else."""

    TO_DO = "to_do", _l("Talk to do")
    HELD = "held", _l("Talk held")
    NOT_NOW = "not_now", _l("Not a fit now")
    WITHDREW = "withdrew", _l("Withdrew")


# A person holds at most one enrollment in these states per offering.
ACTIVE_ENROLLMENT_STATUSES = (
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.CONFIRMED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
    EnrollmentStatus.INTERESTED,
)
# The public sees these offerings (a cancelled one says so); drafts are staff-only.
PUBLIC_OFFERING_STATUSES = (OfferingStatus.PUBLISHED, OfferingStatus.CANCELLED)
# These hold a seat: an offer holds the freed seat for the person it was offered to.
SEAT_HOLDING_STATUSES = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.OFFERED)


# One active enrollment per person and offering: the partial unique index's condition.
ACTIVE_ENROLLMENT_CONDITION = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in ACTIVE_ENROLLMENT_STATUSES)
)


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("Present")
    ABSENT = "absent", _l("Absent")
    EXCUSED = "excused", _l("Excused")


class ChangeMarker(db.Model):
    """One row; its version rises with every committed change (see app/database.py)."""

    __tablename__ = "change_marker"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Public pages other than seats; seats anywhere (see app/database.py).
    structure_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    seats_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")


# Tables that no cached answer or validator (pages, feeds, API) reads at all: a change to them
# raises no change marker (app/database.py).
UNSEEN_TABLES = frozenset(
    {
        "audit_log",
        "notice_preferences",
        "outbox_messages",
        "password_reset_tokens",
        "pending_notices",
        "sign_in_tokens",
        "sms_messages",
    }
)

# Tables no public page (catalogue, offering page, API, prospectus) shows: a change to them
# keeps those pages cached (app/database.py). Attendance and users stay out on purpose.
PRIVATE_TABLES = frozenset(
    {
        "audit_log",
        "certificates",
        "evaluation_answers",
        "evaluation_invites",
        "figures_uploads",
        "learning_plans",
        "notice_preferences",
        "outbox_messages",
        "password_reset_tokens",
        "pending_notices",
        "personal_calendars",
        "sign_in_tokens",
        "sms_messages",
        "wellbeing_answers",
        "wellbeing_keys",
    }
)


class SeatMarker(db.Model):
    """Per offering: a counter that rises with every change to its enrollments, so its public
    page is rendered again when its seats change, and not when another offering's do."""

    __tablename__ = "seat_markers"
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    )
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
    # Shown on English pages; without it they show the Danish directions, marked lang="da".
    directions_en: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def full_address(self) -> str:
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.address, town) if p)

    @property
    def name_and_room(self) -> str:
        return ", ".join(p for p in (self.name, self.room) if p)

    @property
    def place_text(self) -> str:
        """The place on one line, as pages, mails and calendars say it: name, room, address."""
        return ", ".join(p for p in (self.name_and_room, self.full_address) if p)


class User(db.Model):
    """A staff account. Participants need no account: their manage link is their key."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole, "role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Raised by sign-out, a password reset and (de)activation: every session cookie carries
    # the version it was signed in with, and an older one no longer signs anybody in.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The facilitator's calendar feed (calendar issue); only a hash is kept.
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language of this person's mail (welcome, password reset): theirs, not the sender's.
    language: Mapped[str] = mapped_column(sa.String(8), default="da", server_default="da")

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
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("retention_days IS NULL OR retention_days >= 0", name="retention"),
        sa.CheckConstraint(
            "min_participants IS NULL OR min_participants > 0", name="min_participants_positive"
        ),
        sa.CheckConstraint(
            "signup_opens_at IS NULL OR signup_closes_at IS NULL "
            "OR signup_opens_at < signup_closes_at",
            name="signup_window",
        ),
        sa.Index("ix_offerings_status_kind", "status", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[OfferingKind] = mapped_column(_enum(OfferingKind, "kind"))
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
    enrolment_mode: Mapped[EnrolmentMode] = mapped_column(
        _enum(EnrolmentMode, "enrolment_mode"), default=EnrolmentMode.INSTANT
    )
    signup_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Interest mode: the group starts when this many have had their first talk; staff start
    # it (`started_at`), and until then it has no dates ("starts when enough are ready").
    min_participants: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[OfferingStatus] = mapped_column(
        _enum(OfferingStatus, "status"), default=OfferingStatus.DRAFT
    )
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes_en: Mapped[str | None] = mapped_column(sa.Text)
    teaching_language: Mapped[str] = mapped_column(sa.String(8), default="da")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    # A staff-only offering's sign-up form may ask where the person works (Enrollment.workplace).
    asks_workplace: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Erase participants' data sooner than RETENTION_DAYS after the last date (app/privacy/).
    retention_days: Mapped[int | None] = mapped_column()
    # Wishes for a peer companion of participants whose data was erased: the wish goes with
    # the rest of the person's data, the key figures keep counting it here.
    erased_companion_wishes: Mapped[int] = mapped_column(default=0, server_default="0")
    # Ask participants the WHO-5 wellbeing questions at the start and the end (app/wellbeing/).
    who5_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
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
    def audiences(self) -> list[Audience]:
        order = list(Audience)
        return sorted((Audience(row.audience) for row in self.audience_rows), key=order.index)

    @property
    def for_staff_only(self) -> bool:
        """For staff members alone: the sign-up offers no peer companion and never speaks of
        diagnoses, and may ask for a workplace (`asks_workplace`)."""
        return self.audiences == [Audience.STAFF]


class OfferingAudience(db.Model):
    """Who an offering is for: any of citizen, relative, staff, volunteer.

    Audience shares keep a class mixed (app/enrollment/shares.py): at least
    `min_share_percent` of the seats are kept for this audience until `kept_until`, and it
    never holds more than `max_seats`.
    """

    __tablename__ = "offering_audiences"
    __table_args__ = (
        sa.CheckConstraint(
            "min_share_percent IS NULL OR (min_share_percent > 0 AND min_share_percent <= 100)",
            name="share_percent",
        ),
        sa.CheckConstraint("max_seats IS NULL OR max_seats > 0", name="max_seats_positive"),
    )
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[Audience] = mapped_column(_enum(Audience, "audience"), primary_key=True)
    min_share_percent: Mapped[int | None] = mapped_column()
    # The kept seats are open to everyone from this moment (None: kept all along).
    kept_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_seats: Mapped[int | None] = mapped_column()


class Facilitator(db.Model):
    """Who runs an offering: a staff account or a named guest, with their role."""

    __tablename__ = "facilitators"
    __table_args__ = (
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
    role: Mapped[FacilitatorRole] = mapped_column(_enum(FacilitatorRole, "role"))
    position: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else (self.guest_name or "")


class Occurrence(db.Model):
    """One dated gathering of an offering (mødegang)."""

    __tablename__ = "occurrences"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount"),
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
    status: Mapped[OccurrenceStatus] = mapped_column(
        _enum(OccurrenceStatus, "status"), default=OccurrenceStatus.SCHEDULED
    )
    note: Mapped[str | None] = mapped_column(sa.String(300))
    # iCal SEQUENCE: raised on every change a person would notice (time, place, status).
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Drop-in meetings have no sign-ups: how many came, counted by the facilitator.
    headcount: Mapped[int | None] = mapped_column()
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
        # One active enrollment per person (same email) and offering.
        sa.Index(
            "uq_enrollments_active_person",
            "offering_id",
            "email_normalized",
            unique=True,
            sqlite_where=sa.text(ACTIVE_ENROLLMENT_CONDITION),
            postgresql_where=sa.text(ACTIVE_ENROLLMENT_CONDITION),
        ),
        sa.Index("ix_enrollments_offering_status", "offering_id", "status", "queued_at"),
        sa.Index("ix_enrollments_email_normalized", "email_normalized"),
        # Key figures: "returning participants" looks people up by pseudonym.
        sa.Index("ix_enrollments_person_key", "person_key", "confirmed_at"),
        sa.Index("ix_enrollments_offering_created", "offering_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    # None: staff added someone who phoned, with a phone number only; no mail is sent, staff
    # see that the person must be phoned.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_normalized: Mapped[str | None] = mapped_column(sa.String(254))  # lower-cased, trimmed
    # A keyed hash of email_normalized, set on insert (app/figures/pseudonym.py): key figures
    # match returning people by it, and it survives retention blanking the email.
    person_key: Mapped[str | None] = mapped_column(sa.String(64))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    audience: Mapped[Audience] = mapped_column(_enum(Audience, "audience"))
    status: Mapped[EnrollmentStatus] = mapped_column(_enum(EnrollmentStatus, "status"))
    # First come, first served: the waiting list is ordered by queued_at, then id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wants_companion: Mapped[bool] = mapped_column(default=False)  # følgeskab
    # "Remind me by text message" (needs `phone`): send-reminders queues an SMS too.
    sms_reminders: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    needs: Mapped[str | None] = mapped_column(sa.Text)
    # Where a staff member works, when a staff-only offering asks (Offering.asks_workplace).
    workplace: Mapped[str | None] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(8), default="da")
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # With SIGNUP_CONFIRM_HOURS: a seat held until the address is confirmed from the mail;
    # None once confirmed (or when the setting is off).
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(  # staff who added someone who phoned
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    staff_message: Mapped[str | None] = mapped_column(sa.Text)  # e.g. why a request was declined
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person cancelled it themselves (cancelled, left the waiting list, said no to an
    # offer): their pages say "You have cancelled", never "Cancelled" (Aflyst).
    cancelled_by_person: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Interest mode: the first talk with the volunteer centre, a status and a date only.
    first_talk: Mapped[TalkStatus | None] = mapped_column(_enum(TalkStatus, "first_talk"))
    first_talk_on: Mapped[date | None] = mapped_column(sa.Date)
    # The version of the privacy notice the person was shown when they signed up.
    privacy_notice_version: Mapped[str | None] = mapped_column(sa.String(40))
    # Set when `flask retention` or the person erased the personal fields; the row, its status,
    # audience, dates and attendance stay, so counts survive.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    offering: Mapped[Offering] = relationship()


class Attendance(db.Model):
    """Fremmøde: whether a participant came to one occurrence."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "occurrence_id", name="uq_attendance_once"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus, "status"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Afbud: when the person sent word that they cannot come (None: staff recorded it). Kept
    # when staff later tap a status, so the list still shows that word was sent.
    sent_word_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxStatus(LabelledEnum):
    # a sign-up's mail, written right after the commit (app/enrollment/standing.py)
    DRAFT = "draft", _l("Being written")
    PENDING = "pending", _l("Waiting to be sent")
    SENT = "sent", _l("Sent")
    # gave up after the last retry; staff can see it and resend
    FAILED = "failed", _l("Failed")


class OutboxMessage(db.Model):
    """A mail written in the same transaction as the change that causes it, sent later.

    A sign-up never waits for, or is undone by, a mail server: `flask send-mail` delivers
    pending messages and retries failures with back-off.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_pending", "status", "next_attempt_at"),)
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
    # A staff member's own words (a welcome, a message to participants): answers go to them.
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="SET NULL"), index=True
    )
    # Makes a message that must go out once (a reminder) impossible to write twice.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Address, subject and bodies are blanked a few days after delivery (app/privacy/).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsMessage(db.Model):
    """A text message written in the transaction that causes it, sent later (app/sms/)."""

    __tablename__ = "sms_messages"
    __table_args__ = (sa.Index("ix_sms_messages_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # reminder
    msisdn: Mapped[str] = mapped_column(sa.String(20))  # digits with the country code
    body: Mapped[str] = mapped_column(sa.String(480))
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="SET NULL"), index=True
    )
    # One SMS per person and date, however often send-reminders runs.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    provider_id: Mapped[str | None] = mapped_column(sa.String(100))  # the gateway's message id
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


# An enum column holds enum members from the moment it is set, not only once it is read back
# from the database: `offering.status = "published"` stores OfferingStatus.PUBLISHED, so
# `.label` works on every object a template sees, and a value the enum lacks fails at once.
# Listening on every mapper covers models that other modules add later too.
@event.listens_for(Mapper, "mapper_configured")
def _enum_columns_hold_members(mapper: Mapper, _class) -> None:
    for attr in mapper.column_attrs:
        column_type = attr.columns[0].type
        if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
            coerce = _to_member(column_type.enum_class)
            event.listen(attr.class_attribute, "set", coerce, retval=True)


def _to_member(enum_class: type[enum.Enum]):
    def coerce(_target, value, _old, _initiator):
        return value if value is None else enum_class(value)

    return coerce
