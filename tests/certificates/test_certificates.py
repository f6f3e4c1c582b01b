"""The certificate of participation: the attendance threshold, the tagged PDF in Danish and
English, and the public verification page that shows only course, period and initials."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.certificates.models import Certificate
from app.config import ConfigError
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.extensions import db
from app.models import Attendance
from app.privacy.retention import erase_enrollment
from tests.factories import add_facilitator, make_enrollment, make_offering, make_user, now
from tests.pdf_checks import pdf_languages, pdf_structure, pdf_text, pdfinfo

EMAIL = "ida@example.com"


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


def make_course(*, dates=5, ended=True, cancelled=0, **fields):
    start = now() - timedelta(days=40) if ended else now() - timedelta(days=2)
    offering = make_offering(
        title="Håb og recovery",
        title_en="Hope and recovery",
        starts=[start + timedelta(days=7 * i) for i in range(dates + cancelled)],
        **fields,
    )
    for occurrence in offering.occurrences[dates:]:
        occurrence.status = "cancelled"
    add_facilitator(offering, user=make_user(name="Pia Peersen"), role="peer")
    add_facilitator(offering, guest_name="Søren Sygeplejerske", role="professional")
    db.session.commit()
    return offering


def attend(offering, enrollment, present: int, *, absent_status="absent"):
    held = [o for o in offering.occurrences if not o.is_cancelled]
    for index, occurrence in enumerate(held):
        status = "present" if index < present else absent_status
        db.session.add(
            Attendance(enrollment_id=enrollment.id, occurrence_id=occurrence.id, status=status)
        )
    db.session.commit()


def signed_in(client, email=EMAIL):
    with client.session_transaction() as session:
        session[PARTICIPANT_SESSION_KEY] = email
    return client


def person_on(offering, present: int, **attend_fields):
    enrollment = make_enrollment(offering, status="confirmed", email=EMAIL, name="Ida Marie Æbelø")
    attend(offering, enrollment, present, **attend_fields)
    return enrollment


def ask(client, enrollment, language="da"):
    return client.post(f"/my/certificates/{enrollment.id}", data={"language": language})


@pytest.mark.parametrize(
    ("dates", "cancelled", "present", "percent", "eligible"),
    [
        (5, 0, 4, 80, True),  # exactly 80 %
        (5, 0, 3, 80, False),
        (6, 0, 4, 80, False),  # 4.8 dates needed: rounded up to 5
        (6, 0, 5, 80, True),
        (5, 2, 4, 80, True),  # cancelled dates were not held and do not count
        (5, 0, 4, 100, False),  # the share is a setting
        (5, 0, 3, 60, True),
    ],
)
def test_the_certificate_needs_the_configured_share_of_held_dates(
    app, client, dates, cancelled, present, percent, eligible
):
    offering = make_course(dates=dates, cancelled=cancelled)
    enrollment = person_on(offering, present, absent_status="excused")
    app.config["CERTIFICATE_MIN_ATTENDANCE_PERCENT"] = percent
    try:
        answer = ask(signed_in(client), enrollment)
        page = client.get("/my").get_data(as_text=True)
    finally:
        app.config["CERTIFICATE_MIN_ATTENDANCE_PERCENT"] = 80
    made = db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))
    if eligible:
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
        assert made == 1
    else:
        assert answer.status_code == 302 and made == 0
        assert "Et kursusbevis kræver, at du har været til stede" in page
        assert "Hent mit kursusbevis" not in page


def test_the_danish_pdf_is_tagged_titled_in_danish_and_says_who_what_when(client, tmp_path):
    offering = make_course()
    enrollment = person_on(offering, 5)
    page = signed_in(client).get("/my").get_data(as_text=True)
    assert f"/my/certificates/{enrollment.id}" in page and "Hent mit kursusbevis" in page

    answer = ask(client, enrollment, "da")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    assert answer.headers["Cache-Control"] == "no-store"
    pdf = answer.data
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Kursusbevis: Håb og recovery – Ida Marie Æbelø"
    assert info["Page size"].endswith("(A4)") and info["Pages"] == "1"
    assert pdf_languages(pdf) == {"da"}
    assert {"H1", "H2", "L", "LI"} <= set(
        re.findall(r"^\s*(\w+)", pdf_structure(pdf, tmp_path), re.M)
    )
    text = " ".join(pdf_text(pdf, tmp_path).split())
    code = db.session.scalar(sa.select(Certificate.code))
    for expected in (
        "Kursusbevis",
        "Ida Marie Æbelø",
        "Håb og recovery",
        "Pia Peersen (Peermedarbejder)",
        "Søren Sygeplejerske",
        "Til stede ved 5 af kursets 5 datoer",
        code,
        f"http://holdplads.test/certificates/{code}",
    ):
        assert expected in text, expected
    first = offering.occurrences[0].starts_at
    from app.i18n import local

    assert f"{local(first).day}." in text  # the dates, Danish style


def test_the_english_pdf_speaks_english_and_keeps_the_same_code(client, tmp_path):
    offering = make_course()
    enrollment = person_on(offering, 4)
    signed_in(client)
    ask(client, enrollment, "da")
    pdf = ask(client, enrollment, "en").data
    info = pdfinfo(pdf, tmp_path)
    assert info["Title"] == "Certificate of participation: Hope and recovery – Ida Marie Æbelø"
    assert info["Tagged"] == "yes"
    assert pdf_languages(pdf) == {"en"}
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "has taken part in the course" in text and "Present at 4 of the 5 dates" in text
    assert "Peer worker" in text
    codes = db.session.scalars(sa.select(Certificate.code)).all()
    assert len(codes) == 1 and codes[0] in text


def test_the_verification_page_shows_only_course_period_and_initials(app, client):
    offering = make_course()
    enrollment = person_on(offering, 5)
    ask(signed_in(client), enrollment)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    visitor = app.test_client()
    page = visitor.get(f"/certificates/{certificate.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kursusbeviset er ægte" in html
    assert "Håb og recovery" in html and "I. M. Æ." in html
    assert "Ida" not in html and "Æbelø" not in html and EMAIL not in html
    first, last = offering.occurrences[0].starts_at, offering.occurrences[-1].starts_at
    from app.i18n import local

    assert str(local(first).year) in html and f"{local(last).day}." in html
    # Typed from paper: lower case, spaces for dashes.
    typed = certificate.code.lower().replace("-", " ")
    assert visitor.get(f"/certificates/{typed}").status_code == 200
    assert "Hope and recovery" in visitor.get(f"/certificates/{certificate.code}?lang=en").get_data(
        as_text=True
    )


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "nope", "0000-1111-OOOO", "x" * 300])
def test_an_unknown_code_is_a_clear_404(client, code):
    answer = client.get(f"/certificates/{code}")
    assert answer.status_code == 404
    assert "Vi kender intet kursusbevis med denne kode" in answer.get_data(as_text=True)


def test_the_code_still_verifies_after_the_persons_data_is_erased(app, client):
    offering = make_course()
    enrollment = person_on(offering, 5)
    ask(signed_in(client), enrollment)
    erase_enrollment(enrollment, now=now())
    db.session.commit()
    code = db.session.scalar(sa.select(Certificate.code))
    html = app.test_client().get(f"/certificates/{code}").get_data(as_text=True)
    assert "I. M. Æ." in html


def test_only_the_person_can_ask_for_their_certificate(app, client):
    offering = make_course()
    enrollment = person_on(offering, 5)
    other = signed_in(app.test_client(), "jon@example.com")
    assert ask(other, enrollment).status_code == 404
    anonymous = app.test_client()
    assert ask(anonymous, enrollment).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_before_the_course_ends_my_page_says_when_a_certificate_comes(client):
    offering = make_course(ended=False)
    enrollment = person_on(offering, 1)
    page = signed_in(client).get("/my").get_data(as_text=True)
    assert "Når kurset er slut, kan du hente et kursusbevis her" in page
    answer = ask(client, enrollment)
    assert answer.status_code == 302
    assert "Du kan få et kursusbevis, når kurset er slut." in client.get("/my").get_data(
        as_text=True
    )


def test_groups_and_themed_meetings_have_no_certificate(client):
    offering = make_course(kind="group")
    enrollment = person_on(offering, 5)
    assert "kursusbevis" not in signed_in(client).get("/my").get_data(as_text=True).lower()
    assert ask(client, enrollment).status_code == 302


def test_the_share_setting_is_checked_at_start(monkeypatch, tmp_path):
    from app import config

    monkeypatch.setenv("CERTIFICATE_MIN_ATTENDANCE_PERCENT", "0")
    with pytest.raises(ConfigError, match="CERTIFICATE_MIN_ATTENDANCE_PERCENT"):
        config.from_env(str(tmp_path))
    monkeypatch.setenv("CERTIFICATE_MIN_ATTENDANCE_PERCENT", "75")
    assert config.from_env(str(tmp_path))["CERTIFICATE_MIN_ATTENDANCE_PERCENT"] == 75
