"""Sign in with ProConnect (agir/oidc.py): the button's target, the callback, and the refusals' French page.

An account is found by the verified e-mail ProConnect gives, among the accounts an administrator created: never
created here, its role never taken from the provider. Every sign-in and every refusal is audited."""
from flask import current_app, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import redirect

from agir import audit, oidc
from agir.extensions import db
from blueprints._helpers import client_ip
from blueprints.auth import bp
from blueprints.auth import routes as auth_routes
from models import User
from models.base import utcnow

PENDING = "proconnect_pending"
ID_TOKEN = "proconnect_id_token"


def _refused(exc: oidc.ProConnectError, status: int = 403):
    audit.record(None, "proconnect_refused", ip=client_ip(),
                 detail=f"{exc.code}{' ' + exc.email[:180] if exc.email else ''}")
    db.session.commit()
    message = gettext(oidc.MESSAGES[exc.code], email=exc.email or "")
    return render_template("auth/proconnect_error.html", message=message, code=exc.code), status


@bp.get("/login/proconnect")
def proconnect_start():
    """Off the « S'identifier avec ProConnect » button: to the provider, with state, nonce and PKCE."""
    if not oidc.configured():
        return _refused(oidc.ProConnectError("not_configured"), 404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    try:
        url, pending = oidc.authorization_request(url_for("auth.proconnect_callback", _external=True))
    except oidc.ProConnectError as exc:
        return _refused(exc, 503)
    pending["next"] = auth_routes._safe_next(request.args.get("next"))
    session[PENDING] = pending
    return redirect(url)


@bp.get("/login/proconnect/callback")
def proconnect_callback():
    """Back from the provider: every check of agir.oidc, then the account of that verified e-mail."""
    if not oidc.configured():
        return _refused(oidc.ProConnectError("not_configured"), 404)
    pending = session.pop(PENDING, None)  # one use: a replayed answer finds nothing
    try:
        identity = oidc.finish(request.args, pending)
        user = db.session.scalar(select(User).where(func.lower(User.email) == identity["email"]))
        if user is None or not user.is_enabled:
            raise oidc.ProConnectError("unknown_account", identity["email"])
        if user.oidc_subject and user.oidc_subject != identity["sub"]:
            raise oidc.ProConnectError("other_subject", identity["email"])
    except oidc.ProConnectError as exc:
        db.session.rollback()
        return _refused(exc)
    if user.oidc_subject is None:
        user.oidc_subject = identity["sub"]
    user.last_login_at = utcnow()
    auth_routes.open_session(user, method="proconnect", keep={ID_TOKEN: identity["id_token"]})
    audit.record(user, "login", ip=client_ip(), detail=f"ProConnect ({identity.get('acr') or '?'})")
    db.session.commit()
    return redirect((pending or {}).get("next") or url_for("main.index"))


def provider_logout_url() -> str | None:
    """At logout of a ProConnect session: the provider's end_session address (the session there ends too)."""
    id_token = session.get(ID_TOKEN)
    if not id_token or not oidc.configured(current_app.config):
        return None
    return oidc.logout_url(id_token, url_for("auth.login", _external=True))
