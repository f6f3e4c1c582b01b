"""No participant enumeration (issue 11, finding 1) and nothing secret left behind on a shared
computer (finding 12).

Whether an address is already signed up (health information, for a course like "Angst i
hverdagen") must not show in the answer: the same page, the same status code, the same work
(so near enough the same time). The mail tells the person the rest.
"""

from __future__ import annotations

import contextlib
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.kinds import MailKind
from app.models import Enrollment
from tests.enrollment.helpers import form_data, outbox, statuses
from tests.factories import make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as


@contextlib.contextmanager
def _statements(app):
    """Count the SQL statements run inside the block (a deterministic stand-in for time)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _sign_up(app, offering, **fields):
    client = app.test_client()  # a fresh browser each time: nothing carried over
    with _statements(app) as seen:
        first = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(**fields))
    page = client.get(first.headers["Location"])
    first.work = len(seen)
    return first, page


def test_sign_up_answer_is_the_same_for_a_new_and_an_already_signed_up_address(app):
    offering = make_offering(title="Angst i hverdagen", capacity=1)
    new_post, new_page = _sign_up(app, offering, email="signe@example.com")
    again_post, again_page = _sign_up(app, offering, email="Signe@Example.com")
    full_post, full_page = _sign_up(app, offering, email="bo@example.com")  # waiting list
    assert new_post.status_code == again_post.status_code == full_post.status_code == 302
    assert new_post.headers["Location"] == again_post.headers["Location"]
    assert new_page.status_code == again_page.status_code == full_page.status_code == 200
    assert new_page.text == again_page.text == full_page.text
    # The same work (so near enough the same time): lock, check, one row written, one mail.
    assert new_post.work == again_post.work
    assert "Angst i hverdagen" in new_page.text
    # The mail tells each of them where they stand.
    # (to the stored address, not the one typed the second time)
    assert [m.kind for m in outbox(to="signe@example.com")] == ["confirmed", "already_enrolled"]
    assert [m.kind for m in outbox(to="bo@example.com")] == ["waitlisted"]
    assert sorted(statuses(offering).values()) == ["confirmed", "waitlisted"]


def test_the_done_page_shows_no_manage_link_and_the_session_keeps_no_token(app):
    offering = make_offering()
    client = app.test_client()
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    with client.session_transaction() as session:
        kept = dict(session)
    assert all("token" not in str(value) for value in kept.values()), kept
    page = client.get(f"/offerings/{offering.slug}/enroll/done")
    assert "/enrollments/" not in page.text
    assert "/enrollments/" in outbox("confirmed")[0].body_text  # the link is in the mail


def _ask_for_my_link(app, email):
    client = app.test_client()
    with _statements(app) as seen:
        response = client.post("/my", data={"email": email})
    return response, len(seen)


def test_my_bookings_link_request_is_the_same_for_known_and_unknown_addresses(app):
    offering = make_offering()
    make_enrollment(offering, email="kendt@example.com")
    known, known_work = _ask_for_my_link(app, "kendt@example.com")
    unknown, unknown_work = _ask_for_my_link(app, "ukendt@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("kendt@", "X@") == unknown.text.replace("ukendt@", "X@")
    assert known_work == unknown_work
    assert len(outbox(MailKind.SIGN_IN, to="kendt@example.com")) == 1
    assert len(outbox(MailKind.SIGN_IN, to="ukendt@example.com")) == 1


def _without_csrf(page: str) -> str:
    return re.sub(r'value="[\w-]+\.[\w-]+\.[\w-]+"', 'value="csrf"', page)


def _ask_for_reset(app, email):
    client = app.test_client()
    with _statements(app) as seen:
        response = client.post("/manage/password/forgot", data={"email": email})
    page = client.get(response.headers["Location"])
    return response, page, len(seen)


def test_staff_reset_request_is_the_same_for_known_and_unknown_addresses(app):
    w = make_world()
    known, known_page, known_work = _ask_for_reset(app, w.peer.email)
    unknown, unknown_page, unknown_work = _ask_for_reset(app, "ukendt@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert _without_csrf(known_page.text) == _without_csrf(unknown_page.text)
    # One mail either way; the account's reset token is the only extra row.
    assert len(outbox(MailKind.PASSWORD_RESET, to=w.peer.email)) == 1
    assert len(outbox(MailKind.PASSWORD_RESET_UNKNOWN, to="ukendt@example.com")) == 1
    assert abs(known_work - unknown_work) <= 1


@pytest.mark.parametrize("who", ["token", "signed_in"])
def test_the_manage_page_is_never_stored(client, who):
    offering = make_offering()
    client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    if who == "token":
        url = re.search(r"/enrollments/[A-Za-z0-9_-]+", outbox("confirmed")[0].body_text)[0]
    else:
        enrollment_id = db.session.scalar(
            sa.select(Enrollment.id).where(Enrollment.offering_id == offering.id)
        )
        with client.session_transaction() as session:
            session["participant_email"] = "deltager1@example.com"
        url = f"/my/enrollments/{enrollment_id}"
        assert "no-store" in client.get("/my").headers["Cache-Control"]
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_staff_pages_with_participant_data_are_never_stored(client):
    w = make_world()
    sign_in_as(client, w.peer)
    for url in (
        f"/manage/offerings/{w.offering.id}/participants",
        f"/manage/offerings/{w.offering.id}/attendance-sheet",
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        f"/manage/offerings/{w.offering.id}",
        "/manage/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
