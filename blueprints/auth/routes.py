"""Login (throttled), logout and the "Mon compte" page. Same message for an unknown account and a wrong password."""
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError

from agir import audit, oidc
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_
from agir.operations import throttle
from agir.operations.users import (
    authenticate,
    change_password,
    end_sessions,
    normalise_email,
    set_digest,
    set_display_name,
)
from blueprints._helpers import client_ip, role_required
from blueprints.auth import bp
from blueprints.auth.forms import DisplayNameForm, LoginForm, PasswordChangeForm, PreferencesForm
from models.enums import ROLES

FAILED = N_("Adresse électronique ou mot de passe incorrect.")
THROTTLED = N_("Trop de tentatives de connexion infructueuses. Par sécurité, les connexions sont suspendues "
               "pendant %(minutes)s minutes. Réessayez plus tard.")


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never redirect to another site after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return None
    return target


def _throttle_limits(email: str, ip: str | None) -> dict[str, int]:
    """The account from this address (5), and this address whatever the account (a higher ceiling): an
    attacker's failures never lock the real user out from another address (agir.operations.throttle)."""
    cfg = current_app.config
    return {throttle.pair_key(email, ip): cfg["LOGIN_MAX_FAILURES"],
            throttle.ip_key(ip): cfg["LOGIN_MAX_FAILURES_PER_IP"]}


