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
    "totp_enabled": N_("Double authentification activée"), "totp_reset": N_("Double authentification réinitialisée"),
    "totp_disabled": N_("Double authentification désactivée"),
    "totp_recovery_codes_renewed": N_("Codes de secours renouvelés"),
    "proconnect_refused": N_("Connexion ProConnect refusée"),
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
    "duplicate_shown": N_("Signalé comme doublon probable"),
    "duplicate_dismissed": N_("Doublon probable écarté (pas la même personne)"),
    "merge_person": N_("Dossiers fusionnés"),
    "replace_document": N_("Document remplacé (gardé dans l'historique)"),
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
    # lists of persons (one entry per page shown)
    "persons_list_viewed": N_("Liste des personnes consultée"), "alerts_viewed": N_("Alertes consultées"),
    # corrections (SPEC §4.8): « Correction : sortie », « Annulation : prolongation » with entry_label
    "correct_record": N_("Correction"), "cancel_record": N_("Annulation"),
    "delete_person": N_("Suppression du dossier (créé par erreur)"),
    # the engagement contract (issue 16)
    "contract_pdf": N_("Contrat d'engagement imprimé (PDF)"),
    "contract_signed": N_("Signature du contrat d'engagement enregistrée"),
    # the convocation letter and the référent's calendar feed (issue 17 items 3 and 4)
    "convocation_pdf": N_("Convocation imprimée (PDF)"),
    "calendar_feed_created": N_("Lien d'agenda personnel créé"),
    "calendar_feed_regenerated": N_("Lien d'agenda personnel régénéré"),
    "calendar_feed_revoked": N_("Lien d'agenda personnel révoqué"),
    "calendar_feed_read": N_("Agenda personnel lu par une application"),
}
# Items of the path written by add_/update_/delete_<item> (agir.operations.path).
PATH_ITEMS = {"housing_step": N_("démarche logement"), "housing": N_("accès au logement"), "job": N_("emploi"),
              "training": N_("formation"), "event": N_("événement")}
PATH_VERBS = {"add": N_("Ajout : %(item)s"), "update": N_("Correction : %(item)s"),
              "delete": N_("Suppression : %(item)s")}
CSV_HEADER = ("Date (UTC)", "Utilisateur", "Rôle", "Action", "Libellé", "Champs", "Adresse IP", "Détail")


def action_label(action: str | None, translate: bool = True, detail: str | None = None) -> str:
    """Label of an audit action in the reader's language (French when translate is False, e.g. in the CSV);
    with the entry's detail, a correction reads « Correction : sortie »."""
    tr = gettext if translate else (lambda text, **variables: text % variables if variables else text)
    if detail is not None and action in CORRECTION_VERBS:
        return entry_label(action, detail, translate)
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
            action_label(e.action, translate=False, detail=e.detail),
            ", ".join(e.fields or []), e.ip, e.detail)])
    return out.getvalue()


# ---- A file's history: changes first, corrections with what they were and became -------------

# Reads of personal data: behind « Afficher aussi les consultations » in a file's history.
VIEW_ACTIONS: tuple[str, ...] = (
    "view_person", "limited_view", "referral_viewed", "referral_form_viewed", "referral_queue_viewed",
    "programme_participants_viewed", "export_person", "access_refused", "audit_exported", "duplicate_shown")
