"""Every setting of Holdplads, read from the environment, with its default and why.

One place holds them all: the factory reads `Config.from_env()` and tests pass overrides.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A setting is missing or wrong in a way that must stop the start-up."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Let operators paste the URL their host gives them; we always talk psycopg 3.

    Heroku-style `postgres://` and plain `postgresql://` would pick psycopg2, which we do
    not install.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path, environment: str) -> str:
    """Production must be given a key; development keeps a generated one in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is not set. Holdplads refuses to start in production without it: "
            "set SECRET_KEY to a long random value, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`.'
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _learning_plan_keys(instance_path: Path, environment: str) -> list[str]:
    """Production must be given the keys; development keeps a generated one in instance/."""
    listed = os.environ.get("LEARNING_PLAN_KEYS", "")
    keys = [key.strip() for key in listed.split(",") if key.strip()]
    if keys:
        from cryptography.fernet import Fernet

        for key in keys:
            try:
                Fernet(key.encode())
            except ValueError:
                raise ConfigError(
                    "LEARNING_PLAN_KEYS holds a value that is not a Fernet key (32 bytes in "
                    "URL-safe base64, as Fernet.generate_key() makes them)."
                ) from None
        return keys
    if environment == "production":
        raise ConfigError(
            "LEARNING_PLAN_KEYS is not set. Holdplads refuses to start in production without "
            "it: learning plans are stored encrypted with it. Make a key with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()'
            '.decode())"` and keep it apart from the database backups.'
        )
    key_file = instance_path / "learning_plan_key"
    if not key_file.exists():
        from cryptography.fernet import Fernet

        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


def _rate_limit_storage(environment: str) -> str:
    """Rate limits are counted in memory unless a shared store is named; in memory, each
    worker counts for itself, so four workers allow four times the limit."""
    uri = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    workers = os.environ.get("WEB_CONCURRENCY", "1")
    several = workers.isdigit() and int(workers) > 1
    if environment == "production" and several and uri.startswith("memory://"):
        raise ConfigError(
            f"WEB_CONCURRENCY={workers} workers would each count rate limits for themselves. "
            "Set RATELIMIT_STORAGE_URI to a store they share, e.g. redis://127.0.0.1:6379."
        )
    return uri


def _trusted_hosts(public_url: str) -> list[str]:
    """Host names the site answers to: PUBLIC_URL's, plus localhost for local checks."""
    listed = os.environ.get("TRUSTED_HOSTS", "")
    if listed.strip():
        return [host.strip() for host in listed.split(",") if host.strip()]
    public_host = urlsplit(public_url).hostname or "127.0.0.1"
    return list(dict.fromkeys([public_host, "localhost", "127.0.0.1"]))


