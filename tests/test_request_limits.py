"""Request size (issue 11, finding 6): a huge POST is refused with 413 and the site's own page,
before anything is parsed or echoed back. MAX_CONTENT_LENGTH bounds every body; multipart
bodies are also bounded per field (MAX_FORM_MEMORY_SIZE) and in parts (MAX_FORM_PARTS)."""

from __future__ import annotations

from tests.factories import make_offering


def test_a_huge_form_post_is_refused_with_413_and_the_sites_page(client, app):
    offering = make_offering()
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit <= 2 * 1024 * 1024
    body = "name=" + "A" * limit
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "Content-Security-Policy" in response.headers
    assert "for meget på én gang" in response.text
    assert "AAAA" not in response.text


def test_one_huge_field_under_the_body_limit_is_refused_too(client, app):
    offering = make_offering()
    field_limit = app.config["MAX_FORM_MEMORY_SIZE"]
    assert field_limit < app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        f"/offerings/{offering.slug}/enroll",
        data={"name": "A" * (field_limit + 1)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "AAAA" not in response.text


def test_too_many_form_parts_are_refused(client, app):
    offering = make_offering()
    parts = {f"f{n}": "x" for n in range(app.config["MAX_FORM_PARTS"] + 1)}
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=parts, content_type="multipart/form-data"
    )
    assert response.status_code == 413
