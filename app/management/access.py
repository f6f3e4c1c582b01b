"""Small helpers every staff view uses: load → check access → act.

The rules themselves live in `policy.py`; here they are turned into 403s, 404s and
decorators that read like sentences (`@staff_only`, `@allowed_if(can_manage_accounts)`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import abort, request
from flask_login import current_user, login_required

from app.extensions import db
from app.management import policy, queries
from app.management.refusals import reason_for
from app.models import Enrollment, Occurrence, Offering, User


def staff_only(view: Callable) -> Callable:
    """Signed-in staff only; anyone else is sent to the sign-in page."""
    return login_required(view)


def allowed_if(rule: Callable[[object], bool]) -> Callable[[Callable], Callable]:
    """Signed in, and `rule(current_user)` holds; else 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            ensure(rule(current_user), rule)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return decorate


def ensure(allowed: bool, rule: Callable | None = None) -> None:
    """403 unless allowed; the page then says what is missing (`refusals.py`, by rule)."""
    if not allowed:
        abort(403, description=reason_for(rule))


def offering_or_404(offering_id: int) -> Offering:
    offering = queries.load_offering(offering_id)
    if offering is None:
        abort(404)
    return offering


def occurrence_or_404(occurrence_id: int) -> Occurrence:
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None:
        abort(404)
    return occurrence


def enrollment_or_404(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        abort(404)
    return enrollment


# --- load → check: one helper per resource, answering 404 or 403 -------------------------


def _offering_if(rule: Callable[[object, Offering], bool], offering_id: int) -> Offering:
    offering = offering_or_404(offering_id)
    ensure(rule(current_user, offering), rule)
    return offering


def viewable_offering(offering_id: int) -> Offering:
    return _offering_if(policy.can_view_offering, offering_id)


def editable_offering(offering_id: int) -> Offering:
    return _offering_if(policy.can_edit_offering, offering_id)


def duplicable_offering(offering_id: int) -> Offering:
    return _offering_if(policy.can_duplicate_offering, offering_id)


def offering_with_participants(offering_id: int) -> Offering:
    """An offering whose participant data the signed-in user may see."""
    return _offering_if(policy.can_view_participants, offering_id)


def managed_offering(offering_id: int) -> Offering:
    """An offering whose participants the signed-in user may add, decide on and mark."""
    return _offering_if(policy.can_manage_participants, offering_id)


def editable_occurrence(occurrence_id: int) -> tuple[Occurrence, Offering]:
    occurrence = occurrence_or_404(occurrence_id)
    return occurrence, editable_offering(occurrence.offering_id)


def managed_occurrence(occurrence_id: int) -> tuple[Occurrence, Offering]:
    """A date whose attendance the signed-in user may mark."""
    occurrence = occurrence_or_404(occurrence_id)
    return occurrence, managed_offering(occurrence.offering_id)


def attendance_occurrence(occurrence_id: int) -> tuple[Occurrence, Offering]:
    """A date whose attendance the signed-in user may take (as one who runs it, or as the
    owning organisation's cover for a sick colleague)."""
    occurrence = occurrence_or_404(occurrence_id)
    return occurrence, _offering_if(policy.can_take_attendance, occurrence.offering_id)


def managed_enrollment(enrollment_id: int) -> tuple[Enrollment, Offering]:
    """A sign-up the signed-in user may decide on."""
    enrollment = enrollment_or_404(enrollment_id)
    return enrollment, managed_offering(enrollment.offering_id)


def account_or_404(user_id: int) -> User:
    account = db.session.get(User, user_id)
    if account is None:
        abort(404)
    return account


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to another host.

    Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so `/\t/evil.example`
    would become `//evil.example`; a line break would also break the Location header. So: no
    whitespace or control character at all (percent-encoded ones included), a single leading
    `/`, and no scheme or host once parsed.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    decoded = unquote(target)
    if any(ch.isspace() for ch in target) or any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        return None
    if decoded.startswith(("//", "/\\")) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
