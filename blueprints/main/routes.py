"""Home, /healthz and the language switch."""
from flask import jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from agir.extensions import db
from blueprints.main import bp

HOME_BY_ROLE = {
    "social_worker": "persons.index", "referral_officer": "referrals.index",
    "pilot": "pilot.index", "admin": "admin.index",
    # Regional and national pilots land on their scope until their comparison pages come (issue 15).
    "regional_pilot": "pilot.scope", "national_pilot": "pilot.scope",
}


@bp.get("/")
@login_required
def index():
    """Send each role to its own space."""
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "auth.login")))


@bp.get("/healthz")
def healthz():
    """JSON {"status": "ok"} once the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.post("/langue")
def set_locale():
    """Switch between French and English (kept in the session)."""
    choice = request.form.get("locale")
    if choice in ("fr", "en"):
        session["locale"] = choice
    target = request.referrer or url_for("main.index")
    if not target.startswith(request.host_url):
        target = url_for("main.index")
    return redirect(target)
