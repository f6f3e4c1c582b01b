"""Every key figure, exactly, on the known history of tests/figures/history.py."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.figures import period as periods
from app.figures.queries import Filters, key_figures
from app.models import Enrollment
from tests.figures.history import NOW, at, build_history

AUTUMN = periods.term(2026, "autumn")


def test_every_raw_figure_of_the_known_history():
    build_history()
    raw = key_figures(AUTUMN, None, Filters(), now=NOW)
    assert raw.offerings_held == 3
    assert (raw.occurrences_held, raw.occurrences_cancelled) == (5, 1)
    assert raw.signups == {"citizen": 19, "relative": 2, "staff": 5, "volunteer": 2}
    assert (raw.participants, raw.returning) == (19, 3)
    assert raw.offerings_per_person == {"1": 17, "2": 1, "3+": 1}
    assert raw.attendance == {"present": 19, "excused": 3, "absent": 3}
    assert raw.seats == {"citizen": 12, "relative": 2, "staff": 5, "volunteer": 2}
    assert (raw.seats_offered, raw.seats_taken_capped) == (18, 15)
    assert raw.waitlist_demand == 3
    assert (raw.requests_approved, raw.requests_declined) == (5, 2)
    assert raw.companion_wishes == 6
    assert raw.months == {
        "2026-08-01": {"occurrences_held": 0, "signups": 14, "present": 0},
        "2026-09-01": {"occurrences_held": 2, "signups": 7, "present": 14},
        "2026-10-01": {"occurrences_held": 1, "signups": 6, "present": 5},
        "2026-11-01": {"occurrences_held": 2, "signups": 1, "present": 0},
        "2026-12-01": {"occurrences_held": 0, "signups": 0, "present": 0},
    }


def test_a_date_counts_as_held_once_it_has_started():
    build_history()
    early = key_figures(AUTUMN, None, Filters(), now=at(9, 5))
    assert (early.offerings_held, early.occurrences_held, early.occurrences_cancelled) == (1, 1, 1)
    assert early.attendance["present"] == 8


def test_peer_workers_see_their_organisation_and_what_it_co_organises():
    h = build_history()
    school = key_figures(AUTUMN, h.school.id, Filters(), now=NOW)  # C1 and G1
    assert school.signups == {"citizen": 17, "relative": 2, "staff": 1, "volunteer": 2}
    assert school.occurrences_held == 4
    centre = key_figures(AUTUMN, h.centre.id, Filters(), now=NOW)  # G1 and M1
    assert sum(centre.signups.values()) == 14
    assert centre.participants == 10


def test_filters_by_kind_organisation_theme_and_offering():
    h = build_history()
    assert sum(key_figures(AUTUMN, None, Filters(kind="group"), now=NOW).signups.values()) == 8
    by_org = key_figures(AUTUMN, None, Filters(organisation_id=h.centre.id), now=NOW)
    assert sum(by_org.signups.values()) == 14
    theme_id = h.c1.themes[0].id
    assert (
        sum(key_figures(AUTUMN, None, Filters(theme_id=theme_id), now=NOW).signups.values()) == 14
    )
    one = key_figures(AUTUMN, None, Filters(offering_id=h.m1.id), now=NOW)
    assert (one.participants, one.occurrences_held, one.seats_offered) == (6, 1, 0)


def test_periods_choose_the_dates_by_danish_time():
    build_history()
    spring = key_figures(periods.term(2026, "spring"), None, Filters(), now=NOW)
    assert (spring.occurrences_held, spring.participants, spring.returning) == (1, 3, 0)
    q3 = key_figures(periods.parse("2026-q3", today=date(2026, 11, 15)), None, Filters(), now=NOW)
    assert q3.occurrences_held == 2  # 1 and 8 September; D is a draft
    days = periods.parse(None, start="2026-10-13", end="2026-11-03", today=date(2026, 11, 15))
    assert key_figures(days, None, Filters(), now=NOW).occurrences_held == 2


def test_figures_are_the_same_after_retention_blanks_personal_fields():
    build_history()
    before = key_figures(AUTUMN, None, Filters(), now=NOW)
    db.session.execute(
        sa.update(Enrollment).values(
            name="",
            email="",
            # unique per row: active enrollments are kept unique per address
            email_normalized=sa.literal("erased-") + sa.cast(Enrollment.id, sa.String),
            phone=None,
            needs=None,
        )
    )
    db.session.commit()
    assert key_figures(AUTUMN, None, Filters(), now=NOW) == before


def test_the_pseudonym_is_keyed_and_is_not_the_email():
    h = build_history()
    keys = set(
        db.session.scalars(
            sa.select(Enrollment.person_key).where(Enrollment.email == "p1@example.com")
        )
    )
    assert len(keys) == 1
    (key,) = keys
    assert len(key) == 64 and "p1" not in key
    import hashlib

    assert key != hashlib.sha256(b"p1@example.com").hexdigest()
    assert h.c1.id


def test_a_request_approved_onto_the_waiting_list_counts_as_approved_and_as_demand():
    """Issue 16 §1 counts "requests approved": a yes is a yes, seat or waiting list."""
    from app.enrollment.services import approve_request

    h = build_history()
    h.g1.capacity = 5  # G1 is full now (five seats taken)
    db.session.commit()
    p20 = db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.offering_id == h.g1.id, Enrollment.email == "p20@example.com"
        )
    )
    approve_request(p20.id, now=at(11, 3), by_user_id=None)
    db.session.commit()
    assert p20.status == "waitlisted"
    raw = key_figures(AUTUMN, None, Filters(), now=NOW)
    assert (raw.requests_approved, raw.requests_declined) == (6, 2)
    assert raw.waitlist_demand == 4  # still without a seat
