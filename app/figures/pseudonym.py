"""A keyed pseudonym of a person, stored at sign-up, so key figures survive retention.

"New and returning participants" needs to know that two enrollments are the same person.
The email cannot be used for that: retention blanks it. So each enrollment keeps, from the
moment it is written, an HMAC of the normalised email under a server-side key
(PSEUDONYM_KEY, or one derived from SECRET_KEY). Without the key nobody can turn an
address into the pseudonym, and nothing turns the pseudonym back into an address.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app, has_app_context

from app.models import Enrollment


def pseudonym_key(config) -> bytes:
    explicit = config.get("PSEUDONYM_KEY")
    if explicit:
        return explicit.encode()
    return hmac.new(config["SECRET_KEY"].encode(), b"holdplads-pseudonym", hashlib.sha256).digest()


def person_key(email_normalized: str, key: bytes) -> str:
    return hmac.new(key, email_normalized.encode(), hashlib.sha256).hexdigest()


@sa.event.listens_for(Enrollment, "before_insert")
def _stamp_person_key(_mapper, _connection, enrollment: Enrollment) -> None:
    """Every enrollment, however it is made (sign-up, staff, demo), gets its pseudonym."""
    if enrollment.person_key is None and enrollment.email_normalized and has_app_context():
        enrollment.person_key = person_key(
            enrollment.email_normalized, pseudonym_key(current_app.config)
        )
