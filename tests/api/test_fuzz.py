"""The API fuzzed against its own OpenAPI document (schemathesis): whatever a client sends,
no server error, no status code the document does not list, every body as described."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)

from app.dates import EARLIEST, LATEST
from app.extensions import db
from tests.factories import make_enrollment, make_offering, make_organisation, make_theme, now

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    """The document the app publishes, called in-process against a small real catalogue."""
    theme = make_theme("angst", "Angst", "Anxiety")
    partner = make_organisation("frivilligcenter", "Frivilligcenteret")
    full = make_offering(title="Fuldt", capacity=1, themes=[theme], co_organisers=[partner])
    make_enrollment(full)
    make_offering(title="Café", kind="group", enrolment_mode="drop_in", capacity=None)
    make_offering(title="Online", kind="meeting", is_online=True, location=None)
    make_offering(title="Aflyst", status="cancelled", starts=[now() + timedelta(days=3)])
    db.session.commit()
    # Dates as Hypothesis draws them, plus the edges a random draw never hits: the first and
    # last day Python knows (0001-01-01 overflowed the local-time conversion) and our bounds.
    edges = [date.min, date.max, EARLIEST, LATEST, date(1899, 12, 31), date(2201, 1, 1)]
    schemathesis.openapi.format(
        "date", st.one_of(st.sampled_from(edges), st.dates()).map(date.isoformat)
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_api_answers_every_generated_request_as_its_document_says(api_schema):
    """Schemathesis' three phases per operation: the document's examples, the coverage phase
    (boundary values: 0001-01-01, 9999-12-31, empty and wrong types) and random fuzzing, in
    positive and negative mode."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} == {"GET /offerings", "GET /offerings/{slug}"}
    config = HypothesisTestConfig(
        project=api_schema.config,
        modes=list(HypothesisTestMode),
        settings=settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    calls = []

    def call(case):
        calls.append(case.query)
        case.call_and_validate(checks=CHECKS)

    for operation in operations:
        create_test(operation=operation, test_func=call, config=config)()
    assert len(calls) > 100
