"""The term prospectus: what it lists and how, both languages, the short link, and the PDF."""

from __future__ import annotations

import re

import pytest
import segno

from tests.pdf_checks import pdf_languages, pdf_structure, pdf_text, pdfinfo
from tests.prospectus.helpers import make_term


@pytest.fixture
def term():
    return make_term()


def _headings(html: str, level: int) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, re.S)
    ]


def test_the_current_term_lists_its_published_offerings_by_kind_and_theme(client, term):
    page = client.get("/prospectus")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _headings(html, 1) == ["Kursuskatalog: Efterår 2026"]
    assert _headings(html, 2)[1:] == ["Kurser", "Selvhjælpsgrupper", "Temamøder"]  # after Contents
    # Each offering once, under its first theme; those without a theme last.
    assert _headings(html, 3) == ["Søvn", "Angst", "Andre tilbud"]
    assert _headings(html, 4) == ["Godt liv med søvn", "Angstgruppen", "Temamøde om håb"]
    for hidden in ("Kladde om noget", "Aflyst kursus", "Kun aflyste datoer", "Forårskurset"):
        assert hidden not in html
    # Dates, place, audience, the short link and its QR code for each.
    assert "tirsdag den 8. december 2026, 17.00–19.00" in html
    assert "og 4 datoer mere" in html  # the group's 12 dates: 8 printed
    assert term.course.location.place_text in html
    assert "Borger, Pårørende" in html
    for offering in (term.course, term.group, term.meeting):
        assert f">holdplads.test/p/{offering.id}</a>" in html
    assert html.count('<svg role="img" aria-label="QR-kode: tilmeld dig') == 2
    # the drop-in meeting takes no sign-up: its QR code does not say "sign up" either
    assert '<svg role="img" aria-label="QR-kode: Temamøde om håb"' in html
    assert "Bare mød op – ingen tilmelding" in html  # the drop-in meeting
    assert "/prospectus.pdf?term=2026-autumn" in html


def test_the_qr_code_holds_the_short_link(client, term):
    html = client.get("/prospectus").get_data(as_text=True)
    url = f"http://holdplads.test/p/{term.course.id}"
    expected = segno.make(url, error="m").svg_inline(scale=3, svgclass="qr", lineclass=None)
    path = re.search(r'<path[^>]*d="([^"]+)"', expected).group(1)
    assert path in html


def test_another_term_by_its_name(client, term):
    html = client.get("/prospectus?term=2027-spring").get_data(as_text=True)
    assert _headings(html, 1) == ["Kursuskatalog: Forår 2027"]
    assert _headings(html, 4) == ["Forårskurset"]
    empty = client.get("/prospectus?term=2030-autumn").get_data(as_text=True)
    assert "Der er endnu ikke offentliggjort tilbud for dette semester." in empty


@pytest.mark.parametrize("asked", ["2027-winter", "2027", "2027-q1", "x" * 500, "2099999-spring"])
def test_an_unknown_term_gets_a_clear_message(client, asked):
    answer = client.get(f"/prospectus?term={asked}")
    assert answer.status_code == 400
    assert "Skriv semestret som et år og forår eller efterår" in answer.get_data(as_text=True)
    assert client.get(f"/prospectus.pdf?term={asked}").status_code == 400


def test_the_prospectus_in_english(client, term):
    html = client.get("/prospectus?lang=en").get_data(as_text=True)
    assert _headings(html, 1) == ["Prospectus: Autumn 2026"]
    assert _headings(html, 2)[1:] == ["Courses", "Self-help groups", "Themed meetings"]
    assert _headings(html, 3) == ["Sleep", "Anxiety", "Other offerings"]
    assert "A good life with sleep" in html and "On sleep and everyday life" in html
    assert 'lang="da">Angstgruppen' in html  # no English title: marked as Danish
    assert "Tuesday, December 8, 2026, 17:00–19:00" in html
    assert "and 4 more dates" in html


def test_the_short_link_opens_the_sign_up_page(client, term):
    answer = client.get(f"/p/{term.course.id}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/offerings/{term.course.slug}/enroll")
    drop_in = client.get(f"/p/{term.meeting.id}")
    assert drop_in.headers["Location"].endswith(f"/offerings/{term.meeting.slug}")
    assert client.get(f"/p/{term.draft.id}").status_code == 404
    assert client.get("/p/999999").status_code == 404


