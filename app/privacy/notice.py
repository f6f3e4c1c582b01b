"""The privacy notice and the accessibility statement: their facts, from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.privacy.retention import RetentionRules


@dataclass(frozen=True)
class PrivacyNotice:
    controller_name: str
    controller_address: str
    controller_contact: str
    dpo_contact: str
    # The municipality's own wording of the legal basis; None: the default text is shown.
    legal_basis: str | None
    version: str
    rules: RetentionRules


def privacy_notice(config, language: str) -> PrivacyNotice:
    """The notice as it reads in `language` (an `_EN` setting wins on the English page)."""
    legal_basis = config["PRIVACY_LEGAL_BASIS"] or None
    if language == "en" and config["PRIVACY_LEGAL_BASIS_EN"]:
        legal_basis = config["PRIVACY_LEGAL_BASIS_EN"]
    return PrivacyNotice(
        controller_name=config["PRIVACY_CONTROLLER_NAME"],
        controller_address=config["PRIVACY_CONTROLLER_ADDRESS"],
        controller_contact=config["PRIVACY_CONTROLLER_CONTACT"],
        dpo_contact=config["PRIVACY_DPO_CONTACT"],
        legal_basis=legal_basis,
        version=config["PRIVACY_NOTICE_VERSION"],
        rules=RetentionRules.from_config(config),
    )


def security_txt(config, *, now: datetime) -> str | None:
    """/.well-known/security.txt (RFC 9116), or None while no contact is set."""
    contact = config["SECURITY_CONTACT"].strip()
    if not contact:
        return None
    if "@" in contact and ":" not in contact:
        contact = "mailto:" + contact
    # RFC 9116 asks for an expiry under a year ahead; a fixed one is a setting.
    expires = config["SECURITY_TXT_EXPIRES"] or (
        (now + timedelta(days=180)).astimezone(UTC).strftime("%Y-%m-%dT00:00:00Z")
    )
    lines = [f"Contact: {contact}", f"Expires: {expires}", "Preferred-Languages: da, en"]
    lines.append(f"Canonical: {config['PUBLIC_URL']}/.well-known/security.txt")
    if config["SECURITY_POLICY_URL"]:
        lines.append(f"Policy: {config['SECURITY_POLICY_URL']}")
    return "\n".join(lines) + "\n"
