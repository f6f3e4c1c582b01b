"""The base of every form: Flask-WTF's CSRF, with WTForms' own messages in Danish too.

WTForms ships no Danish catalogue, so its messages ("This field is required.") are
translated in app/translations/da/LC_MESSAGES/wtforms.po, our own catalogue of its domain.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel import support
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import StopValidation

from app.emails import email_problem

# Control characters no person types (tab and line breaks are text). PostgreSQL refuses NUL
# in text outright, and none of them belongs in a name, an address or a mail header.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TRANSLATIONS_DIR = str(Path(__file__).parent / "translations")


class _WTFormsTranslations:
    """WTForms asks this object for gettext/ngettext; we answer in the visitor's language."""

    def _catalogue(self):
        cached = getattr(request, "holdplads_wtforms_translations", None) if request else None
        if cached is None:
            cached = support.Translations.load(TRANSLATIONS_DIR, [get_locale()], domain="wtforms")
            if request:
                request.holdplads_wtforms_translations = cached
        return cached

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


_translations = _WTFormsTranslations()


def _clean_formdata(form) -> ImmutableMultiDict | None:
    """The submitted text fields, without file parts and without control characters.

    No form of Holdplads takes a file, so a file part sent in a text field is ignored (it
    would reach the validators as an object, not a string). A field that held a control
    character is remembered, so the form can say so next to it.
    """
    if not _is_submitted():
        return None
    if request.form:
        source = request.form
    elif request.is_json:
        payload = request.get_json(silent=True)
        source = ImmutableMultiDict(payload if isinstance(payload, dict) else {})
    else:
        return None
    cleaned = []
    for name, value in source.items(multi=True):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            form._fields_with_control_characters.add(name)
            value = CONTROL_CHARACTERS.sub("", value)
        cleaned.append((name, value))
    return ImmutableMultiDict(cleaned)


class Form(FlaskForm):
    """Every form of Holdplads derives from this."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations

        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return _clean_formdata(form)
            return formdata

    def __init__(self, *args, **kwargs):
        self._fields_with_control_characters: set[str] = set()
        super().__init__(*args, **kwargs)
        for name in self._fields_with_control_characters:
            field = self._fields.get(name.partition("-")[0])
            if field is not None:
                field.process_errors.append(
                    _l("Please remove the invisible control characters from this field.")
                )


def strip(value):
    """The filter on every free-text field: surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


STRIP = (strip,)


class ConfirmForm(Form):
    """A button that changes something (cancel, accept, sign out, retry): CSRF, nothing else."""


class EmailAddress:
    """WTForms validator for app.emails' one rule; the messages are the form's own."""

    def __init__(self, message, too_long_message=None) -> None:
        self.message = message
        self.too_long_message = too_long_message or message

    def __call__(self, form, field) -> None:
        if not field.data:
            return  # DataRequired or Optional decides about an empty field
        problem = email_problem(field.data, smtputf8=current_app.config.get("MAIL_SMTPUTF8", False))
        if problem == "too_long":
            raise StopValidation(self.too_long_message)
        if problem == "needs_smtputf8":
            raise StopValidation(
                _l(
                    "We cannot yet send mail to an address with letters such as æ, ø or å before "
                    "the @. Please use another address."
                )
            )
        if problem:
            raise StopValidation(self.message)
