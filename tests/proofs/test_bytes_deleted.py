"""The retention job deletes a file's documents' BYTES with the file (issue 18 item 6): gone from the disk
after the commit; a dry run, or a unit of work rolled back, keeps them; a file deleted as created by
mistake takes its documents' bytes along; bytes that another row still names are kept."""
import os
from datetime import date
from pathlib import Path

import pytest

from agir.documents import store
from agir.documents.purge import forget_after_commit, orphan_keys
from agir.extensions import db
from agir.operations import corrections
from models import Document, Exit
from tests import factories

PLAIN = b"%PDF-1.4\n% titre de sejour\n"


def stored_file(app, key: str) -> Path:
    return Path(app.config["DOCUMENTS_DIR"]) / key[:2] / f"{key}.agir-store"


def with_bytes(person, structure, kind="residence_permit", on=date(2023, 1, 5)):
    document = factories.make_document(person, structure, kind, on)
    document.storage_key = store.put(PLAIN)
    document.size_bytes = len(PLAIN)
    db.session.flush()
    return document


@pytest.fixture
def closed(world):
    person = factories.make_person(world.department, world.agir)
    acc = factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 6, 30),
                                       current_end=date(2023, 6, 30), exit_on=date(2023, 6, 30))
    acc.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached")
    keys = [with_bytes(person, world.agir).storage_key, with_bytes(person, world.agir, "caf").storage_key]
    kept = factories.make_person(world.department, world.agir)            # still followed: untouched
    factories.make_accompaniment(kept, world.agir, start=date(2023, 1, 1), planned_end=date(2033, 1, 1))
    kept_key = with_bytes(kept, world.agir).storage_key
    db.session.commit()
    return person, keys, kept_key


def test_the_retention_command_deletes_the_bytes_from_the_disk(app, runner, closed):
    person, keys, kept_key = closed
    files = [stored_file(app, key) for key in keys]
    assert all(f.is_file() for f in files) and store.get(keys[0]) == PLAIN

    result = runner.invoke(args=["agir", "retention", "--as-of", "2030-01-01"])
    assert result.exit_code == 0, result.output
    assert "1 dossier(s) ont été anonymisé(s)" in result.output

    assert [f.exists() for f in files] == [False, False]
    assert not any(store.exists(key) for key in keys)
    assert store.get(kept_key) == PLAIN                          # the followed person's bytes stay
    assert db.session.query(Document).filter_by(person_id=person.id).count() == 0
    assert orphan_keys(db.session) == []


def test_a_dry_run_keeps_the_bytes(app, runner, closed):
    _, keys, _ = closed
    result = runner.invoke(args=["agir", "retention", "--as-of", "2030-01-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert all(stored_file(app, key).is_file() for key in keys)
    assert store.get(keys[1]) == PLAIN


def test_bytes_stay_when_the_unit_of_work_is_rolled_back_and_while_a_row_names_them(app_ctx, world):
    person = factories.make_person(world.department, world.agir)
    document = with_bytes(person, world.agir)
    db.session.commit()
    forget_after_commit(db.session, [document.storage_key])
    db.session.rollback()
    db.session.commit()
    assert store.exists(document.storage_key)
    forget_after_commit(db.session, [document.storage_key])    # asked, but the row still names the key
    db.session.commit()
    assert store.exists(document.storage_key)


def test_a_file_deleted_by_mistake_takes_its_documents_bytes(app_ctx, world):
    person = factories.make_person(world.department, world.agir)
    key = with_bytes(person, world.agir).storage_key
    db.session.commit()
    corrections.delete_person(world.users.social_worker, person, "Dossier créé par erreur")
    assert store.exists(key)                                   # not before the commit
    db.session.commit()
    assert not store.exists(key) and not stored_file(app_ctx, key).exists()


def _aged(app, key: str, days: float) -> None:
    path = stored_file(app, key)
    when = path.stat().st_mtime - days * 86400
    os.utime(path, (when, when))


def test_the_nightly_job_deletes_bytes_left_without_a_document_once_a_day_old(app, runner, world):
    """Bytes whose deletion failed after the commit (the store was down) are orphans: the retention job of a
    later night deletes them — not before they are a day old (an upload writes its bytes before its row
    commits), and never bytes a row names."""
    person = factories.make_person(world.department, world.agir)  # still followed: the job keeps the file
    factories.make_accompaniment(person, world.agir, start=date(2023, 1, 1), planned_end=date(2033, 1, 1))
    named = with_bytes(person, world.agir).storage_key
    db.session.commit()
    old_orphan, young_orphan = store.put(PLAIN), store.put(PLAIN)
    _aged(app, old_orphan, 2)
    _aged(app, named, 2)
    _aged(app, young_orphan, 0.5)
    assert orphan_keys(db.session) == sorted([old_orphan, young_orphan])

    dry = runner.invoke(args=["agir", "retention", "--dry-run"])
    assert dry.exit_code == 0 and stored_file(app, old_orphan).is_file()
    assert "1 fichier(s) de document sans document depuis plus d'un jour seraient supprimé(s)" in dry.output
    result = runner.invoke(args=["agir", "retention"])
    assert result.exit_code == 0, result.output
    assert "1 fichier(s) de document sans document depuis plus d'un jour ont été supprimé(s)" in result.output

    assert not stored_file(app, old_orphan).exists()
    assert store.get(young_orphan) == PLAIN and store.get(named) == PLAIN
    assert orphan_keys(db.session) == [young_orphan]
