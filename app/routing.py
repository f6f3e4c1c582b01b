"""URL converters shared by the areas, and the one slug pattern."""

from werkzeug.routing import BaseConverter

# Lower-case words joined by hyphens: keeps `/offerings/<slug>.ics` unambiguous. The URL map,
# the forms, the API schema and the two caching middlewares (page_cache.py,
# calendar/conditional.py) all build on this; tests/test_routing.py holds them together.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class SlugConverter(BaseConverter):
    """`<slug:...>` in a route: only a `SLUG` matches."""

    regex = SLUG