def from_env(instance_path: str) -> dict:
    """Build the Flask config mapping from the process environment."""
    instance = Path(instance_path)
    environment = os.environ.get("HOLDPLADS_ENV", "development")
    database_url = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'holdplads.sqlite'}"
    )
    public_url = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    secure = public_url.startswith("https://")
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": _secret_key(instance, environment),
        # Key of the participant pseudonym behind "new and returning participants" (key
        # figures). Empty: derived from SECRET_KEY. Set it to keep figures stable when the
        # SECRET_KEY is rotated.
        "PSEUDONYM_KEY": os.environ.get("PSEUDONYM_KEY", ""),
        # The municipality's name in the key-figures export partners compare.
        "MUNICIPALITY_NAME": os.environ.get("MUNICIPALITY_NAME", "Holdplads"),
        # The largest key-figures export a coordinator may upload to compare (bytes).
        "FIGURES_UPLOAD_MAX_BYTES": int(os.environ.get("FIGURES_UPLOAD_MAX_BYTES", "262144")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Where links in mail and calendars point; the site's host also names iCal UIDs.
        "PUBLIC_URL": public_url,
        # Flask answers 400 to any other Host header: a forged host never reaches a page or
        # the page cache. Links in pages are relative; links in mail and feeds use PUBLIC_URL.
        "TRUSTED_HOSTS": _trusted_hosts(public_url),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        # Danish first; English for everyone else.
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
        "LANGUAGES": ("da", "en"),
        # Mail (the sign-up issue sends it): without MAIL_SERVER messages land as .eml files.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Holdplads <holdplads@localhost>"),
        "MAIL_OUTBOX": os.environ.get("MAIL_OUTBOX", str(instance / "outbox")),
        # Letters beyond ASCII before the @ (søren.ærø@…) travel only with the server's
        # SMTPUTF8 extension. Off: the forms refuse such addresses with a clear message. On
        # (your relay offers SMTPUTF8): they are accepted and sent that way. A domain in
        # Danish letters is always fine: it is sent in its IDNA form.
        "MAIL_SMTPUTF8": _bool(os.environ.get("MAIL_SMTPUTF8"), False),
        # Rendered public pages are cached per worker and validated by the change marker.
        "PAGE_CACHE_SIZE": int(os.environ.get("PAGE_CACHE_SIZE", "512")),
        # Rendered parts of public pages kept per worker (app/catalogue/cards.py).
        "CARD_CACHE_SIZE": int(os.environ.get("CARD_CACHE_SIZE", "2048")),
        # A new gunicorn worker renders the catalogue and up to this many offering pages
        # before it takes a visitor (app/ops/warm_up.py); 0 leaves it cold.
        "WARM_UP_PAGES": int(os.environ.get("WARM_UP_PAGES", "100")),
        # Delivery of the outbox: a failed send is retried after MAIL_RETRY_SECONDS, doubling
        # each time, and marked "failed" (for staff to see) after MAIL_MAX_ATTEMPTS.
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "20")),
        # Right after a request commits mail, a background thread per worker delivers it (the
        # send-mail timer stays the safety net); false leaves everything to the timer.
        "MAIL_DELIVER_AT_ONCE": _bool(os.environ.get("MAIL_DELIVER_AT_ONCE"), True),
        # How long a freed seat is held for the next person on the waiting list before it
        # goes to the one after; 0 confirms the next person at once, without asking.
        "WAITLIST_OFFER_HOURS": float(os.environ.get("WAITLIST_OFFER_HOURS", "48")),
        # Reminders by text message (app/sms/): GatewayAPI's REST API. Without a token nothing
        # is queued or sent. The sender is a name of at most 11 letters, or a number.
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN", ""),
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL", "https://gatewayapi.com/rest/mtsms"),
        "SMS_SENDER": os.environ.get("SMS_SENDER", "Holdplads"),
        # `flask send-reminders` mails confirmed participants this long before each meeting.
        "REMINDER_HOURS": float(os.environ.get("REMINDER_HOURS", "24")),
        # Per IP and per email address, so one person or bot cannot flood the outbox.
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "10/minute;50/hour"),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "5/minute;20/hour"),
        # Sign-ups for one offering from one IP address: a family signs up together, but one
        # address cannot take a course's last nine seats. Staff add people who phone.
        "SIGNUP_PER_OFFERING_LIMIT": os.environ.get("SIGNUP_PER_OFFERING_LIMIT", "3/hour"),
        # 0: a seat is the person's at once (the calm default). N > 0: a seat is held for N
        # hours until the person confirms it from the mail, then goes to the waiting list;
        # stops seats being taken with other people's addresses, but a person who misses the
        # mail loses the seat. See the README, "Holding a seat until the address is confirmed".
        "SIGNUP_CONFIRM_HOURS": float(os.environ.get("SIGNUP_CONFIRM_HOURS", "0")),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(environment),
        # Every limit of a request is checked, not only up to the first one reached, so the
        # wait page can say when all of them let go (app/errors.py); a refused POST counts
        # toward the longer limits per address too.
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        # Request size: a form POST larger than this is refused with 413 before it is read
        # (a 150 MB POST once grew a worker by 750 MB). The longest text we take is an
        # offering's description (20,000 characters, up to 80 KB as UTF-8).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(128 * 1024))),
        "MAX_FORM_PARTS": int(os.environ.get("MAX_FORM_PARTS", "300")),
        # Staff sign-in attempts, per IP and per email: slows password guessing to a crawl.
        # Per hour too: 5 a minute alone still allows 7,200 guesses a day per address.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5/minute;30/hour"),
        # How many proxies in front of the app write X-Forwarded-For / X-Forwarded-Proto
        # (werkzeug's ProxyFix, x_for and x_proto). 0: the headers are ignored and the TCP
        # peer is the visitor. Behind one TLS proxy (nginx, Caddy) set 1: otherwise every
        # visitor shares the proxy's address, and one person can use up the sign-in and
        # sign-up limits for everybody. Never set it higher than the proxies you run: a
        # visitor could then choose their own address.
        "TRUSTED_PROXY_COUNT": int(os.environ.get("TRUSTED_PROXY_COUNT", "0")),
        # Optional staff sign-in with the municipality's OpenID Connect provider (Entra ID, ...):
        # on when all three are set. Discovery is read from the issuer's well-known URL.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        # false: staff sign in only through OIDC (ignored while OIDC is not configured).
        "LOCAL_PASSWORDS": _bool(os.environ.get("LOCAL_PASSWORDS"), True),
        # "json": one JSON object per log line, for a log shipper; anything else: plain lines.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "plain").strip().lower(),
        **_privacy_settings(),
        **_hardening_settings(),
        # A participant's own learning plan is encrypted with these Fernet keys (app/learning/):
        # comma-separated, the newest first; older keys only decrypt, until
        # `flask rotate-learning-plan-key` has re-encrypted every plan with the newest.
        "LEARNING_PLAN_KEYS": _learning_plan_keys(instance, environment),
        # A certificate of participation (kursusbevis) is offered in /my once a course has
        # ended to those present at this share of its held dates, in per cent (1-100).
        "CERTIFICATE_MIN_ATTENDANCE_PERCENT": _percent("CERTIFICATE_MIN_ATTENDANCE_PERCENT", 80),
    }


