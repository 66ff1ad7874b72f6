"""What the benchmarks share: databases, data files, timings (wall and CPU), results, the machine.

Benchmarks are scripts run by hand (`make bench`, or one `bench_*.py` at a time), never collected
by pytest. Everything they create lives under BENCH_DIR (/tmp/agir-bench) and in PostgreSQL
databases named agir_bench_*; results accumulate in BENCH_DIR/results.json, which report.py
turns into the README table.

The machine is small (2 cores) and shared: each figure keeps the load average around it, and
CPU time (this process, plus the PostgreSQL backend's, read from /proc) is recorded beside wall
time because it is much less sensitive to the neighbours.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = Path(os.environ.get("AGIR_BENCH_DIR", "/tmp/agir-bench"))
RESULTS = BENCH_DIR / "results.json"
PG_SERVER = os.environ.get("AGIR_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
VENV_BIN = ROOT / ".venv" / "bin"
SEED = int(os.environ.get("AGIR_BENCH_SEED", "8"))
# Eight departments: at 100,000 persons the largest AGIR operators hold about 5,000 files each.
DEPARTMENTS = int(os.environ.get("AGIR_BENCH_DEPARTMENTS", "8"))
# Database names (PostgreSQL) start with this: two people benchmarking on one server keep apart.
DB_PREFIX = os.environ.get("AGIR_BENCH_DB_PREFIX", "agir_bench_")
TODAY = date.today()
BACKENDS = ("sqlite", "postgresql")
SECRET = "bench-secret-key-not-for-production"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The benchmark pilot's second factor (pilots need one since issue 20): a known secret, as the test factories do.
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def label(size: int) -> str:
    """10000 → "10k"."""
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def log(message: str) -> None:
    """Progress of the benchmarks on stderr, with the time and the load average."""
    print(f"[{datetime.now():%H:%M:%S} load {os.getloadavg()[0]:.1f}] {message}", file=sys.stderr, flush=True)


# --- databases ---------------------------------------------------------------------------------------

def database_name(size: int, purpose: str = "") -> str:
    """agir_bench_100k, agir_bench_import_20k …"""
    return f"{DB_PREFIX}{purpose + '_' if purpose else ''}{label(size)}"


def database_url(backend: str, size: int, purpose: str = "") -> str:
    """SQLAlchemy URL of the benchmark database of that backend and size."""
    name = database_name(size, purpose)
    if backend == "sqlite":
        return f"sqlite:///{BENCH_DIR / (name + '.db')}"
    return f"{PG_SERVER}/{name}"


def reset_database(backend: str, size: int, purpose: str = "") -> str:
    """An empty database (dropped and created again), migrated with `flask db upgrade`; its URL."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url(backend, size, purpose)
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        import psycopg
        name = database_name(size, purpose)
        with psycopg.connect(PG_SERVER.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    run = flask(["db", "upgrade"], url, capture=True)
    if run.returncode != 0:
        raise RuntimeError(f"db upgrade failed on {url}: {run.stderr[-2000:]}")
    return url


def analyze(url: str) -> None:
    """Fresh planner statistics (PostgreSQL's autovacuum would do it a little later; SQLite: ANALYZE)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url, isolation_level="AUTOCOMMIT") if url.startswith("postgresql") else create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


def data_file(size: int) -> Path:
    """The generated interchange file of `size` persons (made once, then reused)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"persons-{label(size)}-seed{SEED}-d{DEPARTMENTS}-{TODAY.isoformat()}.jsonl"
    if not path.exists():
        log(f"generating {size} persons → {path.name}")
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as out:
            run = flask(["agir", "generate", "--persons", str(size), "--seed", str(SEED),
                         "--departments", str(DEPARTMENTS), "--today", TODAY.isoformat()], None, stdout=out)
        if run.returncode != 0:
            raise RuntimeError(f"generate failed: {run.stderr[-2000:]}")
        partial.rename(path)
    return path


def totp_code(url: str, email: str) -> str:
    """A current code of the benchmark's second factor, the account's replay guard cleared first (the benchmarks
    sign the same pilot in several times within 30 seconds)."""
    import pyotp
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET totp_last_step = NULL WHERE email = :email"), {"email": email})
    engine.dispose()
    return pyotp.TOTP(BENCH_TOTP_SECRET).now()


# --- processes ---------------------------------------------------------------------------------------

class Run:
    """A finished child process: exit code, wall time, its own CPU time, peak RSS, captured output."""

    def __init__(self, returncode, wall, cpu, maxrss_kib, stdout, stderr, load_before, load_after):
        self.returncode, self.wall, self.cpu, self.maxrss_kib = returncode, wall, cpu, maxrss_kib
        self.stdout, self.stderr = stdout, stderr
        self.load = (load_before, load_after)

    def as_dict(self) -> dict:
        return {"wall": round(self.wall, 3), "cpu": round(self.cpu, 3), "maxrss_mib": round(self.maxrss_kib / 1024, 1),
                "load": [round(x, 2) for x in self.load]}


def env_for(url: str | None) -> dict:
    """The environment of a `flask` child: the database, a secret, no colours."""
    env = dict(os.environ, SECRET_KEY=SECRET, PYTHONUNBUFFERED="1")
    if url:
        env["DATABASE_URL"] = url
    return env


def flask(args: list[str], url: str | None, stdout=None, stdin=None, capture: bool = False) -> Run:
    """Run `flask --app wsgi ARGS` on the database `url` and measure it with wait4 (its own rusage)."""
    return command([str(VENV_BIN / "flask"), "--app", "wsgi", *args], env_for(url), stdout, stdin, capture)


def command(argv: list[str], env: dict, stdout=None, stdin=None, capture: bool = False) -> Run:
    """Run a child process; wall time, user+system CPU and peak RSS of that child alone (os.wait4)."""
    import tempfile
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                stdout=stdout if stdout is not None else out if capture else subprocess.DEVNULL,
                                stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (not all children's)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        out.seek(0)
        stderr_text, stdout_text = err.read().decode("utf-8", "replace"), out.read().decode("utf-8", "replace")
    return Run(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stdout_text,
               stderr_text, load_before, os.getloadavg()[0])


class BackendWatcher(threading.Thread):
    """CPU of the PostgreSQL backends connected to one database, sampled every 0.2 s from /proc."""

    def __init__(self, database: str):
        super().__init__(daemon=True)
        import psycopg
        self.database = database
        self.conn = psycopg.connect(PG_SERVER.replace("+psycopg", "") + "/postgres", autocommit=True)
        self.own = self.conn.info.backend_pid
        self.cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.sample()

    def sample(self) -> None:
        pids = [row[0] for row in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s", (self.database, self.own))]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / CLK_TCK)

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.conn.close()
        return sum(self.cpu.values())


def flask_measured(args: list[str], url: str, stdout=None) -> dict:
    """`flask … ARGS` measured: wall, CPU of the command plus its PostgreSQL backend, peak RSS."""
    watcher = BackendWatcher(url.rsplit("/", 1)[1]) if url.startswith("postgresql") else None
    if watcher:
        watcher.start()
    run = flask(args, url, stdout=stdout)
    server = watcher.stop() if watcher else 0.0
    if run.returncode not in (0, 1):
        raise RuntimeError(f"flask {' '.join(args)} failed: {run.stderr[-3000:]}")
    result = run.as_dict()
    result.update(returncode=run.returncode, client_cpu=result["cpu"], server_cpu=round(server, 2),
                  cpu=round(run.cpu + server, 3))
    return result


# --- in-process measures -------------------------------------------------------------------------------

def make_app(url: str):
    """The application on a benchmark database (production settings apart from the secret)."""
    from agir.app import create_app
    from agir.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = SECRET

    return create_app(BenchConfig)


class ServerCpu:
    """CPU time of the PostgreSQL backends serving this process's connections (/proc, same machine)."""

    def __init__(self, engine):
        self.pids: set[int] = set()
        if engine.dialect.name == "postgresql":
            from sqlalchemy import event
            event.listen(engine, "connect", self._connected)
            engine.dispose()  # every connection from now on goes through the listener

    def _connected(self, dbapi_connection, _record) -> None:
        self.pids.add(dbapi_connection.info.backend_pid)

    def seconds(self) -> float:
        """User + system CPU of the known backends so far."""
        total = 0
        for pid in list(self.pids):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                self.pids.discard(pid)
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / CLK_TCK


@contextmanager
def measure(server: ServerCpu | None = None):
    """`with measure(server) as m:` → m["wall"], m["cpu"] (this process + the database backend), m["load"]."""
    m: dict = {}
    load = os.getloadavg()[0]
    server_before = server.seconds() if server else 0.0
    cpu_before = time.process_time()
    start = time.perf_counter()
    yield m
    m["wall"] = time.perf_counter() - start
    m["client_cpu"] = time.process_time() - cpu_before
    m["server_cpu"] = (server.seconds() - server_before) if server else 0.0
    m["cpu"] = m["client_cpu"] + m["server_cpu"]
    m["load"] = (load, os.getloadavg()[0])


def repeat(function, times: int, server: ServerCpu | None = None, warmup: int = 1) -> dict:
    """Run function() `warmup` + `times` times; the summary of wall and CPU over the timed runs."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(times):
        with measure(server) as m:
            function()
        samples.append(m)
    return summarize(samples)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summarize(samples: list[dict]) -> dict:
    """Median and p95 of wall and CPU, with the range of the load average during the runs."""
    walls = [s["wall"] for s in samples]
    cpus = [s["cpu"] for s in samples]
    loads = [x for s in samples for x in s["load"]]
    return {"n": len(samples), "wall_median": round(statistics.median(walls), 4),
            "wall_p95": round(percentile(walls, 95), 4), "cpu_median": round(statistics.median(cpus), 4),
            "cpu_p95": round(percentile(cpus, 95), 4),
            "server_cpu_median": round(statistics.median(s.get("server_cpu", 0.0) for s in samples), 4),
            "load": [round(min(loads), 2), round(max(loads), 2)]}


# --- results -------------------------------------------------------------------------------------------

def machine() -> dict:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(re.findall(r"\d+", line)[0]) // 1024 for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal")), 0)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": memory, "python": platform.python_version(),
            "kernel": platform.release(), "postgresql": _pg_version(), "sqlite": _sqlite_version()}


def _pg_version() -> str:
    try:
        import psycopg
        with psycopg.connect(PG_SERVER.replace("+psycopg", "") + "/postgres") as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 — informative only
        return f"unavailable ({exc.__class__.__name__})"


def _sqlite_version() -> str:
    import sqlite3
    return sqlite3.sqlite_version


def load_results() -> dict:
    """Everything measured so far."""
    if RESULTS.exists():
        return json.loads(RESULTS.read_text())
    return {}


def save(key: str, value) -> None:
    """Store one result (replacing an older one of the same key), with when it was measured."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results = load_results()
    results.setdefault("_machine", machine())
    if isinstance(value, dict):
        value = dict(value, measured_at=datetime.now(UTC).isoformat(timespec="seconds"))
    results[key] = value
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=True, ensure_ascii=False))
    tmp.replace(RESULTS)


def arguments(description: str, sizes=(10_000, 100_000), extra=()):
    """Common command-line options of the bench scripts: --sizes, --backends, --repeat."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default=",".join(str(s) for s in sizes),
                        help="numbers of persons, comma-separated")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("AGIR_BENCH_REPEAT", "7")),
                        help="timed runs per measure (after one warm-up; AGIR_BENCH_REPEAT)")
    for option, help_text in extra:
        parser.add_argument(option, default=None, help=help_text)
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.backends = [b for b in args.backends.split(",") if b]
    return args
