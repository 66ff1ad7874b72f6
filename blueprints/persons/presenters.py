"""What the file shows, computed from the loaded person: clock bar, rights lines, timeline, history labels.

Display only: no rule is decided here (they come from agir.rules and agir.operations).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext

from agir.audit import trail as audit_trail
from agir.dates import add_months
from agir.i18n import N_, format_date
from agir.labels import label
from agir.rules import durations
from agir.rules.accompaniment import followup_due_on
from models.enums import RIGHT_KINDS

PARIS = ZoneInfo("Europe/Paris")


def clock_bar(accompaniment, today: date, max_months: int) -> dict:
    """The clock of an accompaniment and the positions (percent of start → maximum) of today and the planned end."""
    start = accompaniment.start_on
    end = accompaniment.exit_on or today
    info = durations.clock(start, end, accompaniment.current_end_on, max_months)
    limit = info["limit"]
    span = max((limit - start).days, 1)

    def pct(day: date) -> float:
        return round(min(max((day - start).days / span, 0), 1) * 100, 1)

    info.update(today_pct=pct(end), end_pct=pct(accompaniment.current_end_on),
                min_end=add_months(start, durations.MIN_MONTHS), min_pct=pct(add_months(start, durations.MIN_MONTHS)),
                days_left=(accompaniment.current_end_on - today).days)
    return info


def right_lines(person) -> list:
    """One line per kind of right, in the order of SPEC §4.3 (a kind never touched is "to do")."""
    steps = {step.kind: step for step in person.rights}
    return [(kind, steps.get(kind)) for kind in RIGHT_KINDS]


@dataclass
class TimelineItem:
    """One dated fact of the path."""

    day: date
    category: str
    text: str
    anchor: str


def _identity_facts(person):
    status = gettext("Statut")
    yield (person.protection_on if person.is_bpi else person.first_permit_on, status,
           gettext("Obtention de la protection") if person.is_bpi else gettext("Premier titre de séjour"), "identite")
    yield person.arrival_on, status, gettext("Arrivée dans le département"), "identite"
    yield person.cir_on, status, gettext("Signature du contrat d'intégration républicaine"), "identite"


def _accompaniment_facts(person):
    category = gettext("Accompagnement")
    for acc in person.accompaniments:
        yield (acc.start_on, category, gettext("Entrée — %(kind)s", kind=label(acc.kind, "accompaniment_kind")),
               "accompagnement")
        for ext in acc.extensions:
            yield (ext.decided_on, category,
                   gettext("Prolongation jusqu'au %(day)s", day=format_date(ext.planned_end_on)), "accompagnement")
        if acc.exit is not None:
            yield (acc.exit.exit_on, category,
                   gettext("Sortie — %(reason)s", reason=label(acc.exit.reason, "exit_reason")), "accompagnement")
            if acc.exit.followup is not None:
                situation = (gettext("Suivi à 6 mois — situation positive") if acc.exit.followup.is_positive
                             else gettext("Suivi à 6 mois — situation non positive"))
                yield acc.exit.followup.followup_on, category, situation, "accompagnement"


def _path_facts(person):
    rights, housing = gettext("Droits"), gettext("Logement")
    for step in person.rights:
        name = label(step.kind, "right_kind")
        yield step.requested_on, rights, gettext("%(right)s : demande", right=name), "droits"
        yield step.obtained_on, rights, gettext("%(right)s : obtenu", right=name), "droits"
        yield step.refused_on, rights, gettext("%(right)s : refusé", right=name), "droits"
    for step in person.housing_steps:
        number = gettext(" n° %(number)s", number=step.number) if step.number else ""
        yield step.step_on, housing, label(step.kind, "housing_step_kind") + number, "logement"
    for access in person.housing:
        kind = label(access.kind, "housing_kind").lower()
        text = (gettext("Entrée en %(kind)s (logement pérenne)", kind=kind) if access.is_permanent
                else gettext("Entrée en %(kind)s", kind=kind))
        yield access.access_on, housing, text, "logement"
    for job in person.jobs:
        length = ngettext(" de %(num)s mois", " de %(num)s mois", job.months) if job.months else ""
        yield job.start_on, gettext("Emploi"), label(job.kind, "job_kind") + length, "emploi"
    for training in person.trainings:
        level = label(training.level, "training_level").lower()
        yield training.start_on, gettext("Formation"), gettext("Formation %(level)s", level=level), "emploi"
    for event in person.events:
        ref = f" ({event.event_ref})" if event.event_ref else ""
        yield event.event_on, gettext("Événement"), label(event.kind, "event_kind") + ref, "evenements"
    for note in person.notes:
        yield note.noted_on, gettext("Note"), gettext("Note de suivi"), "notes"


def _programme_facts(person):
    for referral in person.referrals:
        name = referral.programme.name if referral.programme else gettext("programme")
        for step in ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled"):
            yield (getattr(referral, f"{step}_on", None), gettext("Orientation"),
                   gettext("%(name)s : %(state)s", name=name, state=label(step, "referral_state").lower()),
                   "orientations")
    for part in person.participations:
        name = part.programme.name if part.programme else gettext("programme")
        category = gettext("Participation")
        yield part.start_on, category, gettext("Début de participation — %(name)s", name=name), "orientations"
        yield part.end_on, category, gettext("Fin de participation — %(name)s", name=name), "orientations"


def timeline(person) -> list:
    """Everything dated in the file, most recent first."""
    items = [TimelineItem(*fact) for source in (_identity_facts, _accompaniment_facts, _path_facts, _programme_facts)
             for fact in source(person) if fact[0] is not None]
    return sorted(items, key=lambda i: i.day, reverse=True)


def followup_status(accompaniment, today: date) -> dict | None:
    """For an accompaniment with an exit: when the follow-up is due and whether it is due now."""
    if accompaniment is None or accompaniment.exit is None:
        return None
    due = followup_due_on(accompaniment.exit.exit_on)
    return {"due_on": due, "is_due": due <= today and accompaniment.exit.followup is None,
            "done": accompaniment.exit.followup}


ACTIONS = {
    "view_person": N_("Consultation"), "create_person": N_("Création du dossier"),
    "update_person": N_("Modification de l'identité"), "change_household": N_("Changement de ménage"),
    "enrol_person": N_("Inscription en accompagnement"), "extend_accompaniment": N_("Prolongation"),
    "record_exit": N_("Sortie d'accompagnement"), "record_followup": N_("Suivi à 6 mois"),
    "update_followup": N_("Correction du suivi à 6 mois"), "set_right": N_("Accès aux droits"),
    "add_note": N_("Ajout d'une note"), "update_note": N_("Correction d'une note"),
    "delete_note": N_("Suppression d'une note"), "add_housing_step": N_("Démarche logement"),
    "update_housing_step": N_("Correction d'une démarche logement"),
    "delete_housing_step": N_("Suppression d'une démarche logement"), "add_housing": N_("Accès au logement"),
    "update_housing": N_("Correction d'un accès au logement"),
    "delete_housing": N_("Suppression d'un accès au logement"), "add_job": N_("Emploi"),
    "update_job": N_("Correction d'un emploi"), "delete_job": N_("Suppression d'un emploi"),
    "add_training": N_("Formation"), "update_training": N_("Correction d'une formation"),
    "delete_training": N_("Suppression d'une formation"), "add_event": N_("Événement"),
    "update_event": N_("Correction d'un événement"), "delete_event": N_("Suppression d'un événement"),
}  # the others (import, referrals, participations, exports…): agir.audit.trail's labels
FIELDS = {
    "last_name": N_("nom"), "first_name": N_("prénom"), "sex": N_("sexe"), "birth_on": N_("date de naissance"),
    "nationality": N_("nationalité"), "status": N_("statut"), "protection_on": N_("date de protection"),
    "first_permit_on": N_("date du premier titre"), "arrival_on": N_("date d'arrivée"), "cir_on": N_("date du CIR"),
    "permit_expiry_on": N_("expiration du titre"), "hosting": N_("hébergement"),
    "language_level": N_("niveau de français"), "prior_programme": N_("programme antérieur"), "phone": N_("téléphone"),
    "email": N_("adresse électronique"), "household": N_("ménage"), "kind": N_("type"), "start": N_("date d'entrée"),
    "planned_end": N_("fin prévue"), "date": N_("date"), "reason": N_("motif"), "job_kind": N_("emploi"),
    "months": N_("durée"), "training_level": N_("formation"), "positive": N_("situation"), "text": N_("texte"),
    "number": N_("numéro"), "level": N_("niveau"), "event_ref": N_("identifiant"), "state": N_("état"),
    "requested_on": N_("date de demande"), "obtained_on": N_("date d'obtention"), "refused_on": N_("date de refus"),
    "refusal_reason": N_("motif du refus"),
    # the keys of an imported line (agir import: the audit entry lists the keys the line filled)
    "ref": N_("référence"), "department": N_("département"), "birth_date": N_("date de naissance"),
    "protection_date": N_("date de protection"), "first_permit_date": N_("date du premier titre"),
    "arrival_date": N_("date d'arrivée"), "cir_date": N_("date du CIR"), "permit_expiry": N_("expiration du titre"),
    "accompaniments": N_("accompagnements"), "rights": N_("droits"), "housing_steps": N_("démarches logement"),
    "housing": N_("accès au logement"), "jobs": N_("emplois"), "trainings": N_("formations"),
    "referrals": N_("orientations"), "participations": N_("participations"), "events": N_("événements"),
    "notes": N_("notes"), "opened_by": N_("structure d'ouverture"),
    # contract v2 (issue 15): the keys of an imported line, and the identity fields a merge fills
    "languages": N_("langues parlées"), "interpreter": N_("langue d'interprétation"),
    "orientation": N_("orientation vers la structure"), "appointments": N_("rendez-vous"),
    "documents": N_("documents"), "oriented_on": N_("date d'orientation"),
    "orientation_source": N_("origine de l'orientation"), "orientation_structure_id": N_("structure d'orientation"),
    # referrals, participations and events (agir.operations.referrals)
    "programme": N_("programme"), "need": N_("besoin"), "sent_on": N_("date d'envoi"),
    "accepted_on": N_("date d'acceptation"), "started_on": N_("date de démarrage"),
    "completed_on": N_("date de fin"), "dropped_out_on": N_("date d'abandon"),
    "cancelled_on": N_("date d'annulation"), "start_on": N_("date de début"), "end_on": N_("date de fin"),
    "planned_hours": N_("heures prévues"), "attended_hours": N_("heures suivies"),
    "level_start": N_("niveau d'entrée"), "level_end": N_("niveau de sortie"), "event_on": N_("date"),
}
# Stored in the audit entries (detail of "view_person"): never translated there, only when shown (page_label).
PAGES = {"file": N_("dossier"), "summary": N_("fiche imprimable"), "history": N_("historique"),
         "form": N_("formulaire"), "documents": N_("documents")}


def action_label(action: str) -> str:
    """The name of an audited action: the file's own wording, else the audit log's (agir.audit.trail)."""
    return gettext(ACTIONS[action]) if action in ACTIONS else audit_trail.action_label(action)


def page_label(detail: str | None) -> str:
    """The page named in a "view_person" entry, in the reader's language."""
    return gettext(detail) if detail in PAGES.values() else (detail or "")


