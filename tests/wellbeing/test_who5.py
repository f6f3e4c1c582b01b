"""WHO-5 before and after: the switch, the question at the start, the pairing, what staff see,
and retention ending the pairing. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.enrollment.tokens import manage_token
from app.evaluations import services as evaluations
from app.extensions import db
from app.models import Attendance, AttendanceStatus, Enrollment, Offering
from app.privacy.retention import RetentionRules, run_retention
from app.wellbeing import services
from app.wellbeing.models import WellbeingAnswer, WellbeingKey
from tests.enrollment.helpers import form_data, outbox
from tests.factories import add_facilitator, make_enrollment, make_offering, now
from tests.management.helpers import make_staff, make_world, sign_in_as
from tests.management.test_offerings import _edit_data


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


EVALUATION = {"usefulness": "4", "learnt": "4", "welcome": "5", "recommend": "4", "comment": ""}


def _who5(items) -> dict:
    return {f"item{n}": str(v) for n, v in enumerate(items, start=1)}


def _course(**fields) -> Offering:
    """A WHO-5 course whose meetings are 9 and 2 days ago (so evaluations are due)."""
    fields.setdefault("who5_enabled", True)
    return make_offering(
        title="Håb og recovery",
        starts=[now() - timedelta(days=9), now() - timedelta(days=2)],
        **fields,
    )


def _came(enrollment: Enrollment) -> None:
    db.session.add(
        Attendance(
            enrollment_id=enrollment.id,
            occurrence_id=enrollment.offering.occurrences[0].id,
            status=AttendanceStatus.PRESENT,
        )
    )
    db.session.commit()


def _start(client, enrollment, items, *, expect=302):
    response = client.post(f"/enrollments/{manage_token(enrollment)}/wellbeing", data=_who5(items))
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def _evaluation_links(client_runner) -> dict[int, str]:
    """Send the evaluations; the link of each enrollment."""
    assert client_runner.invoke(args=["send-evaluations"]).exit_code == 0
    links = {}
    for message in outbox("evaluation"):
        links[message.enrollment_id] = re.search(
            r"/evaluation/[A-Za-z0-9_-]{20,}", message.body_text
        ).group(0)
    return links


def _answers() -> list[WellbeingAnswer]:
    return list(db.session.scalars(sa.select(WellbeingAnswer).order_by(WellbeingAnswer.id)))


# --- scoring -------------------------------------------------------------------------------


def test_who5_scoring_is_the_sum_of_five_items_times_four():
    assert services.raw_score([0, 0, 0, 0, 0]) == 0
    assert services.index_score([0, 0, 0, 0, 0]) == 0
    assert services.raw_score([5, 5, 5, 5, 5]) == 25
    assert services.index_score([5, 5, 5, 5, 5]) == 100
    assert services.index_score([3, 4, 2, 1, 5]) == 60
    assert services.index_score([1, 2, 1, 2, 1]) == 28
    for bad in (
        [5, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [6, 0, 0, 0, 0],
        [-1, 0, 0, 0, 0],
        [1, 2, 3, 4, None],
    ):
        with pytest.raises(services.BadAnswer):
            services.index_score(bad)


# --- the switch ----------------------------------------------------------------------------


def test_who5_is_off_by_default_and_a_staff_member_switches_it_on_in_the_editor(client):
    w = make_world()
    assert w.offering.who5_enabled is False
    sign_in_as(client, w.coordinator)
    form = client.get(f"/manage/offerings/{w.offering.id}/edit").get_data(as_text=True)
    assert "Spørg om trivsel (WHO-5) ved start og i evalueringen" in form
    assert (
        'name="who5_enabled"' in form and "checked" not in form.split('name="who5_enabled"')[1][:40]
    )

    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, who5_enabled="y")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).who5_enabled is True

    off = client.post(f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering))
    assert off.status_code == 302, off.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).who5_enabled is False


# --- the question at the start ---------------------------------------------------------------


def test_the_start_question_is_optional_asked_once_and_shows_no_score(client):
    offering = make_offering(who5_enabled=True, title="Håb og recovery")
    person = make_enrollment(offering, email="ida@example.com", name="Ida Holm")
    token = manage_token(person)

    manage = client.get(f"/enrollments/{token}").get_data(as_text=True)
    assert "Hvordan har du haft det? (frivilligt)" in manage
    assert f"/enrollments/{token}/wellbeing" in manage

    page = client.get(f"/enrollments/{token}/wellbeing")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    # The official Danish wording: the lead, the five statements, the six answers.
    for words in (
        "Trivselsindeks WHO-5",
        "I de sidste 2 uger ...",
        "... har jeg været glad og i godt humør",
        "... har jeg følt mig rolig og afslappet",
        "... har jeg følt mig aktiv og energisk",
        "... er jeg vågnet frisk og udhvilet",
        "... har min dagligdag været fyldt med ting der interesserer mig",
        "Hele tiden",
        "Det meste af tiden",
        "Lidt mere end halvdelen af tiden",
        "Lidt mindre end halvdelen af tiden",
        "Lidt af tiden",
        "På intet tidspunkt",
        "Spring spørgsmålene over",
    ):
        assert words in text, words
    english = client.get(f"/enrollments/{token}/wellbeing?lang=en").get_data(as_text=True)
    for words in (
        "WHO-5 Well-Being Index",
        "Over the last two weeks",
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
        "All of the time",
        "Most of the time",
        "More than half of the time",
        "Less than half of the time",
        "Some of the time",
        "At no time",
    ):
        assert words in english, words
    client.get("/?lang=da")

    # Three of five: refused with a message by the statements left out, nothing stored.
    partial = client.post(
        f"/enrollments/{token}/wellbeing", data={"item1": "3", "item2": "4", "item3": "2"}
    )
    assert partial.status_code == 400
    assert (
        partial.get_data(as_text=True).count("Svar på alle fem udsagn, eller på ingen af dem.") == 2
    )
    # None at all with "send": asked to answer or skip.
    empty = client.post(f"/enrollments/{token}/wellbeing", data={})
    assert empty.status_code == 400
    assert "Spring spørgsmålene over" in empty.get_data(as_text=True)
    # Out of range: refused, never a 500.
    assert (
        client.post(f"/enrollments/{token}/wellbeing", data=_who5([9, 1, 1, 1, 1])).status_code
        == 400
    )
    assert _answers() == []

    done = _start(client, person, [5, 5, 5, 5, 4])  # raw 24, index 96
    assert done.headers["Location"].endswith(f"/enrollments/{token}")
    after = client.get(f"/enrollments/{token}").get_data(as_text=True)
    assert "Tak fordi du svarede." in after
    assert "/wellbeing" not in after  # asked once
    main = after.split("<main", 1)[1].split("</main>", 1)[0]
    assert not re.search(r"\b96\b", main)  # the index is not shown back
    for word in ("WHO-5", "Trivselsindeks", "point", "score", "indeks"):
        assert word not in main
    [answer] = _answers()
    assert (answer.round, answer.offering_id) == ("start", offering.id)
    assert [answer.item1, answer.item2, answer.item3, answer.item4, answer.item5] == [5, 5, 5, 5, 4]

    # Asked once: the page now leads back, and a second answer stores nothing.
    assert client.get(f"/enrollments/{token}/wellbeing").status_code == 302
    _start(client, person, [5, 5, 5, 5, 5])
    assert len(_answers()) == 1


def test_skipping_stores_nothing_and_is_not_asked_again(client):
    offering = make_offering(who5_enabled=True)
    person = make_enrollment(offering)
    token = manage_token(person)
    response = client.post(f"/enrollments/{token}/wellbeing", data={"skip": "1", "item1": "2"})
    assert response.status_code == 302
    assert _answers() == []
    assert db.session.get(WellbeingKey, person.id).start_asked is True
    assert "/wellbeing" not in client.get(f"/enrollments/{token}").get_data(as_text=True)


def test_an_offering_without_who5_never_asks(client):
    offering = make_offering(title="Uden trivsel")
    person = make_enrollment(offering)
    token = manage_token(person)
    assert "/wellbeing" not in client.get(f"/enrollments/{token}").get_data(as_text=True)
    assert client.get(f"/enrollments/{token}/wellbeing").status_code == 302
    _start(client, person, [1, 1, 1, 1, 1])
    assert _answers() == []
    waiting = make_enrollment(make_offering(who5_enabled=True), status="waitlisted")
    assert client.get(f"/enrollments/{manage_token(waiting)}/wellbeing").status_code == 302


def test_the_confirmation_mail_and_the_done_page_tell_of_the_optional_questions(client):
    offering = make_offering(who5_enabled=True, title="Trivselskursus")
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, name="Ida Holm", email="ida@example.com"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fem korte, frivillige spørgsmål" in done
    [mail] = outbox("confirmed")
    assert "fem korte spørgsmål om, hvordan du har haft det" in mail.body_text


# --- pairing and what staff see --------------------------------------------------------------

STARTS = [[2, 2, 2, 2, 2], [3, 3, 3, 3, 3], [1, 2, 3, 4, 5], [0, 1, 0, 1, 0], [4, 4, 4, 4, 4]]
ENDS = [[3, 3, 3, 3, 3], [4, 4, 4, 4, 4], [2, 3, 4, 5, 5], [2, 2, 2, 2, 2], [4, 4, 4, 4, 5]]


def _pairs(client, runner, offering, count, *, starts=STARTS, ends=ENDS):
    people = [make_enrollment(offering) for _ in range(count)]
    for person, items in zip(people, starts, strict=False):
        _start(client, person, items)
        _came(person)
    links = _evaluation_links(runner)
    for person, items in zip(people, ends, strict=False):
        link = links[person.id]
        assert "I de sidste 2 uger" in client.get(link).get_data(as_text=True)
        response = client.post(link, data=dict(EVALUATION, **_who5(items)))
        assert response.status_code == 302, response.get_data(as_text=True)
    return people


def test_pairs_are_matched_by_pseudonym_and_staff_see_means_only_from_five_pairs(client, runner):
    offering = _course()
    coordinator = make_staff("coordinator", offering.organisation)
    _pairs(client, runner, offering, 5)

    answers = _answers()
    assert len(answers) == 10
    starts = {a.pseudonym: a for a in answers if a.round == "start"}
    ends = {a.pseudonym: a for a in answers if a.round == "end"}
    assert set(starts) == set(ends) and len(starts) == 5  # every end found its start

    [term] = services.results_of(offering.id)
    assert term.term == "2026-autumn" and term.pairs == 5 and term.shown
    # Start raw sums 10, 15, 15, 2, 20 → index 40, 60, 60, 8, 80: mean 49.6.
    # End raw sums 15, 20, 19, 10, 21 → index 60, 80, 76, 40, 84: mean 68.0.
    assert term.mean_start == pytest.approx(49.6)
    assert term.mean_end == pytest.approx(68.0)
    assert term.change == pytest.approx(18.4)

    sign_in_as(client, coordinator)
    page = client.get(f"/manage/offerings/{offering.id}/evaluation").get_data(as_text=True)
    assert "Trivsel før og efter (WHO-5)" in page
    row = re.search(r'<tr data-term="2026-autumn">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["5", "49,6", "68,0", "+18,4"]


def test_fewer_than_five_pairs_show_nothing(client, runner):
    offering = _course()
    coordinator = make_staff("coordinator", offering.organisation)
    _pairs(client, runner, offering, 4)
    [term] = services.results_of(offering.id)
    assert (term.shown, term.pairs, term.mean_start, term.mean_end, term.change) == (
        False,
        None,
        None,
        None,
        None,
    )
    sign_in_as(client, coordinator)
    page = client.get(f"/manage/offerings/{offering.id}/evaluation").get_data(as_text=True)
    row = re.search(r'<tr data-term="2026-autumn">(.*?)</tr>', page, re.S).group(1)
    assert "Færre end 5 par: vises ikke." in row
    cells = re.sub(r"<[^>]+>", " ", row).replace("2026", "").replace("5 par", "")
    assert not re.search(r"\d", cells)


def test_an_answer_only_at_the_end_is_not_asked_or_kept(client, runner):
    offering = _course()
    person = make_enrollment(offering)
    _came(person)  # never answered at the start
    link = _evaluation_links(runner)[person.id]
    page = client.get(link).get_data(as_text=True)
    assert "I de sidste 2 uger" not in page
    assert client.post(link, data=dict(EVALUATION, **_who5([5, 5, 5, 5, 5]))).status_code == 302
    assert _answers() == []


def test_retention_removes_the_key_and_breaks_the_pairing(client, runner, app):
    offering = _course(retention_days=0)  # erased the day after the last meeting
    person = make_enrollment(offering)
    _start(client, person, [2, 2, 2, 2, 2])
    _came(person)
    link = _evaluation_links(runner)[person.id]
    [start] = _answers()
    assert start.pseudonym == services.pseudonym(
        offering.id, db.session.get(WellbeingKey, person.id).secret
    )

    rules = RetentionRules.from_config(app.config)
    report = run_retention(rules, as_of=utcnow() + timedelta(days=1))
    db.session.commit()
    assert report.enrollments == 1
    assert db.session.get(WellbeingKey, person.id) is None  # the key material is gone

    # The evaluation link still opens (it is anonymous), but WHO-5 is no longer asked, and an
    # answer sent anyway is not paired with, nor stored next to, the start.
    page = client.get(link).get_data(as_text=True)
    assert "I de sidste 2 uger" not in page
    assert client.post(link, data=dict(EVALUATION, **_who5([5, 5, 5, 5, 5]))).status_code == 302
    assert [a.round for a in _answers()] == ["start"]
    assert services.results_of(offering.id) == []


def test_the_answers_table_holds_no_person_data(client, runner):
    offering = _course()
    people = _pairs(client, runner, offering, 5)
    columns = set(WellbeingAnswer.__table__.columns.keys())
    assert columns == {
        "id",
        "offering_id",
        "round",
        "term",
        "pseudonym",
        "item1",
        "item2",
        "item3",
        "item4",
        "item5",
    }
    assert not [
        c for c in WellbeingAnswer.__table__.columns if c.foreign_keys and c.name != "offering_id"
    ]
    identities = set()
    for person in people:
        identities |= {
            person.email,
            person.email_normalized,
            person.name,
            person.person_key,
        }
    for answer in _answers():
        values = {str(getattr(answer, c)) for c in columns if c not in ("id", "offering_id")}
        assert not values & identities
        assert answer.pseudonym not in {p.person_key for p in people}
        assert len(answer.pseudonym) == 64
    # Without the server key nothing turns a pairing secret into the stored pseudonym.
    secrets = [db.session.get(WellbeingKey, p.id).secret for p in people]
    pseudonyms = {a.pseudonym for a in _answers()}

    assert not pseudonyms & {
        hashlib.sha256(f"{offering.id}|{s}".encode()).hexdigest() for s in secrets
    }


def test_a_group_is_reported_per_term(client, app):
    spring = datetime(2026, 3, 10, 16, tzinfo=UTC)
    group = make_offering(kind="group", starts=[spring], who5_enabled=True)
    people = [make_enrollment(group) for _ in range(5)]
    for person in people:
        _start(client, person, [1, 1, 1, 1, 1])
        _came(person)
    assert evaluations.send_evaluations(now=datetime(2026, 7, 2, 10, tzinfo=UTC)) == 5
    db.session.commit()
    invites = db.session.scalars(sa.select(evaluations.EvaluationInvite)).all()
    for invite in invites:
        assert services.answer_end(invite, [2, 2, 2, 2, 2], now=datetime(2026, 7, 3, tzinfo=UTC))
    db.session.commit()
    [term] = services.results_of(group.id)
    assert (term.term, term.pairs, term.mean_start, term.mean_end) == ("2026-spring", 5, 20.0, 40.0)


def test_facilitators_see_their_offering_and_others_are_refused(client, runner):
    offering = _course()
    w_peer = make_staff("peer_worker", offering.organisation)
    add_facilitator(offering, user=w_peer, role="peer")
    _pairs(client, runner, offering, 5)
    sign_in_as(client, w_peer)
    assert "Trivsel før og efter (WHO-5)" in client.get(
        f"/manage/offerings/{offering.id}/evaluation"
    ).get_data(as_text=True)
