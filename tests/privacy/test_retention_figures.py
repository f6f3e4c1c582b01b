"""Counts survive: the key figures of a known history are the same before and after
`flask retention`, on the page, in every CSV and in the raw counts; and retention's other
rule, for addresses left on group suggestions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.figures import period as periods
from app.figures.queries import Filters, key_figures
from app.models import Enrollment
from app.suggestions import services as suggestions
from app.suggestions.models import GroupSuggestion, SuggestionSupporter
from tests.figures.history import NOW, build_history
from tests.figures.test_suppression import EXPECTED
from tests.management.helpers import make_staff, sign_in_as

# These tests commit, as `flask retention` does in production: it scrubs the database file
# afterwards, and a checkpoint of SQLite's WAL would wait for a test's open transaction.
pytestmark = pytest.mark.committing


def _retention(runner, *args: str) -> str:
    db.session.remove()  # no read left open while the command erases and scrubs
    result = runner.invoke(args=["retention", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


@pytest.fixture(autouse=True)
def _app_context(app):
    """Enrollments get their pseudonym from the app's key, as in a request or a command."""
    with app.app_context():
        yield


PERIODS = ("2026-autumn", "2026")
TABLES = (*EXPECTED, "months")
CSRF = re.compile(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"')


def _everything(client, history) -> dict:
    """What reports are made of: the page and every CSV of each period, for the whole
    municipality and one organisation's filter, and the raw counts behind them."""
    seen = {}
    for period in PERIODS:
        for query in ("", f"&organisation={history.centre.slug}", "&theme=angst"):
            url = f"/manage/figures?period={period}&lang=en{query}"
            response = client.get(url)
            assert response.status_code == 200, url
            seen[url] = CSRF.sub("", response.get_data(as_text=True))
            for table in TABLES:
                csv_url = f"/manage/figures/{table}.csv?period={period}{query}"
                response = client.get(csv_url)
                assert response.status_code == 200, csv_url
                seen[csv_url] = response.get_data()
        raw = key_figures(
            periods.parse(period, today=NOW.date()), None, Filters(), now=datetime.now(UTC)
        )
        seen[f"raw {period}"] = raw
    return seen


def _held() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrollment).where(Enrollment.erased_at.is_(None))
    )


@pytest.mark.parametrize(
    "as_of, erased_some, erased_all",
    [
        ("2026-12-01", True, False),  # the ended and never seated of autumn only
        ("2027-06-01", True, True),  # 183 days after the last date: everyone
    ],
)
def test_key_figures_are_the_same_before_and_after_retention(
    client, runner, as_of, erased_some, erased_all
):
    history = build_history()
    sign_in_as(client, make_staff("coordinator", history.school))
    before = _everything(client, history)
    assert "Wishes for a peer companion" in before["/manage/figures?period=2026-autumn&lang=en"]
    held = _held()

    _retention(runner, "--as-of", as_of)

    assert (_held() < held) is erased_some
    assert (_held() == 0) is erased_all
    after = _everything(client, history)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key


def test_names_and_addresses_are_gone_after_retention_while_the_figures_stay(runner):
    build_history()
    before = key_figures(periods.parse("2026-autumn", today=NOW.date()), None, Filters(), now=NOW)
    _retention(runner, "--as-of", "2027-06-01")
    left = db.session.execute(
        sa.select(Enrollment.name, Enrollment.email, Enrollment.wants_companion)
    ).all()
    assert {tuple(row) for row in left} == {("", "", False)}
    after = key_figures(periods.parse("2026-autumn", today=NOW.date()), None, Filters(), now=NOW)
    assert after == before
    assert after.companion_wishes == 6  # counted on the offerings, no longer on the people


def test_an_address_on_a_group_suggestion_is_erased_retention_days_after_it_was_given(
    settings, runner
):
    settings(RETENTION_DAYS=183)
    given = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    suggestion_id = suggestions.suggest(
        "Sorg efter selvmord", "Vi er flere", email="mor@example.com", language="da", now=given
    ).id
    db.session.commit()
    suggestions.suggest(
        "Hørestemmer", "Unge", email="ung@example.com", language="da", now=given + timedelta(days=1)
    )
    db.session.commit()

    def addresses() -> set[str]:
        db.session.expire_all()
        return set(db.session.scalars(sa.select(SuggestionSupporter.email))) - {None}

    day = (given + timedelta(days=183)).date()  # 12 July 2027
    _retention(runner, "--as-of", (day - timedelta(days=1)).isoformat())
    assert addresses() == {"mor@example.com", "ung@example.com"}
    assert "suggestion addresses: 1" in _retention(runner, "--dry-run", "--as-of", day.isoformat())
    assert addresses() == {"mor@example.com", "ung@example.com"}
    assert "suggestion addresses: 1" in _retention(runner, "--as-of", day.isoformat())
    assert addresses() == {"ung@example.com"}
    # The suggestion and its supporters stay: only the address goes.
    assert len(db.session.get(GroupSuggestion, suggestion_id).supporters) == 1


def test_the_notice_says_how_long_a_suggestion_address_is_kept(client, settings):
    settings(RETENTION_DAYS=183)
    page = client.get("/privacy?lang=en").text
    assert "An address you leave on a group suggestion is erased 183 days after you gave it" in (
        page.replace("\n", " ")
    )
