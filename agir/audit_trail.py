"""Reading the audit log: filtered queries for the admin view and a person's trail as CSV for the DPO."""
import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from agir.extensions import db
from agir.i18n import N_, gettext
from agir.safe_files import neutralise
from models import AuditEntry

# French labels (msgids) of the actions written by the application (other values are shown as they are).
ACTION_LABELS = {
    # accounts and security
    "login": N_("Connexion"), "logout": N_("Déconnexion"), "login_failed": N_("Échec de connexion"),
    "login_throttled": N_("Connexion bloquée (trop de tentatives)"), "access_refused": N_("Accès refusé"),
    "password_changed": N_("Mot de passe modifié"), "password_change_refused": N_("Changement de mot de passe refusé"),
    "password_reset": N_("Mot de passe réinitialisé"), "preferences_changed": N_("Préférences modifiées"),
    "user_created": N_("Compte créé"), "user_disabled": N_("Compte désactivé"), "user_enabled": N_("Compte réactivé"),
    "user_changed": N_("Rôle ou rattachement du compte modifié"),
    "api_token_created": N_("Jeton d'API créé"), "api_token_revoked": N_("Jeton d'API révoqué"),
    # reference data and audit
    "department_created": N_("Département créé"), "department_updated": N_("Département modifié"),
    "structure_created": N_("Structure créée"), "structure_updated": N_("Structure modifiée"),
    "audit_exported": N_("Journal d'une personne exporté"),
    # the file of a person
    "view_person": N_("Consultation du dossier"), "create_person": N_("Création du dossier"),
    "update_person": N_("Modification de l'identité"), "change_household": N_("Changement de ménage"),
    "enrol_person": N_("Entrée en accompagnement"), "extend_accompaniment": N_("Prolongation"),
    "record_exit": N_("Sortie"), "record_followup": N_("Suivi à 6 mois"),
    "update_followup": N_("Suivi à 6 mois modifié"),
    "set_right": N_("Accès aux droits"), "add_note": N_("Note ajoutée"), "update_note": N_("Note modifiée"),
    "delete_note": N_("Note supprimée"), "export_person": N_("Export du dossier (droit d'accès)"),
    "anonymise": N_("Dossier anonymisé (durée de conservation)"),
    "limited_view": N_("Consultation (vue limitée)"),
    # referrals and programmes
    "referral_sent": N_("Orientation envoyée"), "referral_accepted": N_("Orientation acceptée"),
    "referral_refused": N_("Orientation refusée"), "referral_started": N_("Orientation démarrée"),
    "referral_completed": N_("Orientation terminée"), "referral_dropped_out": N_("Orientation abandonnée"),
    "referral_cancelled": N_("Orientation annulée"), "referral_viewed": N_("Orientation consultée"),
    "referral_form_viewed": N_("Formulaire d'orientation consulté"),
    "referral_queue_viewed": N_("File des orientations consultée"),
    "participation_created": N_("Participation enregistrée"), "participation_updated": N_("Participation modifiée"),
    "event_recorded": N_("Événement enregistré"), "event_removed": N_("Événement supprimé"),
    "programme_created": N_("Programme créé"), "programme_updated": N_("Programme modifié"),
    "programme_participants_viewed": N_("Participants d'un programme consultés"),
    "session_added": N_("Séance ajoutée"), "session_removed": N_("Séance supprimée"),
    "export_indicators": N_("Export d'indicateurs"), "import": N_("Import"), "export": N_("Export"),
}
# Items of the path written by add_/update_/delete_<item> (agir.operations.path).
PATH_ITEMS = {"housing_step": N_("démarche logement"), "housing": N_("accès au logement"), "job": N_("emploi"),
              "training": N_("formation"), "event": N_("événement")}
PATH_VERBS = {"add": N_("Ajout : %(item)s"), "update": N_("Correction : %(item)s"),
              "delete": N_("Suppression : %(item)s")}
CSV_HEADER = ("Date (UTC)", "Utilisateur", "Rôle", "Action", "Libellé", "Champs", "Adresse IP", "Détail")


def action_label(action: str | None, translate: bool = True) -> str:
    """Label of an audit action in the reader's language (French when translate is False, e.g. in the CSV)."""
    tr = gettext if translate else (lambda text, **variables: text % variables if variables else text)
    if action in ACTION_LABELS:
        return tr(ACTION_LABELS[action])
    verb, _, item = (action or "").partition("_")
    if verb in PATH_VERBS and item in PATH_ITEMS:
        return tr(PATH_VERBS[verb], item=tr(PATH_ITEMS[item]))
    return action or "—"


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
    return neutralise("" if value is None else str(value))


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
            e.at.isoformat(sep=" ", timespec="seconds"), e.user_email, e.role, e.action,
            action_label(e.action, translate=False),
            ", ".join(e.fields or []), e.ip, e.detail)])
    return out.getvalue()
