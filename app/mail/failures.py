"""Why a mail could not be delivered, in words staff can act on.

The sender keeps the mail server's own answer in `OutboxMessage.last_error` (for admins and
logs); facilitators see one of these plain reasons instead ("the address does not exist").
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

# RFC 3463 enhanced status codes, and the words servers commonly use with them.
_NO_SUCH_ADDRESS = re.compile(
    r"5\.1\.[0-3]|user unknown|unknown user|no such user|does not exist|"
    r"recipient address rejected|mailbox unavailable|address rejected",
    re.IGNORECASE,
)
_MAILBOX_FULL = re.compile(r"5\.2\.2|4\.2\.2|mailbox full|over quota|quota exceeded", re.I)
_REFUSED = re.compile(r"\(5\d\d,|^5\d\d\b|\b5\.\d\.\d\b")


def failure_reason(last_error: str | None) -> str:
    """One plain sentence part: "the address does not exist", "the mailbox is full", ..."""
    text = last_error or ""
    if text.startswith("cannot be built"):
        return _("the address is not a valid email address")
    if _NO_SUCH_ADDRESS.search(text):
        return _("the address does not exist")
    if _MAILBOX_FULL.search(text):
        return _("the mailbox is full")
    if _REFUSED.search(text):
        return _("the receiving mail server refused it")
    return _("the mail server could not be reached, even after several tries")
