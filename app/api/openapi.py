"""The OpenAPI 3.1 description of /api/v1. Tests validate every answer against it."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.dates import EARLIEST, LATEST
from app.routing import SLUG

KINDS = ["course", "group", "meeting"]
AUDIENCES = ["citizen", "relative", "staff", "volunteer"]
DATETIME = {"type": "string", "format": "date-time"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


SCHEMAS: dict[str, Any] = {
    "Organisation": {
        "type": "object",
        "required": ["slug", "name"],
        "additionalProperties": False,
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
    },
    "Occurrence": {
        "type": "object",
        "required": ["start", "end", "status"],
        "additionalProperties": False,
        "properties": {
            "start": {**DATETIME, "description": "ISO 8601 with the Europe/Copenhagen offset"},
            "end": DATETIME,
            "status": {"enum": ["scheduled", "cancelled"]},
        },
    },
    "Location": {
        "type": "object",
        "required": ["name", "address", "step_free", "accessible_toilet", "hearing_loop"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "address": {"type": "string"},
            "postcode": {"type": ["string", "null"]},
            "city": {"type": ["string", "null"]},
            "room": {"type": ["string", "null"]},
            "step_free": {"type": "boolean"},
            "accessible_toilet": {"type": "boolean"},
            "hearing_loop": {"type": "boolean"},
            "accessibility_notes": {"type": ["string", "null"]},
        },
    },
    "Offering": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "slug",
            "kind",
            "title",
            "summary",
            "audiences",
            "themes",
            "status",
            "enrolment_mode",
            "signup_state",
            "capacity",
            "seats_left",
            "seats_left_by_audience",
            "interest_count",
            "ready_count",
            "min_participants",
            "waitlist",
            "organiser",
            "co_organisers",
            "online",
            "location",
            "teaching_language",
            "next_start",
            "url",
            "ics_url",
            "occurrences",
        ],
        "properties": {
            "slug": {"type": "string", "pattern": f"^{SLUG}$"},
            "kind": {"enum": KINDS},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "audiences": {"type": "array", "items": {"enum": AUDIENCES}},
            "themes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["slug", "name"],
                    "additionalProperties": False,
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                },
            },
            "status": {"enum": ["published", "cancelled"]},
            "enrolment_mode": {
                "enum": ["instant", "request", "drop_in", "interest"],
                "description": (
                    "interest: people register interest and have a first talk; the group "
                    "starts when min_participants are ready"
                ),
            },
            "signup_state": {
                "enum": [
                    "cancelled",
                    "just_come",
                    "not_open_yet",
                    "closed",
                    "ask_to_join",
                    "open",
                    "full",
                    "interest",
                ],
                "description": "What a visitor can do now (interest: register interest)",
            },
            "capacity": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "null: no limit",
            },
            "seats_left": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "null: no limit",
            },
            "seats_left_by_audience": {
                "type": ["object", "null"],
                "description": (
                    "null unless audience shares apply (seats kept for an audience until a "
                    "date, or a maximum for one): then, per audience of the offering, the "
                    "seats a person of it can take now (null: no limit)"
                ),
                "propertyNames": {"enum": AUDIENCES},
                "additionalProperties": {"type": ["integer", "null"], "minimum": 0},
            },
            "interest_count": {
                "type": "integer",
                "minimum": 0,
                "description": "people on the interest list (interest mode; else 0)",
            },
            "ready_count": {
                "type": "integer",
                "minimum": 0,
                "description": "of them, those who have had their first talk",
            },
            "min_participants": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": (
                    "interest mode: the group starts when this many are ready; else null"
                ),
            },
            "waitlist": {
                "type": "integer",
                "minimum": 0,
                "description": "people on the waiting list",
            },
            "organiser": {"$ref": "#/components/schemas/Organisation"},
            "co_organisers": {
                "type": "array",
                "description": "organisations it is run in cooperation with",
                "items": {"$ref": "#/components/schemas/Organisation"},
            },
            "online": {"type": "boolean"},
            "location": _nullable({"$ref": "#/components/schemas/Location"}),
            "teaching_language": {"type": "string"},
            "next_start": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
            "ics_url": {"type": "string", "format": "uri"},
            "occurrences": {
                "type": "array",
                "description": "Occurrences that have not ended, cancelled ones included",
                "items": {"$ref": "#/components/schemas/Occurrence"},
            },
        },
    },
    "OfferingList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["offerings", "total", "page", "page_count", "per_page", "ignored_filters"],
        "properties": {
            "offerings": {"type": "array", "items": {"$ref": "#/components/schemas/Offering"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_count": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "ignored_filters": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Filters whose values were not understood and were ignored",
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string"},
            "status": {"type": "integer"},
            "fields": {
                "type": "object",
                "description": "Per query argument, what is wrong with its value",
                "additionalProperties": {"type": "string"},
            },
        },
    },
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


FILTER_PARAMETERS = [
    _query("kind", "course, group or meeting", {"enum": KINDS}),
    _query("audience", "who it is for", {"enum": AUDIENCES}),
    _query("theme", "a theme's slug", {"type": "string"}),
    _query("q", "words to search for in titles and texts", {"type": "string"}),
    _query(
        "from",
        f"has an occurrence on or after this date ({EARLIEST} to {LATEST}, else 400)",
        {"type": "string", "format": "date"},
    ),
    _query(
        "to",
        f"has an occurrence on or before this date ({EARLIEST} to {LATEST}, not before "
        "`from`, else 400)",
        {"type": "string", "format": "date"},
    ),
    _query("free", "1: only offerings with free seats", {"enum": ["1"]}),
    _query("lang", "da (default) or en", {"enum": ["da", "en"]}),
    _query("page", "page number", {"type": "integer", "minimum": 1}),
    _query(
        "per_page",
        "offerings per page (max 100)",
        {"type": "integer", "minimum": 1, "maximum": 100},
    ),
]


def openapi_document() -> dict[str, Any]:
    def json_response(ref: str, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Holdplads public catalogue",
            "version": "1.0.0",
            "description": "Read-only JSON of the public catalogue: courses, self-help groups "
            "and themed meetings. Times carry the Europe/Copenhagen offset.",
        },
        "servers": [{"url": current_app.config["PUBLIC_URL"] + "/api/v1"}],
        "paths": {
            "/offerings": {
                "get": {
                    "operationId": "listOfferings",
                    "summary": "The catalogue, soonest first",
                    "parameters": FILTER_PARAMETERS,
                    "responses": {
                        "200": json_response("OfferingList", "A page of offerings"),
                        "400": json_response("Error", "A date that is malformed or out of range"),
                    },
                }
            },
            "/offerings/{slug}": {
                "get": {
                    "operationId": "getOffering",
                    "summary": "One offering",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _query("lang", "da (default) or en", {"enum": ["da", "en"]}),
                    ],
                    "responses": {
                        "200": json_response("Offering", "The offering"),
                        "404": json_response("Error", "No public offering has this slug"),
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
