"""Encryption at rest of learning plans: Fernet tokens under LEARNING_PLAN_KEYS.

MultiFernet encrypts with the first key and decrypts with any of them, so a new key can be
put in front of the old one, every plan re-encrypted (`rotate`), and the old key removed
(docs/deploy.md, section 4a).
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class PlanUnreadable(Exception):
    """No configured key opens this plan (the key it was written with has been removed)."""


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> MultiFernet:
    return _multi_fernet(tuple(current_app.config["LEARNING_PLAN_KEYS"]))


def encrypt(text: str) -> str:
    return _keys().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise PlanUnreadable from error


def rotate(token: str) -> str:
    """The same content encrypted with the newest key."""
    try:
        return _keys().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise PlanUnreadable from error
