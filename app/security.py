"""Safe defaults on every response: no inline script, no framing, no leaking referrers."""

from __future__ import annotations

from flask import Flask, current_app
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# Everything the page needs is served by us: no fonts, scripts or styles from elsewhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Manage links carry a secret token in the path: never send it to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_HEADER_NAMES = {name.lower(): name for name in SECURITY_HEADERS}


def add_security_headers(response):
    """Every response gets the headers a view has not set itself (cheap: one pass)."""
    present = {key.lower() for key in response.headers.keys()}  # noqa: SIM118 (Headers iterate pairs)
    response.headers.extend(
        (name, SECURITY_HEADERS[name]) for low, name in _HEADER_NAMES.items() if low not in present
    )
    return response


def no_store(response):
    """Personal pages (a manage page, "my bookings", staff pages with participants) must not
    be kept by the browser or a proxy: the next person at a shared computer could open them
    from the history or the back button."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers.pop("ETag", None)
    response.headers.pop("Last-Modified", None)
    return response


class CookieOnlyWhenSentSessionInterface(SecureCookieSessionInterface):
    """A visitor without a session cookie gets an empty session without any crypto work.

    Most requests (catalogue pages, calendar polls) carry no session at all; Flask would still
    build a signing serializer for each of them.
    """

    def open_session(self, app: Flask, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def trust_proxies(app: Flask) -> None:
    """Take the visitor's address and scheme from the configured number of proxies
    (TRUSTED_PROXY_COUNT). The factory wraps it last, as the outermost layer, so that rate
    limits and the request log see the visitor, not the proxy."""
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def served_over_https(config) -> bool:
    return config["PUBLIC_URL"].startswith("https://")


def add_strict_transport_security(response):
    """Browsers that once saw the https site never fall back to http (HSTS_SECONDS)."""
    seconds = current_app.config["HSTS_SECONDS"]
    if not served_over_https(current_app.config) or not seconds:
        return response
    if "Strict-Transport-Security" not in response.headers:
        response.headers["Strict-Transport-Security"] = f"max-age={seconds}; includeSubDomains"
    return response


def register(app: Flask) -> None:
    from app import log_redaction, staff_session

    # Decided here, after every override, so a PUBLIC_URL given to create_app counts too.
    secure = served_over_https(app.config)
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        PREFERRED_URL_SCHEME="https" if secure else "http",
    )
    app.session_interface = CookieOnlyWhenSentSessionInterface()
    app.after_request(add_security_headers)
    app.after_request(add_strict_transport_security)
    staff_session.init_app(app)
    log_redaction.install(app)
