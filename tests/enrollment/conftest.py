import pytest


@pytest.fixture
def ctx(app):
    """An app context, for calling services (they read config and render mail)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """The test client, in English: the tests read English text (Danish comes from the .po)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client
