"""Suggest a group: suggest → not public → approve → public with its count → me too → merge →
decline with the kind standard answer over real SMTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit import AuditAction
from app.database import utcnow
from app.extensions import db
from app.mail.kinds import MailKind
from app.mail.sender import send_pending
from app.models import AuditEntry
from app.suggestions import services
from app.suggestions.models import GroupSuggestion, SuggestionStatus
from tests.enrollment.helpers import outbox
from tests.factories import now
from tests.management.helpers import make_world, sign_in_as


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _suggest(client, topic="Ung med angst", reason="Vi er flere der mangler det", email=""):
    return client.post("/suggestions/new", data={"topic": topic, "reason": reason, "email": email})


def _only(topic: str) -> GroupSuggestion:
    query = sa.select(GroupSuggestion).where(GroupSuggestion.topic == topic)
    return db.session.scalars(query).one()


def _staff_client(client, role="volunteer_staff"):
    world = make_world()
    user = world.by_role(role)
    sign_in_as(client, user)
    return user


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_the_form_says_nothing_about_health_is_asked_in_both_languages(client):
    danish = client.get("/suggestions/new").get_data(as_text=True)
    english = client.get("/suggestions/new?lang=en").get_data(as_text=True)
    assert "Vi spørger ikke om dit helbred" in danish
    assert "We ask nothing about your health" in english
    for page in (danish, english):
        for word in ("diagnos", "health", "helbred"):
            assert f'name="{word}' not in page  # no such field


def test_a_suggestion_is_not_public_until_staff_approve_it(client):
    response = _suggest(client, topic="Ung med angst", email="Ida@Example.com")
    assert response.status_code == 302
    assert "Ung med angst" not in client.get("/suggestions").get_data(as_text=True)
    suggestion = _only("Ung med angst")
    assert suggestion.status == SuggestionStatus.PENDING
    assert [s.email for s in suggestion.supporters] == ["ida@example.com"]
    # A me-too for a suggestion nobody has approved is refused, and not counted.
    client.post(f"/suggestions/{suggestion.id}/me-too", data={})
    assert suggestion.me_too_count == 0

    user = _staff_client(client)
    staff_page = client.get("/manage/suggestions").get_data(as_text=True)
    assert "Ung med angst" in staff_page
    assert client.post(f"/manage/suggestions/{suggestion.id}/approve").status_code == 302
    assert suggestion.status == SuggestionStatus.APPROVED
    [entry] = _audit(AuditAction.APPROVE_SUGGESTION)
    assert entry.user_id == user.id and entry.details == f"suggestion {suggestion.id}"

    public = client.get("/suggestions").get_data(as_text=True)
    assert "Ung med angst" in public
    assert "0 flere deler dette behov" in public


def test_me_too_counts_anonymously_and_by_address_once(client):
    _suggest(client, topic="Pårørende til unge")
    suggestion = _only("Pårørende til unge")
    services.approve(suggestion.id, user_id=None, now=now())
    url = f"/suggestions/{suggestion.id}/me-too"
    assert client.post(url, data={}).status_code == 302  # anonymously
    assert client.post(url, data={"email": "bo@example.com"}).status_code == 302
    assert client.post(url, data={"email": "BO@example.com "}).status_code == 302  # again
    assert suggestion.me_too_count == 2
    assert "2 flere deler dette behov" in client.get("/suggestions").get_data(as_text=True)
    bad = client.post(url, data={"email": "ikke en adresse"})
    assert bad.status_code == 400
    assert "ligner ikke en e-mailadresse" in bad.get_data(as_text=True)
    assert suggestion.me_too_count == 2


def test_bad_input_gets_a_message_never_a_500(client):
    response = _suggest(client, topic="", reason="x" * 601, email="nej")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv hvad gruppen skal handle om." in page
    assert db.session.scalar(sa.select(sa.func.count(GroupSuggestion.id))) == 0
    assert client.post("/suggestions/2147483647/me-too", data={}).status_code == 302
    assert client.get("/suggestions/99999999999/me-too").status_code in (404, 405)


def test_merge_moves_counts_and_addresses_to_the_kept_one(client):
    _suggest(client, topic="Angst", email="a@example.com")
    _suggest(client, topic="Angst for unge", email="b@example.com")
    keep, duplicate = _only("Angst"), _only("Angst for unge")
    services.approve(duplicate.id, user_id=None, now=now())
    services.me_too(duplicate.id, email="a@example.com", language="da", now=now())  # both
    services.me_too(duplicate.id, email=None, language="da", now=now())
    services.me_too(duplicate.id, email="c@example.com", language="en", now=now())

    _staff_client(client, "coordinator")
    response = client.post(f"/manage/suggestions/{duplicate.id}/merge", data={"keep_id": keep.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert duplicate.status == SuggestionStatus.MERGED and duplicate.merged_into_id == keep.id
    assert duplicate.supporters == []
    # b (the duplicate's author), the anonymous one and c; a only once.
    assert keep.me_too_count == 3
    assert sorted(s.email or "" for s in keep.supporters) == [
        "",
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    assert len(_audit(AuditAction.MERGE_SUGGESTION)) == 1
    assert "Angst for unge" not in client.get("/manage/suggestions").get_data(as_text=True)


def test_decline_mails_the_kind_answer_to_every_address_over_smtp(client, smtp_server):
    _suggest(client, topic="Sorggruppe", email="ida@example.com")
    suggestion = _only("Sorggruppe")
    services.approve(suggestion.id, user_id=None, now=now())
    services.me_too(suggestion.id, email=None, language="da", now=now())
    client.post(f"/suggestions/{suggestion.id}/me-too?lang=en", data={"email": "jo@example.com"})

    _staff_client(client, "admin")
    assert client.post(f"/manage/suggestions/{suggestion.id}/decline").status_code == 302
    assert suggestion.status == SuggestionStatus.DECLINED
    assert "Sorggruppe" not in client.get("/suggestions").get_data(as_text=True)
    assert len(outbox(MailKind.SUGGESTION_DECLINED)) == 2
    assert _audit(AuditAction.DECLINE_SUGGESTION)[0].details.endswith("2 mailed")
    assert [s.email for s in suggestion.supporters] == [None, None, None]  # used, then gone

    db.session.commit()
    assert send_pending(now=utcnow()).sent == 2
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert by_address["ida@example.com"]["Subject"] == "Om dit forslag: Sorggruppe"
    assert by_address["jo@example.com"]["Subject"] == "About your suggestion: Sorggruppe"
    body = by_address["ida@example.com"].get_body(("plain",)).get_content()
    assert "Vi kan ikke starte denne gruppe lige nu" in body
    # Declining again (a second click) changes and mails nothing.
    client.post(f"/manage/suggestions/{suggestion.id}/decline")
    assert len(outbox(MailKind.SUGGESTION_DECLINED)) == 2


def test_peer_workers_and_visitors_cannot_moderate(client):
    _suggest(client, topic="Hørelse")
    suggestion = _only("Hørelse")
    assert client.post(f"/manage/suggestions/{suggestion.id}/approve").status_code == 302  # login
    _staff_client(client, "peer")
    assert client.post(f"/manage/suggestions/{suggestion.id}/approve").status_code == 403
    assert suggestion.status == SuggestionStatus.PENDING


def test_the_catalogue_links_to_suggestions_from_its_filter_and_empty_state(client):
    page = client.get("/?kind=group").get_data(as_text=True)
    assert 'href="/suggestions"' in page
    assert 'href="/suggestions/new"' in page  # nothing published: the empty state


def test_suggesting_is_rate_limited_like_sign_up(app):
    from app import create_app
    from app.extensions import limiter

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "2/minute"})
    limiter.reset()
    try:
        client = limited.test_client()
        codes = [_suggest(client, topic=f"Emne {n}").status_code for n in range(3)]
    finally:
        limiter.reset()
        limiter.enabled = False
    assert codes == [302, 302, 429]


def test_a_post_without_its_csrf_token_is_refused_and_saves_nothing(app):
    from app import create_app

    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    client = protected.test_client()
    assert _suggest(client, topic="Uden token").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(GroupSuggestion.id))) == 0
    page = client.get("/suggestions/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page
