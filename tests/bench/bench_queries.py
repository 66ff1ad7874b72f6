"""Indicators (national and one department), cohort, the alerts job — in process, net of start-up.

Runs on the databases left by bench_import.py (agir_bench_<size>). Each measure is one warm-up,
then --repeat timed runs: median and p95 of wall time and of CPU time (this process plus, on
PostgreSQL, the backend's). The national indicators are also computed by a plain Python pass
over the same records already in memory (tests/indicators/test_oracle.py's oracle, see
inmemory.py), which must give the same figures: the target is SQL no slower than that pass.

    .venv/bin/python tests/bench/bench_queries.py --sizes 10000,100000
"""
import gc
import time
from datetime import date

import common


def periods(today: date) -> dict:
    """Two calendar years (last year and this one), and last year as the cohort's entry period."""
    return {"from": date(today.year - 1, 1, 1), "to": date(today.year, 12, 31),
            "entry_from": date(today.year - 1, 1, 1), "entry_to": date(today.year - 1, 12, 31)}


def biggest_department():
    """The department with the most persons (the pilot's figures of the benchmark)."""
    from sqlalchemy import func, select

    from agir.extensions import db
    from models import Department, Person
    return db.session.execute(select(Department).join(Person, Person.department_id == Department.id)
                              .group_by(Department.id).order_by(func.count().desc()).limit(1)).scalar_one()


def bench(backend: str, size: int, repeat: int, only: set[str] | None = None) -> None:
    from agir import alerts, jobs
    from agir.extensions import db
    from agir.indicators import CohortScope, Scope, compute_cohort, compute_indicators
    from models import Alert

    url = common.database_url(backend, size)
    app = common.make_app(url)
    key = f"{backend}/{size}"
    p = periods(common.TODAY)
    with app.app_context():
        server = common.ServerCpu(db.engine)
        department = biggest_department()
        national = Scope(p["from"], p["to"], common.TODAY)
        local = Scope(p["from"], p["to"], common.TODAY, department)
        measures = {
            "indicators_national": lambda: compute_indicators(national),
            "indicators_department": lambda: compute_indicators(local),
            "cohort_national": lambda: compute_cohort(CohortScope(p["entry_from"], p["entry_to"])),
            "cohort_department": lambda: compute_cohort(CohortScope(p["entry_from"], p["entry_to"], department)),
            "alerts_compute": lambda: alerts.compute_alerts(db.session, common.TODAY),
        }
        for name, function in measures.items():
            if only and name not in only:
                continue
            common.log(f"{name} on {key}")
            result = common.repeat(function, repeat, server)
            db.session.rollback()
            result["department"] = department.code
            common.save(f"{name}/{key}", result)
            common.log(f"  {result}")

        if not only or "alerts_job" in only:
            # The nightly job: from an empty alerts table (inserts), then a night where nothing changed.
            db.session.execute(Alert.__table__.delete())
            db.session.commit()
            with common.measure(server) as first:
                counts = jobs.run_alerts(common.TODAY)
            steady = common.repeat(lambda: jobs.run_alerts(common.TODAY), max(3, repeat // 2), server, warmup=0)
            steady["first_run"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in first.items()}
            steady["alerts"] = counts
            common.save(f"alerts_job/{key}", steady)
            common.log(f"alerts_job {steady}")
        if only and "python_pass" not in only:
            return

        # The baseline: the same national figures by a plain Python pass over records in memory.
        import inmemory

        from tests.indicators.test_oracle import oracle
        common.log("loading every record in memory for the plain Python pass")
        everything = inmemory.load()
        db.session.rollback()
        expected = oracle(everything, p["from"], p["to"], common.TODAY)
        got = compute_indicators(national)
        db.session.rollback()
        mismatches = [section for section, figures in expected.items() if got[section] != figures]
        gc.collect()
        gc.disable()  # the pass allocates lists of millions of items: no collector pauses in the timings
        try:
            baseline = common.repeat(lambda: oracle(everything, p["from"], p["to"], common.TODAY), repeat)
        finally:
            gc.enable()
        baseline["same_figures_as_sql"] = not mismatches
        baseline["mismatched_sections"] = mismatches
        baseline["persons"] = len(everything[0])
        common.save(f"python_pass_national/{key}", baseline)
        common.log(f"python pass {baseline}")
        everything = None  # free the records before the next database
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], extra=[("--only", "measures to run, comma-separated "
                                                               "(default: all)")])
    only = set(args.only.split(",")) if args.only else None
    for size in args.sizes:
        for backend in args.backends:
            bench(backend, size, args.repeat, only)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_queries done in {time.perf_counter() - started:.0f} s")
