"""The second factor of password accounts (issue 20): TOTP codes (RFC 6238, pyotp) and ten single-use recovery codes.

The secret is kept encrypted (Fernet, key derived from AGIR_TOTP_KEY or SECRET_KEY) and never shown again after
enrolment; the recovery codes are kept as argon2 hashes, like passwords. A code is accepted once: the last time step
used is stored, and a code of that step or an earlier one is refused (one atomic UPDATE, so that two simultaneous
sign-ins with one code never both pass); a recovery code is marked used by one atomic UPDATE too.
"""
import base64
import hashlib
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, or_, select, update

from agir import audit
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_
from agir.operations import users as users_ops
from models import TotpRecoveryCode, User
from models.base import utcnow

# The roles that must have a second factor to sign in with a password (SPEC: administrators and every pilot).
REQUIRED_ROLES = ("admin", "pilot", "regional_pilot", "national_pilot")
ISSUER = "AGIR"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand

WRONG_CODE = N_("Code incorrect ou déjà utilisé : saisissez le code à 6 chiffres affiché maintenant par votre "
                "application.")


def is_required(user) -> bool:
    """Administrators and pilots of every level must enrol a second factor."""
    return getattr(user, "role", None) in REQUIRED_ROLES


def _fernet() -> Fernet:
    key = current_app.config.get("TOTP_KEY") or current_app.config["SECRET_KEY"]
    digest = hashlib.sha256(b"agir-totp-secret:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str | None:
    """The clear secret, or None when the key changed (the administrator then resets the second factor)."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    """A fresh random secret (160 bits, base 32), shown once as a QR code at enrolment."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator application reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as an inline SVG, drawn on the server (no script, no external image)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title, dark="#161616", light="#ffffff")


def normalise_code(code: str | None) -> str:
    """Spaces and dashes are ignored, letters are lower-cased (a recovery code may be typed in capitals)."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


def _step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // 30)


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (now, or one step before or after for a clock a little off) whose code is `code`."""
    totp, now = pyotp.TOTP(secret), _step(at)
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(TotpRecoveryCode).where(TotpRecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(TotpRecoveryCode(user_id=user.id, code_hash=users_ops.hash_password(normalise_code(c)))
                       for c in codes)
    return codes


def confirm_enrolment(user: User, secret: str, code: str | None) -> list[str]:
    """Enrol the second factor once the holder has typed a right code from it; returns the ten recovery codes
    (shown once). Refused, nothing written, when the code is wrong or the account already has one."""
    if user.has_totp:
        raise RuleViolation("totp_enrolled", N_("La double authentification est déjà activée pour ce compte."), "code")
    code = normalise_code(code)
    if not (len(code) == 6 and code.isdigit()):
        raise RuleViolation("totp_code", N_("Saisissez le code à 6 chiffres affiché par votre application."), "code")
    step = _matching_step(secret, code)
    if step is None:
        raise RuleViolation("totp_code", N_("Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code "
                                         "affiché maintenant."), "code")
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    db.session.flush()
    codes = _replace_recovery_codes(user)
    db.session.flush()
    audit.record(user, "totp_enabled", fields=["totp"], detail=f"compte {user.id}")
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for an enrolled account; the former ones stop working."""
    if not user.has_totp:
        raise RuleViolation("totp_missing", N_("La double authentification n'est pas activée pour ce compte."), "code")
    codes = _replace_recovery_codes(user)
    db.session.flush()
    audit.record(user, "totp_recovery_codes_renewed", fields=["totp"], detail=f"compte {user.id}")
    return codes


def check_second_factor(user: User, code: str | None, at: float | None = None) -> str | None:
    """'totp' or 'recovery' when `code` is a right code of the user's second factor (then used up), else None.
    Flushes its change; the caller commits."""
    code = normalise_code(code)
    if not user.has_totp or not code:
        return None
    if len(code) == 6 and code.isdigit():
        secret = decrypt_secret(user.totp_secret)
        step = _matching_step(secret, code, at) if secret else None
        if step is None:
            return None
        used = db.session.execute(
            update(User).where(User.id == user.id,
                               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
        if used.rowcount != 1:  # this code (or a later one) was already used: a replay
            return None
        db.session.refresh(user, ["totp_last_step"])
        return "totp"
    if len(code) != 10:
        return None
    rows = db.session.execute(select(TotpRecoveryCode.id, TotpRecoveryCode.code_hash)
                              .where(TotpRecoveryCode.user_id == user.id, TotpRecoveryCode.used_at.is_(None))).all()
    for row_id, code_hash in rows:
        if users_ops.verify_password(code_hash, code):
            used = db.session.execute(
                update(TotpRecoveryCode).where(TotpRecoveryCode.id == row_id, TotpRecoveryCode.used_at.is_(None))
                .values(used_at=utcnow()).execution_options(synchronize_session=False))
            return "recovery" if used.rowcount == 1 else None
    return None


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(TotpRecoveryCode.id).where(
        TotpRecoveryCode.user_id == user.id, TotpRecoveryCode.used_at.is_(None))).all())


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(TotpRecoveryCode).where(TotpRecoveryCode.user_id == user.id))


def reset_totp(actor, user: User) -> User:
    """An administrator removes an account's second factor (lost phone): its sessions end; the holder enrols a new
    one at the next sign-in (required roles) or when they wish. Never on one's own account from the admin space,
    never on another administrator's account (issue 13)."""
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise RuleViolation("reset_self", N_("Pour votre propre compte, la double authentification se gère depuis "
                                          "« Mon compte »."), "user")
    users_ops._not_another_admin(actor, user)
    if not user.has_totp:
        raise RuleViolation("totp_missing", N_("La double authentification n'est pas activée pour ce compte."), "user")
    _clear(user)
    users_ops.end_sessions(user)
    audit.record(actor, "totp_reset", fields=["totp"], detail=f"compte {user.id}")
    return user


def disable_own_totp(user: User, code: str | None) -> User:
    """The holder turns off an optional second factor with one of its codes; refused for the roles that need it."""
    if is_required(user):
        raise RuleViolation("totp_required", N_("La double authentification est obligatoire pour votre rôle."), "code")
    if check_second_factor(user, code) is None:
        raise RuleViolation("totp_code", WRONG_CODE, "code")
    _clear(user)
    users_ops.end_sessions(user)
    audit.record(user, "totp_disabled", fields=["totp"], detail=f"compte {user.id}")
    return user


def enrol_for_tests_or_demo(user: User, secret: str) -> None:
    """Enrol a known secret without a code (test factories and the demo's accounts only: never from a request)."""
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
    db.session.flush()
