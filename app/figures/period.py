"""Reporting periods as Danish recovery schools plan them, parsed from the URL.

A term is spring (January–June) or autumn (August–December); July belongs to no term.
Every period is a half-open range of local (Europe/Copenhagen) days [start, end), so a
link to a view (`?period=2026-autumn`) always means the same days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app.i18n import LOCAL_TZ

# The longest from–to range: monthly trends stay readable, and queries stay bounded.
MAX_DAYS = 366 * 3

_TERM = re.compile(r"^(\d{4})-(spring|autumn)$")
_QUARTER = re.compile(r"^(\d{4})-q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """The period in the URL (or on the command line) cannot be understood."""


@dataclass(frozen=True)
class Period:
    kind: str  # term, quarter, year, range
    start: date  # first local day
    end: date  # the local day after the last
    slug: str  # as URL and export name it: 2026-autumn, 2026-q3, 2026, 2026-01-01..2026-03-31

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def starts_at(self) -> datetime:
        return _utc(self.start)

    @property
    def ends_at(self) -> datetime:
        return _utc(self.end)

    def months(self) -> list[tuple[date, datetime, datetime]]:
        """(first day, UTC start, UTC end) of every month the period touches, clipped to it."""
        months = []
        first = self.start.replace(day=1)
        while first < self.end:
            following = _next_month(first)
            lo, hi = max(first, self.start), min(following, self.end)
            months.append((first, _utc(lo), _utc(hi)))
            first = following
        return months


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def term(year: int, half: str) -> Period:
    if half == "spring":
        return Period("term", date(year, 1, 1), date(year, 7, 1), f"{year}-spring")
    return Period("term", date(year, 8, 1), date(year + 1, 1, 1), f"{year}-autumn")


def term_of(day: date) -> Period:
    """The term a day belongs to; July still counts to the spring that has just ended."""
    return term(day.year, "spring" if day.month <= 7 else "autumn")


def previous_term(current: Period) -> Period:
    if current.slug.endswith("-autumn"):
        return term(current.start.year, "spring")
    return term(current.start.year - 1, "autumn")


def parse(
    value: str | None, *, start: str | None = None, end: str | None = None, today: date
) -> Period:
    """`this-term`, `last-term`, `2026-autumn`, `2026-q3`, `2026`, or `from`/`to` (inclusive)."""
    if start or end:
        return _range(start, end)
    value = (value or "this-term").strip().lower()
    if value == "this-term":
        return term_of(today)
    if value == "last-term":
        return previous_term(term_of(today))
    if match := _TERM.match(value):
        return term(_year(match[1]), match[2])
    if match := _QUARTER.match(value):
        year, quarter = _year(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return Period("quarter", first, end, f"{year}-q{quarter}")
    if match := _YEAR.match(value):
        year = _year(match[1])
        return Period("year", date(year, 1, 1), date(year + 1, 1, 1), str(year))
    raise PeriodError(value)


def _year(text: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise PeriodError(text)
    return year


def _range(start: str | None, end: str | None) -> Period:
    if not start or not end:
        raise PeriodError("from-to needs both days")
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError as error:
        raise PeriodError(f"{start}..{end}") from error
    if last < first or (last - first).days > MAX_DAYS or not 2000 <= first.year <= 2100:
        raise PeriodError(f"{start}..{end}")
    following = date.fromordinal(last.toordinal() + 1)
    return Period("range", first, following, f"{first.isoformat()}..{last.isoformat()}")
