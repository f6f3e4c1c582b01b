"""Staff password rules, as NIST SP 800-63B advises: long enough, and not a known one.

No rules about character classes and no forced changes; instead a minimum length and a
check against the 20,000 most common passwords (bundled in app/data/) and against words
that belong to the site or the person (their email name, "holdplads").
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 10
_COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_SITE_WORDS = ("holdplads", "recovery", "recoveryskolen", "recovery-skolen")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_too_common(password: str, *, email: str | None = None) -> bool:
    """True for a listed password, or one that is only the site's name or the email's name."""
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return True
    bare = lowered.rstrip("0123456789!.?-_ ")
    words = set(_SITE_WORDS)
    if email and "@" in email:
        words.add(email.split("@", 1)[0].lower())
    return bare in words or bare in common_passwords()
