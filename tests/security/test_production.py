"""Finding 9 of issue 13: production refuses to start without HTTPS cookies unless told it runs behind plain
HTTP, and sends HSTS when its cookies are HTTPS-only. Each case is a real start of the application with
the environment of a deployment (a child process reading agir.config from os.environ)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
from agir.app import create_app
from agir.extensions import db
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
with app.app_context():
    db.create_all()
client = app.test_client()
response = client.post("/langue", data={"locale": "en"})
print("COOKIE", response.headers.get("Set-Cookie"))
print("HSTS", response.headers.get("Strict-Transport-Security"))
print("REMEMBER_SECURE", app.config.get("REMEMBER_COOKIE_SECURE"))
"""


def _start(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("AGIR_") and k not in ("DATABASE_URL", "SECRET_KEY", "FLASK_DEBUG")}
    environ.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "SECRET_KEY": "a-real-secret-" + "x" * 32,
                    "AGIR_ENV": "production",
                    # Issue 18: production also needs a virus scanner and the documents' key (not used here).
                    "AGIR_CLAMD_SOCKET": "/run/clamav/clamd.ctl",
                    "AGIR_DOCUMENTS_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}, **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=120)


def test_production_without_https_cookies_refuses_to_start(tmp_path):
    result = _start(tmp_path)
    assert result.returncode != 0
    assert "AGIR_SECURE_COOKIES=1" in result.stderr and "AGIR_PLAIN_HTTP=1" in result.stderr


def test_production_with_https_cookies_marks_them_secure_and_sends_hsts(tmp_path):
    result = _start(tmp_path, AGIR_SECURE_COOKIES="1")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert "Secure" in lines["COOKIE"] and "HttpOnly" in lines["COOKIE"]
    assert lines["HSTS"].startswith("max-age=31536000")
    assert lines["REMEMBER_SECURE"] == "True"


def test_production_explicitly_behind_plain_http_starts_without_secure_cookies(tmp_path):
    result = _start(tmp_path, AGIR_PLAIN_HTTP="1")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert "Secure" not in lines["COOKIE"]
    assert lines["HSTS"] == "None"


def test_both_settings_at_once_are_refused(tmp_path):
    result = _start(tmp_path, AGIR_SECURE_COOKIES="1", AGIR_PLAIN_HTTP="1")
    assert result.returncode != 0
    assert "AGIR_PLAIN_HTTP" in result.stderr
