import pytest


@pytest.fixture(autouse=True)
def _app_context(app):
    """Enrollments get their pseudonym from the app's key, as in a request or a command."""
    with app.app_context():
        yield
