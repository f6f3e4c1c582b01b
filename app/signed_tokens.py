"""Secret links that the site can show or mail again, but a copy of the database cannot open.

A manage link or a calendar address is used for months, from the first mail or by a calendar
app, so it must stay the same every time we show it. Such a token is
`<row id>-<HMAC-SHA256(SECRET_KEY, purpose | id | nonce-hash)>`: the row keeps only
`sha256(nonce)` of a fresh 128-bit nonce from `secrets`. Without SECRET_KEY the database
reveals no working link; renewing (a new nonce) kills the old link at once. Rotating
SECRET_KEY renews every link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app

from app.routing import as_row_id


def new_nonce_hash() -> str:
    return hashlib.sha256(secrets.token_bytes(16)).hexdigest()


def sign(purpose: str, row_id: int, nonce_hash: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}|{row_id}|{nonce_hash}".encode()
    return f"{row_id}-{hmac.new(key, message, hashlib.sha256).hexdigest()}"


def row_id_of(token: str) -> int | None:
    """The row a token claims to open, or None if it cannot be one of ours."""
    row_id, _, signature = (token or "").partition("-")
    if len(signature) != 64:
        return None
    return as_row_id(row_id)


def matches(token: str, purpose: str, row_id: int, nonce_hash: str | None) -> bool:
    return nonce_hash is not None and hmac.compare_digest(token, sign(purpose, row_id, nonce_hash))
