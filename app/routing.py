"""URL converters shared by the areas, and the one slug pattern."""

from werkzeug.routing import BaseConverter, IntegerConverter

# The largest id a row can have: PostgreSQL's `integer`. A bigger number in a URL cannot name
# a row, and PostgreSQL refuses to compare it with an integer column (a 500, not a 404).
MAX_ID = 2**31 - 1


def as_row_id(text: str | None) -> int | None:
    """A row id typed as text (ASCII digits, in range), or None: never `²` or 23 digits."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` in every URL: ASCII digits up to MAX_ID; anything else is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Lower-case words joined by hyphens: keeps `/offerings/<slug>.ics` unambiguous. The URL map,
# the forms, the API schema and the two caching middlewares (page_cache.py,
# calendar/conditional.py) all build on this; tests/test_routing.py holds them together.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class SlugConverter(BaseConverter):
    """`<slug:...>` in a route: only a `SLUG` matches."""

    regex = SLUG
