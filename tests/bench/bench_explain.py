"""The query plans behind each page and each indicator, on PostgreSQL (EXPLAIN ANALYZE).

Every SQL statement that a page request (test client, signed in through the real form) or an
indicator computation sends is recorded with its parameters, then explained with EXPLAIN
(ANALYZE, BUFFERS) on the same connection parameters. The output, BENCH_DIR/plans.md, lists for
each statement its time, the scans it uses (index or sequential, on which table) and the full
plan of the slowest ones; docs/performance.md quotes it.

    .venv/bin/python tests/bench/bench_explain.py --size 100000
"""
import argparse
import re
import time
from collections import Counter
from datetime import date

import common

SCAN = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)"
                  r"(?: Backward)?(?: using \w+)? on \w+)")
BIG_TABLES = ("persons", "accompaniments", "right_steps", "referrals", "participations", "events", "alerts",
              "audit_entries", "exits", "followups", "housing_accesses", "housing_steps", "jobs", "trainings",
              "notes", "extensions", "programme_sessions", "households")


def explain(connection, statement: str, parameters) -> tuple[str, float]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement: the plan text and the execution time in ms."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    connection.rollback()
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return plan, float(found.group(1)) if found else 0.0


def scans(plan: str) -> list[str]:
    """The scan nodes of a plan, e.g. "Index Scan using ix_accompaniments_person_id on accompaniments"."""
    return [m.group(1) for m in SCAN.finditer(plan)]


def capture(engine, action) -> list[tuple[str, object]]:
    """The SELECT statements (with parameters) that action() sends."""
    from sqlalchemy import event
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def report(title: str, statements, connection, full: int = 3) -> list[str]:
    """Markdown: one line per statement (time, scans), then the full plans of the slowest."""
    lines = [f"### {title}", "", f"{len(statements)} statements.", "", "| ms | JIT ms | scans | statement |",
             "|---:|---:|---|---|"]
    explained = []
    for statement, parameters in statements:
        plan, ms = explain(connection, statement, parameters)
        explained.append((ms, statement, plan))
        text = " ".join(statement.split())
        used = Counter(scans(plan))
        scan_text = "; ".join(f"{s}{f' ×{n}' if n > 1 else ''}" for s, n in used.items()) or "—"
        jit = re.search(r"Timing: .*Total ([\d.]+) ms", plan)
        lines.append(f"| {ms:.2f} | {jit.group(1) if jit else '—'} | {scan_text} | `{text[:70]}…` |")
    seq = sorted({s for _, _, plan in explained for s in scans(plan)
                  if s.startswith(("Seq Scan", "Parallel Seq Scan")) and s.split()[-1] in BIG_TABLES})
    lines += ["", f"Sequential scans of large tables: {', '.join(seq) if seq else 'none'}.", ""]
    for ms, statement, plan in sorted(explained, key=lambda x: -x[0])[:full]:
        text = " ".join(statement.split())
        shown = text if len(text) <= 400 else text[:400] + " …"
        lines += [f"Slowest ({ms:.2f} ms):", "", "```sql", shown, "```", "", "```", plan, "```", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--full", type=int, default=1, help="full plans shown per page (the slowest)")
    parser.add_argument("--jit", choices=("default", "off", "on"), default="default",
                        help="force PostgreSQL's JIT for the EXPLAINs (analysis)")
    parser.add_argument("--serial", action="store_true", help="no parallel workers in the EXPLAINs (analysis)")
    args = parser.parse_args()
    from bench_pages import PASSWORD, prepare
    from bench_queries import biggest_department, periods
    from profile_page import signed_in_client

    from agir import alerts
    from agir.extensions import db
    from agir.indicators import CohortScope, Scope, compute_cohort, compute_indicators

    url = common.database_url("postgresql", args.size)
    common.analyze(url)
    ctx = prepare(url)
    app = common.make_app(url)
    workers = signed_in_client(app, ctx["emails"]["social_worker"], PASSWORD)
    pilot = signed_in_client(app, ctx["emails"]["pilot"], PASSWORD)
    person = ctx["ids"][len(ctx["ids"]) // 2]
    p = periods(common.TODAY)
    out = [f"# Query plans at {args.size:,} persons (PostgreSQL, {date.today().isoformat()})", "",
           f"Structure {ctx['structure']} ({ctx['files']} files), department {ctx['department']}.", ""]
    with app.app_context():
        engine = db.engine
    raw = engine.raw_connection()
    if args.jit != "default" or args.serial:
        with raw.driver_connection.cursor() as cursor:
            if args.jit != "default":
                cursor.execute(f"SET jit = {args.jit}")
            if args.serial:
                cursor.execute("SET max_parallel_workers_per_gather = 0")
        raw.driver_connection.commit()
    # Requests outside any app context: each gets its own (as in production; `g` holds the user).
    # The dashboard as computed (as served, its figures are kept 5 minutes and it reads next to nothing).
    pages = {"/persons/": workers, f"/persons/{person}": workers, "/pilot/?recompute=1": pilot}
    for path, client in pages.items():
        status = client.get(path).status_code  # warm
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        statements = capture(engine, lambda: client.get(path))  # noqa: B023 — called right away
        out += report(f"GET {path}", statements, raw.driver_connection, args.full)
    with app.app_context():
        department = biggest_department()
        computations = {
            "indicators (national)": lambda: compute_indicators(Scope(p["from"], p["to"], common.TODAY)),
            f"indicators (department {department.code})":
                lambda: compute_indicators(Scope(p["from"], p["to"], common.TODAY, department)),
            "cohort (national)": lambda: compute_cohort(CohortScope(p["entry_from"], p["entry_to"])),
            f"cohort (department {department.code})":
                lambda: compute_cohort(CohortScope(p["entry_from"], p["entry_to"], department)),
            "alerts (compute)": lambda: alerts.compute_alerts(db.session, common.TODAY),
        }
        for title, action in computations.items():
            statements = capture(engine, action)
            db.session.rollback()
            out += report(title, statements, raw.driver_connection, 1)
    raw.close()
    suffix = ("" if args.jit == "default" else f"-jit-{args.jit}") + ("-serial" if args.serial else "")
    target = common.BENCH_DIR / f"plans-{common.label(args.size)}{suffix}.md"
    target.write_text("\n".join(out) + "\n")
    common.log(f"plans written to {target}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_explain done in {time.perf_counter() - started:.0f} s")
