"""JSON API (v1): the indicators and the cohort, the same JSON as the `indicators` and `cohort` commands.

A pilot's browser session or a personal token (`Authorization: Bearer agir_…`) opens it; a pilot
only gets their own department's figures (another department: 403).
"""
from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from agir import access, audit
from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.indicators import ScopeError, build_cohort_scope, build_scope, compare, compute_cohort, compute_indicators
from agir.operations.api_tokens import TOKEN_ROLES, user_for_token
from blueprints._helpers import client_ip
from blueprints.api import bp
from models import Department, Region

COMPARE_ROLES = ("regional_pilot", "national_pilot")


class ApiError(Exception):
    """An API refusal: HTTP status and message (lazy: French unless the client asks for English)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    response = jsonify(error=str(error.message), status=error.status)  # the reader's language, French by default
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="agir"'
    response.headers["Cache-Control"] = "no-store"
    return response


def api_user(roles: tuple[str, ...] = ("pilot",)):
    """The pilot calling: by bearer token, else by session; 401 without either, 403 for another role than `roles`
    (the department's indicators and cohort: department pilots; the comparison: regional and national pilots)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise ApiError(401, _l("Jeton d'API invalide ou révoqué."))
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        raise ApiError(401, _l("Authentification requise : session de pilote ou jeton d'API (Authorization: Bearer)."))
    if user.role not in TOKEN_ROLES or user.role not in roles:
        if roles == COMPARE_ROLES:
            raise ApiError(403, _l("La comparaison des départements est réservée aux pilotes régionaux et nationaux."))
        raise ApiError(403, _l("L'API des indicateurs est réservée aux pilotes départementaux."))
    return user


def own_department(user) -> Department:
    """The pilot's department, which is also the only one they may ask for."""
    department = db.session.get(Department, user.effective_department_id) if user.effective_department_id else None
    if department is None:
        raise ApiError(403, _l("Aucun département n'est rattaché à ce compte."))
    asked = request.args.get("department")
    if asked and asked != department.code:
        raise ApiError(403, _l("Vous n'avez accès qu'aux indicateurs de votre département."))
    return department


API_NAMES = {"--from": "from", "--to": "to", "--as-of": "as_of", "--entry-from": "entry_from",
             "--entry-to": "entry_to"}


def _bad_request(error: ScopeError) -> ApiError:
    """The argument's French message, with the API's parameter names."""
    message = error.message
    for cli, api in API_NAMES.items():
        message = message.replace(f"{cli} ", f"{api} ")
    return ApiError(400, message)


def _arg(*names: str) -> str | None:
    for name in names:
        if request.args.get(name) is not None:
            return request.args.get(name)
    return None


def _done(user, payload: dict, what: str):
    audit.record(user, "export_indicators", fields=[what], ip=client_ip(), detail=f"api {request.full_path}"[:300])
    db.session.commit()
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/indicators")
def indicators():
    """GET /api/v1/indicators?from=…&to=…[&structure=REF][&as_of=…] — the indicators JSON."""
    user = api_user()
    department = own_department(user)
    try:
        scope = build_scope(_arg("from"), _arg("to"), department.code, _arg("structure"), _arg("as_of", "as-of"))
    except ScopeError as error:
        raise _bad_request(error) from None
    if scope.structure is not None and scope.structure.department_id != department.id:
        raise ApiError(403, _l("Cette structure n'appartient pas à votre département."))
    return _done(user, compute_indicators(scope), "indicators")


@bp.get("/cohort")
def cohort():
    """GET /api/v1/cohort?entry_from=…&entry_to=… — the cohort JSON of the pilot's department."""
    user = api_user()
    department = own_department(user)
    try:
        scope = build_cohort_scope(_arg("entry_from", "entry-from"), _arg("entry_to", "entry-to"), department.code)
    except ScopeError as error:
        raise _bad_request(error) from None
    return _done(user, compute_cohort(scope), "cohort")


def compare_region(user) -> Region | None:
    """The region compared: a regional pilot's own (another: 403); a national pilot's choice, or the country."""
    asked = request.args.get("region") or None
    if not access.compares_every_region(user):
        own = access.compared_region(user)
        if own is None or not access.may_compare_region(user, asked or own.code):
            raise ApiError(403, _l("Vous n'avez accès qu'aux départements de votre région."))
        return own
    if asked is None:
        return None
    region = db.session.scalar(select(Region).where(Region.code == asked))
    if region is None:
        raise ApiError(404, _l("Région inconnue : « %(code)s ».", code=asked))
    return region


@bp.get("/compare")
def compare_departments():
    """GET /api/v1/compare?year=AAAA[&region=CODE] — the departments of a regional or national pilot's scope side by
    side for a closed calendar year, small counts masked (null, named in each row's `masked`)."""
    user = api_user(COMPARE_ROLES)
    region = compare_region(user)
    today = paris_today()
    asked = request.args.get("year", "")
    try:
        comparison = compare.for_year(int(asked), region, today)
    except ValueError:
        raise ApiError(400, _l("year : une année civile close depuis 2022 est attendue (par exemple %(year)s).",
                               year=today.year - 1)) from None
    return _done(user, compare.compute(comparison), "comparison")
