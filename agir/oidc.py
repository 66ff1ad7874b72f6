"""ProConnect, the State's OpenID Connect federation (issue 20): the client side, with Authlib.

Authorization code flow with PKCE (S256), `state` and `nonce` kept in the user's session for one use only; the
ID token's signature is checked against the provider's JWKS (RS256 or ES256 only), then its issuer, audience,
expiry, nonce and `acr`; the user information is read from the userinfo endpoint (JSON, or a JWT signed by the
provider as ProConnect sends it) and must name the same subject. Off unless AGIR_PROCONNECT_CLIENT_ID,
AGIR_PROCONNECT_CLIENT_SECRET and AGIR_PROCONNECT_DISCOVERY_URL are set.

Every refusal is a `ProConnectError(code, French message)`; the view writes it to the audit log and shows it.
"""
import secrets
import time

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

from agir.i18n import N_

SCOPES = "openid email given_name usual_name"
ALGORITHMS = ["RS256", "ES256"]
LEEWAY = 60  # seconds of clock difference tolerated on exp / iat
# The eIDAS levels above the one asked for are accepted too.
ACR_LEVELS = ["eidas1", "eidas2", "eidas3"]
TIMEOUT = 10
_metadata_cache: dict[str, tuple[float, dict]] = {}

MESSAGES = {
    "not_configured": N_("La connexion avec ProConnect n’est pas configurée sur ce serveur."),
    "provider_unreachable": N_("ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes ou "
                               "connectez-vous avec votre mot de passe."),
    "provider_error": N_("ProConnect n’a pas autorisé la connexion. Recommencez depuis la page de connexion."),
    "state": N_("Cette réponse de ProConnect a déjà été utilisée ou ne correspond à aucune demande de connexion "
                "de ce navigateur. Recommencez depuis la page de connexion."),
    "token": N_("ProConnect n’a pas délivré de jeton. Recommencez depuis la page de connexion."),
    "signature": N_("Le jeton d’identité reçu n’est pas signé par ProConnect : la connexion est refusée."),
    "issuer": N_("Le jeton d’identité ne vient pas du fournisseur attendu : la connexion est refusée."),
    "audience": N_("Le jeton d’identité n’est pas destiné à AGIR : la connexion est refusée."),
    "expired": N_("Le jeton d’identité reçu a expiré. Recommencez depuis la page de connexion."),
    "nonce": N_("Le jeton d’identité ne correspond pas à cette demande de connexion (nonce) : la connexion est "
                "refusée. Recommencez depuis la page de connexion."),
    "acr": N_("Le niveau d’authentification indiqué par ProConnect est insuffisant : la connexion est refusée."),
    "userinfo": N_("ProConnect n’a pas transmis votre adresse électronique vérifiée : la connexion est refusée."),
    "unknown_account": N_("Aucun compte AGIR actif n’est ouvert à l’adresse %(email)s. Un administrateur d’AGIR "
                          "doit d’abord créer votre compte à cette adresse ; ProConnect ne crée pas de compte."),
    "other_subject": N_("Le compte AGIR à l’adresse %(email)s est déjà lié à une autre identité ProConnect : la "
                        "connexion est refusée. Contactez l’administrateur d’AGIR."),
}


class ProConnectError(Exception):
    """A refused ProConnect sign-in: its code (audited) and its French message (shown)."""

    def __init__(self, code: str, email: str | None = None):
        super().__init__(code)
        self.code, self.email = code, email


def configured(config=None) -> bool:
    """ProConnect is on when its client id, secret and discovery URL are all set."""
    config = config or current_app.config
    return all(config.get(name) for name in ("PROCONNECT_CLIENT_ID", "PROCONNECT_CLIENT_SECRET",
                                             "PROCONNECT_DISCOVERY_URL"))


def metadata() -> dict:
    """The provider's discovery document (kept one hour per process)."""
    url = current_app.config["PROCONNECT_DISCOVERY_URL"]
    cached = _metadata_cache.get(url)
    if cached and cached[0] > time.time():
        return cached[1]
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProConnectError("provider_unreachable") from exc
    _metadata_cache[url] = (time.time() + 3600, document)
    return document


def _keys(meta: dict) -> KeySet:
    """The provider's public keys, fetched at each sign-in (a key rotation is seen at once)."""
    try:
        response = requests.get(meta["jwks_uri"], timeout=TIMEOUT)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, KeyError, JoseError) as exc:
        raise ProConnectError("provider_unreachable") from exc


