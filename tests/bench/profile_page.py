"""Profile one page in process (Flask test client, signed in through the real form): where the time goes.

Prints the SQL statements of one request with their time, then cProfile's top functions over
--times requests. A tool for finding what to make faster, not a benchmark.

    .venv/bin/python tests/bench/profile_page.py --size 100000 --backend postgresql --role social_worker /persons/123
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
    return client


class StatementLog:
    """SQL statements executed meanwhile, with their duration."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.items: list[tuple[float, str]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.items.append((time.perf_counter() - conn.info["t0"], statement, parameters))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--backend", default="postgresql")
    parser.add_argument("--role", default="social_worker", choices=("social_worker", "pilot"))
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print the statements in full")
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
        log = StatementLog(db.engine)
    log.on = True
    start = time.perf_counter()
    client.get(path)
    total = time.perf_counter() - start
    log.on = False
    print(f"{path}: {total * 1000:.1f} ms, {len(log.items)} statements, "
          f"{sum(t for t, _, _ in log.items) * 1000:.1f} ms in the database")
    for seconds, statement, _params in sorted(log.items, key=lambda x: -x[0])[:15]:
        text = " ".join(statement.split())
        print(f"  {seconds * 1000:7.2f} ms  {text if args.sql else text[:150]}")
    walls, cpus = [], []
    for _ in range(args.times):
        w, c = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"without profiler, {args.times} requests: median {common.statistics.median(walls) * 1000:.1f} ms wall, "
          f"{common.statistics.median(cpus) * 1000:.1f} ms CPU of this process")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.times):
        client.get(path)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
