"""app/pdf.py: a PDF is made from our own static files only; nothing else is fetched."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from app.pdf import html_to_pdf


def test_making_a_pdf_reads_our_css_but_fetches_nothing_from_the_network(app, tmp_path):
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        outside = f"http://127.0.0.1:{server.server_port}"
        html = f"""<!doctype html><html lang="da"><head><title>Prøve</title>
        <link rel="stylesheet" href="static/prospectus.css">
        <link rel="stylesheet" href="{outside}/evil.css"></head>
        <body><h1>Prøve</h1><img src="{outside}/tracker.png" alt="x">
        <img src="file:///etc/passwd" alt="y"><img src="static/../../pyproject.toml" alt="z">
        </body></html>"""
        pdf = html_to_pdf(html, static_folder=app.static_folder)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF-")
    assert asked == []
