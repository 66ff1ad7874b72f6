"""Personal API tokens of pilots: created (shown once), revoked, and recognised by their SHA-256 hash.

Only the hash is stored: a database dump gives no usable token.
"""
import hashlib
import secrets

from sqlalchemy import select

from agir import audit
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from models import ApiToken, User
from models.base import utcnow

PREFIX = "agir_"
NAME_MAX = 100
TOKEN_ROLES = ("pilot", "regional_pilot", "national_pilot")  # each reaches its own endpoints (blueprints/api)


def hash_token(raw: str) -> str:
    """SHA-256 hex digest of the token as presented."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_api_token(actor: User, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor; returns the record and the token itself (never stored, shown once)."""
    name = (name or "").strip()
    if not name:
        raise RuleViolation("token_name_required", _l("Donnez un nom à ce jeton (par exemple l'outil qui "
                                                      "l'utilise)."),
                            "name")
    if len(name) > NAME_MAX:
        raise RuleViolation("token_name_length", _l("Le nom du jeton fait au plus %(name_max)s caractères.",
                                                    name_max=NAME_MAX), "name")
    if actor.role not in TOKEN_ROLES:
        raise RuleViolation("token_role", _l("Seuls les pilotes (départementaux, régionaux ou nationaux) peuvent créer "
                                            "un jeton d'API."), "name")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=hash_token(raw))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token_created", fields=["name"], ip=ip, detail=f"jeton {token.id}")
    return token, raw


def revoke_api_token(actor: User, token_id: int, ip: str | None = None) -> ApiToken:
    """Revoke one of the actor's own tokens (a token of someone else is "not found")."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise RuleViolation("token_not_found", _l("Jeton introuvable."), None)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(actor, "api_token_revoked", fields=["revoked_at"], ip=ip, detail=f"jeton {token.id}")
    return token


def revoke_tokens_of(actor, user: User, reason: str, ip: str | None = None) -> int:
    """Revoke every token of the account still in use, because its password, state or rights changed
    (agir.operations.users): a token must never outlive what it was created under. One audit entry per
    token, as for a revocation by its owner; returns how many were revoked."""
    tokens = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))))
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    for token in tokens:
        audit.record(actor, "api_token_revoked", fields=["revoked_at"], ip=ip, detail=f"jeton {token.id} ({reason})")
    return len(tokens)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def user_for_token(raw: str | None) -> User | None:
    """The enabled user owning this unrevoked token (its last use is noted), or None."""
    if not raw or not raw.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or token.user is None or not token.user.is_enabled:
        return None
    token.last_used_at = utcnow()
    return token.user
