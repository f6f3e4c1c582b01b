"""WHO-5: scoring, the keyed pseudonym that pairs start and end, and the staff's aggregates.

The WHO-5 Well-Being Index (WHO Collaborating Centre in Mental Health, Psychiatric Centre
North Zealand): five statements about the last two weeks, each answered 0 ("at no time")
to 5 ("all of the time"); the raw score is their sum (0-25), times 4 the index (0-100).

Pairing. A person is asked once at the start (on their sign-up's page, skippable) and once
with the evaluation. Both answers are stored under the same pseudonym,
HMAC(server key, offering | a random secret of the enrollment); the secret lives in
`WellbeingKey` and is deleted by retention (`forget_key`), which ends the pairing.

Staff see per offering and term only: how many pairs, the mean index at the start and at
the end, and the change, and nothing while there are fewer than MIN_PAIRS pairs. A person
is never shown a score, their own or anyone's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.figures import period as periods
from app.figures.pseudonym import pseudonym_key
from app.figures.suppression import THRESHOLD
from app.i18n import local
from app.models import Enrollment, EnrollmentStatus, Occurrence, OccurrenceStatus, Offering
from app.wellbeing.models import ITEMS, WellbeingAnswer, WellbeingKey

START = "start"
MIN_PAIRS = THRESHOLD  # 5, the small-number rule of the key figures and evaluations
MAX_ITEM = 5


class BadAnswer(ValueError):
    """Not five answers from 0 to 5."""


def raw_score(items: Sequence[int]) -> int:
    """The sum of the five items (0-25)."""
    if len(items) != len(ITEMS) or any(
        not isinstance(i, int) or isinstance(i, bool) or not 0 <= i <= MAX_ITEM for i in items
    ):
        raise BadAnswer(items)
    return sum(items)


def index_score(items: Sequence[int]) -> int:
    """The WHO-5 index 0-100: the raw score times 4."""
    return raw_score(items) * 4


# --- the pseudonym ---------------------------------------------------------------------------


def _server_key() -> bytes:
    base = pseudonym_key(current_app.config)
    return hmac.new(base, b"holdplads-who5", hashlib.sha256).digest()


def pseudonym(offering_id: int, secret: str) -> str:
    message = f"{offering_id}|{secret}".encode()
    return hmac.new(_server_key(), message, hashlib.sha256).hexdigest()


def key_of(enrollment_id: int) -> WellbeingKey | None:
    return db.session.get(WellbeingKey, enrollment_id)


def _key_for(enrollment_id: int) -> WellbeingKey:
    key = key_of(enrollment_id)
    if key is None:
        key = WellbeingKey(enrollment_id=enrollment_id, secret=secrets.token_hex(32))
        db.session.add(key)
    return key


def forget_key(enrollment_id: int) -> None:
    """Retention: delete the secret, so nothing pairs this person's answers any more."""
    db.session.execute(sa.delete(WellbeingKey).where(WellbeingKey.enrollment_id == enrollment_id))


# --- asking ------------------------------------------------------------------------------------


def start_open(enrollment: Enrollment) -> bool:
    """Is the start question still open to this person? Once, with a seat, before the end."""
    from app.evaluations.models import EvaluationInvite

    if not enrollment.offering.who5_enabled:
        return False
    if enrollment.status != EnrollmentStatus.CONFIRMED or enrollment.erased_at is not None:
        return False
    key = key_of(enrollment.id)
    if key is not None and key.start_asked:
        return False
    evaluated = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EvaluationInvite)
        .where(EvaluationInvite.enrollment_id == enrollment.id)
    )
    return not evaluated


