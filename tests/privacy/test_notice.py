"""The privacy notice comes from settings, and the sign-up says when its data is erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment
from tests.enrollment.helpers import form_data, outbox
from tests.factories import make_offering


def test_notice_names_the_controller_dpo_and_legal_basis_from_settings(client, settings):
    settings(
        PRIVACY_CONTROLLER_NAME="Aarhus Kommune, Recovery-skolen",
        PRIVACY_CONTROLLER_ADDRESS="Rådhuspladsen 2, 8000 Aarhus C",
        PRIVACY_CONTROLLER_CONTACT="recovery@aarhus.dk",
        PRIVACY_DPO_CONTACT="dpo@aarhus.dk",
        PRIVACY_NOTICE_VERSION="2026-12-01",
        RETENTION_DAYS=90,
        RETENTION_ENDED_DAYS=14,
    )
    page = client.get("/privacy").text
    for text in (
        "Aarhus Kommune, Recovery-skolen",
        "Rådhuspladsen 2, 8000 Aarhus C",
        "recovery@aarhus.dk",
        "dpo@aarhus.dk",
        "article 6(1)(e)",
        "9(2)(g)",
        "Social Services Act",
        "Datatilsynet",
        "erased 90 days after the offering",
        "erased 14 days after that",
        "Version of this notice: 2026-12-01",
    ):
        assert text in page, text
    danish = client.get("/privacy?lang=da").text
    assert "Den dataansvarlige er Aarhus Kommune, Recovery-skolen." in danish
    assert "artikel 6, stk. 1, litra e" in danish
    assert "slettes 90 dage efter tilbuddets sidste mødegang" in danish


def test_the_legal_basis_is_a_setting_in_each_language(client, settings):
    settings(
        PRIVACY_LEGAL_BASIS="Vores eget retsgrundlag.", PRIVACY_LEGAL_BASIS_EN="Our own basis."
    )
    assert "Our own basis." in client.get("/privacy").text
    assert "article 6(1)(e)" not in client.get("/privacy").text
    assert "Vores eget retsgrundlag." in client.get("/privacy?lang=da").text


def test_sign_up_form_states_the_erase_date(client, settings):
    settings(RETENTION_DAYS=183)
    last = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    offering = make_offering(starts=[last - timedelta(days=7), last])
    page = client.get(f"/offerings/{offering.slug}/enroll").text
    # 10 March (local) + 183 days = 9 September 2027
    assert "Your details for this sign-up are erased on Thursday, September 9, 2027." in page
    danish = client.get(f"/offerings/{offering.slug}/enroll?lang=da").text
    assert "slettes torsdag den 9. september 2027" in danish


def test_an_offering_may_set_a_shorter_time(client, settings):
    settings(RETENTION_DAYS=183)
    last = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    shorter = make_offering(starts=[last], retention_days=30)
    longer = make_offering(starts=[last], retention_days=400)  # never longer than the setting
    assert "erased on Friday, April 9, 2027" in client.get(f"/offerings/{shorter.slug}/enroll").text
    assert "September 9, 2027" in client.get(f"/offerings/{longer.slug}/enroll").text


def test_the_notice_version_is_stored_with_each_enrollment(client, settings):
    offering = make_offering()
    settings(PRIVACY_NOTICE_VERSION="v1")
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    settings(PRIVACY_NOTICE_VERSION="v2")
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(2))
    stored = db.session.execute(
        sa.select(Enrollment.email, Enrollment.privacy_notice_version).order_by(Enrollment.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        ("deltager1@example.com", "v1"),
        ("deltager2@example.com", "v2"),
    ]


def test_the_needs_field_still_says_no_diagnoses(client):
    offering = make_offering()
    assert (
        "Please do not write about diagnoses."
        in client.get(f"/offerings/{offering.slug}/enroll").text
    )


def test_the_confirmation_mail_states_the_erase_date_as_the_form_does(client, settings):
    settings(RETENTION_DAYS=183)
    last = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    offering = make_offering(starts=[last], capacity=1, retention_days=30)
    form = client.get(f"/offerings/{offering.slug}/enroll").text
    assert "erased on Friday, April 9, 2027" in form  # 10 March + the offering's own 30 days
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    client.post(f"/offerings/{offering.slug}/enroll?lang=da", data=form_data(2))
    [confirmed] = outbox("confirmed")
    assert "Your details for this sign-up are erased on Friday, April 9, 2027." in (
        confirmed.body_text
    )
    assert "April 9, 2027" in confirmed.body_html
    [waiting] = outbox("waitlisted")  # the second person, in Danish
    assert "slettes fredag den 9. april 2027" in waiting.body_text
