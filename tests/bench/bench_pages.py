"""Pages under load: /persons/ (a structure with about 5,000 files), /persons/<id> and /pilot/.

/pilot/ is measured twice: as served (its figures are kept 5 minutes, so after the first request
it is a kept page) and with ?recompute=1 (the figures computed at every request).

gunicorn serves the application with 2 workers on the benchmark database; wrk (Debian package
`wrk`), a second process, sends requests over 2 connections for --seconds per page, signed in
with the session cookie of a real login (the form and its CSRF token, same User-Agent: sessions
are bound to it). Every answer must be a 200 (a redirect to the login page would be fast and
wrong): the Lua script counts the others and the result says how many. wrk reports the latency
distribution: median, p95, p99 (milliseconds) and the throughput.

    .venv/bin/python tests/bench/bench_pages.py --sizes 100000 --backends postgresql
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import common

PORT = int(os.environ.get("AGIR_BENCH_PORT", "8765"))
PASSWORD = "Banc-d-essai-2026!"
USER_AGENT = "agir-bench/1.0"
TARGET_FILES = 5000
LUA = r"""
local paths = {PATHS}
counter, bad, good, status_seen = 0, 0, 0, 0  -- globals: done() reads them with thread:get
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  counter = offset or 0
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Cookie"] = "COOKIE", ["User-Agent"] = "UA"})
end
function response(status, headers, body)
  if status == 200 then good = good + 1 else bad = bad + 1; status_seen = status end
