"""Who may have a certificate of participation, issuing it, and what it says.

Plain functions with the time and the threshold passed in; they flush, the caller commits.
"""

from __future__ import annotations

import enum
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.certificates.models import Certificate
from app.extensions import db
from app.i18n import local
from app.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Facilitator,
    Occurrence,
    OfferingKind,
)

# No 0/O, 1/I/L: a code is read aloud on the phone and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


class Refusal(enum.StrEnum):
    NOT_A_COURSE = "not_a_course"
    NO_SEAT = "no_seat"
    NOT_ENDED = "not_ended"
    TOO_FEW = "too_few"


class NotEligible(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class Eligibility:
    """Whether a certificate can be had, and the numbers behind the answer."""

    present: int
    held: int
    needed: int  # dates present the threshold asks for
    refusal: Refusal | None

    @property
    def eligible(self) -> bool:
        return self.refusal is None


def min_share(config) -> float:
    """CERTIFICATE_MIN_ATTENDANCE_PERCENT as a share (0.8)."""
    return config["CERTIFICATE_MIN_ATTENDANCE_PERCENT"] / 100


def certificates_in_view(
    enrollments: list[Enrollment], *, now: datetime, min_share: float
) -> dict[int, Eligibility]:
    """For /my: each confirmed seat on a course, and whether it has a certificate to give."""
    return {
        e.id: eligibility(e, now=now, min_share=min_share)
        for e in enrollments
        if e.offering.kind == OfferingKind.COURSE and e.status == EnrollmentStatus.CONFIRMED
    }


def held_occurrences(enrollment: Enrollment) -> list[Occurrence]:
    """The course's dates that took place: every date not cancelled (in time order)."""
    return [o for o in enrollment.offering.occurrences if not o.is_cancelled]


def eligibility(enrollment: Enrollment, *, now: datetime, min_share: float) -> Eligibility:
    """A course that has ended, a seat on it, present at `min_share` of the held dates."""
    held = held_occurrences(enrollment)
    held_ids = [o.id for o in held]
    present = 0
    if held_ids:
        present = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Attendance)
            .where(
                Attendance.enrollment_id == enrollment.id,
                Attendance.occurrence_id.in_(held_ids),
                Attendance.status == AttendanceStatus.PRESENT,
            )
        )
    # Rounded up: 80 % of 6 dates is 4.8, so 5 dates are needed, never 4.
    needed = max(1, math.ceil(round(min_share * len(held), 9)))
    refusal = None
    if enrollment.offering.kind != OfferingKind.COURSE:
        refusal = Refusal.NOT_A_COURSE
    elif enrollment.status != EnrollmentStatus.CONFIRMED or enrollment.erased_at is not None:
        refusal = Refusal.NO_SEAT
    elif not held or max(o.ends_at for o in held) > now:
        refusal = Refusal.NOT_ENDED
    elif present < needed:
        refusal = Refusal.TOO_FEW
    return Eligibility(present=present, held=len(held), needed=needed, refusal=refusal)


def initials(name: str) -> str:
    """ "Ida Marie Æbelø" → "I. M. Æ." (at most five letters)."""
    letters = [word[0].upper() for word in re.split(r"[\s\-]+", name) if word[:1].isalpha()]
    return " ".join(f"{letter}." for letter in letters[:5])


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person typed (spaces, lower case, no dashes) as the stored form, or ""."""
    raw = re.sub(r"[\s\-]", "", typed).upper()
    if len(raw) != CODE_GROUPS * CODE_GROUP_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return ""
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def issue_certificate(enrollment: Enrollment, *, now: datetime, min_share: float) -> Certificate:
    """The enrollment's certificate: made on the first request, the same one ever after."""
    verdict = eligibility(enrollment, now=now, min_share=min_share)
    if not verdict.eligible:
        raise NotEligible(verdict.refusal)
    existing = db.session.scalar(
        sa.select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    if existing is not None:
        return existing
    held = held_occurrences(enrollment)
    certificate = Certificate(
        code=new_code(),
        enrollment_id=enrollment.id,
        offering_id=enrollment.offering_id,
        initials=initials(enrollment.name),
        first_day=local(held[0].starts_at).date(),
        last_day=local(held[-1].starts_at).date(),
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def certificate_by_code(typed: str) -> Certificate | None:
    code = normalise_code(typed)
    if not code:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


@dataclass(frozen=True)
class CertificateText:
    """Everything the PDF shows."""

    certificate: Certificate
    name: str
    enrollment: Enrollment
    dates: list[Occurrence]
    facilitators: list[Facilitator]
    present: int
    held: int


def certificate_text(
    certificate: Certificate, enrollment: Enrollment, *, now: datetime, min_share: float
) -> CertificateText:
    verdict = eligibility(enrollment, now=now, min_share=min_share)
    return CertificateText(
        certificate=certificate,
        name=enrollment.name,
        enrollment=enrollment,
        dates=held_occurrences(enrollment),
        facilitators=list(enrollment.offering.facilitators),
        present=verdict.present,
        held=verdict.held,
    )