def _days(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more days, not {value}.")
    return value


def _percent(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if not 1 <= value <= 100:
        raise ConfigError(f"{name} must be a whole per cent from 1 to 100, not {value}.")
    return value


def _privacy_settings() -> dict:
    """The privacy notice, retention and the accessibility statement (app/privacy/).

    The notice's texts are the municipality's to write; each has a sensible default, and
    an `_EN` twin for the English page (empty: the translated default, or the Danish text).
    """
    env = os.environ.get
    return {
        # The data controller (dataansvarlig) and its data-protection officer (DPO).
        "PRIVACY_CONTROLLER_NAME": env("PRIVACY_CONTROLLER_NAME", "Recovery-skolen"),
        "PRIVACY_CONTROLLER_ADDRESS": env("PRIVACY_CONTROLLER_ADDRESS", ""),
        "PRIVACY_CONTROLLER_CONTACT": env("PRIVACY_CONTROLLER_CONTACT", ""),
        "PRIVACY_DPO_CONTACT": env("PRIVACY_DPO_CONTACT", ""),
        # Empty: the default text (GDPR art. 6(1)(e) and 9(2)(g) with the Social Services Act).
        "PRIVACY_LEGAL_BASIS": env("PRIVACY_LEGAL_BASIS", ""),
        "PRIVACY_LEGAL_BASIS_EN": env("PRIVACY_LEGAL_BASIS_EN", ""),
        # Raise it whenever the notice changes: each enrollment keeps the version it was shown.
        "PRIVACY_NOTICE_VERSION": env("PRIVACY_NOTICE_VERSION", "2026-12-01"),
        # `flask retention`: personal data is erased this many days after an offering's last
        # date (about six months), and this many days after a cancelled, declined or never
        # seated enrollment ended. An offering may set a shorter time of its own.
        "RETENTION_DAYS": _days("RETENTION_DAYS", 183),
        "RETENTION_ENDED_DAYS": _days("RETENTION_ENDED_DAYS", 30),
        # Mail bodies are purged from the outbox this many days after delivery.
        "RETENTION_MAIL_DAYS": _days("RETENTION_MAIL_DAYS", 7),
        # The municipality's accessibility statement (WAS-Tool); empty: our own /accessibility.
        "ACCESSIBILITY_STATEMENT_URL": env("ACCESSIBILITY_STATEMENT_URL", ""),
        "ACCESSIBILITY_CONTACT": env("ACCESSIBILITY_CONTACT", ""),
        # /.well-known/security.txt (RFC 9116); without a contact the file is not served.
        "SECURITY_CONTACT": env("SECURITY_CONTACT", ""),
        "SECURITY_POLICY_URL": env("SECURITY_POLICY_URL", ""),
        "SECURITY_TXT_EXPIRES": env("SECURITY_TXT_EXPIRES", ""),
    }


def _hardening_settings() -> dict:
    """HSTS and the staff session's limits (app/security.py, app/staff_session.py)."""
    env = os.environ.get
    return {
        # Strict-Transport-Security, sent only when PUBLIC_URL is https; 0 turns it off.
        "HSTS_SECONDS": int(env("HSTS_SECONDS", "31536000")),
        # A staff session ends after this long without a request, and this long after sign-in.
        "STAFF_SESSION_IDLE_MINUTES": int(env("STAFF_SESSION_IDLE_MINUTES", "30")),
        "STAFF_SESSION_MAX_HOURS": int(env("STAFF_SESSION_MAX_HOURS", "10")),
    }
