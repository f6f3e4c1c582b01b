"""Dates typed into a URL or a form: one rule for what is accepted, everywhere.

Python's `date` reaches from year 1 to 9999, but turning 0001-01-01 or 9999-12-31 into a
Danish local time overflows; and no one means the year 40 000. So every date a person (or a
program) gives us passes `parse_date`, which accepts ISO dates from 1900 to 2200 and says
in words what is wrong with any other.
"""

from __future__ import annotations

import enum
from datetime import date

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
