"""Small factory helpers: make exactly the rows a test needs, with sensible defaults.

They commit (inside the test's rolled-back transaction), as a real request would find them.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from app.database import set_write_intent
from app.extensions import db
from app.models import (
    Enrollment,
    EnrollmentStatus,
    Facilitator,
    Location,
    Occurrence,
    Offering,
    OfferingAudience,
    Organisation,
    Theme,
    User,
)

_counter = itertools.count(1)
_Factory = TypeVar("_Factory", bound=Callable)


def _writes(factory: _Factory) -> _Factory:
    """A factory takes SQLite's write lock before its first read, as a request does.

    In a committing test live servers write beside the test (a sign-up's mail after its
    commit). A factory's read-then-insert in an ordinary deferred transaction is refused at
    once ("database is locked") when a server commits between the two; BEGIN IMMEDIATE waits
    for the lock instead. Inside the rolled-back test transaction nothing else writes.
    """

    @functools.wraps(factory)
    def writing(*args, **kwargs):
        session = db.session()
        bind = session.get_bind()
        if (
            session.info.get("factory_writes")
            or isinstance(bind, sa.Connection)  # joined to the test's rolled-back transaction
            or bind.dialect.name != "sqlite"
        ):
            return factory(*args, **kwargs)
        if session.in_transaction():
            session.commit()  # end the read; BEGIN IMMEDIATE is only taken by a new transaction
        previous = set_write_intent(True)
        session.info["factory_writes"] = True
        try:
            return factory(*args, **kwargs)
        finally:
            del session.info["factory_writes"]
            set_write_intent(previous)

    return writing  # type: ignore[return-value]


def held_now(occurrence: Occurrence) -> Occurrence:
    """Move a date to the present (it began an hour ago): who came can be marked on it."""
    occurrence.starts_at = now() - timedelta(hours=1)
    occurrence.ends_at = now() + timedelta(hours=1)
    db.session.commit()
    return occurrence


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@_writes
def make_organisation(slug: str | None = None, name: str | None = None) -> Organisation:
    n = next(_counter)
    org = db.session.scalar(db.select(Organisation).filter_by(slug=slug)) if slug else None
    if org is None:
        org = Organisation(slug=slug or f"org-{n}", name=name or f"Organisation {n}")
        db.session.add(org)
        db.session.commit()
    return org


@_writes
def make_location(**fields) -> Location:
    n = next(_counter)
    values = {
        "name": f"Huset {n}",
        "address": f"Vestergade {n}",
        "postcode": "8000",
        "city": "Aarhus C",
        "step_free": True,
    }
    values.update(fields)
    location = Location(**values)
    db.session.add(location)
    db.session.commit()
    return location


@_writes
def make_theme(slug: str, name: str | None = None, name_en: str | None = None) -> Theme:
    theme = db.session.scalar(db.select(Theme).filter_by(slug=slug))
    if theme is None:
        theme = Theme(slug=slug, name=name or slug.capitalize(), name_en=name_en)
        db.session.add(theme)
        db.session.commit()
    return theme


@_writes
def make_user(role: str = "peer_worker", **fields) -> User:
    n = next(_counter)
    values = {"email": f"staff{n}@example.org", "name": f"Medarbejder {n}", "role": role}
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


@_writes
def make_offering(
    *,
    title: str | None = None,
    kind: str = "course",
    capacity: int | None = 10,
    enrolment_mode: str = "instant",
    status: str = "published",
    audiences: Iterable[str] = ("citizen",),
    themes: Iterable[Theme] = (),
    starts: Iterable[datetime] | None = None,
    duration: timedelta = timedelta(hours=2),
    location: Location | None = None,
    organisation: Organisation | None = None,
    commit: bool = True,
    **fields,
) -> Offering:
    """A public offering with occurrences at `starts` (default: one a week from now)."""
    n = next(_counter)
    title = title or f"Kursus nummer {n}"
    offering = Offering(
        slug=fields.pop("slug", f"tilbud-{n}"),
        kind=kind,
        title=title,
        summary=fields.pop("summary", f"Resumé af {title}"),
        description=fields.pop("description", f"Om **{title}**."),
        organisation=organisation or make_organisation("recovery-skolen", "Recovery-skolen"),
        location=location if location is not None else make_location(),
        capacity=capacity,
        enrolment_mode=enrolment_mode,
        status=status,
        **fields,
    )
    offering.audience_rows = [OfferingAudience(audience=a) for a in audiences]
    offering.themes = list(themes)
    if starts is None:
        starts = [now() + timedelta(days=7)]
    offering.occurrences = [Occurrence(starts_at=s, ends_at=s + duration) for s in starts]
    db.session.add(offering)
    db.session.flush()
    if commit:
        db.session.commit()
    return offering


@_writes
def add_facilitator(
    offering: Offering,
    *,
    user: User | None = None,
    guest_name: str | None = None,
    role: str = "peer",
) -> Facilitator:
    facilitator = Facilitator(
        offering_id=offering.id,
        user=user,
        guest_name=guest_name,
        role=role,
        position=len(offering.facilitators),
    )
    db.session.add(facilitator)
    db.session.commit()
    return facilitator


@_writes
def make_enrollment(
    offering: Offering,
    *,
    status: str = EnrollmentStatus.CONFIRMED,
    email: str | None = None,
    name: str | None = None,
    audience: str = "citizen",
    queued_at: datetime | None = None,
    commit: bool = True,
) -> Enrollment:
    n = next(_counter)
    email = email or f"person{n}@example.com"
    enrollment = Enrollment(
        offering_id=offering.id,
        name=name or f"Person {n}",
        email=email,
        email_normalized=email.strip().lower(),
        audience=audience,
        status=status,
        queued_at=queued_at or now(),
        consent_at=now(),
        manage_token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
    )
    db.session.add(enrollment)
    db.session.flush()
    if commit:
        db.session.commit()
    return enrollment
