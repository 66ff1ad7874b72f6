"""All the benchmarks, in order, from one run (`make bench`): then the README table (report.py).

1. bench_import.py   — import of 10,000, 20,000 and 100,000 generated persons, SQLite and PostgreSQL,
                       against a bare SQLite executemany of the same rows;
2. bench_queries.py  — indicators (national, one department), cohort, alerts (compute and the job),
                       and the plain Python pass over the same records in memory;
3. bench_memory.py   — export, indicators and cohort as commands: time and peak memory;
4. bench_pages.py    — /persons/, /persons/<id>, /pilot/ under wrk against gunicorn (2 workers);
5. bench_explain.py  — EXPLAIN ANALYZE of every statement behind the pages and indicators (PostgreSQL);
6. report.py         — the Markdown table of the README, from BENCH_DIR/results.json.

Each step runs in its own process (memory and database sessions start clean). About 35 minutes
on 2 cores; `--quick` uses 2,000 and 10,000 persons instead (a few minutes, to try the scripts).

`--sizes 10000,100000,1000000` adds a national deployment's size (issue 21: ten years of every
primo-arrivant). Sizes above 200,000 run on PostgreSQL only: SQLite is the small deployment's
database (one department, a few thousand files a year), not measured at a million persons. The
generation and the import of 1,000,000 persons take about an hour on 2 cores; `--steps` runs
some steps only (the others' results are kept in results.json), e.g. `--steps queries,memory`.
Without a generated million, `scale_copies.py 100000 10` makes the 1,000,000-person PostgreSQL
database from ten copies of the 100,000 one in minutes (a proxy: docs/performance.md).

    .venv/bin/python tests/bench/run.py [--quick] [--keep] [--sizes 10000,100000,1000000] [--steps ...]
"""
import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import common

HERE = os.path.dirname(os.path.abspath(__file__))
SQLITE_MAX = 200_000  # above this number of persons, PostgreSQL only
STEPS = ("import", "queries", "memory", "pages", "explain", "report")


def step(script: str, *args: str) -> None:
    """Run one bench script; stop everything if it fails."""
    common.log(f"== {script} {' '.join(args)}")
    started = time.perf_counter()
    code = subprocess.call([sys.executable, os.path.join(HERE, script), *args], cwd=common.ROOT)
    if code != 0:
        raise SystemExit(f"{script} failed (exit {code})")
    common.log(f"== {script} done in {time.perf_counter() - started:.0f} s")


def git_commit() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def by_backends(sizes: list[int], backends: list[str]) -> list[tuple[str, str]]:
    """(sizes, backends) groups: the chosen backends up to SQLITE_MAX persons, PostgreSQL alone above."""
    small = [str(n) for n in sizes if n <= SQLITE_MAX]
    large = [str(n) for n in sizes if n > SQLITE_MAX]
    return ([(",".join(small), ",".join(backends))] if small else []) + (
        [(",".join(large), "postgresql")] if large and "postgresql" in backends else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 persons (trying the scripts)")
    parser.add_argument("--keep", action="store_true", help="keep the results of earlier runs")
    parser.add_argument("--sizes", default=None, help="numbers of persons, comma-separated (default 10000,100000; "
                                                      "above 200,000: PostgreSQL only)")
    parser.add_argument("--steps", default=",".join(STEPS), help="steps to run, comma-separated: " + ",".join(STEPS))
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql (default both)")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(",")) if args.sizes else (
        [2_000, 10_000] if args.quick else [10_000, 100_000])
    steps = {s for s in args.steps.split(",") if s}
    backends = [b for b in args.backends.split(",") if b]
    import_sizes = sizes if args.quick else sorted(set(sizes) | {20_000})
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not args.keep and common.RESULTS.exists() and "import" in steps:
        common.RESULTS.rename(common.RESULTS.with_suffix(f".{int(time.time())}.json"))
    run = common.load_results().get("_run", {}) if args.keep or "import" not in steps else {}
    run.update({"commit": git_commit(), "sizes": sizes, "load_at_start": run.get("load_at_start", os.getloadavg())})
    run.setdefault("started_at", datetime.now(UTC).isoformat(timespec="seconds"))
    common.save("_run", run)
    started = time.perf_counter()
    if "import" in steps:
        for group, chosen in by_backends(import_sizes, backends):
            step("bench_import.py", "--sizes", group, "--backends", chosen)
    for name, script, extra in (("queries", "bench_queries.py", ()), ("memory", "bench_memory.py", ()),
                                ("pages", "bench_pages.py", ("--connections", "1,2"))):
        if name in steps:
            for group, chosen in by_backends(sizes, backends):
                step(script, "--sizes", group, "--backends", chosen, *extra)
    if "explain" in steps:
        step("bench_explain.py", "--size", str(max(sizes)))
    run = common.load_results()["_run"]
    run.update(finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
               minutes=round(run.get("minutes", 0) + (time.perf_counter() - started) / 60, 1),
               load_at_end=os.getloadavg())
    common.save("_run", run)
    if "report" in steps:
        step("report.py")
    print(json.dumps(common.load_results()["_run"], indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
