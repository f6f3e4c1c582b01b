"""The base of every form: Flask-WTF's CSRF, with WTForms' own messages in Danish too.

WTForms ships no Danish catalogue, so its messages ("This field is required.") are
translated in app/translations/da/LC_MESSAGES/wtforms.po, our own catalogue of its domain.
"""

from __future__ import annotations

from pathlib import Path

from babel import support
from flask import request
from flask_babel import get_locale
from flask_wtf import FlaskForm

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


class Form(FlaskForm):
    """Every form of Holdplads derives from this."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations


def strip(value):
    """The filter on every free-text field: surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


STRIP = (strip,)


class ConfirmForm(Form):
    """A button that changes something (cancel, accept, sign out, retry): CSRF, nothing else."""
