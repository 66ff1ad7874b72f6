"""The national comparison of departments statement by statement (exits, entry delays, overdue/over limit,
cohort), serial (no parallel workers: all the CPU is counted), on an existing database, read only — by hand.

    .venv/bin/python tests/bench/bench_compare_parts.py --database postgresql+psycopg://…/agir_bench_1000k --repeat 5
"""
import time

import common


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], sizes=(100_000,),
                            extra=[("--database", "an existing database URL (read only)"),
                                   ("--parts", "the statements measured, comma separated (default: all)")])
    from bench_compare import serial

    from agir.extensions import db
    from agir.indicators import compare
    app = common.make_app(args.database)
    with app.app_context():
        serial(db.engine)
        server = common.ServerCpu(db.engine)
        comparison = compare.for_year(common.TODAY.year - 1, None, common.TODAY)
        last = max(d.max_months for d in compare.departments(comparison))
        for name, function in (("exits", lambda: compare.exit_rows(comparison)),
                               ("entry", lambda: compare.entry_rows(comparison)),
                               ("durations", lambda: compare.duration_rows(comparison)),
                               ("cohort", lambda: compare.cohort_rows(comparison, last)),
                               ("whole", lambda: compare.compute(comparison))):
            if args.parts and name not in args.parts.split(","):
                continue
            result = common.repeat(lambda f=function: (f(), db.session.rollback()), args.repeat, server)
            common.log(f"{name}: {result}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_compare_parts done in {time.perf_counter() - started:.0f} s")
