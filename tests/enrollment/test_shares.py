"""Audience shares: seats kept for an audience until a date, a maximum per audience.

The rule as pure functions, then the sign-up service (sign-up, staff, requests, the waiting
list, the scheduled release), the offering page and the staff editor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.enrollment import services
from app.enrollment.shares import Share, can_take_seat, seats_left_by_audience
from app.extensions import db
from app.models import OfferingAudience
from tests.enrollment.helpers import fresh, person, statuses
from tests.factories import make_enrollment, make_offering, make_user, now

T0 = datetime(2027, 3, 1, 12, tzinfo=UTC)


def with_shares(offering, **rules):
    """rules: audience -> (percent or None, kept_until or None, max or None)."""
    rows = {str(r.audience): r for r in offering.audience_rows}
    for audience, (percent, until, most) in rules.items():
        row = rows.get(audience)
        if row is None:
            row = OfferingAudience(audience=audience)
            offering.audience_rows.append(row)
        row.min_share_percent, row.kept_until, row.max_seats = percent, until, most
    db.session.commit()
    return offering


# --- the rule --------------------------------------------------------------------------------


def test_kept_seats_are_closed_to_other_audiences_until_the_date():
    shares = [Share("citizen", 70, T0), Share("relative"), Share("staff", max_seats=3)]
    before = T0 - timedelta(days=1)
    assert seats_left_by_audience(10, shares, {}, before) == {
        "citizen": 10,
        "relative": 3,
        "staff": 3,
    }
    held = {"citizen": 2, "relative": 3}
    assert seats_left_by_audience(10, shares, held, before) == {
        "citizen": 5,
        "relative": 0,
        "staff": 0,
    }
    # From the date on, the kept seats are everyone's; the maximum stays.
    assert seats_left_by_audience(10, shares, held, T0) == {
        "citizen": 5,
        "relative": 5,
        "staff": 3,
    }
    assert not can_take_seat("relative", 10, shares, held, before)
    assert can_take_seat("relative", 10, shares, held, T0)


def test_a_share_is_at_least_its_percent_and_a_maximum_works_without_capacity():
    assert seats_left_by_audience(7, [Share("citizen", 70), Share("staff")], {}, T0) == {
        "citizen": 7,
        "staff": 2,  # 70 % of 7 is 4.9: 5 seats are kept
    }
    assert seats_left_by_audience(
        None, [Share("citizen"), Share("staff", max_seats=2)], {}, T0
    ) == {
        "citizen": None,
        "staff": 2,
    }
    # Someone staff added as an audience the offering is not for still respects the shares.
    assert not can_take_seat("volunteer", 2, [Share("citizen", 50)], {"staff": 1}, T0)


# --- the sign-up service ------------------------------------------------------------------


@pytest.fixture
def mixed(ctx):
    """10 seats: 70 % kept for citizens until tomorrow, at most 3 staff."""
    offering = make_offering(capacity=10, audiences=("citizen", "relative", "staff"))
    return with_shares(
        offering,
        citizen=(70, now() + timedelta(days=1), None),
        staff=(None, None, 3),
    )


def test_a_person_whose_audience_has_no_seat_left_joins_the_waiting_list(mixed):
    staff = [
        services.enroll(mixed.id, person(f"s{i}", audience="staff"), now=now())[0] for i in range(4)
    ]
    assert [e.status for e in staff] == ["confirmed"] * 3 + ["waitlisted"]  # at most 3 staff
    relative, _ = services.enroll(mixed.id, person("r1", audience="relative"), now=now())
    assert relative.status == "waitlisted"  # the other 7 seats are kept for citizens
    citizens = [
        services.enroll(mixed.id, person(f"c{i}", audience="citizen"), now=now())[0]
        for i in range(8)
    ]
    assert [e.status for e in citizens] == ["confirmed"] * 7 + ["waitlisted"]


def test_the_waiting_list_moves_up_by_the_shares(mixed):
    for i in range(4):
        services.enroll(mixed.id, person(f"s{i}", audience="staff"), now=now())
    services.enroll(mixed.id, person("r1", audience="relative"), now=now())
    citizens = [
        services.enroll(mixed.id, person(f"c{i}", audience="citizen"), now=now())[0]
        for i in range(8)
    ]
    # A citizen's seat frees up: first in line are a 4th staff member (at the maximum) and a
    # relative (the seat is kept for citizens); the waiting citizen behind them gets it.
    services.cancel_enrollment(citizens[0].id, now=now())
    seen = statuses(mixed)
    assert seen["deltagers3@example.com"] == "waitlisted"
    assert seen["deltagerr1@example.com"] == "waitlisted"
    assert seen["deltagerc7@example.com"] in ("offered", "confirmed")
    # A staff seat frees up: the 4th staff member is first in line and may take it now.
    staff_seat = next(e for e in mixed_enrollments(mixed) if e.email == "deltagers0@example.com")
    services.cancel_enrollment(staff_seat.id, now=now())
    assert statuses(mixed)["deltagers3@example.com"] in ("offered", "confirmed")


def mixed_enrollments(offering):
    from app.models import Enrollment

    db.session.expire_all()
    return list(db.session.query(Enrollment).filter_by(offering_id=offering.id))


def test_kept_seats_go_to_the_waiting_list_once_their_date_passes(ctx):
    offering = make_offering(capacity=4, audiences=("citizen", "relative"))
    until = now() + timedelta(hours=1)
    with_shares(offering, citizen=(50, until, None))
    results = [
        services.enroll(offering.id, person(f"r{i}", audience="relative"), now=now())[0]
        for i in range(3)
    ]
    assert [e.status for e in results] == ["confirmed", "confirmed", "waitlisted"]
    assert services.release_kept_seats(now=now()) == 0  # still kept
    assert services.release_kept_seats(now=until + timedelta(minutes=1)) == 1
    assert fresh(results[2]).status in ("offered", "confirmed")
    assert services.release_kept_seats(now=until + timedelta(minutes=2)) == 0  # idempotent


def test_staff_and_requests_respect_the_shares_too(ctx):
    offering = make_offering(capacity=2, audiences=("citizen", "staff"), enrolment_mode="request")
    with_shares(offering, staff=(None, None, 1))
    user = make_user()
    first, _ = services.enroll(offering.id, person("s1", audience="staff"), now=now())
    second, _ = services.enroll(offering.id, person("s2", audience="staff"), now=now())
    services.approve_request(first.id, now=now(), by_user_id=user.id)
    services.approve_request(second.id, now=now(), by_user_id=user.id)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    with pytest.raises(services.NoSeatFree):
        services.move_from_waitlist(second.id, now=now(), by_user_id=user.id)
    added = services.add_participant_by_staff(
        offering.id, person("s3", audience="staff"), now=now(), staff_user_id=user.id
    )
    assert added.status == "waitlisted"


def test_setting_shares_lets_waiting_people_in_and_refuses_impossible_shares(ctx):
    offering = make_offering(capacity=3, audiences=("citizen", "staff"))
    with_shares(offering, staff=(None, None, 1))
    make_enrollment(offering, audience="staff")
    waiting = make_enrollment(offering, audience="staff", status="waitlisted")
    services.set_audience_shares(
        offering.id,
        [services.ShareSetting("staff", max_seats=2), services.ShareSetting("citizen")],
        now=now(),
        by_user_id=None,
    )
    assert fresh(waiting).status in ("offered", "confirmed")
    with pytest.raises(services.SharesTooLarge):
        services.set_audience_shares(
            offering.id,
            [services.ShareSetting("staff", 40), services.ShareSetting("citizen", 70)],
            now=now(),
            by_user_id=None,
        )
    unlimited = make_offering(capacity=None, audiences=("citizen",))
    with pytest.raises(services.ShareNeedsCapacity):
        services.set_audience_shares(
            unlimited.id, [services.ShareSetting("citizen", 50)], now=now(), by_user_id=None
        )


# --- what people see ------------------------------------------------------------------------


def test_the_offering_page_shows_seats_left_per_audience_only_where_shares_apply(client):
    offering = make_offering(capacity=10, audiences=("citizen", "relative", "staff"))
    plain = make_offering(capacity=10, audiences=("citizen", "relative"))
    with_shares(offering, citizen=(70, now() + timedelta(days=1), None), staff=(None, None, 3))
    make_enrollment(offering, audience="staff")
    page = client.get(f"/offerings/{offering.slug}").get_data(as_text=True)
    assert "so the class stays mixed" in page
    assert "Citizen: 9 seats left" in page
    assert "Relative: 2 seats left" in page
    assert "Staff member: 2 seats left" in page
    assert "class stays mixed" not in client.get(f"/offerings/{plain.slug}").get_data(as_text=True)
    danish = client.get(f"/offerings/{offering.slug}?lang=da").get_data(as_text=True)
    assert "Borger: 9 ledige pladser" in danish


def test_the_sign_up_form_puts_a_person_without_a_seat_for_their_audience_on_the_list(client):
    from tests.enrollment.helpers import form_data

    offering = make_offering(capacity=4, audiences=("citizen", "staff"))
    with_shares(offering, citizen=(75, None, None))
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data("s1", audience="staff")
    )
    assert response.status_code == 302
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data("s2", audience="staff")
    )
    assert statuses(offering) == {
        "deltagers1@example.com": "confirmed",
        "deltagers2@example.com": "waitlisted",
    }


def test_the_api_carries_seats_left_by_audience_as_its_openapi_document_says(client):
    import jsonschema
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    components = document["components"]

    def check(name, body):
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        jsonschema.Draft202012Validator(schema).validate(body)

    offering = make_offering(capacity=10, audiences=("citizen", "staff"))
    plain = make_offering(capacity=10)
    with_shares(offering, citizen=(70, now() + timedelta(days=1), None), staff=(None, None, 2))
    make_enrollment(offering, audience="staff")
    body = client.get(f"/api/v1/offerings/{offering.slug}").get_json()
    check("Offering", body)
    assert body["seats_left_by_audience"] == {"citizen": 9, "staff": 1}
    assert body["seats_left"] == 9
    listed = client.get("/api/v1/offerings").get_json()
    check("OfferingList", listed)
    by_slug = {o["slug"]: o for o in listed["offerings"]}
    assert by_slug[offering.slug]["seats_left_by_audience"] == {"citizen": 9, "staff": 1}
    assert by_slug[plain.slug]["seats_left_by_audience"] is None
    broken = dict(body, seats_left_by_audience={"pirate": 3})
    with pytest.raises(jsonschema.ValidationError):
        check("Offering", broken)


# --- the staff editor ------------------------------------------------------------------------


def test_staff_set_shares_on_a_page_that_explains_the_rule(app):
    from tests.management.helpers import make_world, sign_in_as

    world = make_world()
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in_as(client, world.by_role("coordinator"))
    offering = world.offering
    db.session.refresh(offering)
    url = f"/manage/offerings/{offering.id}/shares"
    page = client.get(url).get_data(as_text=True)
    assert "the seats kept for a group can only be taken by people from that group" in page
    assert "first come, first served" in page
    audience = str(offering.audiences[0])
    response = client.post(
        url,
        data={
            f"{audience}_percent": "60",
            f"{audience}_until": "2027-01-10",
            f"{audience}_max": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = next(r for r in offering.audience_rows if str(r.audience) == audience)
    assert row.min_share_percent == 60
    assert row.kept_until == datetime(2027, 1, 9, 23, tzinfo=UTC)  # midnight, Danish time
    page = client.get(url).get_data(as_text=True)
    assert "(60 %) are kept for" in page and "January 10, 2027" in page
    too_much = client.post(url, data={f"{audience}_percent": "120"})
    assert too_much.status_code == 400
    assert "Write a number from 1 to 100." in too_much.get_data(as_text=True)
    client.set_cookie("lang", "da")
    danish = client.post(url, data={f"{audience}_percent": "abc"})
    assert danish.status_code == 400
    assert "Skriv et tal fra 1 til 100." in danish.get_data(as_text=True)
