"""URL converters shared by the areas."""

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens: keeps `/offerings/<slug>.ics` unambiguous."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"
