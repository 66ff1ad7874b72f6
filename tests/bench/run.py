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

    .venv/bin/python tests/bench/run.py [--quick] [--keep]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 persons (trying the scripts)")
    parser.add_argument("--keep", action="store_true", help="keep the results of earlier runs")
    args = parser.parse_args()
    small, large = (2_000, 10_000) if args.quick else (10_000, 100_000)
    sizes = f"{small},{large}"
    import_sizes = sizes if args.quick else f"{small},20000,{large}"
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not args.keep and common.RESULTS.exists():
        common.RESULTS.rename(common.RESULTS.with_suffix(f".{int(time.time())}.json"))
    common.save("_run", {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                         "commit": git_commit(), "sizes": [small, large], "load_at_start": os.getloadavg()})
    started = time.perf_counter()
    step("bench_import.py", "--sizes", import_sizes)
    step("bench_queries.py", "--sizes", sizes)
    step("bench_memory.py", "--sizes", sizes)
    step("bench_pages.py", "--sizes", sizes, "--connections", "1,2")
    step("bench_explain.py", "--size", str(large))
    run = common.load_results()["_run"]
    run.update(finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
               minutes=round((time.perf_counter() - started) / 60, 1), load_at_end=os.getloadavg())
    common.save("_run", run)
    step("report.py")
    print(json.dumps(common.load_results()["_run"], indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
