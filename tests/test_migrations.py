"""The Alembic migrations build the schema of the models from nothing, and tear it down again."""
import os
import re
import tempfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from agir.app import create_app
from agir.config import TestConfig
from agir.extensions import db

IGNORED_TABLES = {"apscheduler_jobs", "alembic_version"}


def _fresh_url(label: str = "migr") -> str:
    """An empty database of its own (PostgreSQL beside the test database, or a SQLite file), named by `label`."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        import psycopg
        name = re.sub(r"\W", "_", f"{base.rsplit('/', 1)[1]}_{label}_{os.environ.get('PYTEST_XDIST_WORKER', 'm')}")
        server = base.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{base.rsplit('/', 1)[0]}/{name}"
    return f"sqlite:///{tempfile.mkdtemp(prefix=f'agir-{label}-')}/m.db"


def app_on(url: str):
    """The application on the database at `url` (a fresh one of _fresh_url, which the test migrates)."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


@pytest.fixture(scope="module")
def migrated_app():
    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _relevant(diff) -> bool:
    """Ignore tables that are not ours (APScheduler's job store creates its own)."""
    text = repr(diff)
    return not any(name in text for name in IGNORED_TABLES)


def test_upgrade_from_nothing_matches_the_models(migrated_app):
    with migrated_app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, db.metadata) if _relevant(d)]
    assert diffs == [], f"models and migrations disagree: {diffs}"


def test_every_migration_downgrades_to_an_empty_schema(migrated_app):
    with migrated_app.app_context():
        downgrade(revision="base")
        engine = create_engine(migrated_app.config["SQLALCHEMY_DATABASE_URI"])
        left = set(inspect(engine).get_table_names()) - IGNORED_TABLES
        engine.dispose()
        assert left == set()
        upgrade()  # and back up again: the chain is walkable both ways
        engine = create_engine(migrated_app.config["SQLALCHEMY_DATABASE_URI"])
        assert "persons" in inspect(engine).get_table_names()
        engine.dispose()
