"""My learning plan: only the person reads it, it is encrypted at rest, and it goes with
their data (export, erasure, retention); the key can be rotated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from app.config import ConfigError
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.extensions import db
from app.learning import services
from app.learning.models import LearningPlan
from app.models import UserRole
from app.privacy.retention import RetentionRules, erase_enrollment, run_retention
from tests.factories import make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as, with_volunteer_leader

SECRET_GOAL = "Jeg vil turde tage bussen alene igen"
SECRET_NOTE = "Søvnen er bedre efter anden mødegang"


def _sign_in_participant(client, email: str) -> None:
    with client.session_transaction() as session:
        session[PARTICIPANT_SESSION_KEY] = email


def _url(offering) -> str:
    return f"/my/learning-plan/{offering.id}"


def _write(client, offering, goals=SECRET_GOAL, notes=SECRET_NOTE, **extra):
    return client.post(_url(offering), data={"goals": goals, "notes": notes, **extra})


@pytest.fixture(autouse=True)
def _app_context(app):
    """The services read the keys from the app's settings."""
    with app.app_context():
        yield


WORLD_ATTRIBUTE = {"peer_worker": "peer", "volunteer_leader": "leader"}


@pytest.fixture
def course_and_person(client):
    offering = make_offering(title="Håb og recovery")
    enrollment = make_enrollment(offering, status="confirmed", email="ida@example.com")
    _sign_in_participant(client, "ida@example.com")
    return offering, enrollment


def test_the_person_finds_their_plan_in_my_and_keeps_goals_and_notes(client, course_and_person):
    offering, _ = course_and_person
    my = client.get("/my").get_data(as_text=True)
    assert _url(offering) in my
    assert "Min læringsplan" in my

    saved = _write(client, offering)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert SECRET_GOAL in html and SECRET_NOTE in html
    assert "Din læringsplan er gemt." in html
    assert page.headers["Cache-Control"] == "no-store"

    english = client.get(_url(offering) + "?lang=en").get_data(as_text=True)
    assert "My learning plan" in english and "Only you can read it" in english


def test_the_plan_is_encrypted_in_the_database(app, client, course_and_person):
    offering, _ = course_and_person
    _write(client, offering)
    raw = db.session.execute(sa.text("SELECT content_encrypted FROM learning_plans")).scalar_one()
    for plaintext in (SECRET_GOAL, SECRET_NOTE, "bussen", "Søvnen", "goals"):
        assert plaintext not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    key = Fernet(app.config["LEARNING_PLAN_KEYS"][0].encode())
    assert SECRET_GOAL in key.decrypt(raw.encode()).decode()


@pytest.mark.parametrize("role", [role.value for role in UserRole])
def test_no_staff_role_can_read_a_plan(app, role):
    # the peer worker runs the course, with a volunteer leader named on it too
    world = with_volunteer_leader(make_world())
    owner = app.test_client()
    _sign_in_participant(owner, world.confirmed.email_normalized)
    assert _write(owner, world.offering).status_code == 302

    staff = app.test_client()
    sign_in_as(staff, world.by_role(WORLD_ATTRIBUTE.get(role, role)))
    answer = staff.get(_url(world.offering))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/my")
    assert SECRET_GOAL not in staff.get("/my").get_data(as_text=True)
    # Nor does any staff page about the course show it, the facilitator's included.
    o, occ = world.offering.id, world.occurrence.id
    for url in (
        f"/manage/offerings/{o}",
        f"/manage/offerings/{o}/participants",
        f"/manage/offerings/{o}/participants.csv",
        f"/manage/offerings/{o}/attendance-sheet",
        f"/manage/occurrences/{occ}/attendance",
        "/manage/audit",
    ):
        shown = staff.get(url)
        if role != "volunteer_staff" and url != "/manage/audit" or role == "admin":
            assert shown.status_code == 200, url  # the page is there, and shows no plan
        body = shown.get_data(as_text=True)
        assert SECRET_GOAL not in body and SECRET_NOTE not in body, url
    # No URL in the whole app outside /my/learning-plan reads the table.
    rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("learning.")]
    assert rules == ["/my/learning-plan/<int:offering_id>"]


