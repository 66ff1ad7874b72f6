"""Fixtures of the documents' tests: a real clamd for the session (tests/clamd_server.py), and the application
configured to use it for one test."""
import pytest

from tests.clamd_server import clamd_session


@pytest.fixture(scope="session")
def clamd_socket():
    """The unix socket of a clamd started for this test session, with the EICAR signatures only."""
    yield from clamd_session()


@pytest.fixture
def scanner(app, clamd_socket):
    """The application scans uploads with the session's clamd for this test."""
    app.config["CLAMD_SOCKET"] = clamd_socket
    yield clamd_socket
    app.config["CLAMD_SOCKET"] = None


@pytest.fixture(autouse=True)
def _empty_store(request):
    """The store's directory emptied after each test (as the tables are by tests/conftest.py)."""
    yield
    if "app" in request.fixturenames:
        import shutil
        from pathlib import Path
        root = Path(request.getfixturevalue("app").config["DOCUMENTS_DIR"])
        for child in root.iterdir() if root.is_dir() else ():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
