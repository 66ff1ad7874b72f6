"""Import of generated persons (`flask --app wsgi agir import FILE`), against a bare SQLite executemany.

For each size and backend: a fresh migrated database, then the real command in a child process,
timed with its own CPU (os.wait4) and, on PostgreSQL, the CPU of the backend serving it (read
from /proc while it runs). The last import of each size stays in place: the other benchmarks
read that database (agir_bench_<size>).

The reference is the cheapest possible write of the same rows: every row of every table, read
back from the imported database, inserted again with sqlite3's executemany in one transaction
into an empty file with the same schema (tables, constraints, indexes). Target: the import
within 10× that.

    .venv/bin/python tests/bench/bench_import.py --sizes 10000,20000,100000
    .venv/bin/python tests/bench/bench_import.py --sizes 1000000 --backends postgresql   # long: nohup … &

Peak RSS is the import command's own (os.wait4), so its memory bound can be read at each size.
"""
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import common


def import_once(backend: str, size: int, path: Path) -> dict:
    """One import into a fresh database: wall, CPU (client + server), peak RSS of the command."""
    url = common.reset_database(backend, size)
    watcher = common.BackendWatcher(common.database_name(size)) if backend == "postgresql" else None
    if watcher:
        watcher.start()
    run = common.flask(["agir", "import", str(path)], url)
    server = watcher.stop() if watcher else 0.0
    if run.returncode != 0:
        raise RuntimeError(f"import failed ({backend}, {size}): {run.stderr[-3000:]}")
    result = run.as_dict()
    result.update(client_cpu=result["cpu"], server_cpu=round(server, 2), cpu=round(run.cpu + server, 2))
    return result


def table_rows(url: str, table, chunk: int = 20_000) -> Iterator[list[tuple]]:
    """The rows of one table of an imported database, as SQLite stores them, by chunks (a million persons'
    rows do not fit in memory at once)."""
    from sqlalchemy import create_engine, select
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        cursor = conn.execute(f'SELECT {", ".join(c.name for c in table.columns)} FROM "{table.name}"')
        while rows := cursor.fetchmany(chunk):
            yield rows
        conn.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(select(table))
        for part in result.partitions(chunk):
            yield [tuple(_sqlite_value(v) for v in row) for row in part]
    engine.dispose()


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        import json
        return json.dumps(value)
    return value


def bare_executemany(url: str, size: int, times: int = 3) -> dict:
    """The same rows written by sqlite3.executemany in one transaction into the same empty schema.

    The rows are read back from the imported database by chunks; only the inserts (and the commit)
    are timed, so that memory stays flat at 1,000,000 persons.
    """
    from sqlalchemy import create_engine

    from models import milestones
    from models.base import db
    samples = []
    path = common.BENCH_DIR / f"bare-{common.label(size)}.db"
    total = 0
    for _ in range(times):
        path.unlink(missing_ok=True)
        engine = create_engine(f"sqlite:///{path}")
        db.metadata.create_all(engine)
        with engine.begin() as schema:  # a bare write: person_milestones' rows are copied, not kept by triggers
            for sql in milestones.drop_statements("sqlite"):
                schema.exec_driver_sql(sql)
        engine.dispose()
        conn = sqlite3.connect(path, isolation_level=None)
        m = {"wall": 0.0, "cpu": 0.0, "load": (os.getloadavg()[0], 0.0)}
        total = 0

        def timed(call, m=m):
            wall, cpu = time.perf_counter(), time.process_time()
            call()
            m["wall"] += time.perf_counter() - wall
            m["cpu"] += time.process_time() - cpu

        timed(lambda conn=conn: conn.execute("BEGIN"))
        for table in db.metadata.sorted_tables:
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            marks = ", ".join("?" for _ in table.columns)
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
            for rows in table_rows(url, table):
                total += len(rows)
                timed(lambda conn=conn, sql=sql, rows=rows: conn.executemany(sql, rows))
        timed(lambda conn=conn: conn.execute("COMMIT"))
        conn.close()
        m["load"] = (m["load"][0], os.getloadavg()[0])
        samples.append(m)
    path.unlink(missing_ok=True)
    result = common.summarize(samples)
    result["rows"] = total
    return result


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], sizes=(10_000, 20_000, 100_000))
    for size in args.sizes:
        path = common.data_file(size)
        runs = 1 if size >= 50_000 else min(args.repeat, 3)
        for backend in args.backends:
            samples = []
            for i in range(runs):
                common.log(f"import {size} persons into {backend} ({i + 1}/{runs})")
                samples.append(import_once(backend, size, path))
                common.log(f"  {samples[-1]}")
            common.analyze(common.database_url(backend, size))
            walls = sorted(s["wall"] for s in samples)
            cpus = sorted(s["cpu"] for s in samples)
            common.save(f"import/{backend}/{size}", {
                "runs": samples, "wall_median": walls[len(walls) // 2], "cpu_median": cpus[len(cpus) // 2],
                "maxrss_mib": max(s["maxrss_mib"] for s in samples), "file_mib": round(path.stat().st_size / 2**20, 1)})
        source = "sqlite" if "sqlite" in args.backends else args.backends[0]
        common.log(f"bare executemany of the same rows (read back from {source})")
        bare = bare_executemany(common.database_url(source, size), size, 1 if size >= 50_000 else 3)
        common.save(f"import/bare/{size}", bare)
        common.log(f"  {bare}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_import done in {time.perf_counter() - started:.0f} s")