# The recorded facts a correction or cancellation names (agir.audit.record_correction's record_kind).
RECORD_LABELS = {
    "enrolment": N_("inscription"), "extension": N_("prolongation"), "exit": N_("sortie"),
    "followup": N_("suivi à 6 mois"), "right": N_("droit"), "right_step": N_("droit"),
    "housing_step": N_("démarche logement"), "housing": N_("accès au logement"), "job": N_("emploi"),
    "training": N_("formation"), "referral": N_("orientation"), "referral_step": N_("étape d'orientation"),
    "participation": N_("participation"), "event": N_("événement"), "note": N_("note"),
    "appointment": N_("rendez-vous"), "document": N_("document"), "person": N_("dossier"),
    "contract": N_("signature du contrat d'engagement"),
}
CORRECTION_VERBS = {"correct_record": N_("Correction : %(record)s"), "cancel_record": N_("Annulation : %(record)s")}
# Names of the fields kept in a correction's before/after values, by record then for any record.
CHANGE_FIELDS = {
    ("enrolment", "start_on"): N_("date d'entrée"), ("enrolment", "kind"): N_("type d'accompagnement"),
    ("exit", "reason"): N_("motif de sortie"), ("extension", "reason"): N_("motif de la prolongation"),
    ("job", "start_on"): N_("date de début"), ("training", "start_on"): N_("date de début"),
    ("job", "months"): N_("durée (mois)"), ("note", "text"): N_("texte"), ("job", "kind"): N_("contrat"),
    ("housing_step", "kind"): N_("démarche"), ("housing", "kind"): N_("logement"), ("event", "kind"): N_("événement"),
    ("right", "kind"): N_("droit"),
    ("contract", "contract_signed_on"): N_("date de signature"), ("contract", "contract_language"): N_("langue"),
}
CHANGE_FIELDS_ANY = {
    "start_on": N_("date de début"), "planned_end_on": N_("fin prévue"), "decided_on": N_("date de la décision"),
    "exit_on": N_("date de sortie"), "reason": N_("motif"), "job_kind": N_("emploi à la sortie"),
    "job_months": N_("durée du contrat (mois)"), "training_level": N_("formation à la sortie"),
    "followup_on": N_("date du suivi"), "is_positive": N_("situation positive"), "kind": N_("type"),
    "level": N_("niveau"), "months": N_("durée (mois)"), "number": N_("numéro"), "event_ref": N_("identifiant"),
    "state": N_("état"), "requested_on": N_("date de demande"), "obtained_on": N_("date d'obtention"),
    "refused_on": N_("date de refus"), "refusal_reason": N_("motif du refus"), "step_on": N_("date"),
    "access_on": N_("date d'entrée dans le logement"), "event_on": N_("date"), "noted_on": N_("date"),
    "text": N_("texte"), "date": N_("date"), "end_on": N_("date de fin"), "need": N_("besoin"),
    "sent_on": N_("date d'envoi"), "accepted_on": N_("date d'acceptation"), "started_on": N_("date de démarrage"),
    "completed_on": N_("date de fin"), "dropped_out_on": N_("date d'abandon"), "cancelled_on": N_("date d'annulation"),
    "planned_hours": N_("heures prévues"), "attended_hours": N_("heures suivies"),
    "level_start": N_("niveau d'entrée"), "level_end": N_("niveau de sortie"), "ref": N_("référence"),
    "pseudonym": N_("pseudonyme"), "positive": N_("situation positive"), "programme": N_("programme"),
}
# Which enumeration a stored value belongs to (its label is shown, not its code).
ENUM_OF = {
    ("exit", "reason"): "exit_reason", ("enrolment", "kind"): "accompaniment_kind", ("job", "kind"): "job_kind",
    ("housing_step", "kind"): "housing_step_kind", ("housing", "kind"): "housing_kind",
    ("event", "kind"): "event_kind", ("referral", "state"): "referral_state", ("referral_step", "state"):
    "referral_state", ("right", "kind"): "right_kind", ("right_step", "kind"): "right_kind",
}
ENUM_OF_ANY = {"job_kind": "job_kind", "training_level": "training_level", "level": "training_level",
               "state": "right_state", "level_start": "level", "level_end": "level"}


def entry_label(action: str | None, detail: str | None = None, translate: bool = True) -> str:
    """« Correction : sortie » for a correction (detail = the record), else action_label."""
    if action in CORRECTION_VERBS:
        tr = gettext if translate else (lambda text, **variables: text % variables if variables else text)
        record = RECORD_LABELS.get(detail or "")
        return tr(CORRECTION_VERBS[action], record=tr(record) if record else (detail or "—"))
    return action_label(action, translate)


