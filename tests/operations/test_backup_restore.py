"""The backup of docs/operations.md, restored into a fresh database, gives back the same data.

On PostgreSQL (TEST_DATABASE_URL=postgresql…): `pg_dump --format=custom`, `createdb`, `pg_restore --no-owner`,
exactly as the runbook says; on SQLite (the default test database) the same test runs with the sqlite3
online backup API. Both compare `agir export` of the original and of the restored database, and the number
of rows of every table (accounts, audit and alerts are not in the export).
"""
import json
import shutil
import sqlite3
import subprocess
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from agir.app import create_app
from agir.config import TestConfig
from agir.demo.generator import generate_lines
from agir.extensions import db
from agir.interchange.importer import import_lines
from agir.privacy import anonymise_person
from models import Department, Note, Person, Structure
from tests import factories

NOTE = "Note avec « guillemets », accents et\nligne"


@pytest.fixture
def populated(app_ctx):
    """Generated persons with their whole path, accounts, a note, an anonymised file, audit entries."""
    result = import_lines(list(generate_lines(25, seed=11, departments=2, today=date(2025, 6, 1))))
    assert result.errors == []
    structure = db.session.scalars(select(Structure).where(Structure.kind == "agir_operator")).first()
    factories.make_user("social_worker", structure)
    factories.make_user("admin")
    persons = db.session.scalars(select(Person).order_by(Person.id)).all()
    db.session.add(Note(person=persons[0], noted_on=date(2025, 5, 2), text=NOTE))
    anonymise_person(None, persons[-1])
    db.session.commit()


@pytest.fixture
def restore(app, tmp_path):
    """restore() → URL of a fresh copy of the test database, made as docs/operations.md says."""
    made = []

    def _restore() -> str:
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        db.session.remove()
        if url.get_backend_name() == "postgresql":
            copy = restore_postgresql(url, tmp_path)
        elif url.get_backend_name() == "sqlite":
            copy = restore_sqlite(url, tmp_path)
        else:
            pytest.skip(f"no backup procedure for {url.get_backend_name()}")
        made.append(copy)
        return copy.render_as_string(hide_password=False)

    yield _restore
    for url in made:
        if url.get_backend_name() == "postgresql":
            subprocess.run(["psql", "-q", "-c", f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)',
                            _libpq(url.set(database="postgres"))], check=False)


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def restore_postgresql(url, tmp_path):
    """pg_dump the database, createdb a fresh one, pg_restore into it."""
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump introuvable : apt-get install postgresql-client")
    dump = tmp_path / "agir.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(url)], check=True)
    copy = url.set(database=f"{url.database}_restored")
    subprocess.run(["psql", "-q", "-c", f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)',
                    _libpq(url.set(database="postgres"))], check=True)
    subprocess.run(["createdb", "--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
                    "--username", url.username or "postgres", copy.database], check=True)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(copy)}", str(dump)],
                   check=True)
    return copy


def restore_sqlite(url, tmp_path):
    """Copy the database with the sqlite3 online backup API (consistent while the application writes)."""
    target = tmp_path / "agir-restored.db"
    source, copy = sqlite3.connect(url.database), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return make_url(f"sqlite:///{target}")


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables}


def application_on(url: str):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
    return create_app(Config)


def export_of(url: str) -> list[str]:
    """The lines of `flask agir export`, run by an application on that database."""
    application = application_on(url)
    result = application.test_cli_runner().invoke(args=["agir", "export"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        db.engine.dispose()
    return result.stdout.splitlines()


def test_a_backup_restored_into_a_fresh_database_exports_the_same_records(app, populated, restore):
    original_url = app.config["SQLALCHEMY_DATABASE_URI"]
    copy_url = restore()
    copy_engine = create_engine(copy_url)
    try:
        assert row_counts(copy_engine) == row_counts(db.engine)
        with copy_engine.connect() as conn:
            assert NOTE in conn.execute(text("SELECT text FROM notes")).scalars().all()
    finally:
        copy_engine.dispose()
    original, copy = export_of(original_url), export_of(copy_url)
    assert sum(json.loads(line)["type"] == "person" for line in original) == 25
    assert copy == original


def test_the_restored_database_takes_new_records(app, populated, restore):
    # The sequences come back with the data: a new file in the copy does not collide with a restored id.
    application = application_on(restore())
    with application.app_context():
        before = db.session.scalar(select(func.max(Person.id)))
        person = factories.make_person(db.session.scalars(select(Department)).first())
        db.session.commit()
        assert person.id > before
        db.session.remove()
        db.engine.dispose()


# --- The documents' bytes (issue 18 item 6): the directory is backed up and restored with the database -------

PDF = b"%PDF-1.4\n% titre de sejour de la personne\n%%EOF\n"


def backup_documents(directory, archive) -> None:
    """The runbook's copy of the documents' directory (encrypted bytes; the key is not in it)."""
    subprocess.run(["tar", "--create", "--gzip", f"--file={archive}", f"--directory={directory.parent}",
                    directory.name], check=True)


def restore_documents(archive, parent):
    """The runbook's restore of that copy into an empty place."""
    parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "--extract", "--gzip", f"--file={archive}", f"--directory={parent}"], check=True)


def application_with_documents(url: str, directory, key: str | None = None):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        DOCUMENTS_DIR = str(directory)
        DOCUMENTS_KEY = key
    return create_app(Config)


def test_a_document_survives_backup_and_restore(app, app_ctx, restore, tmp_path, request):
    import hashlib
    from pathlib import Path

    from agir.documents import store
    from models import Document
    world = factories.make_world()
    person = factories.make_person(world.department, world.agir)
    document = factories.make_document(person, world.agir, "residence_permit",
                                       sha256=hashlib.sha256(PDF).hexdigest())
    document.storage_key, document.content_type, document.scan_status = store.put(PDF), "application/pdf", "clean"
    db.session.commit()
    key, digest = document.storage_key, document.sha256
    request.addfinalizer(lambda: store.store_from(app.config).delete(key))  # the run's store, empty again
    directory = Path(app.config["DOCUMENTS_DIR"])
    assert PDF not in (directory / key[:2] / f"{key}.agir-store").read_bytes()   # encrypted at rest

    archive = tmp_path / "agir-documents.tar.gz"
    copy_url = restore()                      # the database first, then the directory (docs/operations.md § 6)
    backup_documents(directory, archive)
    restored_dir = tmp_path / "restored" / directory.name
    restore_documents(archive, restored_dir.parent)

    # Each command runs in its own application's context (inside this test's, Flask would reuse the current one).
    application = application_with_documents(copy_url, restored_dir)
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["agir", "documents", "verify"])
        assert result.exit_code == 0, result.output
        assert "1 document(s) vérifié(s) : 0 introuvable(s), 0 illisible(s)" in result.output
        row = db.session.scalars(select(Document)).one()
        plain = store.get(row.storage_key)
        assert (row.storage_key, hashlib.sha256(plain).hexdigest()) == (key, digest) and plain == PDF
        assert Path(store.current_store().backend.root) == restored_dir
        db.session.remove()
        db.engine.dispose()

    # Without the key kept apart, the restored bytes are useless; without the directory, they are missing.
    for application, expected in ((application_with_documents(copy_url, restored_dir, key=store.new_key_text()),
                                   "1 illisible(s)"),
                                  (application_with_documents(copy_url, tmp_path / "nothing"), "1 introuvable(s)")):
        with application.app_context():
            result = application.test_cli_runner().invoke(args=["agir", "documents", "verify"])
            assert result.exit_code == 1 and expected in result.output, result.output
            db.session.remove()
            db.engine.dispose()
