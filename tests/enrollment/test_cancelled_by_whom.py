"""A place the person left themselves reads "Du har afmeldt dig", never "Aflyst" (issue 18).

"Aflyst" (Cancelled) is the word for an offering the organisers called off; on the person's
own pages (/my and the manage link) a sign-up they cancelled says they did.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.models import Enrollment, OfferingStatus
from tests.conftest import assert_accessible
from tests.enrollment.helpers import form_data, outbox, person
from tests.factories import make_offering, make_user, now


def _sign_up(client, offering, email) -> str:
    """Sign up through the form; the manage link from the mail."""
    client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, email=email),
        follow_redirects=True,
    )
    mail = outbox("confirmed", to=email)[-1]
    return re.search(r"/enrollments/[A-Za-z0-9_-]+", mail.body_text).group(0)


def _my_bookings(client, email, language) -> str:
    fresh = client.application.test_client()
    fresh.set_cookie("lang", language)
    fresh.post("/my", data={"email": email})
    link = re.search(r"/my/sign-in/[A-Za-z0-9_-]+", outbox("sign_in")[-1].body_text).group(0)
    fresh.post(link)
    return fresh.get("/my").text


def _enrollment(email, offering) -> Enrollment:
    return db.session.scalars(
        sa.select(Enrollment).where(
            Enrollment.email == email, Enrollment.offering_id == offering.id
        )
    ).one()


def test_a_sign_up_you_cancelled_says_you_cancelled_on_my_and_the_manage_page(client):
    offering = make_offering(title="Søvn og ro")
    manage = _sign_up(client, offering, "ida@example.com")
    client.post(manage + "/cancel")
    danish = client.get(manage + "?lang=da").text
    assert '<p class="state state--cancelled">Du har afmeldt dig</p>' in danish
    assert "Aflyst" not in danish
    english = client.get(manage + "?lang=en").text
    assert '<p class="state state--cancelled">You have cancelled</p>' in english
    mine = _my_bookings(client, "ida@example.com", "da")
    assert "<li>Søvn og ro – Du har afmeldt dig</li>" in mine
    assert "Aflyst" not in mine
    english_mine = _my_bookings(client, "ida@example.com", "en")
    assert "<li>Søvn og ro – You have cancelled</li>" in english_mine


def test_leaving_the_waiting_list_and_saying_no_to_an_offer_are_your_own_cancelling(ctx):
    offering = make_offering(capacity=1)
    services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    offered, _ = services.enroll(offering.id, person(3), now=now())
    services.leave_waitlist(waiting.id, now=now())
    seated = _enrollment("deltager1@example.com", offering)
    services.cancel_enrollment(seated.id, now=now(), by_staff_id=make_user().id)
    assert offered.status == "offered"
    services.decline_offer(offered.id, now=now())
    assert (waiting.cancelled_by_person, offered.cancelled_by_person) == (True, True)
    assert seated.cancelled_by_person is False


def test_a_sign_up_staff_cancelled_or_an_offering_called_off_is_not_called_yours(ctx, client):
    by_staff = make_offering(title="Kursus A")
    called_off = make_offering(title="Kursus B")
    staff_manage = _sign_up(client, by_staff, "bo@example.com")
    _sign_up(client, called_off, "bo@example.com")
    coordinator = make_user(role="coordinator")
    for offering in (by_staff, called_off):
        enrollment = _enrollment("bo@example.com", offering)
        services.cancel_enrollment(enrollment.id, now=now(), by_staff_id=coordinator.id)
    called_off.status = OfferingStatus.CANCELLED
    db.session.commit()
    page = client.get(staff_manage + "?lang=da").text
    assert '<p class="state state--cancelled">Ikke tilmeldt</p>' in page
    assert "Du har afmeldt dig" not in page
    mine = _my_bookings(client, "bo@example.com", "da")
    assert "<li>Kursus A – Ikke tilmeldt</li>" in mine
    assert "<li>Kursus B – Aflyst</li>" in mine


@pytest.mark.browser
@pytest.mark.committing
@pytest.mark.parametrize(
    ("language", "label"), [("da", "Du har afmeldt dig"), ("en", "You have cancelled")]
)
def test_my_bookings_with_a_place_you_cancelled_is_accessible(live_server, page, language, label):
    offering = make_offering(title="Søvn og ro")
    enrollment, _ = services.enroll(offering.id, person(1, email="ida@example.com"), now=now())
    services.cancel_enrollment(enrollment.id, now=now())
    db.session.commit()
    page.goto(f"{live_server}/my?lang={language}")
    page.locator("#email").fill("ida@example.com")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    db.session.rollback()  # a fresh snapshot of what the server committed
    link = re.search(r"/my/sign-in/[A-Za-z0-9_-]+", outbox("sign_in")[-1].body_text).group(0)
    page.goto(f"{live_server}{link}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my$"))
    assert page.locator("li", has_text=f"Søvn og ro – {label}").count() == 1
    assert_accessible(page)
