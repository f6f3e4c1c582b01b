"""The demo catalogue: every case a demo should show, planned in local time, and idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.demo.catalogue import COPENHAGEN, next_clock_change, seed_demo_catalogue
from app.extensions import db
from app.models import (
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    FacilitatorRole,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
    OfferingStatus,
)

NOW = datetime(2026, 9, 15, 8, 0, tzinfo=UTC)


@pytest.fixture
def seeded() -> list[Offering]:
    seed_demo_catalogue(NOW)
    return list(db.session.scalars(sa.select(Offering).order_by(Offering.slug)))


def _published(offerings: list[Offering]) -> list[Offering]:
    return [o for o in offerings if o.status == OfferingStatus.PUBLISHED]


def _enrollments(offering: Offering, status: EnrollmentStatus) -> list[Enrollment]:
    query = (
        sa.select(Enrollment)
        .where(Enrollment.offering_id == offering.id, Enrollment.status == status)
        .order_by(Enrollment.queued_at)
    )
    return list(db.session.scalars(query))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_publishes_at_least_15_offerings_of_every_kind_from_three_organisations(seeded):
    published = _published(seeded)
    assert len(published) >= 15
    assert {o.kind for o in published} == {k.value for k in OfferingKind}
    assert {o.organisation.slug for o in published} == {
        "recovery-skolen",
        "frivilligcenter",
        "sind-lokalafdeling",
    }
    assert any(o.co_organisers for o in published)
    # Every offering has dates, but the group in interest mode: it gets them when it starts.
    assert all(o.occurrences for o in seeded if o.enrolment_mode != "interest")


def test_one_group_gathers_interest_with_a_few_people_on_its_list(seeded):
    [group] = [o for o in seeded if o.enrolment_mode == "interest"]
    assert group.kind == OfferingKind.GROUP and group.status == "published"
    assert group.min_participants == 6 and group.occurrences == []
    waiting = _enrollments(group, EnrollmentStatus.INTERESTED)
    assert len(waiting) == 4
    assert [e.first_talk for e in waiting] == ["held", "held", "to_do", "to_do"]


def test_every_published_course_is_co_taught_by_a_peer_and_a_professional(seeded):
    courses = [o for o in _published(seeded) if o.kind == OfferingKind.COURSE]
    assert courses
    for course in courses:
        roles = {f.role for f in course.facilitators}
        assert {FacilitatorRole.PEER, FacilitatorRole.PROFESSIONAL} <= roles, course.slug
    assert any(f.guest_name and f.user is None for o in seeded for f in o.facilitators)


def test_has_relatives_only_course_and_staff_only_meeting(seeded):
    published = _published(seeded)
    assert any(o.audiences == ["relative"] and o.kind == OfferingKind.COURSE for o in published)
    assert any(o.audiences == ["staff"] and o.kind == OfferingKind.MEETING for o in published)


def test_has_drop_in_group_without_capacity_and_group_by_request(seeded):
    groups = [o for o in _published(seeded) if o.kind == OfferingKind.GROUP]
    drop_in = [o for o in groups if o.enrolment_mode == EnrolmentMode.DROP_IN]
    assert drop_in and all(o.capacity is None for o in drop_in)
    assert len(drop_in[0].occurrences) >= 10  # weekly, over the months ahead
    request = [o for o in groups if o.enrolment_mode == EnrolmentMode.REQUEST]
    assert request and _enrollments(request[0], EnrollmentStatus.REQUESTED)


def test_has_online_offering_without_location(seeded):
    online = [o for o in _published(seeded) if o.is_online]
    assert online
    assert online[0].location is None
    assert online[0].online_join_url.startswith("https://meet.example.org/")


def test_one_offering_is_full_with_three_on_its_waiting_list_in_order(seeded):
    full = [
        o
        for o in _published(seeded)
        if o.capacity and len(_enrollments(o, EnrollmentStatus.CONFIRMED)) == o.capacity
    ]
    assert len(full) == 1
    waiting = _enrollments(full[0], EnrollmentStatus.WAITLISTED)
    assert len(waiting) == 3
    assert waiting[0].queued_at < waiting[1].queued_at < waiting[2].queued_at
    confirmed = _enrollments(full[0], EnrollmentStatus.CONFIRMED)
    assert max(e.queued_at for e in confirmed) < waiting[0].queued_at


def test_seat_counts_vary_and_never_exceed_capacity(seeded):
    confirmed = {o.slug: len(_enrollments(o, EnrollmentStatus.CONFIRMED)) for o in seeded}
    assert len(set(confirmed.values())) >= 4
    for offering in seeded:
        if offering.capacity is not None:
            assert confirmed[offering.slug] <= offering.capacity


def test_has_a_draft_a_cancelled_offering_and_a_cancelled_occurrence(seeded):
    assert any(o.status == OfferingStatus.DRAFT for o in seeded)
    cancelled = [o for o in seeded if o.status == OfferingStatus.CANCELLED]
    assert cancelled and cancelled[0].cancellation_reason
    called_off = [
        occurrence
        for o in _published(seeded)
        for occurrence in o.occurrences
        if occurrence.status == OccurrenceStatus.CANCELLED
    ]
    assert called_off
    assert called_off[0].cancelled_at is not None and called_off[0].sequence == 1


def test_enrollments_carry_normalised_emails_consent_and_unique_tokens(seeded):
    enrollments = list(db.session.scalars(sa.select(Enrollment)))
    assert enrollments
    assert all(e.email_normalized == e.email.lower() for e in enrollments)
    assert all(e.consent_at is not None and e.queued_at is not None for e in enrollments)
    tokens = [e.manage_token_hash for e in enrollments]
    assert len(set(tokens)) == len(tokens)
    offerings = {o.id: o for o in seeded}
    assert all(e.audience in offerings[e.offering_id].audiences for e in enrollments)


def test_occurrences_lie_in_the_months_ahead(seeded):
    for offering in _published(seeded):
        if offering.slug == "soevn-og-doegnrytme":  # planned around the next clock change
            continue
        for occurrence in offering.occurrences:
            assert NOW < occurrence.starts_at < NOW + timedelta(days=100), offering.slug


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 9, 15), date(2026, 10, 25)),
        (date(2026, 10, 20), date(2027, 3, 28)),  # too close: no week left before it
        (date(2026, 11, 25), date(2027, 3, 28)),
        (date(2027, 3, 1), date(2027, 3, 28)),
        (date(2027, 6, 1), date(2027, 10, 31)),
    ],
)
def test_next_clock_change_is_a_sunday_when_the_offset_changes(today, expected):
    change = next_clock_change(today)
    assert change == expected
    noon = datetime(change.year, change.month, change.day, 12, tzinfo=COPENHAGEN)
    assert change.weekday() == 6
    assert (noon - timedelta(days=1)).utcoffset() != (noon + timedelta(days=1)).utcoffset()


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 10, 20, 9, tzinfo=UTC),
        datetime(2026, 12, 30, 9, tzinfo=UTC),
        datetime(2027, 3, 20, 9, tzinfo=UTC),
        datetime(2027, 7, 1, 9, tzinfo=UTC),
    ],
)
def test_weekly_series_keeps_its_local_time_across_the_clock_change(now):
    seed_demo_catalogue(now)
    occurrences = db.session.scalars(
        sa.select(Occurrence)
        .join(Offering)
        .where(Offering.slug == "soevn-og-doegnrytme")
        .order_by(Occurrence.starts_at)
    ).all()
    change = next_clock_change(now.astimezone(COPENHAGEN).date())
    days = [o.starts_at.astimezone(COPENHAGEN).date() for o in occurrences]
    assert min(days) < change < max(days)
    assert all(now < o.starts_at for o in occurrences)
    assert len({o.starts_at.astimezone(COPENHAGEN).hour for o in occurrences}) == 1
    assert len({o.starts_at.hour for o in occurrences}) == 2
    assert all(o.starts_at.tzinfo is not None for o in occurrences)


def test_running_twice_changes_no_table_even_on_a_later_day(seeded):
    before = _row_counts()
    summary = seed_demo_catalogue(NOW + timedelta(days=40))
    assert _row_counts() == before
    assert not any(summary["created"].values())
    assert summary["present"]["offerings"] == len(seeded)


def test_an_existing_offering_is_left_alone(seeded):
    offering = next(o for o in seeded if o.slug == "aaben-cafe")
    offering.title = "Renamed by a coordinator"
    offering.occurrences.pop(0)  # a coordinator removed a meeting
    db.session.flush()
    count = len(offering.occurrences)
    seed_demo_catalogue(NOW)
    db.session.refresh(offering)
    assert offering.title == "Renamed by a coordinator"
    assert len(offering.occurrences) == count


def test_seed_demo_command_commits_once_and_reports_what_it_did(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Created: 3 organisations" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "Created: nothing." in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Offering)) >= 17


def test_the_demo_volunteer_leader_leads_one_self_help_group_of_the_volunteer_centre(seeded):
    from app.management import policy
    from app.models import User, UserRole

    leader = db.session.scalar(sa.select(User).where(User.email == "camilla.friis@example.org"))
    assert leader.role == UserRole.VOLUNTEER_LEADER
    assert leader.organisation.slug == "frivilligcenter"
    led = [o for o in seeded if any(f.user_id == leader.id for f in o.facilitators)]
    assert [(o.slug, o.kind) for o in led] == [("selvhjaelpsgruppe-angst", OfferingKind.GROUP)]
    assert [o.slug for o in seeded if policy.can_view_offering(leader, o)] == [led[0].slug]
