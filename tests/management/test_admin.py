"""Accounts and organisations (admins), and `flask users create`."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation, OutboxMessage, User
from tests.management.helpers import make_world, sign_in_as


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_admin_creates_an_account_that_gets_a_link_to_choose_a_password(client):
    w = make_world()
    sign_in_as(client, w.admin)
    response = client.post(
        "/manage/accounts/new",
        data={
            "name": "Pia Peer",
            "email": "Pia@Example.org",
            "role": "peer_worker",
            "organisation_id": str(w.school.id),
            "password": "",
        },
    )
    assert response.status_code == 302
    pia = _user("pia@example.org")
    assert (pia.role, pia.organisation_id, pia.password_hash) == ("peer_worker", w.school.id, None)
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "welcome")).one()
    assert "/manage/password/reset/" in mail.body_text


def test_account_with_a_taken_email_is_refused_next_to_the_field(client):
    w = make_world()
    sign_in_as(client, w.admin)
    response = client.post(
        "/manage/accounts/new",
        data={"name": "X", "email": w.peer.email, "role": "peer_worker", "organisation_id": "0"},
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_admin_deactivates_an_account_and_it_is_signed_out(client, app):
    w = make_world()
    peer_client = app.test_client()
    sign_in_as(peer_client, w.peer)
    assert peer_client.get("/manage/").status_code == 200
    sign_in_as(client, w.admin)
    client.post(f"/manage/accounts/{w.peer.id}/active", data={"active": "0"})
    assert _user(w.peer.email).is_active_account is False
    assert peer_client.get("/manage/").status_code == 302


def test_admin_adds_an_organisation(client):
    w = make_world()
    sign_in_as(client, w.admin)
    client.post(
        "/manage/organisations/new", data={"name": "Bedre Psykiatri", "slug": "bedre-psykiatri"}
    )
    assert db.session.scalar(sa.select(Organisation).where(Organisation.slug == "bedre-psykiatri"))
    response = client.post(
        "/manage/organisations/new", data={"name": "X", "slug": "frivilligcenter"}
    )
    assert response.status_code == 400


def test_users_create_command_with_password_option(runner):
    make_world()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ny@example.org",
            "--name",
            "Ny",
            "--role",
            "coordinator",
            "--organisation",
            "recovery-skolen",
            "--password",
            "en-lang-adgangskode",
        ]
    )
    assert result.exit_code == 0, result.output
    user = _user("ny@example.org")
    assert user.role == "coordinator" and user.organisation.slug == "recovery-skolen"
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_command_asks_for_the_password_hidden(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--name", "A", "--role", "admin"],
        input="hemmelig-kode-1\nhemmelig-kode-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "hemmelig-kode-1" not in result.output
    assert _user("a@example.org") is not None


def test_users_create_command_explains_an_unknown_organisation(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--role",
            "peer_worker",
            "--organisation",
            "findes-ikke",
            "--password",
            "en-lang-adgangskode",
        ]
    )
    assert result.exit_code != 0
    assert "findes-ikke" in result.output


def test_admin_sees_undelivered_mail_and_sends_it_again(app, client, refusing_smtp_server):
    from datetime import UTC, datetime, timedelta

    from app.mail.outbox import queue_mail
    from app.mail.sender import send_pending

    w = make_world()
    start = datetime.now(UTC)
    with app.app_context():
        message = queue_mail(kind="confirmed", to_address="ida@example.com", to_name="Ida",
                             subject="Du har en plads", body_text="Hej Ida", now=start)  # fmt: skip
        db.session.commit()
        app.config["MAIL_MAX_ATTEMPTS"] = 2
        try:
            send_pending(now=start)
            send_pending(now=start + timedelta(hours=1))
        finally:
            app.config["MAIL_MAX_ATTEMPTS"] = 8
    assert message.status == "failed"

    sign_in_as(client, w.coordinator)
    assert client.get("/manage/mail").status_code == 403
    sign_in_as(client, w.admin)
    page = client.get("/manage/mail").get_data(as_text=True)
    assert "ida@example.com" in page and "Du har en plads" in page
    client.post(f"/manage/mail/{message.id}/retry")
    assert message.status == "pending" and message.attempts == 0
    assert "ida@example.com" not in client.get("/manage/mail").get_data(as_text=True)
