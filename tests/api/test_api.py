"""The read-only JSON API: every answer matches the OpenAPI document it publishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from openapi_spec_validator import validate

from app.models import EnrollmentStatus
from tests.factories import make_enrollment, make_offering, make_organisation, make_theme, now


@pytest.fixture
def openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def _validator(document, name):
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_list_matches_schema_and_carries_seats_and_waitlist(client, openapi):
    full = make_offering(title="Fuldt kursus", capacity=1, themes=[make_theme("angst", "Angst")])
    make_enrollment(full)
    make_enrollment(full, status=EnrollmentStatus.WAITLISTED)
    make_offering(title="Åben café", kind="group", enrolment_mode="drop_in", capacity=None)
    make_offering(title="Onlinemøde", kind="meeting", is_online=True, location=None)
    response = client.get("/api/v1/offerings")
    assert response.status_code == 200
    body = response.get_json()
    _validator(openapi, "OfferingList").validate(body)
    by_slug = {o["slug"]: o for o in body["offerings"]}
    item = by_slug[full.slug]
    assert item["seats_left"] == 0 and item["waitlist"] == 1 and item["capacity"] == 1
    assert item["signup_state"] == "full"
    assert item["themes"] == [{"slug": "angst", "name": "Angst"}]
    assert item["url"] == f"http://holdplads.test/offerings/{full.slug}"
    assert item["ics_url"] == f"http://holdplads.test/offerings/{full.slug}.ics"
    assert body["total"] == 3


def test_detail_matches_schema_with_offsets_in_danish_time(client, openapi):
    winter = datetime(2027, 1, 12, 16, 0, tzinfo=UTC)  # 17:00 in Copenhagen (+01:00)
    summer = datetime(2027, 6, 8, 15, 0, tzinfo=UTC)  # 17:00 in Copenhagen (+02:00)
    offering = make_offering(title="Året rundt", kind="group", starts=[winter, summer])
    response = client.get(f"/api/v1/offerings/{offering.slug}")
    body = response.get_json()
    _validator(openapi, "Offering").validate(body)
    starts = [o["start"] for o in body["occurrences"]]
    assert starts == ["2027-01-12T17:00:00+01:00", "2027-06-08T17:00:00+02:00"]
    assert body["organiser"]["slug"] == "recovery-skolen"


def test_api_uses_the_catalogues_filters(client, openapi):
    make_offering(title="Gruppe", kind="group")
    make_offering(title="Kursus", kind="course")
    body = client.get("/api/v1/offerings?kind=group").get_json()
    _validator(openapi, "OfferingList").validate(body)
    assert [o["title"] for o in body["offerings"]] == ["Gruppe"]
    ignored = client.get("/api/v1/offerings?kind=rocket").get_json()
    assert ignored["ignored_filters"] == ["kind"]
    assert ignored["total"] == 2


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=0001-01-01", "from", "between 1900-01-01 and 2200-12-31"),
        ("to=9999-12-31", "to", "between 1900-01-01 and 2200-12-31"),
        ("from=1899-12-31", "from", "between"),
        ("from=2201-01-01", "from", "between"),
        ("from=nope", "from", "YYYY-MM-DD"),
        ("to=20270101", "to", "YYYY-MM-DD"),
        ("from=2027-02-01&to=2027-01-01", "to", "before the start date"),
    ],
)
def test_dates_outside_1900_to_2200_or_malformed_are_a_clear_400(
    client, openapi, query, field, words
):
    make_offering()
    response = client.get(f"/api/v1/offerings?lang=en&{query}")
    assert response.status_code == 400
    body = response.get_json()
    _validator(openapi, "Error").validate(body)
    assert words in body["fields"][field] and words in body["error"]
    assert "400" in openapi["paths"]["/offerings"]["get"]["responses"]


def test_the_bounds_themselves_are_accepted(client, openapi):
    make_offering()
    response = client.get("/api/v1/offerings?from=1900-01-01&to=2200-12-31")
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


def test_english_titles_with_lang_en(client):
    make_offering(title="Søvn", title_en="Sleep", summary="Om søvn", summary_en="About sleep")
    body = client.get("/api/v1/offerings?lang=en").get_json()
    assert body["offerings"][0]["title"] == "Sleep"
    assert body["offerings"][0]["summary"] == "About sleep"


def test_seats_left_changes_at_once(client):
    offering = make_offering(capacity=2)
    assert client.get(f"/api/v1/offerings/{offering.slug}").get_json()["seats_left"] == 2
    make_enrollment(offering)
    assert client.get(f"/api/v1/offerings/{offering.slug}").get_json()["seats_left"] == 1


def test_paging_is_bounded(client, openapi):
    for n in range(5):
        make_offering(starts=[now() + timedelta(days=n + 1)], commit=False)
    make_offering()
    body = client.get("/api/v1/offerings?per_page=2&page=3").get_json()
    _validator(openapi, "OfferingList").validate(body)
    assert body["page"] == 3 and body["page_count"] == 3 and len(body["offerings"]) == 2
    huge = client.get("/api/v1/offerings?per_page=100000&page=x").get_json()
    assert huge["per_page"] == 100 and huge["page"] == 1


def test_unknown_offering_is_a_json_404(client, openapi):
    response = client.get("/api/v1/offerings/findes-ikke")
    assert response.status_code == 404
    assert response.is_json
    _validator(openapi, "Error").validate(response.get_json())
    draft = make_offering(status="draft")
    assert client.get(f"/api/v1/offerings/{draft.slug}").status_code == 404


def test_other_sites_may_read_the_api(client):
    make_offering()
    response = client.get("/api/v1/offerings")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_co_organisers_are_listed_as_on_the_offering_page(client, openapi):
    partner = make_organisation("frivilligcenter", "Frivilligcenteret")
    other = make_organisation("laaf", "LAP Aarhus")
    offering = make_offering(title="Sammen", co_organisers=[partner, other])
    make_offering(title="Alene")
    listed = client.get("/api/v1/offerings").get_json()
    _validator(openapi, "OfferingList").validate(listed)
    by_title = {o["title"]: o for o in listed["offerings"]}
    assert by_title["Sammen"]["co_organisers"] == [
        {"slug": "frivilligcenter", "name": "Frivilligcenteret"},
        {"slug": "laaf", "name": "LAP Aarhus"},
    ]
    assert by_title["Alene"]["co_organisers"] == []
    one = client.get(f"/api/v1/offerings/{offering.slug}").get_json()
    _validator(openapi, "Offering").validate(one)
    assert [o["slug"] for o in one["co_organisers"]] == ["frivilligcenter", "laaf"]
    assert "co_organisers" in openapi["components"]["schemas"]["Offering"]["required"]
