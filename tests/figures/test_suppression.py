"""The small-number rules as pure functions, and on the report of the known history."""

from __future__ import annotations

import flask_babel

from app.figures import period as periods
from app.figures import services, suppression
from app.figures.queries import Filters
from tests.figures.history import NOW, build_history

H = None  # hidden: a count from 1 to 4 ("< 5")
S = "S"  # hidden by the secondary rule only: 5 or more, marked "hidden", never "< 5"


def seen(cell) -> int | str | None:
    return S if cell.secondary else cell.value


def values(cells: dict) -> dict:
    return {k: c.value for k, c in cells.items()}


def test_counts_from_one_to_four_are_hidden_and_zero_stays():
    assert [suppression.single(n).text for n in (0, 1, 4, 5, 12)] == ["0", "< 5", "< 5", "5", "12"]


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    # relatives = total - citizens - staff would give the 3 back: hide staff (7) too
    cells, total = suppression.group({"citizen": 20, "relative": 3, "staff": 7, "volunteer": 0})
    assert values(cells) == {"citizen": 20, "relative": H, "staff": H, "volunteer": 0}
    assert total.value == 30


def test_a_cell_hidden_only_by_the_secondary_rule_never_claims_to_be_under_five(app):
    # staff (7) is hidden only so that relatives (3) cannot be worked out: "< 5" would lie
    cells, _ = suppression.group({"citizen": 20, "relative": 3, "staff": 7, "volunteer": 0})
    with app.test_request_context("/?lang=en"):
        assert (cells["relative"].text, cells["relative"].export()) == ("< 5", "<5")
        assert not cells["relative"].secondary and cells["staff"].secondary
        assert cells["staff"].text == "hidden" and cells["staff"].export() == "hidden"
        # the tester's case: 41 / 2 / 0 under 43 hides the 41, which is far from "< 5"
        cells, total = suppression.group({"1": 41, "2": 2, "3+": 0})
        assert [cells[k].text for k in ("1", "2", "3+")] == ["hidden", "< 5", "0"]
        assert total.text == "43"
    with app.test_request_context("/?lang=da"):
        flask_babel.refresh()  # the app context (and its cached locale) outlives the request
        assert cells["1"].text == "skjult"


def test_two_hidden_cells_need_nothing_more_and_zero_is_never_the_second():
    cells, _ = suppression.group({"a": 2, "b": 3, "c": 40})
    assert values(cells) == {"a": H, "b": H, "c": 40}
    cells, _ = suppression.group({"a": 4, "b": 0, "c": 6})
    assert values(cells) == {"a": H, "b": 0, "c": H}


def test_a_small_total_hides_everything():
    cells, total = suppression.group({"a": 1, "b": 2})
    assert values(cells) == {"a": H, "b": H} and total.hidden


def test_rates_need_a_denominator_of_five_and_a_visible_numerator():
    assert suppression.rate(suppression.Cell(3), 4) is None
    assert suppression.rate(suppression.Cell(None), 40) is None
    assert suppression.rate(suppression.Cell(10), 40) == 0.25


# what the known history shows, after both rules
EXPECTED = {
    "activity": {"offerings_held": H, "occurrences_held": 5, "occurrences_cancelled": H},
    "signups": {"citizen": 19, "relative": H, "staff": 5, "volunteer": H, "total": 28},
    "participants": {"new": S, "returning": H, "total": 19},
    "offerings_per_person": {"1": 17, "2": H, "3+": H, "total": 19},
    "attendance": {"present": 19, "excused": H, "absent": H, "total": 25},
    "seats": {"citizens_relatives": 14, "staff": S, "volunteers": H, "total": 21},
    "fill": {"seats_taken": 15, "seats_offered": 18},
    "demand": {
        "waitlist_demand": H,
        "requests_approved": 5,
        "requests_declined": H,
        "companion_wishes": 6,
    },
}
EXPECTED_RATES = {
    "attendance": {"attendance_rate": 19 / 25, "excused_rate": None, "no_show_rate": None},
    "seats": {"share_citizens_relatives": 14 / 21, "share_staff": None, "share_volunteers": None},
    "fill": {"fill_rate": 15 / 18},
}
EXPECTED_MONTHS = {  # Aug … Dec
    "occurrences_held": ([0, H, H, H, 0], 5),
    "signups": ([14, 7, S, H, 0], 28),  # November's 1 hidden, October's 6 with it
    "present": ([0, 14, 5, 0, 0], 19),
}


def autumn_report():
    build_history()
    return services.build_report(periods.term(2026, "autumn"), None, Filters(), now=NOW)


def test_the_report_of_the_known_history_hides_exactly_these_cells():
    report = autumn_report()
    for table in report.tables:
        shown = {r.key: seen(r.cell) for r in table.rows}
        if table.total:
            shown[table.total.key] = seen(table.total.cell)
        assert shown == EXPECTED[table.key], table.key
        assert {r.key: r.value for r in table.rates} == EXPECTED_RATES.get(table.key, {})
    for series in report.trend.series:
        assert ([seen(c) for c in series.cells], seen(series.total)) == EXPECTED_MONTHS[series.key]
