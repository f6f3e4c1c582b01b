"""Every kind of mail Holdplads sends, by name.

The value is what the outbox stores in `OutboxMessage.kind` (and what the .eml file is
named after), so a value never changes once mail of that kind has been sent. A new kind of
mail is one member here, one function in participants.py or staff.py, and its row in
tests/mail/test_kinds.py.
"""

from __future__ import annotations

from enum import StrEnum


class MailKind(StrEnum):
    # to a participant, about their sign-up (participants.py)
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    OFFER = "offer"
    OFFER_EXPIRED = "offer_expired"
    CANCELLED = "cancelled"
    CANCELLED_BY_STAFF = "cancelled_by_staff"
    ALREADY_ENROLLED = "already_enrolled"
    OCCURRENCE_MOVED = "occurrence_moved"
    OCCURRENCE_CANCELLED = "occurrence_cancelled"
    OFFERING_CANCELLED = "offering_cancelled"
    REMINDER = "reminder"
    STAFF_MESSAGE = "staff_message"
    # after the course (or a group's term): the anonymous questionnaire's once-only link
    EVALUATION = "evaluation"
    # to a participant, not about one sign-up (participants.py)
    SIGN_IN = "sign_in"
    # to someone who suggested a group or said "me too" (participants.py)
    SUGGESTION_DECLINED = "suggestion_declined"
    # interest mode (app/interest/): on the list; the group starts (with the calendar); and
    # an invitation to register interest, to whoever suggested the group or said "me too"
    INTEREST_REGISTERED = "interest_registered"
    GROUP_STARTED = "group_started"
    INTEREST_INVITATION = "interest_invitation"
    # to a staff account (staff.py)
    WELCOME = "welcome"
    PASSWORD_RESET = "password_reset"
    # to an address without a staff account that asked for a new password (staff.py): the
    # same amount of work as a real reset, so the answer does not tell who has an account
    PASSWORD_RESET_UNKNOWN = "password_reset_unknown"
    # to a facilitator: a participant cannot come to one date (afbud), or can after all
    ABSENCE = "absence"
    ABSENCE_TAKEN_BACK = "absence_taken_back"
    # to a participant who deleted their own data: the last mail, forgotten once delivered
    DATA_ERASED = "data_erased"
    # to a facilitator: a request, a cancellation, an offer taken or run out, a bounce
    # (app/notices/), at once or in the daily digest
    FACILITATOR_NOTICE = "facilitator_notice"
    FACILITATOR_DIGEST = "facilitator_digest"

    @property
    def ics_method(self) -> str | None:
        """The iCalendar method of this kind's attachment: an invitation or its withdrawal."""
        return _ICS_METHOD.get(self)


# Mails to staff that name a participant: linked to the sign-up (`enrollment_id`), so they
# are purged with that person's data, yet neither listed as mails to them in their own data
# nor answered to the offering's contact (app/privacy/own_data.py, app/mail/sender.py).
TO_STAFF_ABOUT_A_PARTICIPANT = frozenset(
    {MailKind.ABSENCE, MailKind.ABSENCE_TAKEN_BACK, MailKind.FACILITATOR_NOTICE}
)

# Mails whose address and words are blanked the moment they are delivered (app/mail/sender.py).
FORGOTTEN_ON_DELIVERY = frozenset({MailKind.DATA_ERASED})

# Mails to staff accounts: one linked to a sign-up (an afbud notice) is still not a mail to
# the participant, so its failure is not shown or told as theirs.
TO_STAFF = frozenset(
    {
        MailKind.WELCOME,
        MailKind.PASSWORD_RESET,
        MailKind.PASSWORD_RESET_UNKNOWN,
        MailKind.ABSENCE,
        MailKind.ABSENCE_TAKEN_BACK,
        MailKind.FACILITATOR_NOTICE,
        MailKind.FACILITATOR_DIGEST,
    }
)

_ICS_METHOD = {
    MailKind.CONFIRMED: "REQUEST",
    MailKind.APPROVED: "REQUEST",
    MailKind.GROUP_STARTED: "REQUEST",
    MailKind.OCCURRENCE_MOVED: "REQUEST",
    MailKind.CANCELLED: "CANCEL",
    MailKind.CANCELLED_BY_STAFF: "CANCEL",
    # One date off: the whole invitation again, that date as EXDATE (a CANCEL of the object
    # would take every date out of the person's calendar).
    MailKind.OCCURRENCE_CANCELLED: "REQUEST",
    MailKind.OFFERING_CANCELLED: "CANCEL",
}
