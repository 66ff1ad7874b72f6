"""Login and logout. Same message for an unknown account and a wrong password."""
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from agir import audit
from agir.extensions import db
from agir.operations.users import authenticate, end_sessions
from blueprints.auth import bp
from blueprints.auth.forms import LoginForm

FAILED = "Adresse électronique ou mot de passe incorrect."


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never redirect to another site after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record(None, "login_failed", ip=request.remote_addr, detail=(form.email.data or "")[:200])
            db.session.commit()
            form.password.errors.append(FAILED)
            return render_template("auth/login.html", form=form), 200
        session.clear()  # a new session at login (no fixation)
        login_user(user)
        now = datetime.now(timezone.utc).timestamp()
        session["login_at"] = session["seen_at"] = now
        session.permanent = True
        audit.record(user, "login", ip=request.remote_addr)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form, expired=session.pop("expired", False))


@bp.post("/logout")
def logout():
    """Sign out (POST only, CSRF-checked) and end the session server-side."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)
        audit.record(user, "logout", ip=request.remote_addr)
        db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))
