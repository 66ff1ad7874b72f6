"""Where a document's bytes are kept: a local directory outside the web root (default) or an S3-compatible
object store (several web hosts), always encrypted at rest with AES-256-GCM under a key from the environment.

    put(plain) -> key      get(key) -> plain      delete(key)      exists(key)

Configuration (app config, else the environment): AGIR_DOCUMENTS_BACKEND=local|s3, AGIR_DOCUMENTS_DIR
(default: instance/documents), AGIR_DOCUMENTS_KEY (32 bytes, urlsafe base64) and AGIR_DOCUMENTS_OLD_KEYS
(comma separated, still read while `agir documents rotate-key` re-encrypts), AGIR_DOCUMENTS_S3_ENDPOINT,
_BUCKET, _REGION, _ACCESS_KEY, _SECRET_KEY, _PREFIX. Without AGIR_DOCUMENTS_KEY (development and tests
only: production refuses to start) the key is derived from SECRET_KEY.

Stored form: b"AGIRDOC1" + key id (8 bytes: SHA-256 of the key) + nonce (12) + ciphertext and tag; the
storage key is the additional authenticated data, so one object copied under another name does not decrypt.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AGIRDOC1"
_KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
_EXTENSION = "agir-store"


class StoreError(RuntimeError):
    """The store is misconfigured, or an object is missing or does not decrypt."""


def new_key_text() -> str:
    """A fresh AGIR_DOCUMENTS_KEY value (32 random bytes, urlsafe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise StoreError("AGIR_DOCUMENTS_KEY n'est pas du base64 valide.") from exc
    if len(raw) != 32:
        raise StoreError("AGIR_DOCUMENTS_KEY doit faire 32 octets (base64), voir `agir documents new-key`.")
    return raw


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"agir-documents-key-id" + key).digest()[:8]


def check_key(key: str) -> str:
    """The storage key itself, if it is one the store made (32 hex digits): nothing else reaches a path."""
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise StoreError("Clé de stockage invalide.")
    return key


