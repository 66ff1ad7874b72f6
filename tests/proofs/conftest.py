"""The store's directory is emptied around each test of this folder: tests that count the bytes held
(orphans, backups) see only their own."""
import shutil
from pathlib import Path

import pytest


def _empty(root: Path) -> None:
    for child in root.iterdir() if root.is_dir() else ():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


@pytest.fixture(autouse=True)
def _empty_store(request):
    if "app" not in request.fixturenames:
        yield
        return
    root = Path(request.getfixturevalue("app").config["DOCUMENTS_DIR"])
    _empty(root)
    yield
    _empty(root)
