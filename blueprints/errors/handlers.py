"""Error handlers for the whole app."""
import logging
import secrets

from flask import jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from agir.extensions import db
from agir.i18n import N_
from blueprints.errors import bp

log = logging.getLogger("agir.errors")

TITLES = {
    400: N_("Requête invalide"), 403: N_("Accès refusé"), 404: N_("Page introuvable"),
    405: N_("Méthode non autorisée"), 409: N_("Conflit de modification"), 429: N_("Trop de tentatives"),
    500: N_("Erreur inattendue"),
}
TEXTS = {
    400: N_("La requête n'a pas pu être traitée. Rechargez la page et recommencez."),
    403: N_("Vous n'avez pas les droits nécessaires pour accéder à cette page."),
    404: N_("La page demandée n'existe pas ou vous n'y avez pas accès."),
    405: N_("Cette action n'est pas possible à cette adresse."),
    409: N_("Cet enregistrement a été modifié entre-temps. Rechargez la page."),
    429: N_("Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer."),
    500: N_("Une erreur s'est produite. Elle a été enregistrée ; vous pouvez réessayer."),
}


def _render(code: int, reference: str | None = None, text: str | None = None):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        # JSON answers in the reader's language like the pages, French by default (docs/rules.md).
        return jsonify(error=gettext(TITLES.get(code, N_("Erreur"))), status=code, reference=reference), code
    return render_template("errors/error.html", code=code, title=gettext(TITLES.get(code, N_("Erreur"))),
                           text=text or (gettext(TEXTS[code]) if code in TEXTS else ""), reference=reference), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    """A POST without a valid token is a 400 with a French explanation — except a form of a signed-in page sent
    after the session ended (cookie gone or expired): to the login page, then back to the form's page, where what
    was typed is restored (agir/static/js/drafts.js)."""
    from flask import current_app, session

    from agir.web.security import enforce_session_limits
    from blueprints.auth.routes import to_login
    enforce_session_limits(current_app)
    view = current_app.view_functions.get(request.endpoint or "")
    if "_user_id" not in session and getattr(view, "allowed_roles", None):
        return to_login()
    return _render(400, text=gettext("Le formulaire a expiré ou n'est pas valide (jeton CSRF). Rechargez la page."))


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(409)
@bp.app_errorhandler(429)
def http_error(error):
    """Client errors in French."""
    return _render(error.code)


@bp.app_errorhandler(500)
def server_error(error):
    """Roll the transaction back, log with a reference, show the reference to the user."""
    db.session.rollback()
    reference = secrets.token_hex(4).upper()
    original = getattr(error, "original_exception", error)
    log.error("Erreur %s sur %s %s", reference, request.method, request.path, exc_info=original)
    return _render(500, reference=reference)