class Cipher:
    """AES-256-GCM with a current key and older keys still read (rotation)."""

    def __init__(self, current: bytes, old: list[bytes] | tuple[bytes, ...] = ()):
        self.current = current
        self.current_id = _key_id(current)
        self.keys = {_key_id(k): AESGCM(k) for k in (*old, current)}

    def encrypt(self, plain: bytes, key: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return MAGIC + self.current_id + nonce + self.keys[self.current_id].encrypt(nonce, plain, key.encode())

    def key_id_of(self, blob: bytes) -> bytes:
        if blob[:8] != MAGIC or len(blob) < 8 + 8 + 12 + 16:
            raise StoreError("Objet stocké illisible (format inconnu).")
        return blob[8:16]

    def decrypt(self, blob: bytes, key: str) -> bytes:
        aes = self.keys.get(self.key_id_of(blob))
        if aes is None:
            raise StoreError("Objet chiffré avec une clé inconnue : ajoutez l'ancienne clé à AGIR_DOCUMENTS_OLD_KEYS.")
        try:
            return aes.decrypt(blob[16:28], blob[28:], key.encode())
        except Exception as exc:  # cryptography's InvalidTag: altered bytes or another object's name
            raise StoreError("Objet stocké altéré : le déchiffrement a échoué.") from exc


class LocalBackend:
    """Files under one directory (mode 0700), two-letter fan-out, written atomically (temporary file, rename)."""

    def __init__(self, directory: str | os.PathLike):
        self.root = Path(directory)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.{_EXTENSION}"

    def write(self, key: str, blob: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StoreError("Document introuvable dans le stockage.") from exc

    def remove(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def modified(self, key: str) -> datetime | None:
        """When the object was last written (UTC), or None if it is not there."""
        try:
            return datetime.fromtimestamp(self._path(key).stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.glob(f"??/*.{_EXTENSION}")):
                yield path.name.split(".", 1)[0]


class S3Backend:
    """Objects of one bucket (under an optional prefix) of an S3-compatible store, through boto3."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def write(self, key: str, blob: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=blob,
                               ContentType="application/octet-stream")

    def read(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise StoreError("Document introuvable dans le stockage.") from exc

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))  # S3 deletes are idempotent

    def has(self, key: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def modified(self, key: str) -> datetime | None:
        from botocore.exceptions import ClientError
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))["LastModified"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if _KEY_PATTERN.fullmatch(name):
                    yield name


@dataclass
class Store:
    """A backend and a cipher: the bytes go in plain and come back plain; they are never written plain."""

    backend: LocalBackend | S3Backend
    cipher: Cipher

    def put(self, plain: bytes) -> str:
        key = secrets.token_hex(16)
        self.backend.write(key, self.cipher.encrypt(plain, key))
        return key

    def get(self, key: str) -> bytes:
        return self.cipher.decrypt(self.backend.read(check_key(key)), key)

    def delete(self, key: str) -> None:
        self.backend.remove(check_key(key))

    def exists(self, key: str) -> bool:
        return self.backend.has(check_key(key))

    def rotate(self) -> dict[str, int]:
        """Re-encrypt under the current key every object written under an older one."""
        counts = {"rotated": 0, "current": 0}
        for key in list(self.backend.keys()):
            blob = self.backend.read(key)
            if self.cipher.key_id_of(blob) == self.cipher.current_id:
                counts["current"] += 1
                continue
            self.backend.write(key, self.cipher.encrypt(self.cipher.decrypt(blob, key), key))
            counts["rotated"] += 1
        return counts


def _setting(config: Mapping, name: str, default=None):
    """DOCUMENTS_X from the app config, else AGIR_DOCUMENTS_X from the environment."""
    value = config.get(name)
    return value if value not in (None, "") else os.environ.get(f"AGIR_{name}", default)


def cipher_from(config: Mapping) -> Cipher:
    """The cipher of a configuration: AGIR_DOCUMENTS_KEY (+ old keys), else a key derived from SECRET_KEY."""
    text = _setting(config, "DOCUMENTS_KEY")
    if text:
        current = _decode_key(text)
    else:
        secret = str(config.get("SECRET_KEY") or os.environ.get("SECRET_KEY") or "")
        if not secret:
            raise StoreError("AGIR_DOCUMENTS_KEY (ou SECRET_KEY) doit être défini pour chiffrer les documents.")
        current = hashlib.sha256(b"agir-documents-derived-key" + secret.encode()).digest()
    old = [_decode_key(k) for k in str(_setting(config, "DOCUMENTS_OLD_KEYS", "") or "").split(",") if k.strip()]
    return Cipher(current, old)


def default_directory() -> Path:
    """instance/documents beside the application, outside the static folder served by the web server."""
    return Path(__file__).resolve().parents[2] / "instance" / "documents"


def store_from(config: Mapping) -> Store:
    """Build the store a configuration describes."""
    backend_name = str(_setting(config, "DOCUMENTS_BACKEND", "local")).lower()
    backend: LocalBackend | S3Backend
    if backend_name == "local":
        backend = LocalBackend(_setting(config, "DOCUMENTS_DIR") or default_directory())
    elif backend_name == "s3":
        import boto3
        bucket = _setting(config, "DOCUMENTS_S3_BUCKET")
        if not bucket:
            raise StoreError("AGIR_DOCUMENTS_S3_BUCKET doit être défini avec AGIR_DOCUMENTS_BACKEND=s3.")
        client = boto3.client(
            "s3", endpoint_url=_setting(config, "DOCUMENTS_S3_ENDPOINT"),
            region_name=_setting(config, "DOCUMENTS_S3_REGION", "us-east-1"),
            aws_access_key_id=_setting(config, "DOCUMENTS_S3_ACCESS_KEY"),
            aws_secret_access_key=_setting(config, "DOCUMENTS_S3_SECRET_KEY"))
        backend = S3Backend(client, bucket, str(_setting(config, "DOCUMENTS_S3_PREFIX", "") or ""))
    else:
        raise StoreError(f"AGIR_DOCUMENTS_BACKEND inconnu : {backend_name!r} (local ou s3).")
    return Store(backend, cipher_from(config))


def current_store() -> Store:
    """The store of the current application (built once per application), or of the environment alone."""
    from flask import current_app, has_app_context
    if not has_app_context():
        return store_from({})
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("agir_documents_store")
    if store is None:
        store = app.extensions["agir_documents_store"] = store_from(app.config)
    return store


def put(plain: bytes) -> str:
    """Encrypt and keep these bytes; the storage key to find them again."""
    return current_store().put(plain)


def get(key: str) -> bytes:
    """The plain bytes kept under this key (StoreError when missing or altered)."""
    return current_store().get(key)


def delete(key: str) -> None:
    """Forget the bytes kept under this key (nothing happens when they are already gone)."""
    current_store().delete(key)


def exists(key: str) -> bool:
    """True when bytes are kept under this key."""
    return current_store().exists(key)
