"""What each service error says to staff: one message per error, here and nowhere else.

Views catch a service's error and show `error_message(error)` next to the field or as a
flash.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from app.enrollment import services as enrollment
from app.management import accounts, services, site_settings

_MESSAGES: dict[type[Exception], Callable[[Exception], str]] = {
    enrollment.NoSeatFree: lambda e: _(
        "There is no free seat. Raise the number of seats first, or cancel a seat."
    ),
    enrollment.AlreadyEnrolled: lambda e: _(
        "This email address is already signed up for this offering."
    ),
    enrollment.SignupClosed: lambda e: _("The offering is cancelled, so nobody can be added."),
    enrollment.InvalidTransition: lambda e: _(
        "This person's status had already changed. Here is the list as it is now."
    ),
    enrollment.CapacityBelowConfirmed: lambda e: _(
        "%(num)d seats are already taken (confirmed or offered). Choose at least %(num)d "
        "seats, or cancel seats on the participants page first.",
        num=e.minimum,
    ),
    services.SlugTaken: lambda e: _("Another offering already uses this web address."),
    site_settings.OidcNotConfigured: lambda e: _(
        "Passwords stay on: sign-in with the municipality account is not configured, so nobody "
        "could sign in without them."
    ),
    site_settings.NotSignedInWithOidc: lambda e: _(
        "Passwords stay on: sign in with your municipality account first, so we know it works "
        "for you."
    ),
    services.NoOccurrences: lambda e: _("Add at least one date before you publish."),
    services.CancelledCannotBePublished: lambda e: _(
        "A cancelled offering cannot be published again. Duplicate it instead."
    ),
    services.NotPublished: lambda e: _("Only a published offering can be taken down."),
    services.OfferingAlreadyCancelled: lambda e: _("The offering is already cancelled."),
    services.DateAlreadyCancelled: lambda e: _("That date is already cancelled."),
    services.CancelledDateCannotMove: lambda e: _(
        "A cancelled date cannot be moved. Add a new date instead."
    ),
    services.BadSeries: lambda e: _(
        "These choices give no dates (or more than 104). Check the dates and the count."
    ),
    services.NothingToSendAgain: lambda e: _("That mail is no longer waiting to be sent again."),
    services.NoAddress: lambda e: _("There is no email address to send it to: phone them."),
    services.NotDropIn: lambda e: _("A headcount is only kept for drop-in meetings."),
    services.NotHeldYet: lambda e: _(
        "This date has not come yet. Until its day, you can only mark who cannot come."
    ),
    accounts.EmailTaken: lambda e: _("There is already an account with this email."),
    accounts.SlugTaken: lambda e: _("Another organisation already uses this short name."),
    accounts.AlreadyHasPassword: lambda e: _(
        "This person has already chosen a password. If it is forgotten, they can use "
        '"Forgot your password?" on the sign-in page.'
    ),
}


def error_message(error: Exception) -> str:
    for cls in type(error).__mro__:
        if cls in _MESSAGES:
            return _MESSAGES[cls](error)
    return _("That could not be done. Please reload the page and try again.")
