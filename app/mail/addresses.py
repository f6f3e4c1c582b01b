"""What may go into a mail header, and which addresses can be mailed.

Every header value the site writes (subjects from offering titles and staff, names in `To:`)
goes through `header_text`, whatever the Python version: Python's `email` package decodes
RFC 2047 encoded words in a header value it is given, so `=?utf-8?q?=0D=0AReply-To:...?=`
would become a line break and a new header on the Pythons some distributions still ship
(CVE-2024-6923).

Addresses: a domain in Danish letters (`peter@ærøskøbing.dk`) is sent in its IDNA form
(`xn--rskbing-lxa7nc.dk`), which every mail server understands. Letters beyond ASCII before
the `@` (`søren.ærø@…`) need the server's SMTPUTF8 extension: with MAIL_SMTPUTF8 on they are
accepted and sent that way; otherwise the form refuses them, so nobody waits for a mail that
can never be sent.
"""

from __future__ import annotations

import re

import idna

# Anything that ends or folds a header line in some mail reader: C0 and C1 controls, DEL,
# and Unicode's own line and paragraph separators.
_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class NotMailable(ValueError):
    """An address no message can be built for."""


def header_text(value: str | None) -> str:
    """`value` as one plain header line: no control characters, no encoded words."""
    text = _LINE_BREAKERS.sub(" ", value or "")
    text = text.replace("=?", "= ?")  # never an RFC 2047 encoded word for the parser to decode
    return " ".join(text.split())


def split_address(address: str) -> tuple[str, str]:
    """(local part, domain) of a plain address, or NotMailable."""
    address = (address or "").strip()
    local, at, domain = address.rpartition("@")
    if (
        not at
        or not local
        or not domain
        or "@" in local
        or _LINE_BREAKERS.search(address)
        or any(ch.isspace() for ch in address)
        or any(ch in '<>,;:"()[]\\' for ch in address)
    ):
        raise NotMailable(f"not a plain address: {address!r}")
    return local, domain


def ascii_domain(domain: str) -> str:
    """The domain as mail servers know it: IDNA (punycode) for Danish letters."""
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise NotMailable(f"not a domain: {domain!r}") from error


def deliverable_address(address: str) -> str:
    """The address as it goes on the envelope and in `To:`: the domain in IDNA form."""
    local, domain = split_address(address)
    return f"{local}@{ascii_domain(domain)}"


def needs_smtputf8(address: str) -> bool:
    """True when letters beyond ASCII stand before the @ (only SMTPUTF8 can carry them)."""
    local, _domain = split_address(address)
    return not local.isascii()
