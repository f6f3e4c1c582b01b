"""An offering's fields are written once: `OfferingDetails` drives the form, save and duplicate."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

from app.extensions import db
from app.management.forms import OfferingForm, offering_form_data
from app.management.services import OfferingDetails, duplicate_offering
from app.models import Offering, OfferingAudience
from tests.factories import add_facilitator, make_location, make_organisation, make_theme, now
from tests.management.helpers import make_staff, make_world, sign_in_as

# Columns of an offering that are not details one edits or copies: who and when, the
# offering's own life (status, revision), and what a copy gets new (slug, "(kopi)" titles).
NOT_COPIED = {
    "id",
    "slug",
    "title",
    "title_en",
    "status",
    "cancellation_reason",
    "revision",
    "created_by_id",
    "created_at",
    "updated_at",
    "erased_companion_wishes",  # a count that retention keeps, not a detail
    "started_at",  # interest mode: when this run of the group started; a copy starts anew
}


def _every_detail_set(organisation_id: int) -> dict:
    """A value for every copied column, none of them its default: a forgotten one shows."""
    return {
        "kind": "group",
        "summary": "Et resumé",
        "summary_en": "A summary",
        "description": "Om **gruppen**.",
        "description_en": "About the **group**.",
        "organisation_id": organisation_id,
        "location_id": make_location(name="Huset").id,
        "is_online": True,
        "online_join_url": "https://møde.example.org/abc",
        "capacity": 7,
        "enrolment_mode": "request",
        "min_participants": 6,
        "signup_opens_at": now() + timedelta(days=1),
        "signup_closes_at": now() + timedelta(days=20),
        "accessibility_notes": "Elevator",
        "accessibility_notes_en": "Lift",
        "teaching_language": "en",
        "contact_email": "gruppe@example.org",
        # A shorter erase time has its reason in the offering (a sensitive theme): the next
        # season's copy keeps it.
        "retention_days": 60,
        "who5_enabled": True,
        "asks_workplace": True,
    }


def test_every_offering_column_is_a_detail_or_named_as_not_copied():
    """A new column must be an OfferingDetails field (then form, save and copy follow)."""
    columns = set(Offering.__table__.columns.keys())
    details = {f.name for f in fields(OfferingDetails)}
    assert columns - NOT_COPIED <= details, columns - NOT_COPIED - details


def test_duplicate_copies_every_detail_and_relation(app, db_session):
    """Fails as soon as a column is neither copied by "duplicate" nor listed in NOT_COPIED."""
    school = make_organisation("recovery-skolen", "Recovery-skolen")
    partner = make_organisation("frivilligcenter", "Frivilligcenteret")
    peer = make_staff("peer_worker", school)
    values = _every_detail_set(school.id)
    columns = set(Offering.__table__.columns.keys())
    assert set(values) == columns - NOT_COPIED, "give the new column a value above"
    original = Offering(slug="original", title="Håb", title_en="Hope", status="published")
    for name, value in values.items():
        setattr(original, name, value)
    original.audience_rows = [OfferingAudience(audience=a) for a in ("relative", "staff")]
    original.themes = [make_theme("haab", "Håb")]
    original.co_organisers = [partner]
    db.session.add(original)
    db.session.commit()
    add_facilitator(original, user=peer, role="peer")
    add_facilitator(original, guest_name="Jens Psykolog", role="professional")

    copy = duplicate_offering(original, created_by_id=peer.id, now=now(), keep_join_link=True)
    no_link = duplicate_offering(original, created_by_id=peer.id, now=now())
    assert no_link.online_join_url is None  # the private link goes only to who may see it
    db.session.commit()
    db.session.expire_all()
    original, copy = db.session.get(Offering, original.id), db.session.get(Offering, copy.id)

    for name in values:
        assert getattr(copy, name) == getattr(original, name), name
    assert (copy.title, copy.title_en) == ("Håb (kopi)", "Hope (copy)")
    assert copy.slug == "haab-kopi" and copy.status == "draft" and copy.created_by_id == peer.id
    assert copy.audiences == original.audiences
    assert [t.slug for t in copy.themes] == ["haab"]
    assert [o.slug for o in copy.co_organisers] == ["frivilligcenter"]
    assert [(f.user_id, f.guest_name, f.role) for f in copy.facilitators] == [
        (peer.id, None, "peer"),
        (None, "Jens Psykolog", "professional"),
    ]
    assert copy.occurrences == []


def test_the_form_shows_and_gives_back_exactly_the_offering_details(app):
    """Edit form round trip: offering → form values → details, with nothing lost on the way."""
    w = make_world()
    values = _every_detail_set(w.school.id)
    values["is_online"] = False  # the form's place is either online or a place; keep both
    for name, value in values.items():
        setattr(w.offering, name, value)
    w.offering.co_organisers = [w.centre]
    w.offering.themes = [make_theme("haab", "Håb")]
    db.session.commit()
    expected = OfferingDetails.from_offering(w.offering)
    with app.test_request_context("/"):
        form = OfferingForm(formdata=None, data=offering_form_data(w.offering))
        details = form.to_details()
    # The form shows minutes, not seconds.
    for name in ("signup_opens_at", "signup_closes_at"):
        assert abs(getattr(details, name) - getattr(expected, name)) < timedelta(minutes=1)
        setattr(details, name, getattr(expected, name))
    assert details == expected


def test_duplicate_button_makes_the_copy_through_the_same_details(client):
    w = make_world()
    w.offering.teaching_language = "en"
    w.offering.contact_email = "kursus@example.org"
    db.session.commit()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/offerings/{w.offering.id}/duplicate").status_code == 302
    copy = db.session.scalar(db.select(Offering).filter_by(slug="haab-og-recovery-kopi"))
    assert (copy.teaching_language, copy.contact_email) == ("en", "kursus@example.org")
