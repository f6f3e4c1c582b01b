"""The SMS gateway behind a small interface: `send(msisdn, text, reference) -> provider id`.

GatewayAPI (gatewayapi.com, Danish) is the first: `POST /rest/mtsms` with a JSON body
`{"sender", "message", "recipients": [{"msisdn": 4512345678}], "userref"}`, the API token as
`Authorization: Token <token>`. It answers 200 with `{"ids": [...]}`; an error answers 4xx or
5xx with `{"code", "message", "incident_uuid"}`. A 5xx, 429 or a network error is worth
trying again (`TemporaryFailure`); any other 4xx says the same next time (`Rejected`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol


class GatewayError(Exception):
    pass


class TemporaryFailure(GatewayError):
    """Try again later: the provider is down, busy or did not answer."""


class Rejected(GatewayError):
    """The provider refused this message for good (bad number, bad token, no credit)."""


class SmsGateway(Protocol):
    def send(self, msisdn: str, text: str, *, reference: str) -> str: ...


class GatewayAPI:
    """GatewayAPI's REST API (https://gatewayapi.com/docs), with the standard library only."""

    def __init__(self, *, url: str, token: str, sender: str, timeout: float = 20) -> None:
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, msisdn: str, text: str, *, reference: str) -> str:
        body = json.dumps(
            {
                "sender": self.sender,
                "message": text,
                "recipients": [{"msisdn": int(msisdn)}],
                "userref": reference,
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = _error_text(error)
            if error.code == 429 or error.code >= 500:
                raise TemporaryFailure(detail) from error
            raise Rejected(detail) from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise TemporaryFailure(str(error)) from error
        ids = answer.get("ids") or []
        if not ids:
            raise TemporaryFailure(f"no message id in the answer: {answer!r}"[:300])
        return str(ids[0])


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(error.read() or b"{}")
    except ValueError:
        answer = {}
    code, message = answer.get("code", ""), answer.get("message", "")
    return f"HTTP {error.code} {code} {message}".strip()[:1000]


def configured_gateway(config) -> SmsGateway | None:
    """The gateway the settings name, or None when SMS is not set up (nothing is sent)."""
    token = config.get("SMS_GATEWAY_TOKEN") or ""
    if not token:
        return None
    return GatewayAPI(
        url=config["SMS_GATEWAY_URL"],
        token=token,
        sender=config["SMS_SENDER"],
        timeout=float(config.get("MAIL_TIMEOUT", 20)),
    )
