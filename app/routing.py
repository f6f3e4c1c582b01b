"""URL converters shared by the areas."""

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens: keeps `/offerings/<slug>.ics` unambiguous."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def has_endpoint(name: str) -> bool:
    """Templates link to another area only when that area is installed."""
    from flask import current_app

    return name in current_app.view_functions
