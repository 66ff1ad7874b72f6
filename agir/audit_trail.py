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
    # accounts and security
    "login": "Connexion", "logout": "Déconnexion", "login_failed": "Échec de connexion",
    "login_throttled": "Connexion bloquée (trop de tentatives)", "access_refused": "Accès refusé",
    "password_changed": "Mot de passe modifié", "password_change_refused": "Changement de mot de passe refusé",
    "password_reset": "Mot de passe réinitialisé", "preferences_changed": "Préférences modifiées",
    "user_created": "Compte créé", "user_disabled": "Compte désactivé", "user_enabled": "Compte réactivé",
    "api_token_created": "Jeton d'API créé", "api_token_revoked": "Jeton d'API révoqué",
    # reference data and audit
    "department_created": "Département créé", "department_updated": "Département modifié",
    "structure_created": "Structure créée", "structure_updated": "Structure modifiée",
    "audit_exported": "Journal d'une personne exporté",
    # the file of a person
    "view_person": "Consultation du dossier", "create_person": "Création du dossier",
    "update_person": "Modification de l'identité", "change_household": "Changement de ménage",
    "enrol_person": "Entrée en accompagnement", "extend_accompaniment": "Prolongation",
    "record_exit": "Sortie", "record_followup": "Suivi à 6 mois", "update_followup": "Suivi à 6 mois modifié",
    "set_right": "Accès aux droits", "add_note": "Note ajoutée", "update_note": "Note modifiée",
    "delete_note": "Note supprimée", "export_person": "Export du dossier (droit d'accès)",
    "anonymise": "Dossier anonymisé (durée de conservation)",
    "limited_view": "Consultation (vue limitée)",
    # referrals and programmes
    "referral_sent": "Orientation envoyée", "referral_accepted": "Orientation acceptée",
    "referral_refused": "Orientation refusée", "referral_started": "Orientation démarrée",
    "referral_completed": "Orientation terminée", "referral_dropped_out": "Orientation abandonnée",
    "referral_cancelled": "Orientation annulée", "referral_viewed": "Orientation consultée",
    "referral_form_viewed": "Formulaire d'orientation consulté",
    "referral_queue_viewed": "File des orientations consultée",
    "participation_created": "Participation enregistrée", "participation_updated": "Participation modifiée",
    "event_recorded": "Événement enregistré", "event_removed": "Événement supprimé",
    "programme_created": "Programme créé", "programme_updated": "Programme modifié",
    "programme_participants_viewed": "Participants d'un programme consultés",
    "session_added": "Séance ajoutée", "session_removed": "Séance supprimée",
    "export_indicators": "Export d'indicateurs", "import": "Import", "export": "Export",
}
# Items of the path written by add_/update_/delete_<item> (agir.operations.path).
PATH_ITEMS = {"housing_step": "démarche logement", "housing": "accès au logement", "job": "emploi",
              "training": "formation", "event": "événement"}
for _item, _name in PATH_ITEMS.items():
    ACTION_LABELS.setdefault(f"add_{_item}", f"Ajout : {_name}")
    ACTION_LABELS.setdefault(f"update_{_item}", f"Correction : {_name}")
    ACTION_LABELS.setdefault(f"delete_{_item}", f"Suppression : {_name}")
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
