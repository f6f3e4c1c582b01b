"""Staff accounts: passwords, sign-in, one-time reset links, organisations.

Passwords are hashed with Argon2id (memory-hard, argon2-cffi). Reset links carry a random
token; only its SHA-256 is stored, it lives one hour and works once. Plain functions with
`now` passed in; they flush, the caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app import one_time_links
from app.emails import email_problem, normalize_email
from app.extensions import db
from app.mail.staff import mail_password_reset, mail_password_reset_unknown, mail_welcome
from app.models import Organisation, PasswordResetToken, User, UserRole
from app.passwords import MIN_PASSWORD_LENGTH, is_too_common

RESET_LINK_LIFETIME = timedelta(hours=1)
WELCOME_LINK_LIFETIME = timedelta(days=3)  # a new colleague may not read mail within the hour

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """A request about an account that cannot be carried out."""


class InvalidEmail(AccountError):
    """Not an address by app.emails' one rule."""


class EmailTaken(AccountError):
    pass


class PasswordTooShort(AccountError):
    pass


class PasswordTooCommon(AccountError):
    """One of the most common passwords, or the site's or the person's own name."""


class UnknownRole(AccountError):
    pass


class UnknownOrganisation(AccountError):
    pass


class SlugTaken(AccountError):
    pass


def hash_password(password: str, *, email: str | None = None) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(MIN_PASSWORD_LENGTH)
    if is_too_common(password, email=email):
        raise PasswordTooCommon()
    return _hasher.hash(password)


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None = None,
    password: str | None = None,
    smtputf8: bool = False,
    language: str = "da",
) -> User:
    """A new staff account; without a password it cannot sign in until one is set by link.

    `smtputf8` is the MAIL_SMTPUTF8 setting, which app.emails' one rule depends on.
    """
    if role not in {r.value for r in UserRole}:
        raise UnknownRole(role)
    if email_problem(email, smtputf8=smtputf8):
        raise InvalidEmail(email)
    email = normalize_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organisation=organisation,
        password_hash=hash_password(password, email=email) if password else None,
        language=language if language in ("da", "en") else "da",
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_organisation(slug: str) -> Organisation:
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise UnknownOrganisation(slug)
    return organisation


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (in the same time either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def end_sessions(user: User) -> None:
    """Every browser signed in as this account is signed out at its next request."""
    user.session_version = (user.session_version or 0) + 1


def set_active(user: User, active: bool) -> None:
    if user.is_active_account != active:
        end_sessions(user)  # reactivating must not revive a session from before
    user.is_active_account = active
    if not active:
        user.calendar_token_hash = None  # a former colleague's feed stops working too


# --- one-time reset links ----------------------------------------------------------------


def issue_reset_token(
    user: User, *, now: datetime, lifetime: timedelta = RESET_LINK_LIFETIME
) -> str:
    """A new one-time token for `user`; the plain token is returned once, only its hash kept."""
    return one_time_links.issue(PasswordResetToken, now=now, lifetime=lifetime, user_id=user.id)


def create_staff_account(
    *,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None,
    password: str | None,
    language: str,
    now: datetime,
    smtputf8: bool = False,
    invited_by: str | None = None,
) -> User:
    """An admin creates an account: with a password it is ready; without one, the person is
    mailed a link to choose it (the welcome mail), in `language`, the person's own mail
    language from now on; an answer goes to whoever invited them (`invited_by`)."""
    user = create_user(
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        password=password,
        smtputf8=smtputf8,
        language=language,
    )
    if not password:
        send_welcome_link(user, now=now, reply_to=invited_by)
    return user


def update_account(
    user: User,
    *,
    name: str,
    role: str | None = None,
    organisation: Organisation | None | bool = False,
    active: bool | None = None,
    language: str | None = None,
) -> User:
    """Change a staff account; `role`, `organisation` and `active` only when given (a person
    editing their own account changes only the name). Rights are read on every request, so a
    new role or organisation takes effect at the person's next click."""
    if role is not None and role not in {r.value for r in UserRole}:
        raise UnknownRole(role)
    user.name = name.strip()
    if language in ("da", "en"):
        user.language = language
    if role is not None:
        user.role = role
    if organisation is not False:
        user.organisation = organisation
    if active is not None:
        set_active(user, active)
    db.session.flush()
    return user


class AlreadyHasPassword(AccountError):
    """The person has chosen a password; an invitation would only confuse."""


def resend_invitation(user: User, *, now: datetime, reply_to: str | None = None) -> None:
    """Mail the welcome link again (the first one expired, or went astray)."""
    if user.password_hash:
        raise AlreadyHasPassword(user.email)
    send_welcome_link(user, now=now, reply_to=reply_to)


def send_welcome_link(
    user: User, *, now: datetime, language: str | None = None, reply_to: str | None = None
) -> None:
    """A new account without a password: mail a link to choose one (valid three days), in
    the person's own language unless `language` says otherwise."""
    token = issue_reset_token(user, now=now, lifetime=WELCOME_LINK_LIFETIME)
    mail_welcome(user, token=token, language=language or user.language, now=now, reply_to=reply_to)


def send_password_reset_link(user: User, *, now: datetime, language: str | None = None) -> None:
    """A forgotten password: mail a link to choose a new one (valid one hour), in the
    person's own language unless `language` says otherwise."""
    token = issue_reset_token(user, now=now, lifetime=RESET_LINK_LIFETIME)
    mail_password_reset(user, token=token, language=language or user.language, now=now)


def request_password_reset(email: str, *, language: str, now: datetime) -> None:
    """Answer "I forgot my password" with a mail either way: a link for an account, a short
    note for an address without one. The same work both ways, so neither the page nor the
    time tells anybody which addresses have staff accounts."""
    user = user_for_reset(email)
    if user is not None:
        send_password_reset_link(user, now=now)  # in the account's own language
    else:
        mail_password_reset_unknown(email.strip(), language=language, now=now)


def valid_reset_token(token: str, *, now: datetime) -> PasswordResetToken | None:
    row = one_time_links.find(PasswordResetToken, token, now=now)
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row


def reset_password(token: str, new_password: str, *, now: datetime) -> User | None:
    """Set a new password with a valid link; the link and every other open link die."""
    row = valid_reset_token(token, now=now)
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    user.password_hash = hash_password(new_password, email=user.email)
    end_sessions(user)
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    db.session.flush()
    return user


def user_for_reset(email: str) -> User | None:
    """The account a reset request is about, if it exists and may sign in."""
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    return user if user is not None and user.is_active else None


# --- organisations -------------------------------------------------------------------------


@dataclass
class OrganisationDetails:
    slug: str
    name: str
    name_en: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None


def create_organisation(details: OrganisationDetails) -> Organisation:
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == details.slug)):
        raise SlugTaken(details.slug)
    organisation = Organisation(
        slug=details.slug,
        name=details.name,
        name_en=details.name_en or None,
        website=details.website or None,
        email=details.email or None,
        phone=details.phone or None,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, details: OrganisationDetails) -> Organisation:
    """Correct an organisation's name, short name and contact details."""
    taken = db.session.scalar(
        sa.select(Organisation.id).where(
            Organisation.slug == details.slug, Organisation.id != organisation.id
        )
    )
    if taken:
        raise SlugTaken(details.slug)
    organisation.slug = details.slug
    organisation.name = details.name
    organisation.name_en = details.name_en or None
    organisation.website = details.website or None
    organisation.email = details.email or None
    organisation.phone = details.phone or None
    db.session.flush()
    return organisation
