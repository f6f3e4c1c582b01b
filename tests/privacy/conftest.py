import pytest


@pytest.fixture
def client(app):
    """The test client, in English: the tests read English text (Danish comes from the .po)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def settings(app):
    """Change settings for one test; they are put back afterwards."""
    saved = dict(app.config)

    def change(**values):
        app.config.update(values)

    yield change
    app.config.clear()
    app.config.update(saved)
