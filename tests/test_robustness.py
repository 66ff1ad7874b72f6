"""Robustness outside the forms: debug is off outside development, production refuses the development secret,
a 500 rolls the transaction back and shows a reference number (never a traceback), NUL characters are refused."""
import importlib
import logging
import re

import pytest
from flask import request
from sqlalchemy import func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from agir.app import create_app
from agir.config import DEV_SECRET, TestConfig
from agir.extensions import db
from models import Department
from tests import factories


def production_config(**overrides):
    class Production(TestConfig):
        ENV_NAME = "production"
        TESTING = False
        SECRET_KEY = "a-real-secret-from-the-environment-0123456789"
        SESSION_COOKIE_SECURE = True  # production refuses to start without HTTPS cookies (or AGIR_PLAIN_HTTP=1)
        # ... and without a virus scanner and a documents key (issue 18: tests/documents/test_production_documents.py)
        CLAMD_SOCKET = "/run/clamav/clamd.ctl"
        DOCUMENTS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    for key, value in overrides.items():
        setattr(Production, key, value)
    return Production


def test_debug_is_off_in_production(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app(production_config())
    assert app.debug is False
    assert app.config["TESTING"] is False


def test_production_refuses_to_start_in_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(production_config())


@pytest.mark.parametrize("secret", [DEV_SECRET, "", None])
def test_production_refuses_the_development_secret_key(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config(SECRET_KEY=secret))


def test_development_keeps_its_default_secret_and_no_debug_unless_asked(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app(production_config(ENV_NAME="development", SECRET_KEY=DEV_SECRET))
    assert app.debug is False


@pytest.fixture
def failing_app(app):
    """An app on the test database with a route that writes, then fails; exceptions are not propagated."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        PROPAGATE_EXCEPTIONS = False

    other = create_app(Config)
    seen = {}

    def boom():
        db.session.add(Department(code="99", name="Département fantôme", max_months=12))
        db.session.flush()
        raise RuntimeError("boom")

    def check(_exc):  # after the error handler, before the session is removed
        seen["visible"] = db.session.scalar(select(func.count(Department.id)).where(Department.code == "99"))

    other.add_url_rule("/boom", "boom", boom)
    other.teardown_request(check)
    other.seen = seen
    return other


def test_a_500_rolls_back_and_shows_a_reference_number(failing_app, app_ctx, caplog, monkeypatch):
    # Alembic's fileConfig (tests/test_migrations.py, same worker) disables the loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("agir.errors"), "disabled", False)
    with caplog.at_level(logging.ERROR, logger="agir.errors"):
        response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Erreur inattendue" in html and "Traceback" not in html and "boom" not in html
    reference = re.search(r"<strong>([0-9A-F]{8})</strong>", html)
    assert reference, "no reference number on the 500 page"
    logged = [r for r in caplog.records if r.name == "agir.errors"]
    assert [r.getMessage() for r in logged] == [f"Erreur {reference.group(1)} sur GET /boom"]
    assert logged[0].exc_info is not None  # the traceback goes to the log, not to the page
    assert failing_app.seen["visible"] == 0  # rolled back by the handler, not only at the end of the request
    assert db.session.scalar(select(func.count(Department.id)).where(Department.code == "99")) == 0


def test_a_500_of_a_json_client_gets_the_reference_in_json(failing_app, app_ctx):
    response = failing_app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    body = response.get_json()
    assert body["status"] == 500 and re.fullmatch(r"[0-9A-F]{8}", body["reference"])


@pytest.mark.parametrize("method, url, data", [
    ("get", "/persons/?q=a%00b", None),
    ("post", "/persons/new", {"last_name": "a\x00b"}),
    ("post", "/persons/new", {"x\x00": "y"}),
    ("get", "/persons/1/jo%00bs/new", None),
])
def test_a_nul_character_anywhere_is_refused_with_a_400(client, world, method, url, data):
    # PostgreSQL cannot store NUL (the fuzzing found 500s there): such input is refused before any query.
    factories.login(client, "sw@example.fr")
    if data is not None:
        data["csrf_token"] = factories.csrf_token(client, "/persons/new")
    response = client.open(url, method=method.upper(), data=data)
    assert response.status_code == 400
    assert "Requête invalide" in response.get_data(as_text=True)


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_behind_a_reverse_proxy_the_audit_gets_the_clients_address(monkeypatch, proxies):
    monkeypatch.setenv("AGIR_TRUSTED_PROXIES", proxies)
    import wsgi
    wsgi = importlib.reload(wsgi)
    assert isinstance(wsgi.app.wsgi_app, ProxyFix) is (proxies == "1")
    wsgi.app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    answer = wsgi.app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                        environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert answer.get_data(as_text=True) == ("203.0.113.7" if proxies == "1" else "10.0.0.2")
