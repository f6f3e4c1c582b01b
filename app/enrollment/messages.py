"""What each sign-up service error says to a participant: one message per error, here only.

The staff area has its own table (`management/messages.py`): staff are told what to do next,
a participant only where they stand.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.enrollment import services
from app.models import Enrollment, EnrollmentStatus, OfferingStatus

_MESSAGES = {
    services.OfferExpired: lambda: _(
        "Sorry, the time to answer has run out, and the seat has gone on."
    ),
    services.InvalidTransition: lambda: _("That can no longer be done: your sign-up has changed."),
    services.AudienceNotAllowed: lambda: _("Please choose how you take part."),
}


def participant_message(error: services.EnrollmentError) -> str:
    for cls in type(error).__mro__:
        if cls in _MESSAGES:
            return _MESSAGES[cls]()
    return _("That could not be done. Please reload the page and try again.")


def ended_label(enrollment: Enrollment) -> str:
    """How a sign-up that has ended reads on the person's own pages (/my, the manage link).

    One they cancelled themselves reads "You have cancelled" (Du har afmeldt dig), never
    "Cancelled" (Aflyst): that word is for an offering the organisers called off.
    """
    if enrollment.status == EnrollmentStatus.DECLINED:
        return _("Not this time")
    if enrollment.cancelled_by_person:
        return _("You have cancelled")
    if enrollment.offering.status == OfferingStatus.CANCELLED:
        return _("Cancelled")
    return _("Not signed up")
