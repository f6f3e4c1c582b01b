"""Danish as a Danish reader would write it (issue 12, defect 13).

The people who run a group are "tovholdere" everywhere in Danish: not "facilitatorer", not
"undervisere". And "de, der står for det" is the subject of a sentence, never "dem, der".
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from app.enrollment.tokens import manage_token
from tests.factories import add_facilitator, make_enrollment, make_offering

CATALOGUE = Path(__file__).resolve().parent.parent / "app/translations/da/LC_MESSAGES/messages.po"

# The teaching itself ("undervises", "undervisningssprog") is not a name for a person.
FACILITATOR_WORDS = re.compile(r"facilitator|underviser(e|en|ne)?\b", re.IGNORECASE)
# "Dem, der står for det, ved …" and "så ved dem, der …": the subject is "de", not "dem".
DEM_AS_SUBJECT = re.compile(r"(^|[.!?:] |så ved )[Dd]em, der")


def _danish_texts() -> list[str]:
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="da")
    texts = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend(s for s in strings if s)
    return texts


def test_the_danish_catalogue_calls_those_who_run_a_group_tovholdere():
    texts = _danish_texts()
    assert [t for t in texts if FACILITATOR_WORDS.search(t)] == []
    assert "Tovholdere" in texts and "Hvem står for det" in texts


def test_the_danish_catalogue_never_makes_dem_the_subject():
    assert [t for t in _danish_texts() if DEM_AS_SUBJECT.search(t)] == []


def test_the_offering_page_asks_who_runs_it_the_same_way_for_every_kind(client):
    for kind, heading in (
        ("course", "Hvem står for kurset"),
        ("group", "Hvem står for gruppen"),
        ("meeting", "Hvem står for mødet"),
    ):
        offering = make_offering(kind=kind)
        add_facilitator(offering, guest_name="Mette Lund")
        page = client.get(f"/offerings/{offering.slug}?lang=da").text
        assert f'<h2 id="facilitators-heading">{heading}</h2>' in page, kind
        words = re.sub(r"<[^>]+>", " ", page)
        assert not FACILITATOR_WORDS.search(words), kind


def test_sending_word_says_the_people_who_run_it_are_told(app, client):
    offering = make_offering(kind="group")
    enrollment = make_enrollment(offering)
    with app.app_context():
        token = manage_token(enrollment)
    page = client.get(f"/enrollments/{token}?lang=da").text
    assert "Meld afbud med ét tryk, så får de, der står for det, besked." in page
    assert "ved dem" not in page


def test_keeping_a_sign_up_is_den_and_keeping_ones_data_is_dem(app, client):
    enrollment = make_enrollment(make_offering())
    with app.app_context():
        token = manage_token(enrollment)
    assert "Nej, behold den" in client.get(f"/enrollments/{token}/cancel?lang=da").text
    delete = client.get(f"/enrollments/{token}/delete-data?lang=da").text
    assert "Nej, behold dem" in delete and "Nej, behold den" not in delete
    english = client.get(f"/enrollments/{token}/delete-data?lang=en").text
    assert "No, keep my data" in english
