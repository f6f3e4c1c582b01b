"""/manage/figures on the known history: every cell on the page and in every CSV."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from tests.figures.history import build_history
from tests.figures.test_suppression import EXPECTED, EXPECTED_MONTHS, EXPECTED_RATES, S
from tests.management.helpers import make_staff, sign_in_as

AUTUMN = "/manage/figures?period=2026-autumn&lang=en"
NOTE = (
    "“hidden”: hidden so that a small number cannot be worked out from the total; "
    "the count may be 5 or more."
)


def page_tables(html: str) -> dict[str, dict[str, str]]:
    """{table key: {row key: text}} of the figures page."""
    tables = {}
    for chunk in html.split('<section class="figures-table" aria-labelledby="t-')[1:]:
        key = chunk.split('"', 1)[0]
        rows = re.findall(
            r'data-key="([^"]+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>', chunk
        )
        tables[key] = {k: unescape(v) for k, v in rows}
    return tables


def shown(value) -> str:
    return "< 5" if value is None else "hidden" if value == S else str(value)


def percent(value) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def coordinator_client(client, history):
    coordinator = make_staff("coordinator", history.school)
    sign_in_as(client, coordinator)
    return client


def test_the_page_shows_every_figure_with_small_numbers_hidden(client):
    h = build_history()
    html = coordinator_client(client, h).get(AUTUMN).get_data(as_text=True)
    tables = page_tables(html)
    for key, expected in EXPECTED.items():
        want = {k: shown(v) for k, v in expected.items()}
        want.update({k: percent(v) for k, v in EXPECTED_RATES.get(key, {}).items()})
        assert tables[key] == want, key
    assert "August 1, 2026 – December 31, 2026" in html


def test_the_monthly_table_and_charts_hide_the_same_cells(client):
    h = build_history()
    html = coordinator_client(client, h).get(AUTUMN).get_data(as_text=True)
    trend = html.split('class="trend-table"')[1]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">[^<]*</td>)+)</tr>', trend
    )
    assert [r[0] for r in rows] == [
        "August 2026",
        "September 2026",
        "October 2026",
        "November 2026",
        "December 2026",
    ]
    columns = list(
        zip(*[map(unescape, re.findall(r">([^<]*)</td>", r[1])) for r in rows], strict=True)
    )
    for column, key in zip(columns, ("occurrences_held", "signups", "present"), strict=True):
        assert list(column) == [shown(v) for v in EXPECTED_MONTHS[key][0]], key
    assert html.count("<svg") == 3 and html.count('role="img"') == 3
    # a hidden month gets no bar: three bars for dates held would give the counts away
    chart = html.split('id="chart-occurrences_held"')[1].split("</svg>")[0]
    assert "<rect" not in chart and chart.count("&lt; 5") == 3


def test_every_csv_is_for_danish_excel_and_hides_the_same_cells(client):
    h = build_history()
    c = coordinator_client(client, h)
    for key, expected in EXPECTED.items():
        response = c.get(f"/manage/figures/{key}.csv?period=2026-autumn&lang=en")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        body = response.get_data()
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        want = [shown(v) for v in expected.values()]
        want += [percent(v) for v in EXPECTED_RATES.get(key, {}).values()]
        values = [r[1] for r in rows[1 : 1 + len(want)]]
        assert values == want, key
        # a table with a cell hidden by the secondary rule explains "hidden" in a last line
        notes = [r[0] for r in rows[1 + len(want) :]]
        assert notes == ([NOTE] if S in expected.values() else []), key
    months = c.get("/manage/figures/months.csv?period=2026-autumn&lang=en").get_data()
    rows = list(csv.reader(io.StringIO(months.decode("utf-8-sig")), delimiter=";"))
    assert rows[3] == ["October 2026", "< 5", "hidden", "5"]
    assert rows[-2] == ["Total", "5", "28", "19"]
    assert rows[-1] == [NOTE]
    assert c.get("/manage/figures/nothing.csv").status_code == 404


def _download(c, key: str, query: str) -> tuple[str, list[list[str]]]:
    response = c.get(f"/manage/figures/{key}.csv?{query}")
    assert response.status_code == 200, key
    disposition = response.headers["Content-Disposition"]
    filename = re.fullmatch(r'attachment; filename="([^"]+)"', disposition).group(1)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    return filename, rows


def test_csv_file_names_and_headers_are_in_the_readers_language(client):
    h = build_history()
    c = coordinator_client(client, h)
    danish = {
        "participants": ("noegletal-deltagere-efteraar-2026.csv", ["Deltagere", "Værdi"]),
        "attendance": (
            "noegletal-fremmoede-paa-de-afholdte-datoer-efteraar-2026.csv",
            ["Fremmøde på de afholdte datoer", "Værdi"],
        ),
        "months": (
            "noegletal-pr-maaned-efteraar-2026.csv",
            ["Måned", "Afholdte datoer", "Tilmeldinger (efter tilmeldingsdag)", "Fremmøder (mødt)"],
        ),
    }
    english = {
        "participants": ("key-figures-participants-autumn-2026.csv", ["Participants", "Value"]),
        "attendance": (
            "key-figures-attendance-at-the-dates-held-autumn-2026.csv",
            ["Attendance at the dates held", "Value"],
        ),
        "months": (
            "key-figures-by-month-autumn-2026.csv",
            ["Month", "Dates held", "Sign-ups (by the day of sign-up)", "Attendances (present)"],
        ),
    }
    for lang, expected in (("da", danish), ("en", english)):
        for key, (filename, header) in expected.items():
            got_name, rows = _download(c, key, f"period=2026-autumn&lang={lang}")
            assert (got_name, rows[0]) == (filename, header), (lang, key)
    # every table of the page, in Danish: no English word in a file name or a header
    for key in ("activity", "signups", "seats", "fill", "demand"):
        filename, rows = _download(c, key, "period=2026-autumn&lang=da")
        assert filename.startswith("noegletal-") and filename.endswith("-efteraar-2026.csv")
        assert rows[0][1] == "Værdi" and key not in filename, key
    # a quarter and a range of days name the period too
    assert _download(c, "fill", "period=2026-q3&lang=da")[0] == (
        "noegletal-belaegningsgrad-3-kvartal-2026.csv"
    )
    assert _download(c, "fill", "from=2026-08-01&to=2026-12-31&lang=en")[0] == (
        "key-figures-fill-rate-2026-08-01-2026-12-31.csv"
    )


def test_no_name_or_email_reaches_the_page_or_a_csv(client):
    h = build_history()
    c = coordinator_client(client, h)
    texts = [c.get(AUTUMN).get_data(as_text=True)]
    texts += [
        c.get(f"/manage/figures/{k}.csv?period=2026-autumn").get_data(as_text=True)
        for k in [*EXPECTED, "months"]
    ]
    for text in texts:
        assert "@example.com" not in text and "Navn p" not in text


def test_peer_workers_see_only_their_organisation(client):
    h = build_history()
    peer = make_staff("peer_worker", h.centre)  # the volunteer centre runs G1 and M1
    sign_in_as(client, peer)
    html = client.get(AUTUMN).get_data(as_text=True)
    assert page_tables(html)["signups"]["total"] == "14"
    assert 'name="organisation"' not in html
    assert "C1 Håb" not in html  # the offering filter lists their offerings only
    assert "G1 Selvhjælp" in html


def test_staff_without_an_organisation_may_not_see_figures(client):
    h = build_history()
    sign_in_as(client, make_staff("peer_worker", None))
    assert client.get(AUTUMN).status_code == 403
    assert h


def test_the_filters_live_in_the_url(client):
    h = build_history()
    c = coordinator_client(client, h)
    html = c.get("/manage/figures?period=2026-autumn&kind=group&lang=en").get_data(as_text=True)
    assert page_tables(html)["signups"]["total"] == "8"
    assert 'href="/manage/figures/signups.csv?period=2026-autumn&amp;kind=group' in html
    html = c.get(
        f"/manage/figures?from=2026-10-01&to=2026-10-31&offering={h.g1.id}&lang=en"
    ).get_data(as_text=True)
    assert page_tables(html)["activity"]["occurrences_held"] == "< 5"
    assert page_tables(html)["signups"]["total"] == "8"


@pytest.mark.parametrize(
    "query",
    [
        "period=2026-winter",
        "period=1999",
        "from=2026-10-01",
        "from=2026-10-31&to=2026-10-01",
        "from=2020-01-01&to=2026-01-01",
        "from=banana&to=2026-01-01",
        "kind=party",
        "organisation=nobody",
        "theme=nothing",
        "offering=abc",
    ],
)
def test_a_wrong_period_or_filter_gets_a_message_not_a_500(client, query):
    h = build_history()
    response = coordinator_client(client, h).get(f"/manage/figures?{query}&lang=en")
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
