"""The audit log for admins and the data-protection officer: in words, filtered, as CSV.

An entry holds ids only (app/audit.py): who acted, on which offering, and in `details` the
numbers of the sign-up, date or suggestion it was about. Here those become a sentence in the
reader's language ("Viewed the attendance of 3 December 2026"), a sign-up is named by its
number, never by the person, so neither the page nor the CSV holds participant data either.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.audit import AuditAction
from app.extensions import db
from app.i18n import local
from app.management.views_participants import _cell  # never a formula (CSV injection)
from app.models import AttendanceStatus, AuditEntry, Occurrence, Offering, User

PER_PAGE = 50
CSV_LIMIT = 100_000  # a DPO's export of years of entries, never the whole server's memory


@dataclass(frozen=True)
class AuditFilters:
    offering_id: int | None = None
    user_id: int | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        conditions = []
        if self.offering_id is not None:
            conditions.append(AuditEntry.offering_id == self.offering_id)
        if self.user_id is not None:
            conditions.append(AuditEntry.user_id == self.user_id)
        return conditions

    def args(self) -> dict[str, int]:
        """The filters as URL arguments (for the pager and the CSV link)."""
        values = {"offering": self.offering_id, "user": self.user_id}
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class Line:
    """One entry as people read it."""

    entry: AuditEntry
    when: datetime
    who: str
    what: str
    offering: str | None


def _entries(filters: AuditFilters) -> sa.Select:
    return (
        sa.select(AuditEntry)
        .where(*filters.where())
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def audit_page(filters: AuditFilters, *, page: int) -> tuple[list[Line], int]:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(*filters.where())
    )
    query = _entries(filters).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    entries = list(db.session.scalars(query))
    return in_words(entries), total


def audit_lines(filters: AuditFilters) -> list[Line]:
    """Every entry the filters select, newest first (for the CSV)."""
    return in_words(list(db.session.scalars(_entries(filters).limit(CSV_LIMIT))))


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The offerings and staff members that appear in the log, for the filter form."""
    offerings = db.session.execute(
        sa.select(Offering.id, Offering.title)
        .where(Offering.id.in_(sa.select(AuditEntry.offering_id).distinct()))
        .order_by(Offering.title, Offering.id)
    ).all()
    users = db.session.execute(
        sa.select(User.id, User.name)
        .where(User.id.in_(sa.select(AuditEntry.user_id).distinct()))
        .order_by(User.name, User.id)
    ).all()
    return [tuple(row) for row in offerings], [tuple(row) for row in users]


# --- in words ------------------------------------------------------------------------------

_NUMBER = {
    "enrollment": re.compile(r"\benrollment (\d+)"),
    "occurrence": re.compile(r"\boccurrence (\d+)"),
    "suggestion": re.compile(r"\bsuggestion (\d+)"),
    "into": re.compile(r"\binto (\d+)"),
    "count": re.compile(r": (\d+)$"),
}
_STATUS = re.compile(r": ([a-z_]+)$")
_CAPACITY = re.compile(r"capacity (\S+) → (\S+)")


def _number(details: str, name: str) -> int | None:
    match = _NUMBER[name].search(details)
    return int(match.group(1)) if match else None


def _seats(text: str) -> str:
    return _("no limit") if text == "unlimited" else text


def _day(occurrence: Occurrence | None) -> str | None:
    return format_date(local(occurrence.starts_at).date(), "long") if occurrence else None


def _what(entry: AuditEntry, occurrences: dict[int, Occurrence]) -> str:
    """The entry as a sentence; an action this function does not know reads as its name."""
    details = entry.details or ""
    action = entry.action
    sign_up = _number(details, "enrollment")
    day = _day(occurrences.get(_number(details, "occurrence") or 0))
    cover = action in (AuditAction.VIEW_ATTENDANCE_AS_COVER, AuditAction.RECORD_ATTENDANCE_AS_COVER)
    if cover:  # the owning organisation's staff, covering for a sick colleague
        plain = {
            AuditAction.VIEW_ATTENDANCE_AS_COVER: AuditAction.VIEW_ATTENDANCE,
            AuditAction.RECORD_ATTENDANCE_AS_COVER: AuditAction.RECORD_ATTENDANCE,
        }[action]
        words = _what_plain(plain, details, sign_up, day)
        return _("%(what)s, covering for a colleague", what=words)
    return _what_plain(action, details, sign_up, day)