def test_another_participant_cannot_read_or_overwrite_a_plan(app, client, course_and_person):
    offering, _ = course_and_person
    _write(client, offering)
    classmate = app.test_client()
    make_enrollment(offering, status="confirmed", email="jon@example.com")
    _sign_in_participant(classmate, "jon@example.com")
    page = classmate.get(_url(offering)).get_data(as_text=True)
    assert SECRET_GOAL not in page and SECRET_NOTE not in page
    _write(classmate, offering, goals="Jons mål", notes="")
    assert services.read_plan("ida@example.com", offering.id).goals == SECRET_GOAL

    stranger = app.test_client()
    _sign_in_participant(stranger, "nobody@example.com")
    assert stranger.get(_url(offering)).status_code == 404
    assert _write(stranger, offering).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 2


def test_without_signing_in_the_page_asks_for_the_sign_in_link(app, course_and_person):
    offering, _ = course_and_person
    anonymous = app.test_client()
    answer = anonymous.get(_url(offering))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/my")
    assert _write(anonymous, offering).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0


@pytest.mark.parametrize(
    ("kind", "status"), [("course", "waitlisted"), ("course", "requested"), ("group", "confirmed")]
)
def test_a_plan_is_for_a_course_one_has_a_seat_on(client, kind, status):
    offering = make_offering(kind=kind)
    make_enrollment(offering, status=status, email="ida@example.com")
    _sign_in_participant(client, "ida@example.com")
    assert client.get(_url(offering)).status_code == 404
    assert _url(offering) not in client.get("/my").get_data(as_text=True)


def test_too_long_text_gets_a_message_and_keeps_what_was_typed(client, course_and_person):
    offering, _ = course_and_person
    answer = _write(client, offering, goals="x" * (services.GOALS_MAX + 1))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Skriv venligst under 5000 tegn." in html
    assert SECRET_NOTE in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0


def test_emptying_both_fields_deletes_the_plan(client, course_and_person):
    offering, _ = course_and_person
    _write(client, offering)
    _write(client, offering, goals="  ", notes="")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0


