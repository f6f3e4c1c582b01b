"""`flask users create`: staff accounts from the shell (the first admin, or scripts)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.management import accounts
from app.models import UserRole
from app.transaction import write_transaction


@click.group("users")
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in UserRole]))
@click.option(
    "--organisation",
    "organisation_slug",
    default=None,
    help="The organisation's slug, e.g. recovery-skolen.",
)
@click.option(
    "--password", default=None, help="For scripts; without it the password is asked for, hidden."
)
@with_appcontext
def create(
    email: str, name: str, role: str, organisation_slug: str | None, password: str | None
) -> None:
    """Create a staff account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with write_transaction():
            organisation = (
                accounts.find_organisation(organisation_slug) if organisation_slug else None
            )
            user = accounts.create_user(
                email=email,
                name=name,
                role=role,
                organisation=organisation,
                password=password,
                smtputf8=current_app.config.get("MAIL_SMTPUTF8", False),
            )
    except accounts.UnknownOrganisation as error:
        raise click.ClickException(f"No organisation with the slug {error}.") from error
    except accounts.InvalidEmail as error:
        raise click.ClickException(f"{error} is not an email address we can use.") from error
    except accounts.EmailTaken as error:
        raise click.ClickException(f"There is already an account for {error}.") from error
    except accounts.PasswordTooShort as error:
        raise click.ClickException(
            f"The password must have at least {accounts.MIN_PASSWORD_LENGTH} characters."
        ) from error
    except accounts.PasswordTooCommon as error:
        raise click.ClickException(
            "That password is one of the most common ones. Please choose another."
        ) from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("local-passwords")
@click.argument("action", type=click.Choice(["on", "status"]))
@with_appcontext
def local_passwords_command(action: str) -> None:
    """Switch Holdplads passwords on again (the way back in), or show whether they are on.

    Switching them off is done by an admin at /manage/settings/sign-in, signed in with the
    municipality account, so that nobody locks the site out from the shell.
    """
    from app.database import utcnow
    from app.management import site_settings
    from app.oidc import local_passwords, oidc_enabled

    if action == "on":
        with write_transaction():
            site_settings.set_local_passwords(
                True, by_user_id=None, now=utcnow(), oidc_configured=True, signed_in_with_oidc=True
            )
    state = "on" if local_passwords(current_app) else "off"
    provider = "configured" if oidc_enabled(current_app) else "not configured"
    click.echo(f"local passwords: {state} (municipality sign-in {provider})")
