"""A real ClamAV daemon for the tests, with a signature database the tests write themselves (no download).

`sigtool` (Debian's clamav) makes the signatures of the EICAR test file: its MD5 as a whole file (.hdb) and its
bytes as a body signature matching anywhere in a file (.ndb, hex from `sigtool --hex-dump`), so that a PDF
carrying the EICAR string is found too. `clamd` starts on a unix socket in a temporary directory, in the
foreground, as a child of the test process; it is stopped at the end of the session.
Used through the `clamd_socket` fixtures (tests/documents/conftest.py, tests/e2e/test_documents.py). `make run` has
its own starter (tools/dev_clamd.py), on the real signatures: a database that knows only EICAR stays in the tests."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.documents.samples import EICAR

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
SIGTOOL = shutil.which("sigtool") or "/usr/bin/sigtool"


def write_signatures(directory: Path) -> None:
    """test.hdb (the EICAR file's MD5) and test.ndb (its bytes anywhere), made by sigtool."""
    sample = directory / "eicar.com"
    sample.write_bytes(EICAR)
    md5 = subprocess.run([SIGTOOL, "--md5", str(sample)], capture_output=True, text=True, check=True).stdout
    (directory / "test.hdb").write_text(md5)
    hexed = subprocess.run([SIGTOOL, "--hex-dump"], input=EICAR, capture_output=True, check=True).stdout
    (directory / "test.ndb").write_text(f"AGIR-Test.EICAR:0:*:{hexed.decode().strip()}\n")
    sample.unlink()


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


def start_clamd(directory: Path, wait_seconds: float = 60.0) -> tuple[subprocess.Popen, str]:
    """Start clamd over the signatures of `directory`; (process, socket path) once it answers PING."""
    directory.mkdir(parents=True, exist_ok=True)
    write_signatures(directory)
    sock = str(directory / "clamd.sock")
    config = directory / "clamd.conf"
    config.write_text("\n".join([
        f"DatabaseDirectory {directory}", f"LocalSocket {sock}", "Foreground yes",
        f"LogFile {directory / 'clamd.log'}", f"TemporaryDirectory {directory}", f"PidFile {directory / 'clamd.pid'}",
        "StreamMaxLength 20M", "MaxThreads 4", "SelfCheck 3600", ""]))
    if not os.path.exists(CLAMD):
        raise RuntimeError("clamd est introuvable : installez le paquet Debian clamav-daemon (voir .ci/run).")
    process = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"clamd s'est arrêté : {process.stderr.read().decode(errors='replace')[-2000:]}")
        if _answers(sock):
            return process, sock
        time.sleep(0.1)
    stop_clamd(process)
    raise RuntimeError(f"clamd ne répond pas après {wait_seconds:.0f} s")


def stop_clamd(process: subprocess.Popen) -> None:
    """Stop the daemon this module started (by its own process id)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clamd_session():
    """Generator for a session fixture: yields the socket path of a running clamd."""
    directory = Path(tempfile.mkdtemp(prefix="agir-clamd-"))
    process, sock = start_clamd(directory)
    try:
        yield sock
    finally:
        stop_clamd(process)
        shutil.rmtree(directory, ignore_errors=True)
