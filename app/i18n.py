"""Language choice and local time: Danish first, English by ?lang=en, else the browser's."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.routing import BuildError

from app.extensions import babel

LANG_COOKIE = "lang"
LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def choose_language(
    asked: str | None, remembered: str | None, accept_language: str, languages
) -> str:
    """?lang= first, then the remembered cookie, then the browser's wish, else Danish.

    Plain values in, so the page cache can ask the same question before Flask runs.
    """
    if asked in languages:
        return asked
    if remembered in languages:
        return remembered
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return accepted.best_match(languages) or languages[0]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        request.environ["holdplads.remember_lang"] = asked
    return choose_language(
        asked,
        request.cookies.get(LANG_COOKIE),
        request.headers.get("Accept-Language", ""),
        languages,
    )


def current_language() -> str:
    return str(get_locale() or "da")


def remember_language(response):
    """Keep an explicit ?lang= choice for a year, so every later page speaks it."""
    chosen = request.environ.get("holdplads.remember_lang")
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


def local_to_utc(day: date, at: time) -> datetime:
    """A Danish wall-clock time as UTC (17:00 is 16:00Z in winter, 15:00Z in summer)."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def localized(obj_da: str | None, obj_en: str | None) -> str:
    """Pick the English text of a record in English when there is one."""
    if current_language() == "en" and obj_en:
        return obj_en
    return obj_da or ""


def lang_attr(obj_da: str | None, obj_en: str | None) -> Markup:
    """` lang="da"` where an English page shows Danish text (no English text exists).

    Screen readers then read it with a Danish voice, and browsers can offer to translate it.
    """
    if current_language() != "da" and obj_da and not obj_en:
        return Markup(' lang="da"')
    return Markup("")


def organisers(offering) -> str:
    """Who runs an offering, as pages and mails say it: "Recovery-skolen i samarbejde med
    Frivilligcenteret og Bydelsmødrene" ("A, B og C"; in English "A, B, and C")."""
    owner = localized(offering.organisation.name, offering.organisation.name_en)
    partners = [localized(org.name, org.name_en) for org in offering.co_organisers]
    if not partners:
        return owner
    return _(
        "%(owner)s in cooperation with %(partners)s",
        owner=owner,
        partners=format_list(partners, locale=str(get_locale() or "da")),
    )


def _format_time(value: datetime, fmt: str = "short") -> str:
    """24-hour Danish time in every language ("18.30" in Danish, "18:30" in English).

    The site is in Denmark: an English-speaking visitor still meets at 18:30, not 6:30 PM.
    """
    language = current_language()
    if fmt == "short":
        fmt = "HH.mm" if language == "da" else "HH:mm"
    return _time_text(value, fmt, language)


def _format_date(value: datetime | date, fmt: str = "full") -> str:
    """Dates as people say them ("tirsdag den 1. december 2026"), local time for datetimes."""
    return _date_text(value, fmt, current_language())


# The same few dates are written again and again (every card, every confirmed mail of an
# offering lists its dates), and Babel takes some 50 µs for each: each text is made once.
# A text depends on nothing but these arguments (the time zone is always Danish time).
@functools.lru_cache(maxsize=8192)
def _time_text(value: datetime, fmt: str, language: str) -> str:
    return format_time(local(value), fmt)


@functools.lru_cache(maxsize=8192)
def _date_text(value: datetime | date, fmt: str, language: str) -> str:
    return format_date(local(value).date() if isinstance(value, datetime) else value, fmt)


def language_url(language: str) -> str:
    """This page again in another language, keeping its plain URL arguments.

    Only arguments a visitor could have typed into a filter are kept: `endpoint`, names that
    `url_for` reads itself (`_external`, `_method`, `_scheme`, `_anchor`) and names of the
    route's own arguments are dropped, so a hostile query string cannot break the page or
    put another host into its links.
    """
    view_args = dict(request.view_args or {})
    endpoint = request.endpoint or "catalogue.index"
    if request.url_rule is None or endpoint == "static":
        endpoint, view_args = "catalogue.index", {}
    query = {
        name: value
        for name, value in request.args.items()
        if name != "endpoint" and not name.startswith("_") and name not in view_args
    }
    query["lang"] = language
    try:
        return url_for(endpoint, **view_args, **query)
    except (BuildError, ValueError, TypeError):
        return url_for("catalogue.index", lang=language)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(remember_language)
    app.jinja_env.filters.update(
        date=_format_date,
        time=_format_time,
        datetime=lambda v, fmt="medium": format_datetime(v, fmt),
    )
    app.jinja_env.globals.update(
        localized=localized,
        current_language=current_language,
        lang_attr=lang_attr,
        organisers=organisers,
        language_url=language_url,
    )
