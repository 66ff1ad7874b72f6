"""Fixtures: one app and one database per test worker, emptied after each test.

SQLite by default (a file, so the CLI runner and the live server share it); set
TEST_DATABASE_URL=postgresql+psycopg://… to run the suite on PostgreSQL (a database per worker
is created from that name).
"""
import os
import re
import tempfile
import time

# The tests' own « today » (date.today(), datetime.now() in the factories and the assertions) is the day in
# France, as the application's (agir.dates.today: Europe/Paris whatever the server's zone). On a server
# clock in UTC the two differed from midnight to 01:00 or 02:00 in Paris, and about twenty tests failed
# in that hour every night. The application itself never asks the server's zone for its day
# (tests/rules/test_person_rules.py::test_no_code_of_the_application_asks_the_server_clock_for_its_day).
os.environ["TZ"] = "Europe/Paris"
time.tzset()

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import text

from agir.app import create_app
from agir.config import TestConfig
from agir.extensions import db
from tests import factories


def _database_url(worker: str) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        # In memory-backed /dev/shm when there is one: the suite commits after every test.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        path = os.path.join(tempfile.mkdtemp(prefix="agir-test-", dir=shm), f"test-{worker}.db")
        return f"sqlite:///{path}"
    if not base.startswith("postgresql"):
        return base
    import psycopg
    name = re.sub(r"\W", "_", f"{base.rsplit('/', 1)[1]}_{worker}")
    server = base.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base.rsplit('/', 1)[0]}/{name}"


class FreshContextClient(FlaskClient):
    """Each request in its own app context: a test holding `app_ctx` must not share `g` or the
    database session with the requests it makes (as in production, one context per request)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(worker_id="master"):
    """The application on a fresh schema (tests of the migrations live in tests/test_migrations.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    url = _database_url(worker)
    os.environ["AGIR_TEST_DB_URL"] = url

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = True
        # The documents' bytes (agir.documents.store): a directory of this run, never the instance folder.
        DOCUMENTS_DIR = tempfile.mkdtemp(prefix="agir-docs-test-")

    import agir.operations.users as users_ops
    users_ops._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    application = create_app(Config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            from sqlalchemy import event

            @event.listens_for(db.engine, "connect")
            def _fast_sqlite(dbapi_conn, _record):  # tests need no durability
                dbapi_conn.execute("PRAGMA synchronous=OFF")
            db.engine.dispose()
        db.drop_all()
        db.create_all()
    yield application


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE, children first: much cheaper than TRUNCATE on mostly empty tables (PostgreSQL
        # TRUNCATE takes exclusive locks and rewrites files for every table, ~1 s per test).
        with db.engine.begin() as conn:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        if "apscheduler_jobs" in db.inspect(db.engine).get_table_names():
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM apscheduler_jobs"))


@pytest.fixture
def app_ctx(app):
    """An application context with a clean session (for operations and queries)."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app):
    """A test client with CSRF on: forms must carry their token (see tests.factories.csrf_token)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask agir …` commands."""
    return app.test_cli_runner()


@pytest.fixture
def world(app_ctx):
    """A small department with one structure of each kind, a programme and one account per role."""
    return factories.make_world()


@pytest.fixture
def login(client):
    """login(email, password=factories.PASSWORD): sign in through the real form."""
    def _login(email, password=factories.PASSWORD):
        return factories.login(client, email, password)
    return _login
