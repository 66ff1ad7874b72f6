"""Profile one page in process (Flask test client, signed in through the real form): where the time goes.

Prints the SQL statements of one request with their time, then cProfile's top functions over
--times requests. A tool for finding what to make faster, not a benchmark.

    .venv/bin/python tests/bench/profile_page.py --size 100000 --backend postgresql --role social_worker /persons/123
    .venv/bin/python tests/bench/profile_page.py --role pilot "/pilot/?recompute=1"   (the dashboard keeps its figures)

PROFILE_SORT=tottime sorts the profile by own time instead of cumulative time.
"""
import argparse
import cProfile
import pstats
import re
import time

import common


def signed_in_client(app, email: str, password: str):
    """A test client signed in through /login (CSRF token included), with the benchmarks' User-Agent."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "agir-bench/1.0"
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    if response.headers["Location"].endswith("/login/code"):  # a pilot: the second factor (issue 20)
        html = client.get("/login/code").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        code = common.totp_code(app.config["SQLALCHEMY_DATABASE_URI"], email)
        response = client.post("/login/code", data={"code": code, "csrf_token": token})
        assert response.status_code == 302 and not response.headers["Location"].endswith("/login/code")
    return client


def backend_cpu(conn) -> float:
    """CPU seconds of the PostgreSQL backend behind a connection (0 on SQLite)."""
    dbapi = conn.connection.dbapi_connection
    pid = getattr(getattr(dbapi, "info", None), "backend_pid", None)
    if pid is None:
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / common.CLK_TCK


class StatementLog:
    """SQL statements executed meanwhile, with their duration and the backend's CPU (PostgreSQL)."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.items: list[tuple[float, float, str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()
        conn.info["c0"] = backend_cpu(conn) if self.on else 0.0

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.items.append((time.perf_counter() - conn.info["t0"], backend_cpu(conn) - conn.info["c0"],
                               statement, parameters))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--backend", default="postgresql")
    parser.add_argument("--role", default="social_worker", choices=("social_worker", "pilot"))
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print the statements in full")
    parser.add_argument("--serial", action="store_true",
                        help="PostgreSQL: no parallel workers (all the CPU in the backend measured)")
    args = parser.parse_args()
    from bench_pages import PASSWORD, prepare

    from agir.extensions import db
    url = common.database_url(args.backend, args.size)
    ctx = prepare(url)
    app = common.make_app(url)
    client = signed_in_client(app, ctx["emails"][args.role], PASSWORD)
    path = args.path.replace("{id}", str(ctx["ids"][len(ctx["ids"]) // 2]))
    assert client.get(path).status_code == 200
    with app.app_context():
        if args.serial:
            from sqlalchemy import event
            event.listen(db.engine, "connect", lambda dbapi, _: dbapi.execute(
                "SET max_parallel_workers_per_gather = 0") and dbapi.commit())
        log = StatementLog(db.engine)
        server = common.ServerCpu(db.engine)
    assert client.get(path).status_code == 200  # a connection known to ServerCpu
    log.on = True
    start = time.perf_counter()
    client.get(path)
    total = time.perf_counter() - start
    log.on = False
    print(f"{path}: {total * 1000:.1f} ms, {len(log.items)} statements, "
          f"{sum(t for t, _, _, _ in log.items) * 1000:.1f} ms in the database "
          f"({sum(c for _, c, _, _ in log.items) * 1000:.0f} ms of backend CPU, 10 ms resolution)")
    for seconds, cpu, statement, _params in sorted(log.items, key=lambda x: -x[0])[:15]:
        text = " ".join(statement.split())
        print(f"  {seconds * 1000:7.2f} ms {cpu * 1000:4.0f} cpu  {text if args.sql else text[:140]}")
    walls, cpus, servers = [], [], []
    for _ in range(args.times):
        w, c, s = time.perf_counter(), time.process_time(), server.seconds()
        client.get(path)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        servers.append(server.seconds() - s)
    print(f"without profiler, {args.times} requests: median {common.statistics.median(walls) * 1000:.1f} ms wall, "
          f"{common.statistics.median(cpus) * 1000:.1f} ms CPU of this process, "
          f"{sum(servers) / len(servers) * 1000:.1f} ms CPU of the database backend (mean)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.times):
        client.get(path)
    profile.disable()
    pstats.Stats(profile).sort_stats(__import__("os").environ.get("PROFILE_SORT", "cumulative")).print_stats(40)


if __name__ == "__main__":
    main()
