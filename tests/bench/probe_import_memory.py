"""Where the import's memory goes: resident memory by phase of one `agir import`, by hand.

Runs the importer (agir.interchange.importer.import_lines, then the commit, as `agir import` does)
in a child process on a fresh migrated database, and samples, every 0.2 s and at each phase's
start and end:
- the resident memory (VmRSS of /proc/self/status) and its peak within the phase;
- Python's live blocks (sys.getallocatedblocks), to tell Python objects from memory C holds;
- glibc's heap (mallinfo2): bytes in use and bytes free but kept by the allocator (fragmentation).

    .venv/bin/python tests/bench/probe_import_memory.py --sizes 100000,300000 --backends postgresql

Prints one table per run (phase, RSS at start and end, peak, Python blocks, malloc in use / free).
"""
import ctypes
import json
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc():
    """glibc with mallinfo2 typed, or None (another C library, or glibc older than 2.33)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
    except (OSError, AttributeError):
        return None
    return libc


LIBC = _libc()


def _malloc() -> tuple[int, int]:
    """(bytes glibc's malloc hands out, bytes it keeps free), mmap'd blocks counted as in use."""
    if LIBC is None:
        return 0, 0
    info = LIBC.mallinfo2()
    return info.uordblks + info.hblkhd, info.fordblks


def _caches() -> dict[str, int]:
    """Entries of every lru_cache of the application's modules (they fill up with the file, to their bound)."""
    found = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith(("agir", "models")):
            continue
        for attribute, value in list(vars(module).items()):
            try:
                info = getattr(value, "cache_info", None)
            except RuntimeError:  # a proxy of Flask's (request, current_user) outside a request
                continue
            if callable(info) and getattr(value, "__module__", None) == name:
                found[f"{name}.{attribute}"] = info().currsize
    return found


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Probe(threading.Thread):
    """The current phase's peak resident memory, sampled in the background."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.rows: list[dict] = []
        self.stopped = threading.Event()
        self.mark("start")

    def mark(self, phase: str) -> None:
        """Close the current phase (its end figures) and open the next."""
        rss = _rss_kib()
        in_use, free = _malloc()
        if self.rows:
            self.rows[-1].update(end_mib=rss // 1024, peak_mib=max(self.peak, rss) // 1024,
                                 blocks_end=sys.getallocatedblocks(), malloc_mib=in_use >> 20,
                                 malloc_free_mib=free >> 20, caches=_caches())
        self.rows.append({"phase": phase, "start_mib": rss // 1024, "blocks_start": sys.getallocatedblocks()})
        self.peak = rss

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.peak = max(self.peak, _rss_kib())


def child(file: str) -> None:
    """In the child: the import with its phases marked, then one JSON line of rows on stdout."""
    from agir.extensions import db
    from agir.interchange import importer, scratch, writer
    from wsgi import app  # the application, its configuration from the environment

    probe = Probe()
    probe.start()

    def marked(owner, name: str, phase: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            probe.mark(phase)
            return original(*args, **kwargs)
        setattr(owner, name, wrapper)

    marked(importer.ImportJob, "load_database", "load_database")
    marked(importer.ImportJob, "scan", "scan")
    marked(importer.ImportJob, "find_existing", "find_existing")
    marked(importer.ImportJob, "check", "check")
    marked(scratch.Scratch, "warnings", "warnings")
    marked(writer.Writer, "reference_records", "write_reference")
    marked(writer.Writer, "persons", "write_persons")
    samples = []

    def progress(phase, done, total):
        if phase == importer.PHASES["write"] and total and done % max(1, total // 10) < writer.BATCH:
            samples.append((done, _rss_kib() // 1024, sys.getallocatedblocks(), _malloc()[0] >> 20))
    progress.scan_total = False
    with app.app_context():
        result = importer.import_lines(Path(file), progress=progress)
        probe.mark("commit")
        if result.errors:
            raise SystemExit("\n".join(result.errors[:20]))
        db.session.commit()
        probe.mark("end")
    probe.stopped.set()
    print(json.dumps({"rows": probe.rows[:-1], "write_samples": samples, "warnings": len(result.warnings)}))


def main() -> None:
    import common
    args = common.arguments(__doc__.splitlines()[0], sizes=(100_000,),
                            extra=(("--child", "(internal) the file to import in this process"),))
    if args.child:
        child(args.child)
        return
    for backend in args.backends:
        for size in args.sizes:
            path = common.data_file(size)
            url = common.reset_database(backend, size, "probe")
            common.log(f"probing the import of {size} persons on {backend}")
            run = subprocess.run([sys.executable, __file__, "--child", str(path)], env=common.env_for(url),
                                 cwd=common.ROOT, capture_output=True, text=True)
            if run.returncode != 0:
                raise RuntimeError(run.stderr[-3000:])
            found = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"\n{backend}, {size} persons ({found['warnings']} duplicate warnings)")
            print(f"{'phase':16} {'start':>6} {'end':>6} {'peak':>6} {'blocks':>12} {'malloc':>7} {'free':>6}  MiB")
            for row in found["rows"]:
                print(f"{row['phase']:16} {row['start_mib']:6} {row['end_mib']:6} {row['peak_mib']:6} "
                      f"{row['blocks_end'] - row['blocks_start']:+12} {row['malloc_mib']:7} "
                      f"{row['malloc_free_mib']:6}")
                print("    caches:", {k.rsplit(".", 1)[-1]: v for k, v in row["caches"].items() if v})
            print("write: persons → RSS MiB, Python blocks, malloc MiB")
            for done, rss, blocks, in_use in found["write_samples"]:
                print(f"  {done:9} {rss:6} {blocks:12} {in_use:7}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
