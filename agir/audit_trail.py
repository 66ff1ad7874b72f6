"""Reading the audit log: filtered queries for the admin view and a person's trail as CSV for the DPO."""
import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from agir.extensions import db
from models import AuditEntry

# French labels of the actions written by the application (other values are shown as they are).
ACTION_LABELS = {
    "login": "Connexion", "logout": "Déconnexion", "login_failed": "Échec de connexion",
    "login_throttled": "Connexion bloquée (trop de tentatives)", "access_refused": "Accès refusé",
    "password_changed": "Mot de passe modifié", "password_change_refused": "Changement de mot de passe refusé",
    "password_reset": "Mot de passe réinitialisé", "preferences_changed": "Préférences modifiées",
    "user_created": "Compte créé", "user_disabled": "Compte désactivé", "user_enabled": "Compte réactivé",
    "department_created": "Département créé", "department_updated": "Département modifié",
    "structure_created": "Structure créée", "structure_updated": "Structure modifiée",
    "audit_exported": "Journal d'une personne exporté", "view": "Consultation", "read": "Consultation",
    "create": "Création", "update": "Modification", "delete": "Suppression", "export": "Export",
}
CSV_HEADER = ("Date (UTC)", "Utilisateur", "Rôle", "Action", "Libellé", "Champs", "Adresse IP", "Détail")


def action_label(action: str | None) -> str:
    """French label of an audit action."""
    return ACTION_LABELS.get(action or "", action or "—")


def entries(person_id: int | None = None, user: str | None = None, action: str | None = None,
            date_from: date | None = None, date_to: date | None = None) -> Select:
    """select(AuditEntry) filtered (dates inclusive, UTC), newest first."""
    query = select(AuditEntry)
    if person_id is not None:
        query = query.where(AuditEntry.person_id == person_id)
    if user:
        needle = user.strip().lower()
        query = query.where(func.lower(AuditEntry.user_email).contains(needle, autoescape=True))
    if action:
        query = query.where(AuditEntry.action == action)
    if date_from:
        query = query.where(AuditEntry.at >= datetime.combine(date_from, time.min))
    if date_to:
        query = query.where(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def known_actions() -> list[str]:
    """The distinct actions present in the log (for the filter)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def person_trail_csv(person_id: int) -> str:
    """The whole audit trail of one person, oldest first, as CSV (semicolons, UTF-8 with BOM, for French Excel)."""
    rows: Iterable[AuditEntry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.person_id == person_id).order_by(AuditEntry.at, AuditEntry.id))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in rows:
        writer.writerow([_cell(v) for v in (
            e.at.isoformat(sep=" ", timespec="seconds"), e.user_email, e.role, e.action, action_label(e.action),
            ", ".join(e.fields or []), e.ip, e.detail)])
    return out.getvalue()
