"""Whether sign-up is open, until when and why, in words for the staff page.

The answer comes from the same `availability()` the public pages use, so the staff page and
the catalogue never disagree; this module only puts the reason into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from app.enrollment.availability import ClosingReason, SeatState, signup_deadline
from app.enrollment.seats import offering_seats
from app.i18n import _format_date, _format_time
from app.models import Offering, OfferingStatus


@dataclass(frozen=True)
class SignupStatus:
    is_open: bool
    headline: str  # "Sign-up is open", "Sign-up is closed", ...
    reason: str  # why, and what staff can do about it
    closes_at: datetime | None
    closed: bool = False  # closed for good (not "not yet"): publishing it helps nobody


def _when(value: datetime) -> str:
    return _("%(day)s at %(time)s", day=_format_date(value, "long"), time=_format_time(value))


def _closing_sentence(
    closes: datetime | None, reason: ClosingReason, *, past: bool, can_edit: bool
) -> str:
    """Why sign-up closes when it does; what to change in the form only to those who can."""
    if closes is None:
        return _("Sign-up has no closing date.")
    when = _when(closes)
    if reason == ClosingReason.DEADLINE:
        if past:
            return _("The sign-up deadline you set, %(when)s, has passed.", when=when)
        return _("Open until %(when)s: the sign-up deadline you set.", when=when)
    if reason == ClosingReason.FIRST_DATE:
        if past and can_edit:
            return _(
                "Sign-up closed when the first date began, %(when)s. To take people after "
                "that, set a later sign-up deadline in the offering's form.",
                when=when,
            )
        if past:
            return _("Sign-up closed when the first date began, %(when)s.", when=when)
        if can_edit:
            return _(
                "Open until the first date begins, %(when)s. Set a sign-up deadline in the "
                "offering's form to close earlier or later.",
                when=when,
            )
        return _("Open until the first date begins, %(when)s.", when=when)
    if past:
        return _(
            "The last date began %(when)s, so there is nothing left to sign up for.", when=when
        )
    return _("Open until the last date begins, %(when)s.", when=when)


def signup_status(offering: Offering, now: datetime, *, can_edit: bool) -> SignupStatus:
    """`can_edit`: the reader may change the offering (policy.can_edit_offering), so the
    sentence may tell them what to change."""
    seats = offering_seats(offering, now)
    state = seats.availability.state
    closes, reason = signup_deadline(seats.facts)
    if state == SeatState.CANCELLED:
        return SignupStatus(False, _("Sign-up is closed"), _("The offering is cancelled."), None)
    if state == SeatState.JUST_COME:
        return SignupStatus(
            False, _("No sign-up"), _("Drop-in: people just come, nobody signs up."), None
        )
    if reason == ClosingReason.NO_DATES and closes is None:
        return SignupStatus(
            False, _("Sign-up is closed"), _("The offering has no dates yet."), None
        )
    if state == SeatState.NOT_OPEN_YET:
        reason_text = _(
            "Sign-up opens %(when)s, the opening date you set.",
            when=_when(seats.facts.signup_opens_at),
        )
        return SignupStatus(
            False,
            _("Sign-up is not open yet"),
            reason_text + " " + _closing_sentence(closes, reason, past=False, can_edit=can_edit),
            closes,
        )
    if state == SeatState.CLOSED:
        return SignupStatus(
            False,
            _("Sign-up is closed"),
            _closing_sentence(closes, reason, past=True, can_edit=can_edit),
            closes,
            closed=True,
        )
    sentence = _closing_sentence(closes, reason, past=False, can_edit=can_edit)
    if state == SeatState.FULL:
        sentence += " " + _("Every seat is taken: new sign-ups go on the waiting list.")
    elif state == SeatState.ASK_TO_JOIN:
        sentence += " " + _("People ask to join, and a facilitator answers each request.")
    if offering.status == OfferingStatus.DRAFT:
        return SignupStatus(
            False,
            _("Sign-up opens when you publish"),
            _("The offering is a draft: only staff can see it.") + " " + sentence,
            closes,
        )
    return SignupStatus(True, _("Sign-up is open"), sentence, closes)
