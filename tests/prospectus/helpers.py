"""A term with a bit of everything: kinds, themes, a long weekly group, and what must not show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Offering
from tests.factories import make_offering, make_theme

# The current term on 2026-12-01 is autumn 2026 (August–December).
AUTUMN = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
SPRING = datetime(2027, 2, 2, 16, 0, tzinfo=UTC)


@dataclass
class Term:
    course: Offering
    group: Offering
    meeting: Offering
    draft: Offering
    cancelled: Offering
    only_cancelled_dates: Offering
    spring_course: Offering


def make_term() -> Term:
    sleep = make_theme("soevn", "Søvn", "Sleep")
    anxiety = make_theme("angst", "Angst", "Anxiety")
    course = make_offering(
        title="Godt liv med søvn",
        title_en="A good life with sleep",
        summary="Om søvn og hverdag",
        summary_en="On sleep and everyday life",
        themes=[sleep],
        starts=[AUTUMN, AUTUMN + timedelta(days=7)],
        audiences=("citizen", "relative"),
    )
    group = make_offering(
        title="Angstgruppen",
        kind="group",
        themes=[anxiety, sleep],
        starts=[AUTUMN - timedelta(days=7 * i) for i in range(12)],
    )
    meeting = make_offering(
        title="Temamøde om håb", kind="meeting", enrolment_mode="drop_in", capacity=None
    )
    meeting.occurrences[0].starts_at = AUTUMN + timedelta(days=2)
    meeting.occurrences[0].ends_at = AUTUMN + timedelta(days=2, hours=2)
    draft = make_offering(title="Kladde om noget", status="draft", starts=[AUTUMN])
    cancelled = make_offering(title="Aflyst kursus", status="cancelled", starts=[AUTUMN])
    only_cancelled = make_offering(title="Kun aflyste datoer", starts=[AUTUMN])
    only_cancelled.occurrences[0].status = "cancelled"
    spring_course = make_offering(title="Forårskurset", starts=[SPRING])
    db.session.commit()
    return Term(course, group, meeting, draft, cancelled, only_cancelled, spring_course)
