"""QR codes as inline SVG (segno): on the certificate and in the prospectus.

Inline SVG needs no image request and passes the CSP; `role="img"` with a label tells a screen
reader what it is (the link itself is always printed beside it).
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, *, label: str, scale: int = 3) -> Markup:
    """An inline <svg> QR code of `url`, announced as `label`."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