def _store(offering_id: int, key: WellbeingKey, round_name: str, term: str, items) -> bool:
    raw_score(items)  # refuses anything but five answers 0-5
    row = WellbeingAnswer(
        offering_id=offering_id,
        round=round_name,
        term=term,
        pseudonym=pseudonym(offering_id, key.secret),
        **dict(zip(ITEMS, items, strict=True)),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError:  # answered this round already
        return False
    return True


def answer_start(enrollment: Enrollment, items: Sequence[int] | None, *, now: datetime) -> bool:
    """The answer at the start, or None to skip. Asked once: False if it was not open."""
    if not start_open(enrollment):
        return False
    key = _key_for(enrollment.id)
    key.start_asked = True
    db.session.flush()
    if items is not None:
        term = periods.term_of(local(now).date()).slug
        _store(enrollment.offering_id, key, START, term, items)
    db.session.flush()
    return True


def _end_term(offering_id: int, round_name: str, now: datetime) -> str:
    """The term a pair is reported under: a group's round is its term; a course's is the
    term of its last meeting."""
    if round_name != "end":
        return round_name
    last = db.session.scalar(
        sa.select(sa.func.max(Occurrence.ends_at)).where(
            Occurrence.offering_id == offering_id,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
        )
    )
    return periods.term_of(local(last or now).date()).slug


def end_open(invite) -> bool:
    """Ask WHO-5 with this evaluation? Only when it can be paired: the offering asks it, the
    person answered at the start, and retention has not yet deleted their key. An unpaired
    answer would never be shown, so it is neither asked nor kept."""
    offering = db.session.get(Offering, invite.offering_id)
    if offering is None or not offering.who5_enabled:
        return False
    key = key_of(invite.enrollment_id)
    if key is None:
        return False
    answered = db.session.scalars(
        sa.select(WellbeingAnswer.round).where(
            WellbeingAnswer.offering_id == invite.offering_id,
            WellbeingAnswer.pseudonym == pseudonym(invite.offering_id, key.secret),
        )
    ).all()
    return START in answered and invite.round not in answered


def answer_end(invite, items: Sequence[int], *, now: datetime) -> bool:
    """The answer given with the evaluation (`invite` is its EvaluationInvite); False if it
    cannot be paired (see `end_open`)."""
    raw_score(items)
    if not end_open(invite):
        return False
    key = key_of(invite.enrollment_id)
    term = _end_term(invite.offering_id, invite.round, now)
    return _store(invite.offering_id, key, invite.round, term, items)


# --- what staff see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TermResult:
    term: str
    pairs: int | None
    shown: bool  # False below MIN_PAIRS: the means are None
    mean_start: float | None  # WHO-5 index 0-100
    mean_end: float | None

    @property
    def change(self) -> float | None:
        if self.mean_start is None or self.mean_end is None:
            return None
        return self.mean_end - self.mean_start


def _raw(table) -> sa.ColumnElement:
    return sum((getattr(table.c, item) for item in ITEMS[1:]), getattr(table.c, ITEMS[0]))


def _term_order(row) -> tuple[str, int]:
    year, _, half = row[0].partition("-")
    return year, half == "autumn"


def results_of(offering_id: int) -> list[TermResult]:
    """Per term (newest first): pairs, and the means only from MIN_PAIRS pairs on."""
    start = sa.select(WellbeingAnswer).where(WellbeingAnswer.round == START).subquery("s")
    end = sa.select(WellbeingAnswer).where(WellbeingAnswer.round != START).subquery("e")
    rows = db.session.execute(
        sa.select(
            end.c.term,
            sa.func.count().label("pairs"),
            sa.func.avg(_raw(start) * 4.0).label("mean_start"),
            sa.func.avg(_raw(end) * 4.0).label("mean_end"),
        )
        .select_from(end)
        .join(
            start,
            sa.and_(start.c.offering_id == end.c.offering_id, start.c.pseudonym == end.c.pseudonym),
        )
        .where(end.c.offering_id == offering_id)
        .group_by(end.c.term)
    ).all()
    results = []
    for term, pairs, mean_start, mean_end in sorted(rows, key=_term_order, reverse=True):
        if pairs < MIN_PAIRS:  # not even the number is shown
            results.append(TermResult(term, None, False, None, None))
        else:
            results.append(TermResult(term, pairs, True, float(mean_start), float(mean_end)))
    return results


def has_answers(offering_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(WellbeingAnswer)
            .where(WellbeingAnswer.offering_id == offering_id)
        )
    )


def offering_uses_who5(offering: Offering) -> bool:
    return bool(offering.who5_enabled) or has_answers(offering.id)
