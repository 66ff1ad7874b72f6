"""What the file shows, computed from the loaded person: clock bar, rights lines, timeline, history labels.

Display only: no rule is decided here (they come from agir.rules and agir.operations).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from agir.dates import add_months
from agir.labels import label
from agir.operations.accompaniments import followup_due_on
from agir.rules import durations
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
    yield (person.protection_on if person.is_bpi else person.first_permit_on, "Statut",
           "Obtention de la protection" if person.is_bpi else "Premier titre de séjour", "identite")
    yield person.arrival_on, "Statut", "Arrivée dans le département", "identite"
    yield person.cir_on, "Statut", "Signature du contrat d'intégration républicaine", "identite"


def _accompaniment_facts(person):
    for acc in person.accompaniments:
        yield acc.start_on, "Accompagnement", f"Entrée — {label(acc.kind, 'accompaniment_kind')}", "accompagnement"
        for ext in acc.extensions:
            yield (ext.decided_on, "Accompagnement", f"Prolongation jusqu'au {ext.planned_end_on:%d/%m/%Y}",
                   "accompagnement")
        if acc.exit is not None:
            yield (acc.exit.exit_on, "Accompagnement", f"Sortie — {label(acc.exit.reason, 'exit_reason')}",
                   "accompagnement")
            if acc.exit.followup is not None:
                situation = "situation positive" if acc.exit.followup.is_positive else "situation non positive"
                yield acc.exit.followup.followup_on, "Accompagnement", f"Suivi à 6 mois — {situation}", "accompagnement"


def _path_facts(person):
    for step in person.rights:
        name = label(step.kind, "right_kind")
        yield step.requested_on, "Droits", f"{name} : demande", "droits"
        yield step.obtained_on, "Droits", f"{name} : obtenu", "droits"
        yield step.refused_on, "Droits", f"{name} : refusé", "droits"
    for step in person.housing_steps:
        number = f" n° {step.number}" if step.number else ""
        yield step.step_on, "Logement", label(step.kind, "housing_step_kind") + number, "logement"
    for access in person.housing:
        permanent = " (logement pérenne)" if access.is_permanent else ""
        yield (access.access_on, "Logement", f"Entrée en {label(access.kind, 'housing_kind').lower()}{permanent}",
               "logement")
    for job in person.jobs:
        length = f" de {job.months} mois" if job.months else ""
        yield job.start_on, "Emploi", label(job.kind, "job_kind") + length, "emploi"
    for training in person.trainings:
        yield (training.start_on, "Formation", f"Formation {label(training.level, 'training_level').lower()}",
               "emploi")
    for event in person.events:
        ref = f" ({event.event_ref})" if event.event_ref else ""
        yield event.event_on, "Événement", label(event.kind, "event_kind") + ref, "evenements"
    for note in person.notes:
        yield note.noted_on, "Note", "Note de suivi", "notes"


def _programme_facts(person):
    for referral in person.referrals:
        name = referral.programme.name if referral.programme else "programme"
        for step in ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled"):
            yield (getattr(referral, f"{step}_on", None), "Orientation",
                   f"{name} : {label(step, 'referral_state').lower()}", "orientations")
    for part in person.participations:
        name = part.programme.name if part.programme else "programme"
        yield part.start_on, "Participation", f"Début de participation — {name}", "orientations"
        yield part.end_on, "Participation", f"Fin de participation — {name}", "orientations"


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
    "view_person": "Consultation", "create_person": "Création du dossier",
    "update_person": "Modification de l'identité", "change_household": "Changement de ménage",
    "enrol_person": "Inscription en accompagnement", "extend_accompaniment": "Prolongation",
    "record_exit": "Sortie d'accompagnement", "record_followup": "Suivi à 6 mois",
    "update_followup": "Correction du suivi à 6 mois", "set_right": "Accès aux droits",
    "add_note": "Ajout d'une note", "update_note": "Correction d'une note", "delete_note": "Suppression d'une note",
    "add_housing_step": "Démarche logement", "update_housing_step": "Correction d'une démarche logement",
    "delete_housing_step": "Suppression d'une démarche logement", "add_housing": "Accès au logement",
    "update_housing": "Correction d'un accès au logement", "delete_housing": "Suppression d'un accès au logement",
    "add_job": "Emploi", "update_job": "Correction d'un emploi", "delete_job": "Suppression d'un emploi",
    "add_training": "Formation", "update_training": "Correction d'une formation",
    "delete_training": "Suppression d'une formation", "add_event": "Événement",
    "update_event": "Correction d'un événement", "delete_event": "Suppression d'un événement",
    "send_referral": "Orientation envoyée", "view_person_limited": "Consultation (vue restreinte)",
    "export_person_audit": "Export de l'historique",
}
FIELDS = {
    "last_name": "nom", "first_name": "prénom", "sex": "sexe", "birth_on": "date de naissance",
    "nationality": "nationalité", "status": "statut", "protection_on": "date de protection",
    "first_permit_on": "date du premier titre", "arrival_on": "date d'arrivée", "cir_on": "date du CIR",
    "permit_expiry_on": "expiration du titre", "hosting": "hébergement", "language_level": "niveau de français",
    "prior_programme": "programme antérieur", "phone": "téléphone", "email": "adresse électronique",
    "household": "ménage", "kind": "type", "start": "date d'entrée", "planned_end": "fin prévue",
    "date": "date", "reason": "motif", "job_kind": "emploi", "months": "durée", "training_level": "formation",
    "positive": "situation", "text": "texte", "number": "numéro", "level": "niveau", "event_ref": "identifiant",
    "state": "état", "requested_on": "date de demande", "obtained_on": "date d'obtention",
    "refused_on": "date de refus", "refusal_reason": "motif du refus",
}
PAGES = {"file": "dossier", "summary": "fiche imprimable", "history": "historique", "form": "formulaire"}


def action_label(action: str) -> str:
    """The French name of an audited action (its code when unknown)."""
    return ACTIONS.get(action, action.replace("_", " "))


def field_label(name: str) -> str:
    """The French name of an audited field; "health_insurance.state" reads "Assurance maladie : état"."""
    if "." in name:
        kind, _, sub = name.partition(".")
        return f"{label(kind, 'right_kind')} : {FIELDS.get(sub, sub)}"
    return FIELDS.get(name, name)


def fields_text(fields) -> str:
    """Audited field names in French, grouped by right: "Compte bancaire : état, date de refus"."""
    groups: dict[str, list] = {}
    for name in fields or ():
        head, _, sub = name.partition(".")
        if sub:
            groups.setdefault(label(head, "right_kind"), []).append(FIELDS.get(sub, sub))
        else:
            groups.setdefault("", []).append(FIELDS.get(name, name))
    parts = [", ".join(items) if not head else f"{head} : {', '.join(items)}" for head, items in groups.items()]
    return " ; ".join(parts) or "—"


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as read in France."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=UTC).astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
