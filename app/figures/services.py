"""Key figures as a report: the raw counts of `queries.py` after the rules of `suppression.py`.

The page, the CSV downloads and the JSON export are three renderings of one `Report`, so
what one of them hides, all of them hide.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.figures import queries, suppression
from app.figures.period import Period
from app.figures.suppression import Cell
from app.management.services import slugify
from app.models import Audience


@dataclass
class Row:
    key: str
    label: str
    cell: Cell


@dataclass
class Rate:
    key: str
    label: str
    value: float | None  # None: not shown (too few to be safe)

    @property
    def text(self) -> str:
        return "–" if self.value is None else f"{round(self.value * 100)} %"


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    total: Row | None = None
    rates: list[Rate] = field(default_factory=list)
    note: str | None = None

    def cell(self, key: str) -> Cell:
        every = [*self.rows, *([self.total] if self.total else [])]
        return next(row.cell for row in every if row.key == key)

    def rate(self, key: str) -> float | None:
        return next(r.value for r in self.rates if r.key == key)


@dataclass
class Bar:
    x: float
    y: float
    height: float
    label: str  # the month, as the axis shows it
    text: str  # the value, as the table shows it
    hidden: bool


@dataclass
class Series:
    key: str
    title: str
    cells: list[Cell]
    total: Cell

    def bars(self, months: list[date], *, width: float = 600, height: float = 160) -> list[Bar]:
        """Bar geometry for the SVG chart; a hidden month gets no bar, only its "< 5"."""
        top = max([c.value for c in self.cells if c.value is not None] + [1])
        step = width / max(len(self.cells), 1)
        bars = []
        for i, (cell, month) in enumerate(zip(self.cells, months, strict=True)):
            h = 0.0 if cell.value is None else height * cell.value / top
            bars.append(
                Bar(
                    x=i * step + step * 0.15,
                    y=height - h,
                    height=h,
                    label=month.strftime("%m/%y"),
                    text=cell.text,
                    hidden=cell.hidden,
                )
            )
        return bars


@dataclass
class Trend:
    months: list[date]
    series: list[Series]


@dataclass
class Report:
    period: Period
    tables: list[Table]
    trend: Trend

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


SERIES_LABELS = {
    "occurrences_held": _l("Dates held"),
    "signups": _l("Sign-ups (by the day of sign-up)"),
    "present": _l("Attendances (present)"),
}


def build_report(
    period: Period, scope_organisation_id: int | None, filters: queries.Filters, *, now: datetime
) -> Report:
    raw = queries.key_figures(period, scope_organisation_id, filters, now=now)
    return report_from(period, raw)


def report_from(period: Period, raw: queries.RawFigures) -> Report:
    """Apply the suppression rules to every group of counts; the exact counts stop here."""
    single = suppression.single
    activity = Table(
        "activity",
        _l("Offerings and dates"),
        [
            Row("offerings_held", _l("Offerings held"), single(raw.offerings_held)),
            Row("occurrences_held", _l("Dates held"), single(raw.occurrences_held)),
            Row("occurrences_cancelled", _l("Dates cancelled"), single(raw.occurrences_cancelled)),
        ],
    )

    cells, total = suppression.group({a.value: raw.signups[a.value] for a in Audience})
    signups = Table(
        "signups",
        _l("Sign-ups by audience"),
        [Row(a.value, a.plural, cells[a.value]) for a in Audience],
        Row("total", _l("All sign-ups"), total),
    )

    cells, total = suppression.group(
        {"new": raw.participants - raw.returning, "returning": raw.returning}
    )
    participants = Table(
        "participants",
        _l("Participants"),
        [
            Row("new", _l("New participants"), cells["new"]),
            Row("returning", _l("Returning participants"), cells["returning"]),
        ],
        Row("total", _l("Distinct participants"), total),
        note=_l(
            "A participant is a person who got a seat. Returning: they had a seat on an "
            "offering that began before the period. People are matched by a keyed pseudonym, "
            "never by their email."
        ),
    )

    cells, total = suppression.group(raw.offerings_per_person)
    per_person = Table(
        "offerings_per_person",
        _l("Offerings per participant"),
        [
            Row("1", _l("One offering"), cells["1"]),
            Row("2", _l("Two offerings"), cells["2"]),
            Row("3+", _l("Three or more"), cells["3+"]),
        ],
        Row("total", _l("Distinct participants"), total),
    )

    cells, total = suppression.group(
        {k: raw.attendance[k] for k in ("present", "excused", "absent")}
    )
    attendance = Table(
        "attendance",
        _l("Attendance at the dates held"),
        [
            Row("present", _l("Present"), cells["present"]),
            Row("excused", _l("Sent word (excused)"), cells["excused"]),
            Row("absent", _l("Did not come (no-show)"), cells["absent"]),
        ],
        Row("total", _l("Attendance recorded"), total),
        [
            Rate(
                "attendance_rate", _l("Attendance rate"), suppression.rate(cells["present"], total)
            ),
            Rate("excused_rate", _l("Excused rate"), suppression.rate(cells["excused"], total)),
            Rate("no_show_rate", _l("No-show rate"), suppression.rate(cells["absent"], total)),
        ],
    )

    cells, total = suppression.group(
        {
            "citizens_relatives": raw.seats[Audience.CITIZEN] + raw.seats[Audience.RELATIVE],
            "staff": raw.seats[Audience.STAFF],
            "volunteers": raw.seats[Audience.VOLUNTEER],
        }
    )
    seats = Table(
        "seats",
        _l("Seats taken by audience"),
        [
            Row("citizens_relatives", _l("Citizens and relatives"), cells["citizens_relatives"]),
            Row("staff", _l("Staff"), cells["staff"]),
            Row("volunteers", _l("Volunteers"), cells["volunteers"]),
        ],
        Row("total", _l("Seats taken"), total),
        [
            Rate(
                "share_citizens_relatives",
                _l("Share of citizens and relatives"),
                suppression.rate(cells["citizens_relatives"], total),
            ),
            Rate("share_staff", _l("Share of staff"), suppression.rate(cells["staff"], total)),
            Rate(
                "share_volunteers",
                _l("Share of volunteers"),
                suppression.rate(cells["volunteers"], total),
            ),
        ],
        note=_l("Recovery schools keep classes mixed: most seats go to citizens and relatives."),
    )

    taken, offered = single(raw.seats_taken_capped), single(raw.seats_offered)
    fill = Table(
        "fill",
        _l("Fill rate"),
        [
            Row("seats_taken", _l("Seats taken (up to the capacity)"), taken),
            Row("seats_offered", _l("Seats offered"), offered),
        ],
        rates=[Rate("fill_rate", _l("Fill rate"), suppression.rate(taken, offered))],
        note=_l("Offerings without a seat limit (drop-in) are left out."),
    )

    demand = Table(
        "demand",
        _l("Demand, requests and wishes"),
        [
            Row(
                "waitlist_demand",
                _l("Waiting-list demand (sign-ups that never got a seat)"),
                single(raw.waitlist_demand),
            ),
            Row("requests_approved", _l("Requests approved"), single(raw.requests_approved)),
            Row("requests_declined", _l("Requests declined"), single(raw.requests_declined)),
            Row(
                "companion_wishes",
                _l("Wishes for a peer companion"),
                single(raw.companion_wishes),
            ),
        ],
    )

    months = [date.fromisoformat(m) for m in raw.months]
    series = []
    for key, title in SERIES_LABELS.items():
        counts = {m: raw.months[m][key] for m in raw.months}
        cells, total = suppression.group(counts)
        series.append(Series(key, title, [cells[m] for m in raw.months], total))
    return Report(
        period,
        [activity, signups, participants, per_person, attendance, seats, fill, demand],
        Trend(months, series),
    )


# --- CSV for Danish Excel ---------------------------------------------------------------------

SECONDARY_NOTE = _l(
    "“hidden”: hidden so that a small number cannot be worked out from the total; "
    "the count may be 5 or more."
)


def period_name(slug: str) -> str:
    """A period as the page and the CSV file name say it: "Efterår 2026", "3. kvartal 2026"."""
    if slug == "this-term":
        return _("This term")
    if slug == "last-term":
        return _("Last term")
    if slug.endswith("-spring"):
        return _("Spring %(year)s", year=slug[:4])
    if slug.endswith("-autumn"):
        return _("Autumn %(year)s", year=slug[:4])
    if "-q" in slug:
        return _("Quarter %(quarter)s %(year)s", quarter=slug[-1], year=slug[:4])
    return slug  # a year, or a range of two ISO dates


def csv_filename(title: str, period: Period) -> str:
    """The download's name in the reader's language: "noegletal-deltagere-efteraar-2026.csv"."""
    words = [_("Key figures"), title, period_name(period.slug).replace("..", " ")]
    return "-".join(slugify(str(word)) for word in words) + ".csv"


def table_csv(table: Table) -> str:
    """One table as Danish Excel opens it: UTF-8 with BOM, semicolons, CRLF.

    The first row names both columns in the reader's language: the table, then its figures.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(table.title), _("Value")])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow([str(row.label), row.cell.text])
    for rate in table.rates:
        writer.writerow([str(rate.label), rate.text])
    if any(row.cell.secondary for row in table.rows):
        writer.writerow([str(SECONDARY_NOTE), ""])
    return "\ufeff" + out.getvalue()


def trend_csv(trend: Trend, month_label) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(_l("Month")), *(str(s.title) for s in trend.series)])
    for i, month in enumerate(trend.months):
        writer.writerow([month_label(month), *(s.cells[i].text for s in trend.series)])
    writer.writerow([str(_l("Total")), *(s.total.text for s in trend.series)])
    if any(cell.secondary for s in trend.series for cell in s.cells):
        writer.writerow([str(SECONDARY_NOTE)])
    return "\ufeff" + out.getvalue()
