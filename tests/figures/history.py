"""A known history for the key figures: every figure of autumn 2026 is worked out by hand below.

Offerings (autumn 2026 = 1 Aug – 31 Dec 2026, Danish time; every date lies before "now"):
- C1 course of the school, instant, capacity 10, theme "angst": dates 1 Sep and 8 Sep (held),
  6 Oct (cancelled). 14 sign-ups on 15 Aug.
- G1 group of the volunteer centre, co-organised by the school, request mode, capacity 8:
  13 Oct and 10 Nov (held). 7 sign-ups on 20 Sep, one (p20) on 2 Nov.
- M1 themed meeting of the volunteer centre, no seat limit: 3 Nov (held). 6 sign-ups 20 Oct.
- X course of the school in spring 2026 (3 Mar): p3, p4, p15 had a seat (they return).
- D a draft with a date in autumn and one sign-up: never counted.

People (p1 … p25; the email is their identity, the figures see only a pseudonym):
  C1 seated  p1-p7 citizens, p8 p9 relatives, p10 staff; p11 citizen seated then cancelled;
     p12 p13 citizens waiting; p14 citizen left the waiting list without a seat.
  G1 approved p1 p2 p15 citizens, p16 p17 volunteers; declined p18 p19 citizens;
     p20 citizen asked (open request).
  M1 confirmed p1 p25 citizens, p21-p24 staff.
Wishes for a peer companion: p1 p2 p3 (C1), p15 p16 (G1), p21 (M1) = 6.
Attendance: C1 1 Sep p1-p8 present, p9 excused, p10 absent; 8 Sep p1-p6 present, p7 p8
excused, p9 p10 absent; G1 13 Oct p1 p2 p15 p16 p17 present.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.extensions import db
from app.models import Attendance, Enrollment, Offering
from tests.factories import make_enrollment, make_offering, make_organisation, make_theme

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@dataclass
class History:
    school: object
    centre: object
    c1: Offering
    g1: Offering
    m1: Offering
    x: Offering
    draft: Offering


def _enrol(offering, person, audience, status, created, *, seated, companion=False):
    enrollment = make_enrollment(
        offering,
        email=f"{person}@example.com",
        name=f"Navn {person}",
        audience=audience,
        status=status,
        commit=False,
    )
    enrollment.created_at = created
    enrollment.queued_at = created
    enrollment.confirmed_at = created if seated else None
    enrollment.wants_companion = companion
    return enrollment


def _attend(offering, occurrence_index, statuses: dict[str, str]):
    occurrence = offering.occurrences[occurrence_index]
    by_person = {
        e.email.split("@")[0]: e
        for e in db.session.scalars(db.select(Enrollment).filter_by(offering_id=offering.id))
    }
    for person, status in statuses.items():
        db.session.add(
            Attendance(
                enrollment_id=by_person[person].id, occurrence_id=occurrence.id, status=status
            )
        )


def build_history() -> History:
    school = make_organisation("recovery-skolen", "Recovery-skolen")
    centre = make_organisation("frivilligcenter", "Frivilligcenteret")
    angst = make_theme("angst", "Angst", "Anxiety")

    c1 = make_offering(
        title="C1 Håb",
        organisation=school,
        capacity=10,
        themes=[angst],
        audiences=("citizen", "relative", "staff"),
        starts=[at(9, 1), at(9, 8), at(10, 6)],
    )
    c1.occurrences[2].status = "cancelled"
    g1 = make_offering(
        title="G1 Selvhjælp",
        kind="group",
        organisation=centre,
        capacity=8,
        enrolment_mode="request",
        starts=[at(10, 13), at(11, 10)],
    )
    g1.co_organisers = [school]
    m1 = make_offering(
        title="M1 Temamøde", kind="meeting", organisation=centre, capacity=None, starts=[at(11, 3)]
    )
    x = make_offering(title="X Forår", organisation=school, starts=[at(3, 3)])
    draft = make_offering(title="D Kladde", organisation=school, status="draft", starts=[at(9, 2)])
    db.session.commit()

    aug15, sep20, oct20, nov2 = at(8, 15), at(9, 20), at(10, 20), at(11, 2)
    for i in range(1, 8):
        _enrol(c1, f"p{i}", "citizen", "confirmed", aug15, seated=True, companion=i <= 3)
    _enrol(c1, "p8", "relative", "confirmed", aug15, seated=True)
    _enrol(c1, "p9", "relative", "confirmed", aug15, seated=True)
    _enrol(c1, "p10", "staff", "confirmed", aug15, seated=True)
    _enrol(c1, "p11", "citizen", "cancelled", aug15, seated=True)
    _enrol(c1, "p12", "citizen", "waitlisted", aug15, seated=False)
    _enrol(c1, "p13", "citizen", "waitlisted", aug15, seated=False)
    _enrol(c1, "p14", "citizen", "cancelled", aug15, seated=False)

    _enrol(g1, "p1", "citizen", "confirmed", sep20, seated=True)
    _enrol(g1, "p2", "citizen", "confirmed", sep20, seated=True)
    _enrol(g1, "p15", "citizen", "confirmed", sep20, seated=True, companion=True)
    _enrol(g1, "p16", "volunteer", "confirmed", sep20, seated=True, companion=True)
    _enrol(g1, "p17", "volunteer", "confirmed", sep20, seated=True)
    _enrol(g1, "p18", "citizen", "declined", sep20, seated=False)
    _enrol(g1, "p19", "citizen", "declined", sep20, seated=False)
    _enrol(g1, "p20", "citizen", "requested", nov2, seated=False)

    _enrol(m1, "p1", "citizen", "confirmed", oct20, seated=True)
    _enrol(m1, "p25", "citizen", "confirmed", oct20, seated=True)
    for i in range(21, 25):
        _enrol(m1, f"p{i}", "staff", "confirmed", oct20, seated=True, companion=i == 21)

    for person in ("p3", "p4", "p15"):
        _enrol(x, person, "citizen", "confirmed", at(2, 1), seated=True)
    _enrol(draft, "p26", "citizen", "confirmed", aug15, seated=True)
    db.session.commit()

    _attend(c1, 0, {**{f"p{i}": "present" for i in range(1, 9)}, "p9": "excused", "p10": "absent"})
    _attend(
        c1,
        1,
        {
            **{f"p{i}": "present" for i in range(1, 7)},
            "p7": "excused",
            "p8": "excused",
            "p9": "absent",
            "p10": "absent",
        },
    )
    _attend(g1, 0, {p: "present" for p in ("p1", "p2", "p15", "p16", "p17")})
    db.session.commit()
    return History(school, centre, c1, g1, m1, x, draft)
