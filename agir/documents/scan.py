"""The virus scan of a document's bytes by ClamAV's daemon (clamd), over its INSTREAM protocol.

Written here rather than taken from PyPI: `clamd` is unmaintained, and the maintained clients scan files by
path (the plain bytes would have to be written to disk for them); the protocol is four messages
(docs/rules.md, « Documents »). Configuration (app config, else environment): AGIR_CLAMD_SOCKET (a unix
socket) or AGIR_CLAMD_HOST with AGIR_CLAMD_PORT (3310), AGIR_CLAMD_TIMEOUT (seconds, 60).
"""
from __future__ import annotations

import os
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass

CHUNK = 64 * 1024


class ScannerUnavailable(RuntimeError):
    """No scanner configured, or it did not answer, or answered something else than a verdict."""


@dataclass(frozen=True)
class Verdict:
    """What clamd said: clean, or infected with a named signature."""

    infected: bool
    signature: str | None = None


def _setting(config: Mapping, name: str, default=None):
    value = config.get(name)
    return value if value not in (None, "") else os.environ.get(f"AGIR_{name}", default)


def scanner_address(config: Mapping) -> str | tuple[str, int] | None:
    """The configured daemon: a unix socket path, a (host, port) pair, or None when none is configured."""
    path = _setting(config, "CLAMD_SOCKET")
    if path:
        return str(path)
    host = _setting(config, "CLAMD_HOST")
    if host:
        return str(host), int(_setting(config, "CLAMD_PORT", 3310))
    return None


def _connect(address: str | tuple[str, int], timeout: float) -> socket.socket:
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def _answer(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        piece = sock.recv(4096)
        if not piece:
            break
        data += piece
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping(config: Mapping) -> bool:
    """True when the configured daemon answers PONG."""
    address = scanner_address(config)
    if address is None:
        return False
    try:
        with _connect(address, 2.0) as sock:  # a page asks: it must not wait long
            sock.sendall(b"zPING\0")
            return _answer(sock) == "PONG"
    except OSError:
        return False


def scan_bytes(data: bytes, config: Mapping) -> Verdict:
    """Send the bytes to clamd (INSTREAM) and read its verdict; ScannerUnavailable when it cannot say."""
    address = scanner_address(config)
    if address is None:
        raise ScannerUnavailable("Aucun antivirus configuré (AGIR_CLAMD_SOCKET ou AGIR_CLAMD_HOST).")
    try:
        with _connect(address, float(_setting(config, "CLAMD_TIMEOUT", 60))) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                piece = data[start:start + CHUNK]
                sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            answer = _answer(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"L'antivirus ne répond pas ({exc}).") from exc
    # "stream: OK", "stream: Eicar-Signature FOUND", or "… ERROR" (size limit, database not loaded …).
    if answer == "stream: OK":
        return Verdict(False)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return Verdict(True, answer[len("stream: "):-len(" FOUND")])
    raise ScannerUnavailable(f"Réponse inattendue de l'antivirus : {answer[:200]!r}")