def _session(redirect_uri: str) -> OAuth2Session:
    cfg = current_app.config
    return OAuth2Session(cfg["PROCONNECT_CLIENT_ID"], cfg["PROCONNECT_CLIENT_SECRET"], scope=SCOPES,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_post")


def authorization_request(redirect_uri: str) -> tuple[str, dict]:
    """The provider's URL to send the browser to, and what to keep in the session for the callback (one use)."""
    meta = metadata()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    url, _ = _session(redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce,
        acr_values=current_app.config.get("PROCONNECT_ACR") or "eidas1")
    return url, {"state": state, "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri,
                 "at": time.time()}


def _decode(token: str, keys: KeySet, what: str = "id_token"):
    try:
        return jwt.decode(token, keys, algorithms=ALGORITHMS)
    except BadSignatureError as exc:
        raise ProConnectError("signature") from exc
    except (JoseError, ValueError) as exc:  # malformed, unknown key, algorithm not allowed
        raise ProConnectError("signature" if what == "id_token" else "userinfo") from exc


def check_id_token(claims: dict, meta: dict, nonce: str, now: float | None = None) -> None:
    """Issuer, audience, expiry, nonce and acr of a decoded ID token; ProConnectError on the first wrong one."""
    now = time.time() if now is None else now
    cfg = current_app.config
    if claims.get("iss") != meta.get("issuer"):
        raise ProConnectError("issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if cfg["PROCONNECT_CLIENT_ID"] not in audiences or (len(audiences) > 1
                                                         and claims.get("azp") != cfg["PROCONNECT_CLIENT_ID"]):
        raise ProConnectError("audience")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY < now:
        raise ProConnectError("expired")
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat - LEEWAY > now:
        raise ProConnectError("expired")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce") or ""), nonce):
        raise ProConnectError("nonce")
    asked = cfg.get("PROCONNECT_ACR") or "eidas1"
    accepted = ACR_LEVELS[ACR_LEVELS.index(asked):] if asked in ACR_LEVELS else [asked]
    if claims.get("acr") not in accepted:
        raise ProConnectError("acr")
    if not claims.get("sub"):
        raise ProConnectError("userinfo")


def finish(args, pending: dict | None) -> dict:
    """The callback: check `state` against the request kept in the session, exchange the code (PKCE), check the
    ID token and read the user information. Returns {sub, email, given_name, usual_name, id_token}."""
    if not pending or not args.get("state") or not secrets.compare_digest(str(args.get("state")),
                                                                           str(pending.get("state"))):
        raise ProConnectError("state")
    if time.time() - float(pending.get("at") or 0) > 600:
        raise ProConnectError("state")
    if args.get("error") or not args.get("code"):
        raise ProConnectError("provider_error")
    meta = metadata()
    try:
        token = _session(pending["redirect_uri"]).fetch_token(
            meta["token_endpoint"], code=args["code"], code_verifier=pending["verifier"], timeout=TIMEOUT)
    except Exception as exc:  # noqa: BLE001 — any failure of the exchange (HTTP, OAuth error, bad JSON)
        raise ProConnectError("token") from exc
    id_token = token.get("id_token")
    if not id_token:
        raise ProConnectError("token")
    keys = _keys(meta)
    claims = dict(_decode(id_token, keys).claims)
    check_id_token(claims, meta, pending.get("nonce"))
    info = _userinfo(meta, keys, token.get("access_token"))
    if info.get("sub") != claims["sub"]:
        raise ProConnectError("userinfo")
    email = str(info.get("email") or "").strip().lower()
    if not email or "@" not in email or info.get("email_verified") is False:
        raise ProConnectError("userinfo")
    return {"sub": str(claims["sub"]), "email": email, "given_name": info.get("given_name"),
            "usual_name": info.get("usual_name"), "id_token": id_token, "acr": claims.get("acr")}


def _userinfo(meta: dict, keys: KeySet, access_token: str | None) -> dict:
    """The userinfo answer: JSON, or a JWT signed with the provider's keys (ProConnect's form)."""
    if not access_token or not meta.get("userinfo_endpoint"):
        raise ProConnectError("userinfo")
    try:
        response = requests.get(meta["userinfo_endpoint"], timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {access_token}"})
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ProConnectError("userinfo") from exc
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        claims = dict(_decode(response.text.strip(), keys, what="userinfo").claims)
        if claims.get("iss") not in (None, meta.get("issuer")):
            raise ProConnectError("issuer")
        return claims
    try:
        return dict(response.json())
    except ValueError as exc:
        raise ProConnectError("userinfo") from exc


def logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's end_session address (logout at ProConnect too), or None when it has none."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProConnectError:
        return None
    if not endpoint or not id_token:
        return None
    from urllib.parse import urlencode
    query = urlencode({"id_token_hint": id_token, "state": secrets.token_urlsafe(16),
                       "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
