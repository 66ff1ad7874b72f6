"""Configuration from the environment, with an embedded SQLite default for a newcomer."""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the short forms people paste from their hosting panel.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'agir.db'}"


class Config:
    """Settings read once at start-up."""

    ENV_NAME = os.environ.get("AGIR_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("AGIR_SECURE_COOKIES", "0") == "1"
    # Production without HTTPS cookies must say so: it runs behind plain HTTP on purpose (check_production).
    PLAIN_HTTP = os.environ.get("AGIR_PLAIN_HTTP", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("AGIR_IDLE_MINUTES", "60")))
    ABSOLUTE_LIFETIME = timedelta(hours=int(os.environ.get("AGIR_SESSION_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = ABSOLUTE_LIFETIME
    # The cookie is written back only when the session changed (every page does: seen_at), never by a stylesheet or
    # a font: a file fetched late would otherwise carry the session back as it was before a language switch.
    SESSION_REFRESH_EACH_REQUEST = False
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "agir" / "translations")
    LANGUAGES = ("fr", "en")
    LOGIN_MAX_FAILURES = int(os.environ.get("AGIR_LOGIN_MAX_FAILURES", "5"))  # one account from one address
    # One address whatever the accounts tried: higher (an office behind one address), still a ceiling.
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("AGIR_LOGIN_MAX_FAILURES_PER_IP", "50"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("AGIR_LOGIN_LOCK_MINUTES", "15"))
    RETENTION_YEARS = int(os.environ.get("AGIR_RETENTION_YEARS", "2"))
    AUDIT_RETENTION_DAYS = int(os.environ.get("AGIR_AUDIT_RETENTION_DAYS", "365"))
    SMTP_HOST = os.environ.get("AGIR_SMTP_HOST")
    SMTP_PORT = int(os.environ.get("AGIR_SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("AGIR_SMTP_USER")
    SMTP_PASSWORD = os.environ.get("AGIR_SMTP_PASSWORD")
    MAIL_FROM = os.environ.get("AGIR_MAIL_FROM", "agir@localhost")
    # Appointment reminders by SMS (agir/sms.py, issue 17): without a provider they are logged and kept.
    SMS_PROVIDER = os.environ.get("AGIR_SMS_PROVIDER")  # "brevo"
    SMS_API_KEY = os.environ.get("AGIR_SMS_API_KEY")
    SMS_SENDER = os.environ.get("AGIR_SMS_SENDER", "AGIR")
    SMS_URL = os.environ.get("AGIR_SMS_URL")  # the provider's endpoint (a default per provider)
    SMS_TIMEOUT = float(os.environ.get("AGIR_SMS_TIMEOUT", "10"))
    PER_PAGE = 25
    # The pilot's dashboard: figures kept this many seconds in the table dashboard_cache, shared by every host
    # (0: computed at every request).
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("AGIR_DASHBOARD_CACHE_SECONDS", "300"))
    DASHBOARD_CACHE_SIZE = int(os.environ.get("AGIR_DASHBOARD_CACHE_SIZE", "64"))
    # PostgreSQL: a department's indicators read its records by its persons' ids when it holds at most this share
    # of the persons (agir.indicators.scope.ids_first; docs/performance.md), else the records of the period joined
    # to its persons. Only the speed depends on it, never a figure.
    INDICATORS_IDS_FIRST_SHARE = float(os.environ.get("AGIR_INDICATORS_IDS_FIRST_SHARE", "0.1"))
    # ProConnect (issue 20, agir/oidc.py): off unless the three are set.
    # The calendar feeds' event UIDs end with this (stable whatever host name the feed is read under).
    CALENDAR_UID_DOMAIN = os.environ.get("AGIR_CALENDAR_UID_DOMAIN")
    PROCONNECT_CLIENT_ID = os.environ.get("AGIR_PROCONNECT_CLIENT_ID")
    PROCONNECT_CLIENT_SECRET = os.environ.get("AGIR_PROCONNECT_CLIENT_SECRET")
    PROCONNECT_DISCOVERY_URL = os.environ.get("AGIR_PROCONNECT_DISCOVERY_URL")
    PROCONNECT_ACR = os.environ.get("AGIR_PROCONNECT_ACR", "eidas1")
    # The key that encrypts the TOTP secrets (agir.operations.totp); SECRET_KEY when unset.
    TOTP_KEY = os.environ.get("AGIR_TOTP_KEY")
    # Documents' files (issue 18, agir/documents): where the encrypted bytes are kept (local: DOCUMENTS_DIR,
    # instance/documents by default; s3: AGIR_DOCUMENTS_S3_*), the key (required in production) and the
    # ClamAV daemon that scans them (a unix socket, or host and port; required in production).
    DOCUMENTS_BACKEND = os.environ.get("AGIR_DOCUMENTS_BACKEND", "local")
    DOCUMENTS_DIR = os.environ.get("AGIR_DOCUMENTS_DIR")
    DOCUMENTS_KEY = os.environ.get("AGIR_DOCUMENTS_KEY")
    DOCUMENTS_OLD_KEYS = os.environ.get("AGIR_DOCUMENTS_OLD_KEYS")
    CLAMD_SOCKET = os.environ.get("AGIR_CLAMD_SOCKET")
    CLAMD_HOST = os.environ.get("AGIR_CLAMD_HOST")
    CLAMD_PORT = int(os.environ.get("AGIR_CLAMD_PORT", "3310"))


class TestConfig(Config):
    """Used by the test suite: fast hashes, same checks."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DASHBOARD_CACHE_SECONDS = 0  # every test sees the live figures; the cache's own tests turn it on


def check_production(config: dict) -> None:
    """Production refuses to start without a real secret key, in debug mode (FLASK_DEBUG), or without HTTPS-only
    cookies unless it is told it runs behind plain HTTP (and not both)."""
    if config.get("ENV_NAME") == "production" and config.get("SECRET_KEY") in (None, "", DEV_SECRET):
        raise RuntimeError("SECRET_KEY doit être défini en production (variable d'environnement).")
    if config.get("ENV_NAME") == "production" and config.get("DEBUG"):
        raise RuntimeError("Le mode debug (FLASK_DEBUG) est interdit en production.")
    if config.get("ENV_NAME") == "production":
        secure, plain = bool(config.get("SESSION_COOKIE_SECURE")), bool(config.get("PLAIN_HTTP"))
        if not secure and not plain:
            raise RuntimeError("En production, les cookies ne circulent qu'en HTTPS : définissez AGIR_SECURE_COOKIES=1 "
                               "(ou AGIR_PLAIN_HTTP=1 si le service est volontairement servi en HTTP simple).")
        if secure and plain:
            raise RuntimeError("AGIR_SECURE_COOKIES=1 et AGIR_PLAIN_HTTP=1 se contredisent : choisissez l'un des deux.")
        check_documents_production(config)


def check_documents_production(config: dict) -> None:
    """Production keeps documents only scanned and encrypted under a key of its own (issue 18): a virus scanner
    must be configured and AGIR_DOCUMENTS_KEY set (a key derived from SECRET_KEY would be lost with it)."""
    from agir.documents.scan import scanner_address
    from agir.documents.store import cipher_from
    if scanner_address(config) is None:
        raise RuntimeError("En production, les documents sont analysés par l'antivirus avant d'être ouverts : "
                           "définissez AGIR_CLAMD_SOCKET (socket de clamd) ou AGIR_CLAMD_HOST (et AGIR_CLAMD_PORT).")
    if not (config.get("DOCUMENTS_KEY") or os.environ.get("AGIR_DOCUMENTS_KEY")):
        raise RuntimeError("En production, AGIR_DOCUMENTS_KEY doit être défini (clé de chiffrement des documents : "
                           "`flask --app wsgi agir documents new-key`).")
    cipher_from(config)  # a malformed key stops the start, not the first upload
