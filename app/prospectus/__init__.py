"""The term prospectus (kursuskatalog): every published offering of a term as a booklet.

What people pick up at the library and the psychiatric centre: HTML with print CSS for A4
(static/prospectus.css), grouped by kind and theme, each offering with its dates, place, who it
is for, a short link and a QR code (segno, SVG) to its sign-up page; and the same as a tagged
PDF (app/pdf.py).

queries.py  the term's offerings, grouped
routes.py   /prospectus, /prospectus.pdf, and the short link /p/<id>
"""
