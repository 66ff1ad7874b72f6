"""Issue 18: production refuses to start without a virus scanner configured, or without the documents' own key
(a key derived from SECRET_KEY would be lost with it), or with a malformed key."""
import pytest

from agir.app import create_app
from tests.test_robustness import production_config

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch):
    for name in ("AGIR_CLAMD_SOCKET", "AGIR_CLAMD_HOST", "AGIR_DOCUMENTS_KEY", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def test_production_without_a_scanner_refuses_to_start():
    with pytest.raises(RuntimeError, match="AGIR_CLAMD_SOCKET"):
        create_app(production_config(CLAMD_SOCKET=None, CLAMD_HOST=None))


def test_production_with_a_scanner_host_starts():
    app = create_app(production_config(CLAMD_SOCKET=None, CLAMD_HOST="clamav.internal"))
    assert app.config["CLAMD_PORT"] == 3310


def test_production_without_the_documents_key_refuses_to_start():
    with pytest.raises(RuntimeError, match="AGIR_DOCUMENTS_KEY"):
        create_app(production_config(DOCUMENTS_KEY=None))


def test_production_with_a_malformed_documents_key_refuses_to_start():
    with pytest.raises(RuntimeError, match="32 octets"):
        create_app(production_config(DOCUMENTS_KEY="dGVzdA=="))
