"""`export`, `indicators` and `cohort` as real commands: time and peak memory at each size.

Each command runs in a child process measured with os.wait4 (wall, CPU, peak RSS of that child
alone) plus the CPU of its PostgreSQL backend. The memory target: peak RSS flat in the number
of persons (the export streams by pages of persons; indicators are SQL aggregates). A command
that stops right after start-up (`indicators` with a missing argument) gives the start-up cost.

    .venv/bin/python tests/bench/bench_memory.py --sizes 10000,100000
"""
import statistics
import time

import common
from bench_queries import periods


def summarize(runs: list[dict]) -> dict:
    """Median wall and CPU, largest peak RSS, load range."""
    return {"n": len(runs), "wall_median": round(statistics.median(r["wall"] for r in runs), 3),
            "cpu_median": round(statistics.median(r["cpu"] for r in runs), 3),
            "server_cpu_median": round(statistics.median(r["server_cpu"] for r in runs), 3),
            "maxrss_mib": max(r["maxrss_mib"] for r in runs),
            "load": [min(r["load"][0] for r in runs), max(r["load"][1] for r in runs)]}


def bench(backend: str, size: int, repeat: int) -> None:
    url = common.database_url(backend, size)
    p = periods(common.TODAY)
    key = f"{backend}/{size}"
    out = common.BENCH_DIR / f"export-{backend}-{common.label(size)}.jsonl"
    commands = {
        "startup": (["agir", "indicators", "--from", p["from"].isoformat()], None),
        "indicators_command": (["agir", "indicators", "--from", p["from"].isoformat(), "--to",
                                p["to"].isoformat()], None),
        "cohort_command": (["agir", "cohort", "--entry-from", p["entry_from"].isoformat(), "--entry-to",
                            p["entry_to"].isoformat()], None),
        "export": (["agir", "export"], out),
    }
    for name, (args, path) in commands.items():
        runs = []
        times = (1 if size >= 500_000 else min(repeat, 3)) if name == "export" else repeat  # 1M: minutes each
        for _ in range(times):
            if path is None:
                runs.append(common.flask_measured(args, url))
            else:
                with open(path, "wb") as sink:
                    runs.append(common.flask_measured(args, url, stdout=sink))
        result = summarize(runs)
        if path is not None:
            result["lines"] = sum(1 for _ in open(path, "rb"))
            result["file_mib"] = round(path.stat().st_size / 2**20, 1)
            path.unlink()
        common.save(f"{name}/{key}", result)
        common.log(f"{name} on {key}: {result}")


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    args.repeat = min(args.repeat, 5)
    for size in args.sizes:
        for backend in args.backends:
            bench(backend, size, args.repeat)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_memory done in {time.perf_counter() - started:.0f} s")
