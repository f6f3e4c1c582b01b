"""The page cache answers repeat visits without rendering, and is never stale."""

from __future__ import annotations

from tests.catalogue.test_query_count import count_queries
from tests.factories import make_enrollment, make_offering


def test_repeat_visit_is_answered_whole_with_every_header(app, client):
    url = f"/offerings/{make_offering(title='Gentaget besøg', capacity=4).slug}"
    first = client.get(url)
    with count_queries(app) as statements:
        again = client.get(url)
    assert len(statements) == 1  # the change marker, nothing else
    assert again.data == first.data
    for header in ("Content-Security-Policy", "ETag", "Referrer-Policy", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.data == b""


def test_a_change_is_seen_at_once(client):
    offering = make_offering(title="Ændres", capacity=4)
    assert "4 ledige pladser" in client.get(f"/offerings/{offering.slug}").text
    make_enrollment(offering)
    assert "3 ledige pladser" in client.get(f"/offerings/{offering.slug}").text


def test_each_language_has_its_own_answer(client):
    offering = make_offering(title="Dansk titel", title_en="English title")
    url = f"/offerings/{offering.slug}"
    assert "Dansk titel" in client.get(url).text
    assert "English title" in client.get(url, headers={"Accept-Language": "en"}).text
    assert "Dansk titel" in client.get(url).text
    english = client.get(url + "?lang=en")  # sets the cookie: answered by Flask
    assert "lang=en" in english.headers["Set-Cookie"]
    assert "English title" in client.get(url).text  # the cookie now decides


def test_visitors_with_a_session_never_get_a_shared_answer(client):
    offering = make_offering(title="Personlig side")
    url = f"/offerings/{offering.slug}"
    client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Tak for din tilmelding")]
    page = client.get(url).text
    assert "Tak for din tilmelding" in page
    assert "Tak for din tilmelding" not in client.get(url).text