def _attempt_refused(limits: dict[str, int]) -> bool:
    """Count this attempt before its password is checked (committed at once, so that simultaneous attempts
    see it): True when one of its keys is locked or over its limit — the password is then not checked."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    if throttle.locked_keys(list(limits)):
        return True
    throttle.forget_old(window)
    db.session.commit()
    for attempt in range(3):
        try:
            refused = bool(throttle.reserve(limits, window))
            db.session.commit()
            return refused
        except OperationalError:  # PostgreSQL gave up a lock wait (deadlock, serialisation): count again
            db.session.rollback()
            if attempt == 2:
                raise
    return True


def _throttled(form: LoginForm):
    """HTTP 429, the same page whether the account exists or not."""
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    form.password.data = None
    response = current_app.make_response(
        (render_template("auth/login.html", form=form, throttled=gettext(THROTTLED, minutes=minutes),
                         proconnect=oidc.configured()), 429))
    response.headers["Retry-After"] = str(minutes * 60)
    return response


def open_session(user, method: str = "password", keep: dict | None = None) -> None:
    """A brand-new session at login (no fixation), stamped for the idle and absolute limits; `method` says how
    the user signed in (password, password+totp, proconnect); `keep`: values to carry over (ProConnect's id token)."""
    locale = session.get("locale")
    session.clear()
    login_user(user)
    now = datetime.now(UTC).timestamp()
    session["login_at"] = session["seen_at"] = now
    session["auth_method"] = method
    if locale:
        session["locale"] = locale
    for name, value in (keep or {}).items():
        session[name] = value
    session.permanent = True


_open_session = open_session


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page."""
    if current_user.is_authenticated:  # still signed in (another tab kept the session): on to `next`
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, expired=session.pop("expired", False),
                               proconnect=oidc.configured())
    email, ip = normalise_email(form.email.data), client_ip()
    limits = _throttle_limits(email, ip)
    if _attempt_refused(limits):
        audit.record(None, "login_throttled", ip=ip, detail=email[:200])
        db.session.commit()
        return _throttled(form)
    user = authenticate(email, form.password.data)
    if user is None:  # the attempt is already counted as a failure
        audit.record(None, "login_failed", ip=ip, detail=email[:200])
        db.session.commit()
        form.password.errors.append(gettext(FAILED))
        return render_template("auth/login.html", form=form, proconnect=oidc.configured()), 200
    pair, address = limits  # a success is no failure: its reservation is given back
    throttle.clear(pair)
    throttle.give_back(address)
    throttle.clear(throttle.email_key(email))
    if user.has_totp:  # the second factor before any session (blueprints/auth/totp.py)
        db.session.commit()
        from blueprints.auth.totp import start_second_factor
        return start_second_factor(user, _safe_next(request.args.get("next")))
    _open_session(user)
    audit.record(user, "login", ip=ip)
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))


@bp.post("/logout")
def logout():
    """Sign out (POST only, CSRF-checked) and end the session server-side."""
    from blueprints.auth.proconnect import provider_logout_url
    provider = provider_logout_url() if current_user.is_authenticated else None
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)
        audit.record(user, "logout", ip=client_ip(), detail="ProConnect aussi" if provider else None)
        db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("Vous êtes déconnecté·e."), "info")
    if provider:  # a ProConnect session ends at the provider too: a page that goes there by itself (a redirect
        # of this POST would be stopped by the Content-Security-Policy's form-action 'self')
        return render_template("auth/proconnect_logout.html", provider_url=provider)
    return redirect(url_for("auth.login"))


# What a user with a provisional password may still reach: the account page, signing out, the
# language switch, static files, /healthz; and the JSON API, whose clients cannot change a password.
OPEN_WITH_PROVISIONAL = {"auth.account", "auth.account_password", "auth.account_name", "auth.logout", "auth.login",
                         "main.set_locale", "main.healthz", "static", "auth.keep_alive"}


def require_own_password():
    """Before any page: a user signed in with a provisional password is sent to choose their own."""
    endpoint = request.endpoint or ""
    if (not current_user.is_authenticated or not current_user.has_provisional_password
            or session.get("auth_method") == "proconnect" or endpoint in OPEN_WITH_PROVISIONAL
            or endpoint.startswith("api.")):
        return None
    flash(gettext("Votre mot de passe est provisoire : choisissez votre propre mot de passe pour continuer."),
          "warning")
    return redirect(url_for("auth.account"))


def _account_page(password_form=None, preferences_form=None, status=200, name_form=None):
    password_form = password_form or PasswordChangeForm(formdata=None)
    preferences_form = preferences_form or PreferencesForm(formdata=None, wants_digest=current_user.wants_digest)
    name_form = name_form or DisplayNameForm(formdata=None, display_name=current_user.display_name)
    return render_template("auth/account.html", password_form=password_form,
                           preferences_form=preferences_form, name_form=name_form), status


@bp.get("/account")
@role_required(*ROLES)
def account():
    """"Mon compte": change one's password, choose the daily digest."""
    return _account_page()


@bp.post("/account/password")
@role_required(*ROLES)
def account_password():
    """Change one's password; the other sessions of the account end, this one goes on."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _account_page(password_form=form, status=200)
    user = current_user._get_current_object()
    try:
        change_password(user, form.current_password.data, form.new_password.data, form.confirmation.data)
    except RuleViolation as exc:
        # A wrong current password is kept in the audit trail; nothing else was written.
        if exc.code == "password_current":
            db.session.commit()
        else:
            db.session.rollback()
        getattr(form, exc.field, form.new_password).errors.append(exc.message)
        return _account_page(password_form=form, status=200)
    db.session.commit()
    login_user(user)  # this session carries the new epoch; the others no longer load
    flash(gettext("Votre mot de passe a été modifié. Vos autres sessions ont été fermées."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/name")
@role_required(*ROLES)
def account_name():
    """The name shown in the files' history instead of one's e-mail."""
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return _account_page(name_form=form, status=200)
    try:
        set_display_name(current_user._get_current_object(), current_user._get_current_object(),
                         form.display_name.data)
    except RuleViolation as exc:
        db.session.rollback()
        form.display_name.errors = [exc.message]
        return _account_page(name_form=form, status=200)
    db.session.commit()
    flash(gettext("Votre nom affiché est enregistré."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/preferences")
@role_required(*ROLES)
def account_preferences():
    """Opt in or out of the daily e-mail digest."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _account_page(preferences_form=form, status=200)
    set_digest(current_user._get_current_object(), form.wants_digest.data)
    db.session.commit()
    flash(gettext("Vos préférences ont été enregistrées."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/session/keep-alive")
@role_required(*ROLES)
def keep_alive():
    """« Rester connecté » (POST, CSRF token in the X-CSRFToken header): the request itself moves the idle clock
    (agir.web.security.enforce_session_limits); answers the seconds left before the idle timeout. A session that has
    already ended gets 401 in JSON (to_login), and the page offers to sign in again, keeping what was typed."""
    return jsonify(expired=False, idle_seconds=int(current_app.config["IDLE_TIMEOUT"].total_seconds()))


def return_path() -> str | None:
    """Where to come back after signing in again: the page itself for a GET; for a POST (a form sent after the
    session ended), the page of the form — the Referer when it is a page of this site — where the draft script
    restores what was typed (the POST itself cannot be replayed: its CSRF token died with the session)."""
    if request.method in ("GET", "HEAD"):
        return _safe_next(request.full_path.rstrip("?"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None if urlsplit(path).path == url_for("auth.login") else _safe_next(path)


def to_login():
    """Not signed in (never, or the session has just ended): to the login page, then back to `return_path`."""
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error="Connexion requise", status=401, expired=True), 401
    flash(gettext("Connectez-vous pour accéder à cette page."), "info")
    target = return_path()
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))
