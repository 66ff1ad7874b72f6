"""Two application instances on one database (issue 21 item 3; docs/operations.md, Several web hosts).

Two real gunicorn processes, each on a free port of 127.0.0.1, both on the test database (PostgreSQL when
TEST_DATABASE_URL says so, else the same SQLite file — SQLite also serves two processes), as two web hosts
behind a reverse proxy would be:
- the dashboard figures kept by one are shown by the other, and a recompute on one is seen by the other
  (the cache is the table dashboard_cache, not a worker's memory);
- a session opened on one is valid on the other (signed cookie, same secret);
- a login throttled on one is throttled on the other (the counters are rows of login_throttles);
- the scheduler's entry point of the nightly alerts, called by two processes at once, runs the job once
  (agir.jobs' lock row): the first process is held inside the job (between its lock and its first statement
  on the alerts) until the second has come and gone, so that the overlap is certain, not a matter of timing.
"""
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from agir.extensions import db
from tests import factories as f
from tests.indicators.helpers import accompaniment, person

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OPEN_KPI = re.compile(r'<span class="agir-kpi__value">(\d+)</span>\s*'
                      r'<span class="agir-kpi__label">accompagnements en cours')
STAMP = re.compile(r"Chiffres calculés le (\d\d/\d\d/\d{4}) à (\d\d:\d\d)\.")
YEAR_2022 = "/pilot/?from=2022-01-01&to=2022-12-31"
MAX_FAILURES = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(app) -> dict:
    """What both hosts share: the database, the secret; production settings otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGIR_", "TEST_DATABASE"))}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"],
               AGIR_LOGIN_MAX_FAILURES=str(MAX_FAILURES), AGIR_DASHBOARD_CACHE_SECONDS="300",
               AGIR_DOCUMENTS_DIR=app.config["DOCUMENTS_DIR"], PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def two_hosts(app, tmp_path):
    """Two gunicorn processes (one worker each) on two ports; their base URLs."""
    processes, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        log = open(tmp_path / f"host-{name}.log", "wb")
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=child_env(app), stdout=log, stderr=subprocess.STDOUT))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, "".join(p.read_text() for p in tmp_path.glob("host-*.log"))
                try:
                    if requests.get(url + "/login", timeout=30).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, "a host did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def csrf(http: requests.Session, url: str) -> str:
    return f.CSRF_RE.search(http.get(url, timeout=30).text).group(1)


def sign_in(http: requests.Session, base: str, email: str, password: str = f.PASSWORD) -> requests.Response:
    """The real login form (and the second factor's code when the account has one), as factories.login does."""
    response = http.post(base + "/login", data={"email": email, "password": password,
                                                "csrf_token": csrf(http, base + "/login")},
                         allow_redirects=False, timeout=30)
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        f.forget_last_totp_step(email)
        response = http.post(base + "/login/code", data={"code": f.totp_code(), "csrf_token": csrf(
            http, base + "/login/code")}, allow_redirects=False, timeout=30)
    return response


def open_count(html: str) -> int:
    match = OPEN_KPI.search(html)
    assert match, html[-2000:]
    return int(match.group(1))


def test_two_hosts_share_the_dashboard_figures_the_session_and_the_login_throttle(app_ctx, two_hosts):
    host_a, host_b = two_hosts
    world = f.make_world()
    accompaniment(person(world), world.agir, date(2022, 1, 10), planned_end=date(2027, 1, 9))
    db.session.commit()

    pilot = requests.Session()
    assert sign_in(pilot, host_a, "pilot@example.fr").status_code == 302
    first = pilot.get(host_a + YEAR_2022, timeout=60).text          # computed on A, kept in the table
    assert open_count(first) == 1
    stamp = STAMP.search(first).group(0)
    on_b = pilot.get(host_b + YEAR_2022, timeout=60).text           # the session opened on A is valid on B
    assert open_count(on_b) == 1 and stamp in on_b

    accompaniment(person(world), world.agir, date(2022, 6, 1), planned_end=date(2027, 5, 31))
    db.session.commit()
    assert open_count(pilot.get(host_b + YEAR_2022, timeout=60).text) == 1   # B reads what A computed
    assert open_count(pilot.get(host_a + YEAR_2022 + "&recompute=1", timeout=60).text) == 2
    assert open_count(pilot.get(host_b + YEAR_2022, timeout=60).text) == 2   # A's recompute, seen by B
    assert open_count(pilot.get(host_a + YEAR_2022, timeout=60).text) == 2

    # The login throttle: failures on A lock the account (from this address) on B as well.
    someone = requests.Session()
    for _ in range(MAX_FAILURES):
        failed = sign_in(someone, host_a, "sw@example.fr", "not the password")
        assert failed.status_code == 200 and "Adresse électronique ou mot de passe incorrect." in failed.text
    refused = sign_in(requests.Session(), host_b, "sw@example.fr")   # the right password, on the other host
    assert refused.status_code == 429 and "Trop de tentatives de connexion infructueuses" in refused.text
    assert sign_in(requests.Session(), host_b, "ro@example.fr").status_code == 302   # another account: free


JOB = """
import logging, os, sys, time
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
from agir import scheduler
app = scheduler._application()
hold = os.environ.get("HOLD_DIR")
if hold:  # stay inside the job (lock taken) until told to go on
    from sqlalchemy import event
    from agir.extensions import db

    def inside(conn, cursor, statement, *args):
        if "job_locks" not in statement and not Path(hold, "inside").exists():
            Path(hold, "inside").touch()
            deadline = time.monotonic() + 120
            while not Path(hold, "release").exists() and time.monotonic() < deadline:
                time.sleep(0.05)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", inside)
scheduler.nightly_alerts()
"""


def run_job(app, hold: Path | None = None) -> subprocess.Popen:
    env = child_env(app)
    if hold:
        env["HOLD_DIR"] = str(hold)
    return subprocess.Popen([sys.executable, "-c", JOB], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_the_nightly_job_called_by_two_processes_at_once_runs_once(app, app_ctx, tmp_path):
    from models import Alert, JobLock
    world = f.make_world()
    accompaniment(person(world), world.agir, date(2022, 1, 10), planned_end=date(2022, 12, 31))  # overdue
    db.session.commit()

    first = run_job(app, hold=tmp_path)
    deadline = time.monotonic() + 120
    while not (tmp_path / "inside").exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first process never got inside the job"
        time.sleep(0.05)
    second = run_job(app)                                   # while the first holds the job's lock
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "Calcul des alertes déjà en cours dans un autre processus" in err and "Alertes au" not in err
    (tmp_path / "release").touch()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "Alertes au" in err and "déjà en cours" not in err
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Alert)) >= 1
    lock = db.session.get(JobLock, "alerts")
    assert lock.holder is None and lock.locked_at is not None           # released at the end
    third = run_job(app)                                    # one after the other: both run
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0 and "Alertes au" in err, err
