"""Offerings after the outside probe: a copy carries no private join link to someone who could
not see it, and a co-organiser cannot take an offering over. Issue 11, findings 13 and 14.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Offering
from tests.management.helpers import make_staff, make_world, sign_in_as
from tests.management.test_offerings import _edit_data

JOIN = "https://meet.example.org/privat-rum-7f3k"


def _copy_of(offering: Offering) -> Offering:
    return db.session.scalars(
        sa.select(Offering).where(Offering.id != offering.id).order_by(Offering.id.desc())
    ).first()


def test_a_colleague_who_cannot_edit_the_original_gets_a_copy_without_its_join_link(client):
    w = make_world()
    w.offering.is_online = True
    w.offering.online_join_url = JOIN
    db.session.commit()
    colleague = make_staff("peer_worker", w.school)  # sees the course, does not run it
    sign_in_as(client, colleague)
    response = client.post(f"/manage/offerings/{w.offering.id}/duplicate")
    assert response.status_code == 302
    copy = _copy_of(w.offering)
    assert copy.created_by_id == colleague.id
    assert copy.online_join_url is None
    assert JOIN not in client.get(f"/manage/offerings/{copy.id}/edit").text


def test_the_facilitator_who_may_edit_keeps_the_join_link_in_the_copy(client):
    w = make_world()
    w.offering.is_online = True
    w.offering.online_join_url = JOIN
    db.session.commit()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/offerings/{w.offering.id}/duplicate").status_code == 302
    assert _copy_of(w.offering).online_join_url == JOIN


def _co_organised(w):
    w.offering.co_organisers.append(w.centre)
    db.session.commit()


def test_co_organiser_staff_cannot_make_their_organisation_the_owner(client):
    w = make_world()
    _co_organised(w)
    sign_in_as(client, w.volunteer_staff)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(w.offering, organisation_id=str(w.centre.id), co_organisers=[]),
    )
    assert response.status_code == 403
    db.session.expire_all()
    offering = db.session.get(Offering, w.offering.id)
    assert offering.organisation_id == w.school.id
    assert w.centre in offering.co_organisers


def test_co_organiser_staff_no_longer_edit_the_offering_itself(client):
    """Issue 12: the owning organisation's staff edit; a co-organiser's staff see it only."""
    w = make_world()
    _co_organised(w)
    sign_in_as(client, w.volunteer_staff)
    assert client.get(f"/manage/offerings/{w.offering.id}/edit").status_code == 403
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(
            w.offering, title="Håb og recovery i fællesskab", co_organisers=[str(w.centre.id)]
        ),
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).title == "Håb og recovery"


def test_admin_may_change_the_owner(client):
    w = make_world()
    _co_organised(w)
    sign_in_as(client, w.admin)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(w.offering, organisation_id=str(w.centre.id), co_organisers=[]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).organisation_id == w.centre.id