def _value_text(record: str, name: str, value) -> str:
    from agir.labels import label
    if value is None or value == "":
        return gettext("(vide)")
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if name == "programme" and isinstance(value, int):
        from models import Programme
        programme = db.session.get(Programme, value)
        return programme.name if programme else str(value)
    enum = ENUM_OF.get((record, name)) or ENUM_OF_ANY.get(name)
    if enum:
        return label(value, enum)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def change_lines(entry) -> list[tuple[str, str, str | None]]:
    """(field, before, after) of a correction, in the reader's language; after is None for a cancellation.

    A correction lists only the fields that changed; a cancellation lists what the record was.
    """
    changes = entry.changes or {}
    record = changes.get("record") or entry.detail or ""
    before, after = changes.get("before") or {}, changes.get("after")
    lines = []
    for name in list(before) + [k for k in (after or {}) if k not in before]:
        old, new = before.get(name), (after or {}).get(name)
        if after is not None and old == new:
            continue
        text = CHANGE_FIELDS.get((record, name)) or CHANGE_FIELDS_ANY.get(name)
        lines.append((gettext(text) if text else name, _value_text(record, name, old),
                      None if after is None else _value_text(record, name, new)))
    return lines


def person_history(person_id: int, with_views: bool = False, limit: int = 50, offset: int = 0):
    """A file's audit entries, newest first, each with its author's display name: (rows, total).

    The changes only by default; with_views adds the consultations (VIEW_ACTIONS).
    """
    from models import User
    where = [AuditEntry.person_id == person_id]
    if not with_views:
        where.append(AuditEntry.action.not_in(VIEW_ACTIONS))
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    rows = db.session.execute(
        select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.user_id).where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return rows, total

# The entry path (issue 16; docs/rules.md « Parcours d'entrée »).
ACTION_LABELS.update({
    "orientation_recorded": N_("Orientation enregistrée"), "languages_updated": N_("Langues et interprète"),
    "first_interview_recorded": N_("Premier entretien enregistré"), "diagnostic_recorded": N_("Diagnostic établi"),
    "objective_added": N_("Objectif ajouté au plan d'action"), "objective_updated": N_("Objectif du plan mis à jour"),
    "orientations_list_viewed": N_("Consultation des orientations à planifier"),
    "overdue_objectives_viewed": N_("Consultation des objectifs en retard"),
})
RECORD_LABELS.update({"diagnostic": N_("diagnostic"), "plan_objective": N_("objectif du plan d'action")})

# The agenda (issue 17; docs/rules.md « Agenda et rappels de rendez-vous »).
ACTION_LABELS.update({
    "add_appointment": N_("Rendez-vous fixé"), "appointment_outcome": N_("Issue d'un rendez-vous enregistrée"),
    "agenda_viewed": N_("Consultation de l'agenda"),
    "update_structure": N_("Coordonnées de la structure pour les rappels"),
    "reminders_opt_out": N_("Rappels de rendez-vous : choix de la personne"),
})
CHANGE_FIELDS.update({
    ("appointment", "start_at"): N_("date et heure"), ("appointment", "minutes"): N_("durée (minutes)"),
    ("appointment", "referent_id"): N_("référent·e"), ("appointment", "interpreter"): N_("interprète"),
    ("appointment", "status"): N_("statut"), ("appointment", "mode"): N_("mode"),
})

# A person's documents' files (issue 18, items 2-4; docs/rules.md « Documents : dépôt, analyse, stockage »).
ACTION_LABELS.update({
    "add_document": N_("Document ajouté"), "document_downloaded": N_("Document téléchargé"),
    "document_infected": N_("Document refusé : virus détecté"),
})
VIEW_ACTIONS = (*VIEW_ACTIONS, "document_downloaded")