end
function done(summary, latency, requests)
  local g, b, seen = 0, 0, 0
  for _, t in ipairs(threads) do
    g, b, seen = g + t:get("good"), b + t:get("bad"), math.max(seen, t:get("status_seen"))
  end
  io.write(string.format('RESULT {"requests": %d, "duration_s": %.3f, "ok": %d, "not_200": %d, ' ..
    '"other_status": %d, "errors": %d, "median_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"mean_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, g, b, seen,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
"""


def prepare(url: str) -> dict:
    """The structure with about 5,000 files, its social worker and its department's pilot; file ids."""
    from sqlalchemy import func, select, union

    from agir.access import persons_visible_to
    from agir.extensions import db
    from agir.operations import totp
    from agir.operations.users import create_user
    from models import Accompaniment, Person, Structure, User

    app = common.make_app(url)
    with app.app_context():
        files = union(select(Person.id.label("person_id"), Person.structure_id.label("structure_id"))
                      .where(Person.structure_id.is_not(None)),
                      select(Accompaniment.person_id, Accompaniment.structure_id)).subquery()
        counts = db.session.execute(
            select(Structure, func.count(files.c.person_id)).join(files, files.c.structure_id == Structure.id)
            .where(Structure.kind.in_(("agir_operator", "project_operator"))).group_by(Structure.id)).all()
        structure, count = min(counts, key=lambda sc: (abs(sc[1] - TARGET_FILES), sc[0].ref))
        accounts = {"social_worker": (f"bench-sw-{structure.ref.lower()}@example.fr", structure.ref, None),
                    "pilot": (f"bench-pilot-{structure.department.code}@example.fr", None, structure.department.code)}
        for role, (email, ref, code) in accounts.items():
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                create_user(email, role, PASSWORD, structure_ref=ref, department_code=code)
            user = db.session.scalar(select(User).where(User.email == email))
            if totp.is_required(user) and not user.totp_enabled_at:  # pilots sign in with a second factor
                totp.enrol_for_tests_or_demo(user, common.BENCH_TOTP_SECRET)
        db.session.commit()
        worker = db.session.scalar(select(User).where(User.email == accounts["social_worker"][0]))
        ids = db.session.scalars(persons_visible_to(worker).with_only_columns(Person.id).order_by(Person.id)).all()
        common.log(f"structure {structure.ref}: {count} files ({len(ids)} visible to its social worker)")
        names = db.session.scalars(persons_visible_to(worker).with_only_columns(Person.last_name)
                                   .group_by(Person.last_name).order_by(func.count().desc()).limit(5)).all()
        result = {"structure": structure.ref, "files": count, "visible": len(ids), "ids": ids, "names": names,
                  "department": structure.department.code,
                  "emails": {role: a[0] for role, a in accounts.items()}}
        db.session.remove()
        db.engine.dispose()
    return result


def start_server(url: str) -> subprocess.Popen:
    """gunicorn with 2 workers on the database; returns once /healthz answers."""
    env = common.env_for(url)
    proc = subprocess.Popen([str(common.VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}",
                             "--log-level", "warning", "wsgi:app"], cwd=common.ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(common.BENCH_DIR / "gunicorn.log", "ab"),
                            start_new_session=True)
    for _ in range(120):
        time.sleep(0.5)
        try:
            status, _, _ = get("/healthz")
            if status == 200:
                return proc
        except OSError:
            continue
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer on /healthz")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the gunicorn we started (its process group: master and workers)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def get(path: str, cookie: str = "", method: str = "GET", body: str | None = None):
    """(status, headers, text) of one request, without following redirects."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheaders(), text


def _session_cookie(headers) -> str:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return ""


def login(email: str, url: str) -> str:
    """Sign in through the real form (CSRF token and all; a pilot's second factor); the session cookie."""
    status, headers, html = get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    cookie = _session_cookie(headers)
    status, headers, _ = get("/login", cookie, "POST",
                             urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}))
    if status != 302:
        raise RuntimeError(f"login of {email} failed: HTTP {status}")
    cookie = _session_cookie(headers) or cookie
    if dict((k.lower(), v) for k, v in headers).get("location", "").endswith("/login/code"):
        _, _, html = get("/login/code", cookie)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        status, headers, _ = get("/login/code", cookie, "POST", urlencode(
            {"code": common.totp_code(url, email), "csrf_token": token.group(1)}))
        if status != 302:
            raise RuntimeError(f"second factor of {email} failed: HTTP {status}")
        cookie = _session_cookie(headers) or cookie
    return cookie


def wrk(paths: list[str], cookie: str, seconds: int, connections: int = 2) -> dict:
    """Run wrk against the paths (in turn); the parsed RESULT line."""
    script = common.BENCH_DIR / "bench_pages.lua"
    script.write_text(LUA.replace("{PATHS}", "{" + ", ".join(json.dumps(p) for p in paths) + "}")
                      .replace("COOKIE", cookie).replace("UA", USER_AGENT))
    load = os.getloadavg()[0]
    out = subprocess.run(["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{PORT}"],
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    result["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return result


def service(url: str, ctx: dict, scenarios: dict, backend: str, size: int, requests: int = 20) -> None:
    """CPU per request, in process and one at a time: the application's plus its PostgreSQL backend's.

    Much less sensitive to the neighbours than latency: what a request costs, whatever the load.
    (Parallel workers of PostgreSQL are not counted: their CPU is not the backend's.)
    """
    import statistics

    from profile_page import signed_in_client

    from agir.extensions import db
    app = common.make_app(url)
    with app.app_context():
        server = common.ServerCpu(db.engine)
    clients = {role: signed_in_client(app, email, PASSWORD) for role, email in ctx["emails"].items()}
    for name, (role, paths) in scenarios.items():
        client = clients[role]
        for path in paths[:3]:
            assert client.get(path).status_code == 200, path
        samples = []
        for i in range(requests):
            with common.measure(server) as m:
                status = client.get(paths[i % len(paths)]).status_code
            assert status == 200, (paths[i % len(paths)], status)
            samples.append(m)
        result = common.summarize(samples)
        result.update(app_cpu_median=round(statistics.median(x["client_cpu"] for x in samples), 4),
                      db_cpu_mean=round(statistics.mean(x["server_cpu"] for x in samples), 4))
        common.save(f"service_{name}/{backend}/{size}", result)
        common.log(f"service {name} on {backend}/{size}: {result}")
    with app.app_context():
        db.engine.dispose()


def bench(backend: str, size: int, seconds: int, only: set[str] | None = None,
          connections: tuple[int, ...] = (2,)) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    url = common.database_url(backend, size)
    ctx = prepare(url)
    rng = random.Random(size)
    ids = rng.sample(ctx["ids"], min(1000, len(ctx["ids"])))
    pages = max(1, -(-ctx["visible"] // 25))
    mixed = ["/persons/", f"/persons/?page={pages // 2}", "/persons/?sort=end", f"/persons/?page={pages}",
             "/persons/?accompaniment=open&sort=start&dir=desc", "/persons/?alert=any", "/persons/?priority=1"]
    mixed += [f"/persons/?q={name}" for name in ctx["names"][:3]]
    scenarios = {
        "persons_list": ("social_worker", ["/persons/"]),
        "persons_list_mixed": ("social_worker", mixed),
        "person_file": ("social_worker", [f"/persons/{i}" for i in ids]),
        "pilot": ("pilot", ["/pilot/"]),
        # The dashboard keeps its figures 5 minutes (docs/rules.md): /pilot/ above is a kept page after
        # the first request; ?recompute=1 computes them at every request (its real cost).
        "pilot_recompute": ("pilot", ["/pilot/?recompute=1"]),
    }
    scenarios = {name: scenario for name, scenario in scenarios.items() if not only or name in only}
    service(url, ctx, scenarios, backend, size)
    server = start_server(url)
    try:
        cookies = {role: login(email, url) for role, email in ctx["emails"].items()}
        for name, (role, paths) in scenarios.items():
            status, _, html = get(paths[0], cookies[role])
            if status != 200:
                raise RuntimeError(f"{paths[0]} as {role}: HTTP {status}")
            wrk(paths[:50], cookies[role], 3)  # warm-up (caches of the workers and of the database)
            for n in connections:
                result = wrk(paths, cookies[role], seconds, n)
                result.update(structure=ctx["structure"], files=ctx["files"], department=ctx["department"],
                              paths=len(paths), connections=n, html_kib=round(len(html.encode()) / 1024, 1))
                key = f"page_{name}/{backend}/{size}" + ("" if n == 2 else f"/c{n}")
                common.save(key, result)
                common.log(f"page {name} on {backend}/{size}, {n} connection(s): {result}")
    finally:
        stop_server(server)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], extra=[
        ("--only", "pages to measure, comma-separated (persons_list, persons_list_mixed, person_file, pilot, "
         "pilot_recompute)"),
        ("--connections", "wrk connections, comma-separated (default 2: one per gunicorn worker)")])
    seconds = int(os.environ.get("AGIR_BENCH_SECONDS", "20"))
    only = set(args.only.split(",")) if args.only else None
    connections = tuple(int(n) for n in (args.connections or "2").split(","))
    for size in args.sizes:
        for backend in args.backends:
            bench(backend, size, seconds, only, connections)


if __name__ == "__main__":
    Path(common.BENCH_DIR).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    main()
    common.log(f"bench_pages done in {time.perf_counter() - started:.0f} s")
