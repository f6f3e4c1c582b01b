"""The key-figures area's one form: uploading a partner's export, or removing one.

Only CSRF lives here: the base form keeps file parts out of its fields (app/forms.py), so the
view reads the uploaded file from the request itself.
"""

from __future__ import annotations

from app.forms import Form


class UploadForm(Form):
    """CSRF for the upload and the remove buttons."""
