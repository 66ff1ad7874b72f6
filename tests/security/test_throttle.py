"""Finding 8 of issue 13: login throttling counted atomically, and keyed so that an attacker's failures
never lock the real user out from another address.

The concurrent test sends real simultaneous requests to the application served by Werkzeug's threaded
HTTP server on the test database (SQLite file, or PostgreSQL with TEST_DATABASE_URL); each password check
costs what a real argon2 verification costs (the account's hash is made with real-size settings)."""
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from werkzeug.serving import make_server

from agir.extensions import db
from agir.operations import users as users_ops
from models import AuditEntry, Structure, User
from tests import factories

VICTIM = "victime@example.fr"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTACKS = 30


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(params=[2, 4])
def gunicorn_server(app, request):
    """The application served by gunicorn with 2 or 4 worker processes on the test database."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGIR_") or k == "AGIR_TEST_DB_URL"}
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret-key-gunicorn",
                "AGIR_ENV": "testing"})
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(request.param),
                             "-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer on /healthz")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def victim(app_ctx, monkeypatch):
    """An account whose password hash costs a real verification (~tens of milliseconds)."""
    factories.make_world()
    monkeypatch.setattr(users_ops, "_hasher", PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1))
    structure = db.session.scalar(select(Structure).where(Structure.ref == "S-AGIR"))
    user = factories.make_user("social_worker", structure, email=VICTIM)
    db.session.commit()
    monkeypatch.undo()
    return user


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def token(self) -> str:
        status, page = self.open("/login")
        assert status == 200
        return TOKEN_RE.search(page).group(1)


def _count(action: str, email: str = VICTIM) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.detail == email))


def test_thirty_simultaneous_wrong_passwords_get_exactly_five_checked(live_server, victim):
    _attack_at_once(live_server)


def test_thirty_simultaneous_wrong_passwords_to_several_worker_processes(gunicorn_server, victim):
    _attack_at_once(gunicorn_server)


def _attack_at_once(base: str) -> None:
    browsers = [Browser(base) for _ in range(ATTACKS)]
    tokens = [b.token() for b in browsers]
    barrier = threading.Barrier(ATTACKS)
    statuses: list = [None] * ATTACKS

    def attack(i):
        barrier.wait()
        try:
            statuses[i] = browsers[i].open("/login", {"email": VICTIM, "password": f"wrong guess {i:02d}",
                                                      "csrf_token": tokens[i]})[0]
        except OSError as exc:  # shown in the assertion below rather than lost in a thread
            statuses[i] = repr(exc)

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(ATTACKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count("login_failed") == 5, statuses  # passwords actually checked
    assert statuses.count(200) == 5 and statuses.count(429) == ATTACKS - 5, statuses
    assert _count("login_throttled") == ATTACKS - 5


def _login(client, email: str, password: str, address: str):
    token = factories.csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_an_attackers_failures_never_lock_the_real_user_out_from_another_address(app, victim):
    attacker = app.test_client()
    for i in range(8):
        _login(attacker, VICTIM, f"wrong guess {i}", "203.0.113.66")
    assert _login(attacker, VICTIM, factories.PASSWORD, "203.0.113.66").status_code == 429
    real = app.test_client()
    response = _login(real, VICTIM, factories.PASSWORD, "192.0.2.10")
    assert response.status_code == 302, "the real user signs in from their own address"
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == VICTIM)).last_login_at is not None


def test_the_real_users_own_failures_lock_them_out_from_that_address_only(app, victim):
    client = app.test_client()
    for i in range(5):
        assert _login(client, VICTIM, f"typo {i}", "192.0.2.10").status_code == 200
    assert _login(client, VICTIM, factories.PASSWORD, "192.0.2.10").status_code == 429
    assert _login(app.test_client(), VICTIM, factories.PASSWORD, "192.0.2.11").status_code == 302


def test_one_address_trying_many_accounts_is_stopped_by_its_own_ceiling(app, victim):
    ceiling = app.config["LOGIN_MAX_FAILURES_PER_IP"]
    assert ceiling > app.config["LOGIN_MAX_FAILURES"]
    client = app.test_client()
    statuses = [_login(client, f"guess{i}@example.fr", "wrong password", "203.0.113.77").status_code
                for i in range(ceiling + 3)]
    assert statuses[:ceiling] == [200] * ceiling and set(statuses[ceiling:]) == {429}
    assert _login(client, VICTIM, factories.PASSWORD, "203.0.113.77").status_code == 429
    assert _login(app.test_client(), VICTIM, factories.PASSWORD, "192.0.2.12").status_code == 302


def test_a_successful_login_is_not_counted_as_a_failure(app, victim):
    client = app.test_client()
    for _ in range(4):
        _login(client, VICTIM, "wrong", "192.0.2.20")
    assert _login(client, VICTIM, factories.PASSWORD, "192.0.2.20").status_code == 302
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    for _ in range(4):
        assert _login(client, VICTIM, "wrong", "192.0.2.20").status_code == 200
    assert _login(client, VICTIM, factories.PASSWORD, "192.0.2.20").status_code == 302
