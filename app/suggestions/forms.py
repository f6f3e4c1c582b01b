"""The suggestion forms: a topic, a few words, an optional address; nothing about health."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import STRIP, EmailAddress, Form


def _optional_email() -> EmailField:
    return EmailField(
        _l("Email (optional)"),
        filters=STRIP,
        validators=[
            Optional(),
            EmailAddress(
                _l("That does not look like an email address. Check it for typos."),
                too_long_message=_l("That email address is too long."),
            ),
        ],
    )


class SuggestionForm(Form):
    topic = StringField(
        _l("What should the group be about?"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please write what the group should be about.")),
            Length(max=120, message=_l("Please keep the topic under 120 characters.")),
        ],
    )
    reason = TextAreaField(
        _l("A few words on why"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please write a few words on why.")),
            Length(max=600, message=_l("Please keep it under 600 characters.")),
        ],
    )
    email = _optional_email()
    website = StringField(_l("Leave this field empty"))  # the honeypot, as on sign-up


class MeTooForm(Form):
    email = _optional_email()


class MergeForm(Form):
    keep_id = SelectField(
        _l("Merge into"),
        coerce=int,
        validators=[DataRequired(_l("Please choose the suggestion to keep."))],
    )
