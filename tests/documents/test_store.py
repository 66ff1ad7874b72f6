"""The document store: bytes go in plain and come back plain, are never written plain, and the key rotation
re-encrypts what an old key wrote (local directory; the S3 backend is in test_store_s3.py)."""
import os

import pytest

from agir.documents import store
from agir.documents.store import Cipher, LocalBackend, Store, StoreError

PLAIN = b"%PDF-1.4\nattestation CAF de Mme Martin\n%%EOF\n"


def _store(tmp_path, current=b"k" * 32, old=()):
    return Store(LocalBackend(tmp_path / "docs"), Cipher(current, list(old)))


def _files(tmp_path):
    return sorted(p for p in (tmp_path / "docs").rglob("*") if p.is_file())


def test_put_get_delete_round_trip_and_bytes_encrypted_on_disk(tmp_path):
    s = _store(tmp_path)
    key = s.put(PLAIN)
    assert s.exists(key) and s.get(key) == PLAIN
    [path] = _files(tmp_path)
    on_disk = path.read_bytes()
    assert b"Martin" not in on_disk and on_disk.startswith(store.MAGIC)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    s.delete(key)
    s.delete(key)  # idempotent
    assert not s.exists(key) and _files(tmp_path) == []


def test_an_object_copied_under_another_key_or_altered_does_not_decrypt(tmp_path):
    s = _store(tmp_path)
    first, second = s.put(PLAIN), s.put(b"other")
    blob = s.backend.read(first)
    s.backend.write(second, blob)
    with pytest.raises(StoreError):
        s.get(second)
    s.backend.write(first, blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(StoreError):
        s.get(first)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/../cd", "", "A" * 32, "0" * 31])
def test_a_key_the_store_did_not_make_never_reaches_a_path(tmp_path, key):
    s = _store(tmp_path)
    for call in (s.get, s.delete, s.exists):
        with pytest.raises(StoreError):
            call(key)


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_then_go(tmp_path):
    old, new = os.urandom(32), os.urandom(32)
    key = _store(tmp_path, current=old).put(PLAIN)
    with pytest.raises(StoreError):
        _store(tmp_path, current=new).get(key)  # the old key is needed until rotated
    rotating = _store(tmp_path, current=new, old=[old])
    assert rotating.get(key) == PLAIN
    assert rotating.rotate() == {"rotated": 1, "current": 0}
    assert rotating.rotate() == {"rotated": 0, "current": 1}
    assert _store(tmp_path, current=new).get(key) == PLAIN


def test_configuration_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AGIR_DOCUMENTS_DIR", str(tmp_path / "env-docs"))
    monkeypatch.setenv("AGIR_DOCUMENTS_KEY", store.new_key_text())
    s = store.store_from({})
    key = s.put(PLAIN)
    assert (tmp_path / "env-docs" / key[:2]).is_dir() and s.get(key) == PLAIN
    monkeypatch.setenv("AGIR_DOCUMENTS_KEY", "trop-court")
    with pytest.raises(StoreError, match="32 octets"):
        store.store_from({})
    monkeypatch.setenv("AGIR_DOCUMENTS_BACKEND", "ftp")
    with pytest.raises(StoreError, match="inconnu"):
        store.store_from({"DOCUMENTS_KEY": store.new_key_text()})


def test_module_functions_use_the_application_store(app_ctx):
    key = store.put(PLAIN)
    assert store.exists(key) and store.get(key) == PLAIN
    assert str(store.current_store().backend.root).startswith(app_ctx.config["DOCUMENTS_DIR"])
    store.delete(key)
    assert not store.exists(key)


def test_rotate_key_and_new_key_commands(app, runner, monkeypatch):
    old, new = os.urandom(32), os.urandom(32)
    root = app.config["DOCUMENTS_DIR"]
    key = Store(LocalBackend(root), Cipher(old)).put(PLAIN)
    monkeypatch.setitem(app.extensions, "agir_documents_store", Store(LocalBackend(root), Cipher(new, [old])))
    result = runner.invoke(args=["agir", "documents", "rotate-key"])
    assert result.exit_code == 0 and "1 document(s) rechiffré(s)" in result.output, result.output
    assert Store(LocalBackend(root), Cipher(new)).get(key) == PLAIN
    printed = runner.invoke(args=["agir", "documents", "new-key"]).output.strip()
    assert len(store._decode_key(printed)) == 32
    Store(LocalBackend(root), Cipher(new)).delete(key)
