"""Dates typed into a URL or a form: one rule for what is accepted, everywhere.

Python's `date` reaches from year 1 to 9999, but turning 0001-01-01 or 9999-12-31 into a
Danish local time overflows; and no one means the year 40 000. So every date a person (or a
program) gives us passes `parse_date`, which accepts ISO dates from 1900 to 2200 and says
in words what is wrong with any other.
"""

from __future__ import annotations

import enum
import re
from datetime import date, time

from flask_babel import gettext as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


class DateProblem(enum.StrEnum):
    MALFORMED = "malformed"  # not YYYY-MM-DD, or no such day
    OUT_OF_RANGE = "out_of_range"  # before EARLIEST or after LATEST
    REVERSED = "reversed"  # an end date before its start date


class BadDate(ValueError):
    def __init__(self, problem: DateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_date(raw: str) -> date:
    """An ISO date (YYYY-MM-DD) between EARLIEST and LATEST, or BadDate saying why not."""
    text = raw.strip()
    if len(text) != 10:  # fromisoformat also takes 20270101 and 2027-W01-1; people do not
        raise BadDate(DateProblem.MALFORMED)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise BadDate(DateProblem.MALFORMED) from None
    if not EARLIEST <= value <= LATEST:
        raise BadDate(DateProblem.OUT_OF_RANGE)
    return value


# 24-12-2026, 24.12.2026, 24/12/2026 and 1-2-2027: the Danish way to write a date.
_DANISH_DATE = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")


def parse_form_date(raw: str) -> date:
    """A date a person typed into a staff form: ISO (2026-12-24) or Danish (24-12-2026).

    The URL and API keep to ISO alone (`parse_date`); a form is typed by people, and Danish
    staff write the day first.
    """
    text = raw.strip()
    found = _DANISH_DATE.fullmatch(text)
    if found is None:
        return parse_date(text)
    day, month, year = (int(part) for part in found.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise BadDate(DateProblem.MALFORMED) from None
    if not EARLIEST <= value <= LATEST:
        raise BadDate(DateProblem.OUT_OF_RANGE)
    return value


def in_range(value: date) -> bool:
    """For dates that come from elsewhere than text (a form's date field, a CLI option)."""
    return EARLIEST <= value <= LATEST


def problem_text(problem: DateProblem) -> str:
    """The sentence a person (or an API client, in English) reads about a bad date."""
    if problem == DateProblem.OUT_OF_RANGE:
        return _(
            "Choose a date between %(earliest)s and %(latest)s.",
            earliest=EARLIEST.isoformat(),
            latest=LATEST.isoformat(),
        )
    if problem == DateProblem.REVERSED:
        return _("The end date is before the start date. Choose an end date on or after it.")
    return _("Write the date as YYYY-MM-DD.")


class BadTime(ValueError):
    """A time of day nobody could read: the form says how to write it."""


# 10.00, 10:00, 10,00 (a Danish phone's decimal key), 10, 1000, 9.30, 930, and "kl. 10.00";
# a browser's time picker sends 10:00 (or 10:00:00).
_TIME = re.compile(r"(?:kl\.?\s*)?(\d{1,2})(?:[.:,]?(\d{2}))?(?:[.:,](\d{2}))?", re.IGNORECASE)


def parse_form_time(raw: str) -> time:
    """A time of day a person typed into a staff form, the Danish way or the ISO way."""
    found = _TIME.fullmatch(raw.strip())
    if found is None:
        raise BadTime(raw)
    hours, minutes, seconds = found.groups()
    if int(seconds or 0) > 59:
        raise BadTime(raw)
    try:
        return time(int(hours), int(minutes or 0))  # meetings begin on the minute
    except ValueError:
        raise BadTime(raw) from None
