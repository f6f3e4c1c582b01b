"""The audit log: who looked at participant data, and every decision staff made about it.

The service that makes a change writes its entry, in the same transaction as the change
(pretix's `order.log_action` is the model), so a decision is never logged without happening
or happen without being logged. Entries hold ids, never a participant's name or address.
"""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import AuditEntry


class AuditAction:
    # looking at participant data (the views that show it write these)
    VIEW_PARTICIPANTS = "view_participants"
    VIEW_ATTENDANCE = "view_attendance"
    EXPORT_CSV = "export_csv"
    PRINT_SHEET = "print_attendance_sheet"
    VIEW_UNDELIVERED_MAIL = "view_undelivered_mail"
    # staff decisions (the services that make them write these)
    EMAIL_PARTICIPANTS = "email_participants"
    APPROVE_REQUEST = "approve_request"
    DECLINE_REQUEST = "decline_request"
    CANCEL_SEAT = "cancel_seat"
    PROMOTE = "promote_from_waitlist"
    CHANGE_CAPACITY = "change_capacity"
    RECORD_ATTENDANCE = "record_attendance"
    # the owning organisation's staff covering for a sick colleague (not facilitators)
    VIEW_ATTENDANCE_AS_COVER = "view_attendance_as_cover"
    RECORD_ATTENDANCE_AS_COVER = "record_attendance_as_cover"
    CORRECT_DETAILS = "correct_details"  # staff corrected a person's name, address, phone, needs
    APPROVE_SUGGESTION = "approve_suggestion"
    DECLINE_SUGGESTION = "decline_suggestion"
    MERGE_SUGGESTION = "merge_suggestion"
    # a participant's own act (no staff member): they deleted their data (app/privacy/)
    PERSON_ERASED = "person_erased_own_data"
    # the log itself, exported for the data-protection officer
    EXPORT_AUDIT_LOG = "export_audit_log"
    LOCAL_PASSWORDS = "switch_local_passwords"  # an admin switched passwords on or off


def record_audit(
    *,
    user_id: int | None,
    action: str,
    offering_id: int | None,
    now: datetime,
    details: str | None = None,
) -> AuditEntry:
    """Write one entry: who (`user_id`), what, about which offering, and when."""
    entry = AuditEntry(
        user_id=user_id, action=action, offering_id=offering_id, details=details, created_at=now
    )
    db.session.add(entry)
    db.session.flush()
    return entry
