"""Load → check → act: access decisions in policy.py, business rules in services, and one
message per service error."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale

from app.enrollment import services as enrollment_services
from app.extensions import db
from app.management import accounts, policy, services
from app.management.messages import _MESSAGES, error_message
from app.models import OutboxMessage
from tests.factories import make_offering, now
from tests.management.helpers import make_world, sign_in_as

APP = Path(__file__).resolve().parents[2] / "app"


def test_an_admin_may_switch_others_off_and_on_but_never_themselves_off():
    w = make_world()
    assert policy.can_set_account_active(w.admin, w.peer, False)
    assert policy.can_set_account_active(w.admin, w.peer, True)
    assert policy.can_set_account_active(w.admin, w.admin, True)
    assert not policy.can_set_account_active(w.admin, w.admin, False)
    # Coordinators manage their own organisation's accounts (issue 12), and no others.
    assert policy.can_set_account_active(w.coordinator, w.peer, False)
    assert not policy.can_set_account_active(w.coordinator, w.volunteer_staff, False)
    assert not policy.can_set_account_active(w.peer, w.coordinator, False)


def test_refused_self_deactivation_keeps_the_account_and_says_why(client):
    w = make_world()
    sign_in_as(client, w.admin)
    response = client.post(
        f"/manage/accounts/{w.admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "Du kan ikke deaktivere din egen konto." in response.get_data(as_text=True)
    db.session.expire_all()
    assert w.admin.is_active


def test_the_offering_form_offers_the_organisations_the_policy_allows():
    w = make_world()
    everyone = [w.school, w.centre]
    assert policy.organisations_offered(w.peer, everyone, None) == [w.school]
    assert policy.organisations_offered(w.admin, everyone, None) == everyone
    # Editing: someone who may not hand the offering to another organisation sees only its own.
    centre_offering = make_offering(organisation=w.centre)
    assert policy.organisations_offered(w.peer, everyone, centre_offering) == [w.centre]
    assert policy.organisations_offered(w.admin, everyone, centre_offering) == everyone


def test_the_offering_form_offers_staff_of_every_organisation_that_may_own_or_co_organise():
    w = make_world()
    everyone = [w.school, w.centre]
    assert policy.staff_organisation_ids(w.volunteer_staff, everyone, [w.centre], None) == [
        w.school.id,
        w.centre.id,
    ]
    assert policy.staff_organisation_ids(w.admin, everyone, [], None) == [
        w.school.id,
        w.centre.id,
    ]


def test_a_facilitator_works_for_the_owner_or_a_co_organiser_as_chosen():
    w = make_world()
    group = make_offering(kind="group", organisation=w.centre)
    chosen = {"organisation_id": w.centre.id, "offering": group}
    centre_staff = w.volunteer_staff
    assert policy.may_facilitate(centre_staff, centre_staff, co_organiser_ids=[], **chosen)
    assert not policy.may_facilitate(w.volunteer_staff, w.peer, co_organiser_ids=[], **chosen)
    assert policy.may_facilitate(
        w.volunteer_staff, w.peer, co_organiser_ids=[w.school.id], **chosen
    )
    assert policy.may_facilitate(w.admin, w.peer, co_organiser_ids=[], **chosen)
    # who already facilitates stays, even once their organisation is no longer a co-organiser
    assert policy.may_facilitate(
        w.volunteer_staff, w.peer, organisation_id=w.school.id, co_organiser_ids=[],
        offering=w.offering,
    )  # fmt: skip


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_signing_up_again_with_the_same_email_mails_the_link_again_in_the_service(app):
    offering = make_offering(capacity=3)
    person = enrollment_services.PersonDetails(
        name="Ida", email="ida@example.com", phone=None, audience="citizen",
        wants_companion=False, needs=None, language="da",
    )  # fmt: skip
    with app.test_request_context():
        first = enrollment_services.sign_up(offering.id, person, now=now())
        again = enrollment_services.sign_up(offering.id, person, now=now())
        assert first and again is None
        assert len(_mails("already_enrolled")) == 1


def test_an_account_without_a_password_gets_the_welcome_mail_from_the_service(app):
    with app.test_request_context():
        ready = accounts.create_staff_account(
            email="klar@example.org", name="Klar", role="coordinator", organisation=None,
            password="en-lang-adgangskode", language="da", now=now(),
        )  # fmt: skip
        invited = accounts.create_staff_account(
            email="ny@example.org", name="Ny", role="coordinator", organisation=None,
            password=None, language="da", now=now(),
        )  # fmt: skip
        welcome = _mails("welcome")
        assert [m.to_address for m in welcome] == [invited.email]
        assert ready.password_hash and not invited.password_hash


def test_each_service_error_message_is_written_in_one_place(app):
    texts = []
    with app.test_request_context(), force_locale("en"):
        for error_class in _MESSAGES:
            error = error_class.__new__(error_class)
            error.minimum = 2
            texts.append(error_message(error))
    sources = {p: p.read_text(encoding="utf-8") for p in APP.rglob("*.py")}
    for text in texts:
        start = re.escape(text[:40].replace("2", "%(num)d"))
        found = [p.name for p, source in sources.items() if re.search(start, source)]
        assert found == ["messages.py"], (text, found)


def test_every_refused_status_change_says_which_change_it_refused(app):
    fallback_error = Exception()
    with app.test_request_context(), force_locale("en"):
        fallback = error_message(fallback_error)
        texts = {cls: error_message(cls()) for cls in services.WrongStatus.__subclasses__()}
    assert len(texts) == 5
    assert fallback not in texts.values()
    assert len(set(texts.values())) == len(texts)