def field_label(name: str) -> str:
    """The name of an audited field; "health_insurance.state" reads "Assurance maladie : état"."""
    if "." in name:
        kind, _, sub = name.partition(".")
        return gettext("%(right)s : %(field)s", right=label(kind, "right_kind"), field=_field(sub))
    return _field(name)


def _field(name: str) -> str:
    return gettext(FIELDS[name]) if name in FIELDS else name


def fields_text(fields) -> str:
    """Audited field names in French, grouped by right: "Compte bancaire : état, date de refus"."""
    groups: dict[str, list] = {}
    for name in fields or ():
        head, _, sub = name.partition(".")
        if sub:
            groups.setdefault(label(head, "right_kind"), []).append(_field(sub))
        else:
            groups.setdefault("", []).append(_field(name))
    parts = [", ".join(items) if not head else gettext("%(right)s : %(field)s", right=head, field=", ".join(items))
             for head, items in groups.items()]
    return " ; ".join(parts) or "—"


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as read in France."""
    if moment is None:
        return "—"
    local = moment.replace(tzinfo=UTC).astimezone(PARIS)
    return gettext("%(day)s à %(time)s", day=format_date(local.date()), time=local.strftime("%H:%M"))


def history_rows(rows) -> list[dict]:
    """The rows of a file's history (agir.audit.trail.person_history): who by display name, what, and for a
    correction its reason and each changed field as before → after (a cancellation: what it was)."""
    out = []
    for entry, display_name in rows:
        correction = entry.action in audit_trail.CORRECTION_VERBS
        if correction:
            text = audit_trail.entry_label(entry.action, entry.detail)
        else:
            text = action_label(entry.action)
            if entry.detail and entry.action == "view_person":
                text = f"{text} ({page_label(entry.detail)})"
        out.append({"at": entry.at, "who": display_name or entry.user_email or "—", "label": text,
                    "correction": correction, "cancellation": entry.action == "cancel_record",
                    "reason": entry.reason, "changes": audit_trail.change_lines(entry) if correction else [],
                    "fields": fields_text(entry.fields), "view": entry.action in audit_trail.VIEW_ACTIONS})
    return out
