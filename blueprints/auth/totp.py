"""The second factor (TOTP) of password accounts: the code asked after the password, enrolment with a QR code drawn
on the server, the ten recovery codes, and the rule that administrators and pilots enrol before anything else."""
from datetime import UTC, datetime

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from agir import audit
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_
from agir.operations import throttle
from agir.operations import totp as totp_ops
from blueprints._helpers import client_ip, role_required
from blueprints.auth import bp
from blueprints.auth import routes as auth_routes
from blueprints.auth.forms import SecondFactorForm, TotpCodeForm, TotpEnrolForm
from models import User
from models.enums import ROLES

PENDING = "totp_pending"
SETUP = "totp_setup_secret"
PENDING_SECONDS = 300  # the password was right: five minutes to type the code
WRONG = N_("Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant par votre application, ou un "
           "code de secours.")
THROTTLED = N_("Trop de codes incorrects. Par sécurité, la connexion à ce compte depuis ce poste est suspendue "
               "pendant %(minutes)s minutes. Réessayez plus tard.")
EXPIRED = N_("Le délai pour saisir le code est dépassé : identifiez-vous à nouveau.")
MUST_ENROL = N_("Votre rôle exige la double authentification : activez-la pour continuer.")


def start_second_factor(user: User, next_url: str | None):
    """The password was right and the account has a second factor: no session yet, the code is asked first."""
    session.pop(PENDING, None)
    session[PENDING] = {"user": user.id, "epoch": user.session_epoch or 0, "next": next_url,
                        "at": datetime.now(UTC).timestamp()}
    return redirect(url_for("auth.login_code"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if datetime.now(UTC).timestamp() - float(pending.get("at") or 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, int(pending.get("user") or 0))
    if user is None or not user.is_enabled or not user.has_totp or (user.session_epoch or 0) != pending.get("epoch"):
        session.pop(PENDING, None)
        return None
    return user


def _code_page(form, status=200, throttled=None):
    return render_template("auth/login_code.html", form=form, throttled=throttled), status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Second step of a password sign-in: the TOTP code (or a recovery code), throttled per (account, address)."""
    had_pending = session.get(PENDING) is not None
    user = _pending_user()
    if user is None:
        if request.method == "POST" or had_pending:
            flash(gettext(EXPIRED), "warning")
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return _code_page(form)
    ip = client_ip()
    key = "totp|" + throttle.pair_key(user.email, ip)
    if auth_routes._attempt_refused({key: current_app.config["LOGIN_MAX_FAILURES"]}):
        audit.record(user, "login_throttled", ip=ip, detail=f"{user.email[:180]} (second facteur)")
        db.session.commit()
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        response = make_response(_code_page(form, 429, gettext(THROTTLED, minutes=minutes)))
        response.headers["Retry-After"] = str(minutes * 60)
        return response
    kind = totp_ops.check_second_factor(user, form.code.data)
    if kind is None:
        db.session.rollback()
        audit.record(user, "login_failed", ip=ip, detail=f"{user.email[:180]} (code du second facteur)")
        db.session.commit()
        form.code.errors.append(gettext(WRONG))
        return _code_page(form)
    throttle.clear(key)
    pending = session.pop(PENDING)
    auth_routes.open_session(user, method="password+totp")
    audit.record(user, "login", ip=ip, detail="mot de passe et code de secours" if kind == "recovery"
                 else "mot de passe et code à usage unique")
    db.session.commit()
    if kind == "recovery":
        left = totp_ops.recovery_codes_left(user)
        flash(gettext("Vous avez utilisé un code de secours ; il vous en reste %(left)s. Créez-en de nouveaux "
                      "depuis « Mon compte » s'il vous en reste peu.", left=left), "warning")
    return redirect(pending.get("next") or url_for("main.index"))


# What an administrator or a pilot who has no second factor yet may reach: enrolment, the account page,
# signing out, the language switch, static files.
OPEN_WITHOUT_TOTP = auth_routes.OPEN_WITH_PROVISIONAL | {"auth.totp_setup", "auth.totp_confirm", "auth.login_code"}


def require_second_factor():
    """Before any page: an administrator or a pilot signed in with a password and without a second factor enrols
    one first (a ProConnect sign-in is the provider's authentication and is not asked for it)."""
    endpoint = request.endpoint or ""
    if (not current_user.is_authenticated or not totp_ops.is_required(current_user) or current_user.has_totp
            or session.get("auth_method") == "proconnect" or endpoint in OPEN_WITHOUT_TOTP
            or endpoint.startswith("api.")):
        return None
    flash(gettext(MUST_ENROL), "warning")
    return redirect(url_for("auth.totp_setup"))


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _setup_page(form, status=200):
    secret = session.get(SETUP)
    if not secret:
        secret = session[SETUP] = totp_ops.new_secret()
    user = current_user._get_current_object()
    uri = totp_ops.provisioning_uri(user, secret)
    svg = totp_ops.qr_svg(uri, gettext("QR code à scanner avec votre application d’authentification"))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return _no_store((render_template("auth/totp_setup.html", form=form, qr_svg=svg, secret=grouped,
                                      required=totp_ops.is_required(user)), status))


@bp.get("/account/totp")
@role_required(*ROLES)
def totp_setup():
    """The second factor: its state, or its enrolment (QR code, the secret to type by hand, the first code)."""
    user = current_user._get_current_object()
    if user.has_totp:
        return _no_store(render_template("auth/totp_status.html", form=TotpCodeForm(),
                                         left=totp_ops.recovery_codes_left(user),
                                         required=totp_ops.is_required(user)))
    return _setup_page(TotpEnrolForm(formdata=None))


@bp.post("/account/totp")
@role_required(*ROLES)
def totp_confirm():
    """Confirm the enrolment with a first code; the ten recovery codes are shown once."""
    user = current_user._get_current_object()
    form = TotpEnrolForm()
    if not form.validate_on_submit() or not session.get(SETUP):
        return _setup_page(form)
    try:
        codes = totp_ops.confirm_enrolment(user, session[SETUP], form.code.data)
    except RuleViolation as exc:
        db.session.rollback()
        form.code.errors.append(gettext(exc.message))
        return _setup_page(form)
    db.session.commit()
    session.pop(SETUP, None)
    return _no_store(render_template("auth/totp_codes.html", codes=codes, enrolled=True))


@bp.post("/account/totp/recovery")
@role_required(*ROLES)
def totp_recovery():
    """Ten new recovery codes (the former ones stop working), after a right code."""
    user = current_user._get_current_object()
    form = TotpCodeForm()
    if form.validate_on_submit() and user.has_totp:
        if totp_ops.check_second_factor(user, form.code.data) is not None:
            codes = totp_ops.new_recovery_codes(user)
            db.session.commit()
            return _no_store(render_template("auth/totp_codes.html", codes=codes, enrolled=False))
        db.session.rollback()
        form.code.errors.append(gettext(WRONG))
    return _no_store((render_template("auth/totp_status.html", form=form, left=totp_ops.recovery_codes_left(user),
                                      required=totp_ops.is_required(user)), 200))


@bp.post("/account/totp/disable")
@role_required(*ROLES)
def totp_disable():
    """Turn off an optional second factor (never for administrators and pilots); every session ends."""
    user = current_user._get_current_object()
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            totp_ops.disable_own_totp(user, form.code.data)
        except RuleViolation as exc:
            db.session.rollback()
            form.code.errors.append(gettext(exc.message))
        else:
            db.session.commit()
            auth_routes.open_session(user, method="password")  # this session goes on with the new epoch
            flash(gettext("La double authentification est désactivée. Vos autres sessions ont été fermées."),
                  "success")
            return redirect(url_for("auth.account"))
    return _no_store((render_template("auth/totp_status.html", form=form, left=totp_ops.recovery_codes_left(user),
                                      required=totp_ops.is_required(user)), 200))
