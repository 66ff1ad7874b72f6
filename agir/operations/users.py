"""Accounts: password hashing (argon2), creation, authentication."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from agir.errors import RuleViolation
from agir.extensions import db
from models import Department, Structure, User
from models.base import utcnow
from models.enums import ROLES

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("unused-dummy-password")


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    """Passwords of 12 characters or more."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise RuleViolation("password_short",
                            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.", "password")


def create_user(email: str, role: str, password: str, structure_ref: str | None = None,
                department_code: str | None = None) -> User:
    """Create an account attached to a structure (social worker, referral officer) or a department (pilot)."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 200:
        raise RuleViolation("email_invalid", "Adresse électronique invalide.", "email")
    if role not in ROLES:
        raise RuleViolation("role_unknown", f"Rôle inconnu : {role} (attendu : {', '.join(ROLES)}).", "role")
    check_password_strength(password)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise RuleViolation("email_taken", "Un compte existe déjà avec cette adresse.", "email")
    structure = department = None
    if structure_ref:
        structure = db.session.scalar(select(Structure).where(Structure.ref == structure_ref))
        if structure is None:
            raise RuleViolation("structure_unknown", f"Structure inconnue : {structure_ref}.", "structure")
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise RuleViolation("department_unknown", f"Département inconnu : {department_code}.", "department")
    if role in ("social_worker", "referral_officer") and structure is None:
        raise RuleViolation("structure_required", "Ce rôle exige une structure (--structure).", "structure")
    if role == "pilot" and department is None and structure is None:
        raise RuleViolation("department_required", "Un pilote est rattaché à un département (--department).",
                            "department")
    if role == "pilot" and department is None:
        department = structure.department
    user = User(email=email, role=role, password_hash=hash_password(password), structure=structure,
                department=department or (structure.department if structure else None))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, or None (same cost for an unknown account)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.is_enabled:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """End every existing session of the user (logout, password change, disabling)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    db.session.flush()
