"""Session loading, security headers and idle/absolute session limits."""
import logging
from datetime import UTC, datetime

from flask import Flask, has_request_context, request, session
from flask_login import current_user, logout_user
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from agir.extensions import db, login_manager

log = logging.getLogger("agir.security")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user named by "id:epoch"; an older epoch (logout elsewhere, password change) ends the session."""
    from models import User
    try:
        uid, epoch = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_epoch != epoch or not user.is_enabled:
        return None
    return user


def _now() -> float:
    return datetime.now(UTC).timestamp()


def enforce_session_limits(app: Flask) -> None:
    """Log out after the idle timeout or the absolute lifetime (server-side timestamps in the signed session)."""
    if "_user_id" not in session:
        return
    now = _now()
    started = session.get("login_at")
    last = session.get("seen_at")
    # A signed-in session without its stamps did not come through the login page: it ends too.
    if (not isinstance(started, (int, float)) or not isinstance(last, (int, float))
            or now - last > app.config["IDLE_TIMEOUT"].total_seconds()
            or now - started > app.config["ABSOLUTE_LIFETIME"].total_seconds()):
        logout_user()
        session.clear()
        session["expired"] = True
        return
    session["seen_at"] = now


def audit_refused_access() -> None:
    """A signed-in user refused a page (403) is written to the audit trail (nothing else of the request is kept)."""
    if not current_user.is_authenticated:
        return
    from agir import audit
    db.session.rollback()  # a refused request writes nothing but its audit entry
    try:
        audit.record(current_user, "access_refused", ip=request.remote_addr,
                     detail=f"{request.method} {request.path}"[:300])
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Échec de l'écriture de l'accès refusé au journal d'audit")


class AuditAppendOnly(RuntimeError):
    """The application never changes or deletes an audit entry (retention purges in bulk, outside the ORM)."""


def _audit_entries_before_flush(db_session, _flush_context, _instances) -> None:
    """New audit entries get the caller's address; changing or deleting a stored one is refused."""
    from models import AuditEntry
    for obj in db_session.new:
        if isinstance(obj, AuditEntry) and obj.ip is None and has_request_context():
            obj.ip = request.remote_addr
    for obj in db_session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditAppendOnly("Le journal d'audit ne se modifie pas : suppression refusée.")
    for obj in db_session.dirty:
        if isinstance(obj, AuditEntry) and db_session.is_modified(obj):
            raise AuditAppendOnly("Le journal d'audit ne se modifie pas : modification refusée.")


def init_app(app: Flask) -> None:
    """Register the session checks and the security headers."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    if not event.contains(Session, "before_flush", _audit_entries_before_flush):
        event.listen(Session, "before_flush", _audit_entries_before_flush)

    @app.before_request
    def _session_limits():
        # A stylesheet, a font or the favicon fetched late by the browser is not the user's activity: it must not
        # keep the session alive behind the page's own idle countdown (session.js), nor end it.
        if request.endpoint == "static":
            return
        enforce_session_limits(app)

    @app.after_request
    def _audit_refusal(response):
        if response.status_code == 403:
            audit_refused_access()
        return response

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            # Served over HTTPS only: browsers must not come back over plain HTTP.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
