"""The comparison of departments (issue 19): the national comparison computed without cache, and the regional
pilot's page (signed in, the whole request), on generated persons over at least 8 departments — by hand, never
in the suite. Targets: national p95 < 500 ms, regional page p95 < 300 ms (PostgreSQL, 100,000 persons).

The database (agir_bench_compare_<size>) is made once from the generated file of common.data_file (reused when
it already holds persons); --explain prints PostgreSQL's plan of each statement of the comparison.

--database URL measures the comparison computed in process on an existing database instead (read only: no
import, no pilots, no pages — e.g. agir_bench_1000k). --serial yes turns PostgreSQL's parallel workers off on
the benchmark's connections: ServerCpu counts the backends connected to this process, not the parallel workers
they start, so with parallel plans the CPU measured leaves part of the work out; serial, all of it is counted.

    .venv/bin/python tests/bench/bench_compare.py --sizes 100000 --backends postgresql --repeat 20
    .venv/bin/python tests/bench/bench_compare.py --database postgresql+psycopg://…/agir_bench_1000k --repeat 5
"""
import time

import common

PURPOSE = "compare"
PASSWORD = "Bench-compare-2026!"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # pilots sign in with a second factor (issue 20)


def prepare(backend: str, size: int) -> str:
    """The benchmark database with its persons, and a regional and a national pilot (made once)."""
    from sqlalchemy import create_engine, text
    url = common.database_url(backend, size, PURPOSE)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            persons = conn.execute(text("select count(*) from persons")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001 — no database yet
        persons = 0
    if not persons:
        path = common.data_file(size)
        url = common.reset_database(backend, size, PURPOSE)
        common.log(f"importing {path.name} into {url}")
        run = common.flask(["agir", "import", str(path)], url)
        if run.returncode != 0:
            raise RuntimeError(f"import failed: {run.stderr[-3000:]}")
        common.analyze(url)
    app = common.make_app(url)
    with app.app_context():
        from sqlalchemy import select

        from agir.extensions import db
        from agir.operations.totp import enrol_for_tests_or_demo
        from agir.operations.users import create_user
        from models import User
        for email, role, region in (("regional.bench@example.fr", "regional_pilot", "75"),
                                    ("national.bench@example.fr", "national_pilot", None)):
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = create_user(email, role, PASSWORD, region_code=region)
            enrol_for_tests_or_demo(user, TOTP_SECRET)
        db.session.commit()
    return url


def signed_in(app, email: str):
    """A test client signed in through /login and the second factor's page."""
    import re

    import pyotp
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "agir-bench/1.0"

    def token(path):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)

    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token("/login")})
    if response.headers.get("Location", "").endswith("/login/code"):
        response = client.post("/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                                     "csrf_token": token("/login/code")})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], response.headers
    return client


def explain(url: str, year: int) -> None:
    """EXPLAIN ANALYZE of the four statements of the national comparison (PostgreSQL)."""
    from sqlalchemy import event

    from agir.extensions import db
    from agir.indicators import compare
    app = common.make_app(url)
    with app.app_context():
        statements = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        compare.compute(compare.for_year(year, None, common.TODAY))
        event.remove(db.engine, "before_cursor_execute", keep)
        for statement, parameters in statements:
            plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            print("\n".join(row[0] for row in plan), "\n", flush=True)


def serial(engine) -> None:
    """No parallel workers on this engine's PostgreSQL connections (their CPU would not be counted)."""
    from sqlalchemy import event

    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _serial(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET max_parallel_workers_per_gather = 0")
            dbapi_connection.commit()

        engine.dispose()


def bench(backend: str, size: int, repeat: int, show_plans: bool, database: str | None = None,
          no_parallel: bool = False) -> None:
    from sqlalchemy import func, select

    from agir.extensions import db
    from agir.indicators import compare
    from models import Department, Person, Region

    url = database or prepare(backend, size)
    year = common.TODAY.year - 1
    app = common.make_app(url)
    with app.app_context():
        if no_parallel:
            serial(db.engine)
        server = common.ServerCpu(db.engine)
        if database:
            size = db.session.scalar(select(func.count()).select_from(Person))
        key = f"{backend}/{size}" + ("/serial" if no_parallel else "")
        departments = db.session.scalar(select(func.count()).select_from(Department))
        region = db.session.scalar(select(Region).where(Region.code == "75"))
        national = compare.for_year(year, None, common.TODAY)
        regional = compare.for_year(year, region, common.TODAY)
        figures = compare.compute(national)
        db.session.rollback()
        common.log(f"{departments} departments, {sum(r['exits'] or 0 for r in figures['departments'])} visible exits "
                   f"in {year}, masked cells: {sum(len(r['masked']) for r in figures['departments'])}")
        for name, function in (("compare_national", lambda: compare.compute(national)),
                               ("compare_regional", lambda: compare.compute(regional))):
            result = common.repeat(lambda f=function: (f(), db.session.rollback()), repeat, server)
            result["departments"] = departments
            common.save(f"{name}/{key}", result)
            common.log(f"{name} on {key}: {result}")
        db.session.remove()
    if database:  # an existing database, read only: no pilots, no pages
        with app.app_context():
            db.engine.dispose()
        return
    # The pages outside the application context above: each request pushes its own (and its own `g`, where
    # Flask-Login keeps the signed-in user).
    for role, email in (("regional", "regional.bench@example.fr"), ("national", "national.bench@example.fr")):
        client = signed_in(app, email)
        path = f"/pilot/compare?year={year}"

        def page(client=client, path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        result = common.repeat(page, repeat, server)  # the same engine: its backends' CPU is counted
        common.save(f"compare_page_{role}/{key}", result)
        common.log(f"compare page ({role}) on {key}: {result}")
    with app.app_context():
        db.engine.dispose()
    if show_plans and backend == "postgresql":
        explain(url, year)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], sizes=(100_000,),
                            extra=[("--explain", "print the plans of the national comparison (yes)"),
                                   ("--database", "an existing database URL, measured in process only (read only)"),
                                   ("--serial", "no parallel workers on the benchmark's connections (yes)")])
    if args.database:
        bench(args.database.split(":", 1)[0].split("+", 1)[0], 0, args.repeat, bool(args.explain), args.database,
              bool(args.serial))
        return
    for size in args.sizes:
        for backend in args.backends:
            bench(backend, size, args.repeat, bool(args.explain), no_parallel=bool(args.serial))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    common.log(f"bench_compare done in {time.perf_counter() - started:.0f} s")
