"""Enum columns: the database allows exactly the enum's values, and each value has one label."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    Attendance,
    Audience,
    EnrollmentStatus,
    LabelledEnum,
    Offering,
    OfferingAudience,
)
from tests.conftest import ROOT
from tests.factories import make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as


def _enum_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.enum_class is not None:
                yield table.name, column.name, column.type.enum_class


def test_every_enum_column_is_checked_by_the_database_for_exactly_its_values(db_session):
    """A new enum value without a migration that widens the CHECK fails here."""
    inspector = sa.inspect(db_session.connection())
    columns = list(_enum_columns())
    assert len(columns) == 16  # the group suggestions, the SMS outbox, the first talk, notices
    for table, column, enum_class in columns:
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        sqltext = checks[f"ck_{table}_{column}"]
        assert set(re.findall(r"'([^']*)'", sqltext)) == {m.value for m in enum_class}


def test_the_database_refuses_a_value_the_enum_lacks(db_session):
    offering = make_offering()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(
            sa.text("UPDATE offerings SET kind = 'lecture' WHERE id = :id"), {"id": offering.id}
        )


def test_one_active_enrollment_per_person_follows_active_enrollment_statuses(db_session):
    for status in EnrollmentStatus:
        offering = make_offering()
        make_enrollment(offering, status=status, email="same@example.com")
        if status in ACTIVE_ENROLLMENT_STATUSES:
            with pytest.raises(IntegrityError), db_session.begin_nested():
                make_enrollment(offering, email="same@example.com", commit=False)
        else:
            make_enrollment(offering, email="same@example.com")


def test_enum_columns_hold_members_as_soon_as_they_are_set():
    offering = Offering(kind="group", status="published")
    assert offering.kind.label == "Self-help group"
    assert offering.status.label == "Published"
    with pytest.raises(ValueError):
        offering.kind = "lecture"


def test_every_enum_value_has_a_danish_label(app):
    with open(ROOT / "app/translations/da/LC_MESSAGES/messages.po", "rb") as po:
        danish = {m.id: m.string for m in read_po(po) if m.id}
    enums = LabelledEnum.__subclasses__()
    assert len(enums) >= 10
    for enum_class in enums:
        for member in enum_class:
            for text in {member.label, member.plural}:
                assert danish.get(text._args[0]), member
    with app.test_request_context("/"), force_locale("da"):
        assert str(Audience.STAFF.label) == "Medarbejder"


def _staff_views(client, w) -> tuple[str, dict[str, str]]:
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants").text
    raw = client.get(f"/manage/offerings/{w.offering.id}/participants.csv").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    return page, {row[0]: row[3] for row in rows[1:]}


def test_an_audience_reads_the_same_on_every_screen(client):
    """Sign-up form, catalogue, offering page, staff list and CSV: one label each."""
    w = make_world()
    labels = {"citizen": "Borger", "relative": "Pårørende", "staff": "Medarbejder"}
    w.offering.audience_rows = [OfferingAudience(audience=a) for a in labels]
    w.confirmed.audience = Audience.STAFF
    db.session.commit()

    signup = client.get(f"/offerings/{w.offering.slug}/enroll").text
    offering_page = client.get(f"/offerings/{w.offering.slug}").text
    catalogue = client.get("/").text
    for label in labels.values():
        assert f"> {label}</label>" in signup or f">{label}</label>" in signup, label
    assert "Borger, Pårørende, Medarbejder" in offering_page
    assert "Borger, Pårørende, Medarbejder" in catalogue
    assert '<option value="staff" >Medarbejder</option>' in catalogue.replace("  ", " ")
    page, csv_cells = _staff_views(client, w)
    assert "Medarbejder ·" in page
    assert csv_cells["Anna Andersen"] == "Medarbejder"
    assert csv_cells["Bo Berg"] == "Borger"


def test_the_attendance_sheet_reads_each_mark_by_its_label(client):
    w = make_world()
    db.session.add(
        Attendance(enrollment_id=w.confirmed.id, occurrence_id=w.occurrence.id, status="present")
    )
    db.session.commit()
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/attendance-sheet").text
    assert '✓<span class="visually-hidden"> Til stede</span>' in page
