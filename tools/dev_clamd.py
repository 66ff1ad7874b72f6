"""`make run`'s virus scanner: start ClamAV's daemon (Debian's clamav-daemon) on a socket in instance/clamd/, or
say loudly why it cannot (documents then stay « en attente d'analyse », and the Documents page says so too).

    python tools/dev_clamd.py start    # idempotent; always exits 0 so that `make run` goes on without a scanner
    python tools/dev_clamd.py stop     # the daemon this tool started (its pid file), nothing else

Signatures: the system's (/var/lib/clamav, kept by clamav-freshclam) when there are some, else a freshclam
download into instance/clamd/db (needs the network). Never a fake database: a scanner that knows only the EICAR
test signature would call every real virus clean — the tests' database (tests/clamd_server.py) stays in the tests.
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "instance" / "clamd"
SOCKET = HOME / "clamd.sock"
PIDFILE = HOME / "clamd.pid"
SYSTEM_DB = Path("/var/lib/clamav")
SIGNATURE_FILES = ("*.cvd", "*.cld", "*.cud")


def _warn(reason: str) -> None:
    bar = "!" * 100
    print(f"\n{bar}\n!! ANTIVIRUS INDISPONIBLE : {reason}\n!! Les documents déposés resteront « en attente "
          f"d'analyse » et ne pourront pas être ouverts.\n!! (la page Documents le signale aussi ; voir "
          f"docs/operations.md §11)\n{bar}\n", file=sys.stderr, flush=True)


def _answers() -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(SOCKET))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


def _has_signatures(directory: Path) -> bool:
    return directory.is_dir() and any(any(directory.glob(pattern)) for pattern in SIGNATURE_FILES)


def _database() -> Path | None:
    if _has_signatures(SYSTEM_DB):
        return SYSTEM_DB
    local = HOME / "db"
    if not _has_signatures(local) and shutil.which("freshclam"):
        local.mkdir(parents=True, exist_ok=True)
        print("Antivirus : pas de signatures locales, essai de freshclam (réseau)…", flush=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(["freshclam", f"--datadir={local}", "--quiet", "--no-warnings"], timeout=300,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return local if _has_signatures(local) else None


def start() -> None:
    """Start clamd if it is not answering already; explain when it cannot be started."""
    if _answers():
        print(f"Antivirus : clamd répond déjà sur {SOCKET}", flush=True)
        return
    clamd = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if clamd is None:
        _warn("clamd n'est pas installé (apt-get install clamav-daemon clamav).")
        return
    database = _database()
    if database is None:
        _warn("aucune base de signatures ClamAV (/var/lib/clamav vide et freshclam sans réseau).")
        return
    HOME.mkdir(parents=True, exist_ok=True)
    config = HOME / "clamd.conf"
    config.write_text("\n".join([f"DatabaseDirectory {database}", f"LocalSocket {SOCKET}", "Foreground yes",
                                 f"LogFile {HOME / 'clamd.log'}", f"TemporaryDirectory {HOME}",
                                 "StreamMaxLength 20M", ""]))
    process = subprocess.Popen([clamd, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    PIDFILE.write_text(str(process.pid))
    print("Antivirus : démarrage de clamd (chargement des signatures, jusqu'à une minute)…", flush=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _warn(f"clamd s'est arrêté au démarrage (voir {HOME / 'clamd.log'}).")
            PIDFILE.unlink(missing_ok=True)
            return
        if _answers():
            print(f"Antivirus : clamd prêt sur {SOCKET}", flush=True)
            return
        time.sleep(0.5)
    _warn(f"clamd ne répond pas après deux minutes (voir {HOME / 'clamd.log'}).")


def stop() -> None:
    """Stop the clamd this tool started (by the pid it wrote)."""
    try:
        pid = int(PIDFILE.read_text())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    PIDFILE.unlink(missing_ok=True)


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()
