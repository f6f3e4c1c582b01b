"""The seat rules, called directly: every mode, every state change and the mail it writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.enrollment import services
from app.enrollment.tokens import enrollment_by_token
from app.extensions import db
from app.models import Enrollment
from tests.enrollment.helpers import fresh, outbox, person
from tests.factories import make_enrollment, make_offering, make_user, now

pytestmark = pytest.mark.usefixtures("ctx")


def test_instant_signup_confirms_while_seats_last_then_waitlists_in_order():
    offering = make_offering(capacity=2)
    results = [services.enroll(offering.id, person(i), now=now())[0] for i in range(4)]
    assert [e.status for e in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert services.waitlist_position(results[2]) == 1
    assert services.waitlist_position(results[3]) == 2
    assert [m.kind for m in outbox()] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert "nummer 2" in outbox("waitlisted")[1].body_text


def test_manage_link_is_secret_and_the_database_keeps_only_a_hash():
    offering = make_offering()
    enrollment, token = services.enroll(offering.id, person(), now=now())
    signature = token.split("-", 1)[1]
    assert len(signature) == 64  # HMAC-SHA256 over a 128-bit nonce
    assert len(enrollment.manage_token_hash) == 64
    assert signature not in enrollment.manage_token_hash
    assert token in outbox("confirmed")[0].body_text
    assert enrollment_by_token(token).id == enrollment.id
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert enrollment_by_token(forged) is None
    assert enrollment_by_token(f"{enrollment.id + 1}-{signature}") is None


def test_request_mode_records_a_request_that_staff_approve_or_decline():
    offering = make_offering(enrolment_mode="request", capacity=1)
    first, _ = services.enroll(offering.id, person(1), now=now())
    second, _ = services.enroll(offering.id, person(2), now=now())
    third, _ = services.enroll(offering.id, person(3), now=now())
    assert first.status == second.status == "requested"
    assert outbox("requested")
    services.approve_request(first.id, now=now(), by_user_id=None, message="Vi ses til samtalen")
    services.approve_request(
        second.id, now=now(), by_user_id=None
    )  # full: goes on the waiting list
    services.decline_request(third.id, now=now(), by_user_id=None, message="Gruppen passer ikke")
    assert (first.status, second.status, third.status) == ("confirmed", "waitlisted", "declined")
    approved = outbox("approved")[0]
    assert "Vi ses til samtalen" in approved.body_text
    assert "Gruppen passer ikke" in outbox("declined")[0].body_text
    with pytest.raises(services.InvalidTransition):
        services.approve_request(third.id, now=now(), by_user_id=None)


def test_drop_in_and_closed_offerings_take_no_signups():
    drop_in = make_offering(enrolment_mode="drop_in")
    with pytest.raises(services.SignupClosed):
        services.enroll(drop_in.id, person(), now=now())
    started = make_offering(
        kind="course", starts=[now() - timedelta(days=1), now() + timedelta(days=6)]
    )
    with pytest.raises(services.SignupClosed):
        services.enroll(started.id, person(), now=now())
    group = make_offering(
        kind="group", starts=[now() - timedelta(days=1), now() + timedelta(days=6)]
    )
    assert services.enroll(group.id, person(), now=now())[0].status == "confirmed"
    not_open = make_offering(signup_opens_at=now() + timedelta(days=1))
    with pytest.raises(services.SignupClosed):
        services.enroll(not_open.id, person(), now=now())


def test_audience_must_be_one_the_offering_is_for():
    offering = make_offering(audiences=("relative",))
    with pytest.raises(services.AudienceNotAllowed):
        services.enroll(offering.id, person(audience="citizen"), now=now())
    assert services.enroll(offering.id, person(audience="relative"), now=now())[0]


def test_same_email_in_other_case_is_already_enrolled_and_gets_the_same_link_again():
    offering = make_offering()
    enrollment, token = services.enroll(offering.id, person(email="Anna@Example.com"), now=now())
    with pytest.raises(services.AlreadyEnrolled) as caught:
        services.enroll(offering.id, person(email="  anna@example.COM "), now=now())
    assert caught.value.enrollment.id == enrollment.id
    services.resend_manage_link(enrollment.id, now=now())
    mail = outbox("already_enrolled")[0]
    assert mail.to_address == "Anna@Example.com"
    # The link in the first mail keeps working: every mail carries the same one.
    assert f"/enrollments/{token}" in mail.body_text
    assert enrollment_by_token(token).id == enrollment.id


def test_after_cancelling_the_same_person_may_sign_up_again():
    offering = make_offering()
    enrollment, _ = services.enroll(offering.id, person(), now=now())
    services.cancel_enrollment(enrollment.id, now=now())
    again, _ = services.enroll(offering.id, person(), now=now())
    assert again.status == "confirmed" and again.id != enrollment.id


def test_cancelling_a_seat_offers_it_to_the_first_in_line(app):
    offering = make_offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    first, _ = services.enroll(offering.id, person(2), now=now())
    second, _ = services.enroll(offering.id, person(3), now=now())
    services.cancel_enrollment(seated.id, now=now())
    assert (fresh(first).status, fresh(second).status) == ("offered", "waitlisted")
    offer = outbox("offer", to="deltager2@example.com")[0]
    assert "/enrollments/" in offer.body_text
    assert fresh(first).offer_expires_at == pytest.approx(
        now() + timedelta(hours=48), abs=timedelta(seconds=5)
    )
    assert outbox("cancelled", to="deltager1@example.com")
    services.accept_offer(first.id, now=now())
    assert fresh(first).status == "confirmed"
    assert outbox("confirmed", to="deltager2@example.com")


def test_declining_an_offer_passes_it_on_and_leaving_the_list_frees_no_seat():
    offering = make_offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    first, _ = services.enroll(offering.id, person(2), now=now())
    second, _ = services.enroll(offering.id, person(3), now=now())
    third, _ = services.enroll(offering.id, person(4), now=now())
    services.leave_waitlist(third.id, now=now())
    services.cancel_enrollment(seated.id, now=now())
    services.decline_offer(first.id, now=now())
    assert fresh(first).status == "cancelled"
    assert fresh(second).status == "offered"
    assert fresh(third).status == "cancelled"
    with pytest.raises(services.InvalidTransition):
        services.leave_waitlist(third.id, now=now())


def test_zero_offer_hours_confirms_the_next_person_at_once(app):
    offering = make_offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    app.config["WAITLIST_OFFER_HOURS"] = 0
    try:
        services.cancel_enrollment(seated.id, now=now())
    finally:
        app.config["WAITLIST_OFFER_HOURS"] = 48
    assert fresh(waiting).status == "confirmed"
    assert outbox("confirmed", to="deltager2@example.com")


def test_unanswered_offer_expires_and_goes_to_the_next_person_once():
    offering = make_offering(capacity=1, starts=[now() + timedelta(days=10)])
    seated, _ = services.enroll(offering.id, person(1), now=now())
    first, _ = services.enroll(offering.id, person(2), now=now())
    second, _ = services.enroll(offering.id, person(3), now=now())
    services.cancel_enrollment(seated.id, now=now())
    assert services.expire_offers(now=now() + timedelta(hours=47)) == 0
    later = now() + timedelta(hours=49)
    with pytest.raises(services.OfferExpired):
        services.accept_offer(first.id, now=later)
    assert services.expire_offers(now=later) == 1
    assert services.expire_offers(now=later) == 0  # idempotent
    assert (fresh(first).status, fresh(second).status) == ("cancelled", "offered")
    assert len(outbox("offer_expired")) == 1
    assert len(outbox("offer", to="deltager3@example.com")) == 1


def test_offer_never_outlasts_the_signup_window():
    starts = now() + timedelta(hours=5)
    offering = make_offering(capacity=1, starts=[starts])
    seated, _ = services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    services.cancel_enrollment(seated.id, now=now())
    assert fresh(waiting).offer_expires_at == starts


def test_staff_cancel_sends_their_message_and_cannot_cancel_twice():
    staff = make_user()
    offering = make_offering()
    enrollment, _ = services.enroll(offering.id, person(), now=now())
    services.cancel_enrollment(
        enrollment.id, now=now(), by_staff_id=staff.id, message="Aflyst pga. sygdom"
    )
    assert "Aflyst pga. sygdom" in outbox("cancelled_by_staff")[0].body_text
    with pytest.raises(services.InvalidTransition):
        services.cancel_enrollment(enrollment.id, now=now())


def test_staff_add_confirms_or_waitlists_and_records_consent_and_who():
    staff = make_user()
    offering = make_offering(
        capacity=1,
        signup_closes_at=now() - timedelta(hours=1),
        signup_opens_at=now() - timedelta(days=3),
    )
    first = services.add_participant_by_staff(
        offering.id, person(1), now=now(), staff_user_id=staff.id
    )
    second = services.add_participant_by_staff(
        offering.id, person(2), now=now(), staff_user_id=staff.id
    )
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert first.added_by_id == staff.id and first.consent_at is not None
    with pytest.raises(services.AlreadyEnrolled):
        services.add_participant_by_staff(offering.id, person(1), now=now(), staff_user_id=staff.id)


def test_move_from_waitlist_needs_a_free_seat():
    offering = make_offering(capacity=1)
    services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    with pytest.raises(services.NoSeatFree):
        services.move_from_waitlist(waiting.id, now=now(), by_user_id=None)
    offering.capacity = 2  # a direct edit, so nobody is offered the seat first
    db.session.flush()
    services.move_from_waitlist(waiting.id, now=now(), by_user_id=None)
    assert fresh(waiting).status == "confirmed"


def test_capacity_cannot_drop_below_held_seats_and_raising_it_offers_seats():
    offering = make_offering(capacity=2)
    for i in range(4):
        services.enroll(offering.id, person(i), now=now())
    with pytest.raises(services.CapacityBelowConfirmed) as caught:
        services.change_capacity(offering.id, 1, now=now(), by_user_id=None)
    assert caught.value.minimum == 2
    services.change_capacity(offering.id, 3, now=now(), by_user_id=None)
    states = sorted(
        e.status
        for e in db.session.scalars(
            db.select(Enrollment).where(Enrollment.offering_id == offering.id)
        )
    )
    assert states == ["confirmed", "confirmed", "offered", "waitlisted"]


def test_mail_is_written_in_the_language_the_person_signed_up_in():
    offering = make_offering(title="Håb", title_en="Hope")
    services.enroll(offering.id, person(1, language="en"), now=now())
    services.enroll(offering.id, person(2, language="da"), now=now())
    english, danish = outbox("confirmed")
    assert english.language == "en" and "Hope" in english.subject
    assert danish.language == "da" and "Håb" in danish.subject
    assert english.body_html and "<a href=" in english.body_html


def test_cancelled_offering_takes_no_more_waitlist_promotions():
    offering = make_offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    offering.status = "cancelled"
    db.session.flush()
    services.cancel_enrollment(seated.id, now=now())
    assert fresh(waiting).status == "waitlisted"


def test_no_limit_means_everyone_gets_a_seat():
    offering = make_offering(capacity=None)
    assert all(
        services.enroll(offering.id, person(i), now=now())[0].status == "confirmed"
        for i in range(5)
    )


def test_make_enrollment_factory_rows_count_against_capacity():
    offering = make_offering(capacity=1)
    make_enrollment(offering, status="offered")
    assert services.enroll(offering.id, person(), now=now())[0].status == "waitlisted"
