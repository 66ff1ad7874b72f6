"""Accounts: password hashing (argon2), creation, authentication, passwords, enabling and sessions."""
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from agir import audit
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_
from agir.i18n import lazy_gettext as _l
from agir.operations.api_tokens import revoke_tokens_of
from agir.reference_geo import REGIONS
from models import Department, Region, Structure, User
from models.base import utcnow
from models.enums import ROLES

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 512  # the login form accepts no more
STRUCTURE_ROLES = ("social_worker", "referral_officer")
# Pilots above the department (issue 15): a regional pilot belongs to a region, a national pilot to nothing.
REGIONAL_PILOT, NATIONAL_PILOT = "regional_pilot", "national_pilot"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
ADMIN_ON_SERVER = N_("Les comptes d'administration se gèrent sur le serveur (commande create-user).")
ADMIN_ON_ADMIN = N_("Un administrateur n'agit pas sur le compte d'un autre administrateur : son mot de passe et "
                    "son état se gèrent sur le serveur (commande create-user).")
_hasher = PasswordHasher()
_dummy: dict[int, str] = {}


def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both paths cost the same (same hasher settings)."""
    key = id(_hasher)
    if key not in _dummy:
        _dummy[key] = _hasher.hash("unused-dummy-password")
    return _dummy[key]


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str | None) -> str:
    """E-mail addresses are compared trimmed and in lower case."""
    return (email or "").strip().lower()


def check_password_strength(password: str, field: str = "password") -> None:
    """Passwords of 12 characters or more (and no more than the login form accepts)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise RuleViolation("password_short",
                            _l("Le mot de passe doit contenir au moins %(min_password_length)s caractères.",
                               min_password_length=MIN_PASSWORD_LENGTH), field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RuleViolation("password_long",
                            _l("Le mot de passe ne peut dépasser %(max_password_length)s caractères.",
                               max_password_length=MAX_PASSWORD_LENGTH), field)


def _region(role: str, region_code: str | None, structure_ref: str | None, department_code: str | None):
    """The region of a regional pilot (required, an INSEE region of the table); refused for every other role.
    Regional and national pilots belong to no structure and no department. Every broken rule at once: the
    first is raised, carrying them all in `violations` (the admin form shows each next to its field)."""
    problems, region = [], None
    if role in (REGIONAL_PILOT, NATIONAL_PILOT):
        if structure_ref:
            problems.append(RuleViolation("structure_not_allowed",
                                          _l("Un pilote régional ou national n'est rattaché à aucune structure."),
                                          "structure"))
        if department_code:
            problems.append(RuleViolation("department_not_allowed",
                                          _l("Un pilote régional ou national n'est rattaché à aucun département."),
                                          "department"))
    if role != REGIONAL_PILOT:
        if region_code:
            problems.append(RuleViolation("region_not_allowed", _l("Seul un pilote régional est rattaché à une "
                                                                   "région."),
                                          "region"))
    elif not region_code:
        problems.append(RuleViolation("region_required", _l("Un pilote régional est rattaché à une région."), "region"))
    else:
        region = db.session.scalar(select(Region).where(Region.code == region_code))
        if region is None and region_code in REGIONS:  # a schema made without migration 0011's seed
            region = Region(code=region_code, name=REGIONS[region_code])
            db.session.add(region)
        if region is None:
            problems.append(RuleViolation("region_unknown", _l("Région inconnue : %(region_code)s (code INSEE "
                                                               "de région attendu, par exemple 75 pour la "
                                                               "Nouvelle-Aquitaine).", region_code=region_code),
                                                                   "region"))
    if problems:
        first = problems[0]
        first.violations = problems
        raise first
    return region


def _attachment(role: str, structure_ref: str | None, department_code: str | None):
    """The structure and department of a new account, checked against its role."""
    structure = department = None
    if structure_ref:
        structure = db.session.scalar(select(Structure).where(Structure.ref == structure_ref))
        if structure is None:
            raise RuleViolation("structure_unknown", _l("Structure inconnue : %(structure_ref)s.",
                                                        structure_ref=structure_ref), "structure")
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise RuleViolation("department_unknown", _l("Département inconnu : %(department_code)s.",
                                                         department_code=department_code), "department")
    if role in STRUCTURE_ROLES and structure is None:
        raise RuleViolation("structure_required", _l("Ce rôle exige une structure de rattachement."),
                            "structure")
    if role == "pilot" and department is None:
        raise RuleViolation("department_required", _l("Un pilote est rattaché à un département."),
                            "department")
    if structure is not None and department is not None and structure.department_id != department.id:
        raise RuleViolation("department_mismatch",
                            _l("La structure %(ref)s n'appartient pas au département %(code)s.", ref=structure.ref,
                               code=department.code),
                            "department")
    if structure is not None and department is None:
        department = structure.department
    return structure, department


MAX_DISPLAY_NAME = 120


def check_display_name(name: str | None) -> str | None:
    """The name shown for an account in a file's history (« Awa Diallo »): optional, spaces collapsed,
    120 characters at most, no control character; empty means the e-mail is shown."""
    text = " ".join((name or "").split())
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise RuleViolation("display_name_invalid", _l("Le nom affiché contient un caractère non autorisé."),
                            "display_name")
    if len(text) > MAX_DISPLAY_NAME:
        raise RuleViolation("display_name_long", _l("Le nom affiché fait au plus %(max_display_name)s "
                                                    "caractères.", max_display_name=MAX_DISPLAY_NAME),
                            "display_name")
    return text or None


def set_display_name(actor, user: User, name: str | None) -> bool:
    """The holder (on « Mon compte ») or an administrator sets the name shown instead of the e-mail; True when
    it changed (audited: the field's name, never its value)."""
    name = check_display_name(name)
    if user.display_name == name:
        return False
    user.display_name = name
    db.session.flush()
    own = actor is not None and getattr(actor, "id", None) == user.id
    audit.record(actor, "preferences_changed" if own else "user_changed", fields=["display_name"],
                 detail=f"compte {user.id}")
    return True


def create_user(email: str, role: str, password: str, structure_ref: str | None = None,
                department_code: str | None = None, actor=None, provisional: bool = False,
                display_name: str | None = None, region_code: str | None = None) -> User:
    """Create an account attached to a structure (social worker, referral officer) or a department (pilot).

    `provisional`: the password is given to the holder by an administrator, who must change it
    before anything else (the admin space); the command line sets a password of one's choosing.
    """
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 200:
        raise RuleViolation("email_invalid", _l("Adresse électronique invalide : %(value)s.",
                                                value=email or '(vide)'), "email")
    if role not in ROLES:
        raise RuleViolation("role_unknown", _l("Rôle inconnu : %(role)s (attendu : %(value)s).", role=role,
                                               value=', '.join(ROLES)), "role")
    check_password_strength(password)
    display_name = check_display_name(display_name)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise RuleViolation("email_taken", _l("Un compte existe déjà avec cette adresse."), "email")
    region = _region(role, region_code, structure_ref, department_code)
    structure, department = _attachment(role, structure_ref, department_code)
    user = User(email=email, display_name=display_name, role=role, password_hash=hash_password(password),
                structure=structure,
                department=department, region=region, is_enabled=True, session_epoch=0,
                password_changed_at=None if provisional else utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user_created", fields=["email", "role", "structure", "department", "password"]
                 + (["region"] if region else []) + (["display_name"] if display_name else []),
                 detail=f"compte {user.id}")
    return user


def change_attachment(actor, user: User, role: str, structure_ref: str | None,
                      department_code: str | None, region_code: str | None = None) -> list[str]:
    """An administrator changes an account's role or attachment (someone moves to another structure,
    becomes a pilot…). Administrator accounts are managed on the server only and no account becomes one.
    The account's sessions end when anything changed (what it may see changed); returns the changed fields."""
    if user.role == "admin" or role == "admin":
        raise RuleViolation("admin_on_server", _l(ADMIN_ON_SERVER), "role")
    if role not in ROLES:
        raise RuleViolation("role_unknown", _l("Rôle inconnu : %(role)s (attendu : %(value)s).", role=role,
                                               value=', '.join(ROLES)), "role")
    region = _region(role, region_code, structure_ref, department_code)
    structure, department = _attachment(role, structure_ref, department_code)
    changed = [name for name, before, after in (("role", user.role, role),
                                                 ("structure", user.structure_id, structure.id if structure else None),
                                                 ("department", user.department_id,
                                                  department.id if department else None),
                                                 ("region", user.region_id, region.id if region else None))
               if before != after]
    if not changed:
        return []
    user.role, user.structure, user.department, user.region = role, structure, department, region
    end_sessions(user)
    revoke_tokens_of(actor, user, "rôle ou rattachement modifié")
    audit.record(actor, "user_changed", fields=changed, detail=f"compte {user.id}")
    return changed


def authenticate(email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, or None (same cost for an unknown account)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.is_enabled:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """End every existing session of the user (logout, password change, disabling)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    db.session.flush()


def change_password(actor: User, current: str, new: str, confirmation: str) -> User:
    """The user changes their own password: current one required, 12 characters, confirmed; other sessions end."""
    if not verify_password(actor.password_hash, current or ""):
        audit.record(actor, "password_change_refused", fields=["password"], detail=f"compte {actor.id}")
        raise RuleViolation("password_current", _l("Le mot de passe actuel est incorrect."), "current_password")
    check_password_strength(new, "new_password")
    if new != confirmation:
        raise RuleViolation("password_confirmation", _l("La confirmation ne correspond pas au nouveau mot de "
                                                        "passe."),
                            "confirmation")
    if new == current:
        raise RuleViolation("password_unchanged", _l("Le nouveau mot de passe doit être différent de l'actuel."),
                            "new_password")
    _set_password(actor, new)
    revoke_tokens_of(actor, actor, "mot de passe modifié")
    audit.record(actor, "password_changed", fields=["password"], detail=f"compte {actor.id}")
    return actor


def _set_password(user: User, password: str, provisional: bool = False) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = None if provisional else utcnow()
    end_sessions(user)


def _not_another_admin(actor, user: User) -> None:
    """No administrator acts on another administrator's account from the application (one could otherwise
    take over or lock out the other); the server's command line (actor None) still can."""
    if actor is not None and user.role == "admin" and getattr(actor, "id", None) != user.id:
        raise RuleViolation("admin_on_admin", _l(ADMIN_ON_ADMIN), "user")


def generate_password() -> str:
    """A random provisional password: 16 characters from a 96-bit secret."""
    return secrets.token_urlsafe(12)


def reset_password(actor, user: User) -> str:
    """An administrator gives the user a new random provisional password (shown once, to be changed at
    the next sign-in); the user's sessions end."""
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise RuleViolation("reset_self", _l("Pour votre propre compte, changez votre mot de passe depuis « Mon "
                                             "compte »."),
                            "user")
    _not_another_admin(actor, user)
    password = generate_password()
    _set_password(user, password, provisional=True)
    revoke_tokens_of(actor, user, "mot de passe réinitialisé")
    audit.record(actor, "password_reset", fields=["password"], detail=f"compte {user.id}")
    return password


def set_digest(actor: User, wants_digest: bool) -> User:
    """The user opts in or out of the daily e-mail digest."""
    if actor.wants_digest != bool(wants_digest):
        actor.wants_digest = bool(wants_digest)
        db.session.flush()
        audit.record(actor, "preferences_changed", fields=["wants_digest"], detail=f"compte {actor.id}")
    return actor


def disable_user(actor, user: User) -> User:
    """Disable an account; its sessions end at once. An administrator cannot disable their own account."""
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise RuleViolation("disable_self", _l("Vous ne pouvez pas désactiver votre propre compte."), "user")
    _not_another_admin(actor, user)
    if user.is_enabled:
        user.is_enabled = False
        end_sessions(user)
        revoke_tokens_of(actor, user, "compte désactivé")
        audit.record(actor, "user_disabled", fields=["is_enabled"], detail=f"compte {user.id}")
    return user


def enable_user(actor, user: User) -> User:
    """Enable an account again (the user signs in anew; its API tokens stay revoked)."""
    _not_another_admin(actor, user)
    if not user.is_enabled:
        user.is_enabled = True
        db.session.flush()
        audit.record(actor, "user_enabled", fields=["is_enabled"], detail=f"compte {user.id}")
    return user
