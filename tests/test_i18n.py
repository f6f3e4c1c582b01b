"""Danish first, English too: ?lang= is remembered, otherwise the browser decides."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.factories import make_offering

ROOT = Path(__file__).resolve().parent.parent


def _read(path: Path, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def test_danish_by_default_with_html_lang(client):
    page = client.get("/").text
    assert '<html lang="da">' in page
    assert "Kurser, grupper og møder" in page


def test_browser_preference_picks_english(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="en">' in page
    assert "Courses, groups and meetings" in page


def test_lang_parameter_is_remembered_in_a_cookie(client):
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.text
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "HttpOnly" in cookie
    # Later pages keep English without the parameter, even if the browser prefers Danish.
    later = client.get("/", headers={"Accept-Language": "da"}).text
    assert '<html lang="en">' in later
    back = client.get("/?lang=da").text
    assert '<html lang="da">' in back
    assert '<html lang="da">' in client.get("/").text


def test_unknown_language_falls_back_to_danish(client):
    assert '<html lang="da">' in client.get("/?lang=klingon").text


def test_language_switch_link_keeps_the_page_and_filters(client):
    offering = make_offering()
    page = client.get(f"/offerings/{offering.slug}").text
    assert f'href="/offerings/{offering.slug}?lang=en"' in page
    catalogue = client.get("/?kind=group").text
    assert re.search(r'href="/\?(kind=group&amp;lang=en|lang=en&amp;kind=group)"', catalogue)


def test_offering_texts_follow_the_language(client):
    offering = make_offering(title="Søvn og døgnrytme", title_en="Sleep and daily rhythm")
    assert "Søvn og døgnrytme" in client.get(f"/offerings/{offering.slug}").text
    english = client.get(f"/offerings/{offering.slug}?lang=en").text
    assert "Sleep and daily rhythm" in english
    assert "Seats" not in english or "seats left" in english


def test_every_message_has_a_danish_translation():
    catalogue = _read(ROOT / "app/translations/da/LC_MESSAGES/messages.po", locale="da")
    template = _read(ROOT / "app/translations/messages.pot")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        strings = translated.string if translated else None
        if isinstance(strings, tuple):
            strings = all(strings)
        if not strings:
            missing.append(message.id)
    assert not missing, f"untranslated: {missing}"


def test_message_template_is_up_to_date_with_the_code():
    """`make translations` was run after the last change to a user-facing string."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-o",
                str(fresh),
                "--no-location",
                "--omit-header",
                "--sort-output",
                "--project",
                "Holdplads",
                ".",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        ids = {m.id for m in _read(fresh) if m.id}
    committed = {m.id for m in _read(ROOT / "app/translations/messages.pot") if m.id}
    assert ids == committed, f"new: {ids - committed}, gone: {committed - ids}"


def test_wtforms_own_messages_are_danish_too(app):
    from wtforms import StringField
    from wtforms.validators import InputRequired

    from app.forms import Form

    class NameForm(Form):
        name = StringField("Navn", validators=[InputRequired()])

    with app.test_request_context("/", method="POST", data={}):
        form = NameForm()
        assert not form.validate()
        assert form.name.errors == ["Udfyld venligst dette felt."]
    with app.test_request_context("/?lang=en", method="POST", data={}):
        form = NameForm()
        form.validate()
        assert form.name.errors == ["This field is required."]


def test_a_date_written_once_in_danish_is_written_in_english_for_an_english_page(app):
    """Dates are kept once written (app/i18n.py): the language is part of what is kept."""
    from datetime import UTC, datetime

    from flask_babel import force_locale

    when = datetime(2027, 3, 2, 17, 30, tzinfo=UTC)  # 18.30 Danish time
    date, time = app.jinja_env.filters["date"], app.jinja_env.filters["time"]
    with app.test_request_context("/"):
        assert (date(when), time(when)) == ("tirsdag den 2. marts 2027", "18.30")
        with force_locale("en"):
            assert (date(when), time(when)) == ("Tuesday, March 2, 2027", "18:30")
        assert date(when) == "tirsdag den 2. marts 2027"
