"""Offering descriptions are Markdown written by staff; we render and then sanitise them."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.i18n import localized
from app.models import Offering

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
}


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that can contain no script, style or foreign attribute."""
    html = _markdown.render(text or "")
    # Headings start at h2: the offering's title is the page's only h1.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def markdown_to_html(offering: Offering) -> Markup:
    return render_markdown(localized(offering.description, offering.description_en))