def _what_plain(action: str, details: str, sign_up: int | None, day: str | None) -> str:
    if action == AuditAction.VIEW_PARTICIPANTS:
        return _("Viewed the participant list")
    if action == AuditAction.VIEW_ATTENDANCE:
        if day:
            return _("Viewed the attendance of %(date)s", date=day)
        return _("Viewed the attendance of a date since deleted")
    if action == AuditAction.EXPORT_CSV:
        return _("Exported the participant list as CSV")
    if action == AuditAction.PRINT_SHEET:
        return _("Opened the attendance sheet for printing")
    if action == AuditAction.VIEW_UNDELIVERED_MAIL:
        return _("Viewed the undelivered mail")
    if action == AuditAction.EMAIL_PARTICIPANTS:
        count = _number(details, "count")
        if count is not None:
            return _("Wrote to the participants (%(count)s people)", count=count)
        return _("Wrote to the participants")
    if action == AuditAction.CHANGE_CAPACITY:
        match = _CAPACITY.search(details)
        if match:
            old, new = match.groups()
            return _("Changed the seats from %(old)s to %(new)s", old=_seats(old), new=_seats(new))
        return _("Changed the number of seats")
    if action == AuditAction.RECORD_ATTENDANCE:
        status = _STATUS.search(details)
        if status and status.group(1) == "cleared":
            return _(
                "Removed the attendance mark of sign-up no. %(number)s on %(date)s",
                number=sign_up,
                date=day or _("a date since deleted"),
            )
        label = AttendanceStatus(status.group(1)).label if status else "?"
        return _(
            "Recorded sign-up no. %(number)s as %(status)s on %(date)s",
            number=sign_up,
            status=str(label).lower(),
            date=day or _("a date since deleted"),
        )
    about_sign_up = {
        AuditAction.APPROVE_REQUEST: _("Approved the request of sign-up no. %(number)s"),
        AuditAction.DECLINE_REQUEST: _("Declined the request of sign-up no. %(number)s"),
        AuditAction.CANCEL_SEAT: _("Cancelled sign-up no. %(number)s"),
        AuditAction.PROMOTE: _("Gave sign-up no. %(number)s a seat from the waiting list"),
        AuditAction.PERSON_ERASED: _("Deleted their own data (sign-up no. %(number)s)"),
        AuditAction.CORRECT_DETAILS: _("Corrected the details of sign-up no. %(number)s"),
    }
    if action in about_sign_up and sign_up is not None:
        return about_sign_up[action] % {"number": sign_up}
    suggestion = _number(details, "suggestion")
    if action == AuditAction.APPROVE_SUGGESTION:
        return _("Approved group suggestion no. %(number)s", number=suggestion)
    if action == AuditAction.DECLINE_SUGGESTION:
        return _("Declined group suggestion no. %(number)s", number=suggestion)
    if action == AuditAction.MERGE_SUGGESTION:
        return _(
            "Merged group suggestion no. %(number)s into no. %(into)s",
            number=suggestion,
            into=_number(details, "into"),
        )
    if action == AuditAction.EXPORT_AUDIT_LOG:
        return _("Exported the audit log as CSV")
    if action == AuditAction.LOCAL_PASSWORDS:
        if details.endswith(" off"):
            return _("Switched Holdplads passwords off")
        return _("Switched Holdplads passwords on")
    return action.replace("_", " ").capitalize() + (f" ({details})" if details else "")


def _who(entry: AuditEntry) -> str:
    if entry.user is not None:
        return entry.user.name
    if entry.action == AuditAction.PERSON_ERASED:
        return _("The participant")
    if entry.action == AuditAction.LOCAL_PASSWORDS:
        return _("The server (flask local-passwords)")
    return _("Deleted account")


def in_words(entries: list[AuditEntry]) -> list[Line]:
    occurrence_ids = {
        number for e in entries if (number := _number(e.details or "", "occurrence")) is not None
    }
    occurrences = {
        o.id: o
        for o in db.session.scalars(sa.select(Occurrence).where(Occurrence.id.in_(occurrence_ids)))
    }
    offering_ids = {e.offering_id for e in entries if e.offering_id}
    titles = dict(
        db.session.execute(
            sa.select(Offering.id, Offering.title).where(Offering.id.in_(offering_ids))
        ).all()
    )
    return [
        Line(
            entry=e,
            when=e.created_at,
            who=_who(e),
            what=_what(e, occurrences),
            offering=titles.get(e.offering_id) if e.offering_id else None,
        )
        for e in entries
    ]


def audit_csv_text(lines: list[Line]) -> str:
    """The log as Danish Excel opens it, like the site's other CSVs: BOM, semicolons, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("No."), _("When"), _("Who"), _("What"), _("Offering"), _("Offering no.")])
    for line in lines:
        writer.writerow(
            [
                line.entry.id,
                local(line.when).strftime("%Y-%m-%d %H:%M"),
                _cell(line.who),
                _cell(line.what),
                _cell(line.offering or ""),
                line.entry.offering_id or "",
            ]
        )
    return "\ufeff" + out.getvalue()