def test_my_data_download_holds_the_plan_and_deleting_my_data_removes_it(client, course_and_person):
    offering, enrollment = course_and_person
    _write(client, offering)
    download = client.get("/my/data.json").get_json()
    assert [
        (p["course"], p["offering_id"], p["goals"], p["notes"]) for p in download["learning_plans"]
    ] == [("Håb og recovery", offering.id, SECRET_GOAL, SECRET_NOTE)]
    # A manage link may be forwarded: its download says a plan exists and where to read it,
    # never what it says (only the person signed in at /my reads it).
    from app.enrollment.tokens import manage_token

    token = manage_token(enrollment)
    one = client.get(f"/enrollments/{token}/data.json")
    [plan] = one.get_json()["learning_plans"]
    assert plan["course"] == "Håb og recovery" and "goals" not in plan and "notes" not in plan
    assert plan["read_it_signed_in_at"].endswith(_url(offering))
    assert SECRET_GOAL not in one.text and SECRET_NOTE not in one.text

    assert client.post("/my/data/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0
    assert services.export_plans("ida@example.com") == []


def test_deleting_one_sign_ups_data_removes_that_courses_plan_only(app, client):
    first, second = make_offering(title="Første"), make_offering(title="Andet")
    enrollment = make_enrollment(first, status="confirmed", email="ida@example.com")
    make_enrollment(second, status="confirmed", email="ida@example.com")
    _sign_in_participant(client, "ida@example.com")
    _write(client, first)
    _write(client, second, goals="Mit andet mål")
    from app.enrollment.tokens import manage_token

    assert client.post(f"/enrollments/{manage_token(enrollment)}/delete-data").status_code == 302
    left = services.export_plans("ida@example.com")
    assert [p["goals"] for p in left] == ["Mit andet mål"]
    assert services.erase_plans("ida@example.com") == 1


def test_erasing_the_enrollment_erases_its_plan_but_not_while_another_seat_remains(
    client, course_and_person
):
    offering, enrollment = course_and_person
    _write(client, offering)
    earlier = make_enrollment(offering, status="cancelled", email="ida@example.com")
    erase_enrollment(earlier, now=datetime.now(UTC))
    assert services.read_plan("ida@example.com", offering.id).goals == SECRET_GOAL
    erase_enrollment(enrollment, now=datetime.now(UTC))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0


def test_retention_erases_the_plan_with_the_rest_of_the_data(client, course_and_person):
    offering, _ = course_and_person
    _write(client, offering)
    other = make_offering()
    make_enrollment(other, status="confirmed", email="ida@example.com")
    _write(client, other, goals="Et andet mål")
    rules = RetentionRules(after_last_date=30, after_ended=30, mail_after_delivery=7)
    offering.retention_days = 1  # this course's data goes first
    db.session.commit()
    run_retention(rules, as_of=datetime.now(UTC) + timedelta(days=10))
    plans = db.session.scalars(sa.select(LearningPlan)).all()
    assert [plan.offering_id for plan in plans] == [other.id]


def test_key_rotation_re_encrypts_every_plan_with_the_newest_key(
    app, client, runner, course_and_person
):
    offering, _ = course_and_person
    old_keys = app.config["LEARNING_PLAN_KEYS"]
    new_key = Fernet.generate_key().decode()
    try:
        _write(client, offering)
        app.config["LEARNING_PLAN_KEYS"] = [new_key, *old_keys]
        result = runner.invoke(args=["rotate-learning-plan-key"])
        assert "learning plans re-encrypted: 1" in result.output
        app.config["LEARNING_PLAN_KEYS"] = [new_key]  # the old key is removed
        assert SECRET_GOAL in client.get(_url(offering)).get_data(as_text=True)
        app.config["LEARNING_PLAN_KEYS"] = old_keys  # a plan the configured keys cannot open
        answer = client.get(_url(offering))
        assert answer.status_code == 503
        assert "kan ikke åbnes lige nu" in answer.get_data(as_text=True)
    finally:
        app.config["LEARNING_PLAN_KEYS"] = old_keys


def test_production_without_learning_plan_keys_refuses_with_a_clear_message(monkeypatch, tmp_path):
    from app import config

    monkeypatch.setenv("HOLDPLADS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("LEARNING_PLAN_KEYS", raising=False)
    with pytest.raises(ConfigError, match="LEARNING_PLAN_KEYS"):
        config.from_env(str(tmp_path))
    monkeypatch.setenv("LEARNING_PLAN_KEYS", "not-a-key")
    with pytest.raises(ConfigError, match="not a Fernet key"):
        config.from_env(str(tmp_path))
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("LEARNING_PLAN_KEYS", f"{new}, {old}")
    assert config.from_env(str(tmp_path))["LEARNING_PLAN_KEYS"] == [new, old]


def test_the_manage_link_data_page_lists_the_plan_but_never_its_words(client, course_and_person):
    offering, enrollment = course_and_person
    _write(client, offering)
    from app.enrollment.tokens import manage_token

    token = manage_token(enrollment)
    with client.session_transaction() as session:
        session.clear()  # someone the link was forwarded to
    for language, label, where in [
        ("da", "<li>Læringsplaner: 1</li>", "så den viser ikke din læringsplan"),
        ("en", "<li>Learning plans: 1</li>", "so it does not show your learning plan"),
    ]:
        page = client.get(f"/enrollments/{token}/data?lang={language}").text
        assert label in page and where in page and 'href="/my"' in page
        assert SECRET_GOAL not in page and SECRET_NOTE not in page
    assert SECRET_GOAL not in client.get(f"/enrollments/{token}/data.json").text
    assert client.get(_url(offering)).status_code == 302  # the plan itself asks for sign-in


def test_both_delete_confirmations_say_the_plan_goes_too(client, course_and_person):
    offering, enrollment = course_and_person
    from app.enrollment.tokens import manage_token

    token = manage_token(enrollment)
    assert "læringsplan" not in client.get("/my/data/delete?lang=da").text
    _write(client, offering)
    assert "Din læringsplan bliver også slettet." in client.get("/my/data/delete?lang=da").text
    assert "Your learning plan is deleted too." in client.get("/my/data/delete?lang=en").text
    page = client.get(f"/enrollments/{token}/delete-data?lang=da").text
    assert "Din læringsplan bliver også slettet." in page
    assert client.post(f"/enrollments/{token}/delete-data").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPlan)) == 0
