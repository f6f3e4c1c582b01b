"""The participant's forms. Labels and messages are English msgids, Danish in the catalogue."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from app.forms import STRIP, EmailAddress
from app.forms import Form as FlaskForm
from app.models import Audience


def _email_field(missing_message) -> EmailField:
    """What counts as an email address, in one place; only the "missing" message differs."""
    return EmailField(
        _l("Email"),
        filters=STRIP,
        validators=[
            DataRequired(missing_message),
            EmailAddress(
                _l("That does not look like an email address. Check it for typos."),
                too_long_message=_l("That email address is too long."),
            ),
        ],
    )


class AudienceField(RadioField):
    """Radio buttons of the offering's audiences; a forged value gets a readable message."""

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Please choose how you take part."))


NAME_MAX_LENGTH = 100
_NAME_PUNCTUATION = frozenset(" -'’.")


def plain_name(form, field) -> None:
    """A person's name and nothing else: letters (any alphabet), spaces, - ' and a full stop
    (digits too, for "Deltager 2", but never digits alone).

    The name is the only text of a sign-up that goes into mail, to whatever address was
    typed, so it must not carry a link, an address, or characters that could reshape a
    mail header (`:` `,` `;` `<`) or reorder the text (bidirectional controls).
    """
    value = field.data or ""
    if (
        not any(ch.isalpha() for ch in value)
        or any(
            not (ch.isalnum() or ch in _NAME_PUNCTUATION or unicodedata.category(ch) == "Mn")
            for ch in value
        )
        or re.search(r"\.\S", value)  # "J. Hansen", never "www.example"
    ):
        raise ValidationError(
            _l("Please write just your name: letters, spaces, hyphens and apostrophes.")
        )


def name_field() -> StringField:
    """What counts as a person's name, for sign-up and for staff adding someone."""
    return StringField(
        _l("Your name"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please write your name.")),
            Length(
                max=NAME_MAX_LENGTH,
                message=_l("Please keep your name under %(max)d characters.", max=NAME_MAX_LENGTH),
            ),
            plain_name,
        ],
    )


def phone_field(label=None) -> TelField:
    """What counts as a phone number, for sign-up, corrections and staff adding someone."""
    return TelField(
        label or _l("Phone (optional)"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=40, message=_l("That phone number is too long.")),
            Regexp(
                r"^[0-9+() \-]{6,40}$",
                message=_l("Please write only digits, spaces and + in the phone number."),
            ),
        ],
    )


def needs_field() -> TextAreaField:
    return TextAreaField(
        _l("Anything we should know? (optional)"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=1000, message=_l("Please keep it under 1000 characters.")),
        ],
    )


class SignupForm(FlaskForm):
    name = name_field()
    email = _email_field(_l("Please write your email address, so we can send you your link."))
    phone = phone_field()
    sms_reminders = BooleanField(_l("Remind me by text message before each date"))
    audience = AudienceField(
        _l("I take part as"),
        choices=[],
        validators=[InputRequired(_l("Please choose how you take part."))],
    )
    wants_companion = BooleanField(_l("I would like a peer companion the first time"))
    needs = needs_field()
    consent = BooleanField(
        _l("I have read how my details are kept and used (the privacy notice)"),
        validators=[
            DataRequired(_l("Please tick the box to show you have read the privacy notice."))
        ],
    )
    # A field people never see: bots fill in every field they find.
    website = StringField(_l("Leave this field empty"))

    def validate_sms_reminders(self, field) -> None:
        from app.sms.outbox import msisdn_of

        if field.data and msisdn_of(self.phone.data) is None:
            raise ValidationError(
                _l("Please write a phone number that can get text messages, or untick the box.")
            )

    workplace = StringField(
        _l("Where do you work?"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please write where you work.")),
            Length(max=200, message=_l("Please keep it under 200 characters.")),
        ],
    )

    def __init__(
        self,
        *args,
        audiences: list[Audience],
        staff_only: bool = False,
        asks_workplace: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.audience.choices = Audience.choices(audiences)
        if len(audiences) == 1 and not self.audience.data:
            self.audience.data = audiences[0].value
        # A staff-only offering: no peer companion; a workplace if the offering asks for it.
        if staff_only:
            del self.wants_companion
        if not (staff_only and asks_workplace):
            del self.workplace


class EmailForm(FlaskForm):
    email = _email_field(_l("Please write the email address you signed up with."))


class CorrectDetailsForm(FlaskForm):
    """The person corrects what they told us (the address is their key: it stays)."""

    name = name_field()
    phone = phone_field()
    needs = needs_field()