@pytest.mark.parametrize(
    ("language", "title", "heading"),
    [
        ("da", "Kursuskatalog: Efterår 2026 – Holdplads", "Selvhjælpsgrupper"),
        ("en", "Prospectus: Autumn 2026 – Holdplads", "Self-help groups"),
    ],
)
def test_the_pdf_is_the_same_booklet_tagged_with_title_and_language(
    client, term, tmp_path, language, title, heading
):
    answer = client.get(f"/prospectus.pdf?lang={language}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    pdf = answer.data
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    assert info["Page size"].endswith("(A4)")
    assert int(info["Pages"]) >= 4  # the cover, then each kind from a new page
    assert pdf_languages(pdf) == {language}
    tags = set(re.findall(r"^\s*(\w+)", pdf_structure(pdf, tmp_path), re.M))
    assert {"H1", "H2", "H3", "H4", "L", "LI"} <= tags
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert heading in text and "Angstgruppen" in text
    assert f"holdplads.test/p/{term.group.id}" in text
    assert "Kladde om noget" not in text


def test_the_pdf_is_drawn_once_and_kept_until_something_changes(app, client, term, monkeypatch):
    from app import page_cache
    from app.prospectus import routes

    # Cached pages are keyed by the minute too; drawing a PDF on a slow CI machine can take long
    # enough to cross into the next minute, which is not what this test is about.
    monkeypatch.setattr(
        page_cache, "page_key", lambda marker, language, path: f"{marker}|{language}|0|{path}"
    )
    drawn = []
    real = routes.html_to_pdf

    def counting(html, **kwargs):
        drawn.append(1)
        return real(html, **kwargs)

    monkeypatch.setattr(routes, "html_to_pdf", counting)
    first = client.get("/prospectus.pdf?term=2026-autumn")
    again = client.get("/prospectus.pdf?term=2026-autumn")
    assert first.data == again.data and len(drawn) == 1
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert (
        client.get(
            "/prospectus.pdf?term=2026-autumn", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    term.course.title = "Et nyt navn"
    from app.extensions import db

    db.session.commit()
    assert b"Et nyt navn" not in again.data
    client.get("/prospectus.pdf?term=2026-autumn")
    assert len(drawn) == 2


def _entry(html: str, title: str) -> str:
    return html.split(f">{title}</h4>", 1)[1].split("</article>", 1)[0]


def test_a_course_across_the_term_boundary_says_so_and_a_begun_one_is_not_offered(client, term):
    from datetime import timedelta

    from app.extensions import db
    from tests.factories import make_offering, now
    from tests.prospectus.helpers import AUTUMN

    across = make_offering(
        title="Drømme om job", starts=[AUTUMN, AUTUMN + timedelta(days=28)]
    )  # 8 December and 5 January
    begun = make_offering(
        title="Recovery fra start", starts=[now() - timedelta(days=7), now() + timedelta(days=42)]
    )
    db.session.commit()
    autumn = client.get("/prospectus").get_data(as_text=True)
    entry = _entry(autumn, "Drømme om job")
    assert "tirsdag den 8. december 2026" in entry
    assert "Fortsætter i Forår 2027: sidste gang tirsdag den 5. januar 2027" in entry
    assert "<dt>Tilmeld dig</dt>" in entry
    spring = client.get("/prospectus?term=2027-spring").get_data(as_text=True)
    entry = _entry(spring, "Drømme om job")
    assert "Fortsætter fra Efterår 2026: første gang tirsdag den 8. december 2026" in entry
    assert "tirsdag den 5. januar 2027" in entry
    # begun a week ago, sign-up closed when it began: no "Tilmeld dig", in either term
    for html in (autumn, spring):
        entry = _entry(html, "Recovery fra start")
        assert "<dt>Tilmeld dig</dt>" not in entry and "<dt>Tilmeldingen er lukket</dt>" in entry
        assert 'aria-label="QR-kode: Recovery fra start"' in entry
        assert "tilmeld dig Recovery fra start" not in entry
    assert begun.id and across.id
