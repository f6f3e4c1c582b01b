"""HTML to a tagged, accessible PDF (WeasyPrint), for the certificate and the prospectus.

The PDF is PDF/UA-1: tagged (headings, lists and tables a screen reader can follow), with
the title from the page's <title> and the language from <html lang>. WeasyPrint may only
read our own static files: any other address in the page (an image in an offering's
description) is refused, so making a PDF never reaches out to the network.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The origin the page's own URLs are resolved against; never fetched over the network.
BASE_URL = "https://holdplads.invalid/"


class StaticFilesOnly(URLFetcher):
    """Answers /static/... from the app's folder; refuses every other address."""

    def __init__(self, static_folder: str) -> None:
        super().__init__(allowed_protocols=())
        self.static = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        prefix = BASE_URL + "static/"
        if url.startswith(prefix):
            path = (self.static / url[len(prefix) :].split("?")[0]).resolve()
            if path.is_file() and self.static in path.parents:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise ValueError(f"not fetched for a PDF: {url}")


def html_to_pdf(html: str, *, static_folder: str) -> bytes:
    """The page as a tagged PDF/UA document (only files under /static/ are read)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly(static_folder))
    return document.write_pdf(pdf_variant="pdf/ua-1")
