"""Referrals to programmes and what the programme side records: participations and events (SPEC §4.3).

A referral is sent by a structure (the sender) to a programme operated by another structure (the
receiver). The receiver accepts or refuses it, starts it, completes it or records a drop-out; the
sender may cancel it while it is still sent. Every step is dated and checked by
agir.rules.path. Operations flush and audit (field names only), never commit.
"""
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agir import access, audit
from agir.dates import add_years, format_fr
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations.locks import index_named, lock_person, violates
from agir.rules.eligibility import within_referral_window
from agir.rules.path import (
    REFERRAL_DATE_FIELDS,
    REFERRAL_PATHS,
    REFERRAL_TRANSITIONS,
    check_participation,
    check_referral_transition,
    date_of,
    referral_already_open,
    referral_state,
)
from models import Event, Participation, Person, Programme, Referral
from models.enums import EVENT_KINDS, EVENTS_WITH_ID, LANGUAGE_THEMES, OPEN_REFERRAL_STATES

NEED_MAX = 300
RECEIVER_STEPS = ("accepted", "refused", "started", "completed", "dropped_out")
SENDER_STEPS = ("cancelled",)
OPEN_STATES = OPEN_REFERRAL_STATES
# At most one open referral per person and programme: the database's partial unique index (migration 0005).
OPEN_INDEX = index_named(Referral, "uq_referrals_open_person_id_programme_id")
# Words that only a diagnosis or a medical detail would use: the need says what is sought, never why medically.
MEDICAL_TERMS = re.compile(
    r"\b(diagnostiqu\w*|pathologie\w*|vih|sida|s[ée]ropositi\w*|tuberculose|h[ée]patite\w*|"
    r"cancer\w*|tumeur\w*|diab[èe]t\w*|d[ée]pression|d[ée]pressi[fv]\w*|schizophr\w*|psychoses?|psychotique\w*|"
    r"bipolaire\w*|[ée]pilep\w*|ptsd|tspt|stress post[- ]traumatique|syndrome\w*|traumatisme\w*|grossesse|"
    r"enceinte|chimioth[ée]rapie|antir[ée]troviral\w*|m[ée]dicament\w*|ordonnance\w*|handicap\w*)\b",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- who may do what

def is_sender(actor, referral: Referral) -> bool:
    """The actor works for the structure that sent the referral."""
    return bool(getattr(actor, "structure_id", None)) and actor.structure_id == referral.sender_structure_id


def works_for_programme(actor, programme: Programme) -> bool:
    """The actor works for the structure operating the programme (the receiving side)."""
    return getattr(actor, "role", None) in ("referral_officer", "social_worker") \
        and bool(actor.structure_id) and actor.structure_id == programme.structure_id


def next_steps(actor, referral: Referral) -> list[str]:
    """The steps this actor may take now on this referral (rule of transitions × side)."""
    steps = []
    for target in REFERRAL_TRANSITIONS.get(referral.state, ()):
        if (target in SENDER_STEPS and is_sender(actor, referral)) or \
                (target in RECEIVER_STEPS and works_for_programme(actor, referral.programme)):
            steps.append(target)
    return steps


# ---------------------------------------------------------------- checks

def referral_window_warning(person: Person, on: date) -> str | None:
    """French warning when `on` falls beyond the 5-year window of §4.1 (never blocking)."""
    reference = person.reference_on
    if within_referral_window(reference, on):
        return None
    if reference is None:
        return ("La date de protection (ou de premier titre de séjour) n'est pas renseignée : "
                "impossible de vérifier la limite de cinq ans des programmes spécialisés.")
    start = "la protection" if person.is_bpi else "la délivrance du premier titre de séjour"
    return (f"Orientation au-delà de la limite de cinq ans après {start} (limite : "
            f"{format_fr(add_years(reference, 5))}) : vérifiez que le programme peut accueillir la personne.")


def check_need(need: str | None) -> str:
    """The need in one sentence, 300 characters at most, without any medical detail."""
    need = " ".join((need or "").split())
    if not need:
        raise RuleViolation("need_required", "Décrivez le besoin en une phrase.", "need")
    if len(need) > NEED_MAX:
        raise RuleViolation("need_too_long", f"Le besoin tient en {NEED_MAX} caractères au plus.", "need")
    found = MEDICAL_TERMS.search(need)
    if found:
        raise RuleViolation("need_medical",
                            f"Le besoin ne doit contenir aucune information médicale (« {found.group(0)} ») : "
                            "indiquez ce qui est attendu du programme, jamais un diagnostic ou un traitement.", "need")
    return need


def _check_day(on: date | None, today: date, field: str) -> None:
    if on is None:
        raise RuleViolation("date_required", "La date est requise.", field)
    if on > today:
        raise RuleViolation("date_in_future", "Cette date ne peut pas être dans le futur.", field)


def _check_version(record, version_id: int | None) -> None:
    if version_id is not None and version_id != record.version_id:
        raise StaleRecord()


# ---------------------------------------------------------------- referrals

def send_referral(actor, person: Person, programme: Programme, need: str | None, sent_on: date | None,
                  today: date | None = None) -> Referral:
    """Refer a person to a programme of their department; the actor's structure is the sender."""
    today = today or date.today()
    if not access.can_refer(actor) or not actor.structure_id:
        raise RuleViolation("referral_forbidden", "Votre rôle ne permet pas d'orienter.", "programme")
    if access.view_level(actor, person.id, db.session) is None:
        raise RuleViolation("person_forbidden", "Personne introuvable.", "programme")
    if programme is None:
        raise RuleViolation("programme_required", "Choisissez un programme.", "programme")
    if programme.department_id != person.department_id:
        raise RuleViolation("programme_other_department",
                            "Ce programme n'appartient pas au département de la personne.", "programme")
    need = check_need(need)
    _check_day(sent_on, today, "sent_on")
    if programme.end_on is not None and sent_on > programme.end_on:
        raise RuleViolation("programme_ended",
                            f"Ce programme s'est terminé le {format_fr(programme.end_on)}.", "programme")
    lock_person(person)  # a second referral sent at the same instant waits here, then sees this one
    if db.session.scalar(select(Referral.id).where(
            Referral.person_id == person.id, Referral.programme_id == programme.id,
            Referral.state.in_(OPEN_STATES))):
        raise referral_already_open()
    referral = Referral(person=person, programme=programme, sender_structure_id=actor.structure_id,
                        state="sent", need=need, sent_on=sent_on)
    db.session.add(referral)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if violates(exc, OPEN_INDEX):  # the database's own guarantee: the rule's message, never a 500
            raise referral_already_open() from None
        raise
    audit.record(actor, "referral_sent", person=person, fields=["programme", "need", "sent_on"],
                 detail=f"referral {referral.id}")
    return referral


def _dates(referral: Referral) -> dict[str, date | None]:
    return {name: getattr(referral, f"{name}_on") for name in REFERRAL_DATE_FIELDS}


def move_referral(actor, referral: Referral, target: str, on: date | None, reason: str | None = None,
                  version_id: int | None = None, today: date | None = None) -> Referral:
    """Take one dated step: accept, refuse (with a reason), start, complete, drop out, or cancel."""
    today = today or date.today()
    _check_version(referral, version_id)
    check_referral_transition(referral.state, target)
    if target in SENDER_STEPS and not is_sender(actor, referral):
        raise RuleViolation("referral_side", "Seule la structure qui a envoyé l'orientation peut l'annuler.", "state")
    if target in RECEIVER_STEPS and not works_for_programme(actor, referral.programme):
        raise RuleViolation("referral_side",
                            "Seule la structure qui porte le programme peut répondre à cette orientation.", "state")
    _check_day(on, today, "on")
    previous = REFERRAL_PATHS[referral.state][-1]
    if on < getattr(referral, f"{previous}_on"):
        raise RuleViolation("dates_backwards", f"{date_of(target).capitalize()} ne peut précéder "
                            f"{date_of(previous)} ({format_fr(getattr(referral, f'{previous}_on'))}).", "on")
    reason = (reason or "").strip() or None
    if target == "refused" and not reason:
        raise RuleViolation("refusal_reason_required", "Indiquez le motif du refus.", "reason")
    dates = _dates(referral) | {target: on}
    referral.state = referral_state(dates)  # the rule re-derives the state from the dates
    setattr(referral, f"{target}_on", on)
    fields = ["state", f"{target}_on"]
    if target == "refused":
        referral.refusal_reason = reason
        fields.append("refusal_reason")
    db.session.flush()
    _follow_participation(actor, referral, target, on)
    audit.record(actor, f"referral_{target}", person=referral.person, fields=fields, detail=f"referral {referral.id}")
    return referral


def _follow_participation(actor, referral: Referral, target: str, on: date) -> None:
    """Starting a referral opens the participation; completing or dropping out closes it."""
    if target not in ("started", "completed", "dropped_out"):
        return
    current = open_participation(referral.person_id, referral.programme_id)
    if target == "started" and current is None:
        programme = referral.programme
        level = referral.person.language_level if programme.theme in LANGUAGE_THEMES else None
        participation = Participation(person_id=referral.person_id, programme_id=programme.id, start_on=on,
                                      level_start=level)
        db.session.add(participation)
        db.session.flush()
        audit.record(actor, "participation_created", person=referral.person_id,
                     fields=["start_on", "level_start"] if level else ["start_on"],
                     detail=f"participation {participation.id}")
    elif target != "started" and current is not None and on >= current.start_on:
        current.end_on = on
        db.session.flush()
        audit.record(actor, "participation_updated", person=referral.person_id, fields=["end_on"],
                     detail=f"participation {current.id}")


def latest_participation(person_id: int, programme_id: int) -> Participation | None:
    """The person's most recent participation in the programme, open or closed."""
    return db.session.scalar(select(Participation).where(
        Participation.person_id == person_id, Participation.programme_id == programme_id)
        .order_by(Participation.start_on.desc(), Participation.id.desc()).limit(1))


def open_participation(person_id: int, programme_id: int) -> Participation | None:
    """The person's participation in the programme with no end date, if any."""
    return db.session.scalar(select(Participation).where(
        Participation.person_id == person_id, Participation.programme_id == programme_id,
        Participation.end_on.is_(None)).order_by(Participation.start_on.desc()).limit(1))


# ---------------------------------------------------------------- participations

PARTICIPATION_FIELDS = ("start_on", "end_on", "planned_hours", "attended_hours", "level_start", "level_end")


def _participation_values(values: dict) -> dict:
    """The participation fields only; an empty level is no level."""
    cleaned = {k: values.get(k) for k in PARTICIPATION_FIELDS}
    for name in ("level_start", "level_end"):
        cleaned[name] = cleaned[name] or None
    return cleaned


def _check_participation_values(programme: Programme, values: dict) -> None:
    if values.get("start_on") is None:
        raise RuleViolation("start_required", "La date de début est requise.", "start_on")
    check_participation(values["start_on"], values.get("end_on"), values.get("planned_hours"),
                        values.get("attended_hours"), values.get("level_start"), values.get("level_end"))
    if programme.theme not in LANGUAGE_THEMES and (values.get("level_start") or values.get("level_end")):
        raise RuleViolation("levels_language_only",
                            "Les niveaux CECRL ne se renseignent que pour les programmes linguistiques.", "level_start")


def _rule_field(exc: RuleViolation) -> RuleViolation:
    # agir.rules.path names the end date "end"; the form calls it end_on.
    if exc.field == "end":
        exc.field = "end_on"
    return exc


def create_participation(actor, person: Person, programme: Programme, **values) -> Participation:
    """Record, from the programme side, a participation of the person in one of its programmes."""
    if programme is None or not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", "Seule la structure qui porte le programme enregistre "
                            "ses participations.", "programme")
    values = _participation_values(values)
    try:
        _check_participation_values(programme, values)
    except RuleViolation as exc:
        raise _rule_field(exc) from None
    participation = Participation(person_id=person.id, programme_id=programme.id, **values)
    db.session.add(participation)
    db.session.flush()
    audit.record(actor, "participation_created", person=person,
                 fields=[k for k, v in values.items() if v is not None], detail=f"participation {participation.id}")
    return participation


def update_participation(actor, participation: Participation, version_id: int | None, **values) -> Participation:
    """Change hours, levels or dates of a participation (optimistic locking on version_id)."""
    programme = participation.programme
    if not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", "Seule la structure qui porte le programme enregistre "
                            "ses participations.", "programme")
    _check_version(participation, version_id)
    values = _participation_values(values)
    try:
        _check_participation_values(programme, values)
    except RuleViolation as exc:
        raise _rule_field(exc) from None
    changed = [k for k, v in values.items() if getattr(participation, k) != v]
    for name in changed:
        setattr(participation, name, values[name])
    db.session.flush()
    audit.record(actor, "participation_updated", person=participation.person_id, fields=changed,
                 detail=f"participation {participation.id}")
    return participation


# ---------------------------------------------------------------- events

def record_event(actor, person: Person, programme: Programme, kind: str, event_on: date | None,
                 event_ref: str | None = None, today: date | None = None) -> Event:
    """A consultation, mentoring pair, digital tool or sport/cultural event, recorded by the programme."""
    today = today or date.today()
    if programme is None or not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", "Seule la structure qui porte le programme enregistre "
                            "ses événements.", "programme")
    if kind not in EVENT_KINDS:
        raise RuleViolation("event_kind_unknown", "Type d'événement inconnu.", "kind")
    _check_day(event_on, today, "event_on")
    event_ref = (event_ref or "").strip() or None
    if kind in EVENTS_WITH_ID and not event_ref:
        raise RuleViolation("event_ref_required", "Indiquez l'identifiant de l'événement (le même pour toutes "
                            "les personnes qui y ont assisté).", "event_ref")
    if kind not in EVENTS_WITH_ID and event_ref:
        raise RuleViolation("event_ref_forbidden", "Seuls les événements sportifs et culturels portent un "
                            "identifiant.", "event_ref")
    event = Event(person_id=person.id, programme_id=programme.id, kind=kind, event_on=event_on, event_ref=event_ref)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event_recorded", person=person,
                 fields=["kind", "event_on"] + (["event_ref"] if event_ref else []), detail=f"event {event.id}")
    return event


def remove_event(actor, event: Event) -> None:
    """Delete an event recorded by mistake (only by the programme that recorded it)."""
    if event.programme is None or not works_for_programme(actor, event.programme):
        raise RuleViolation("programme_forbidden", "Seule la structure qui a enregistré l'événement peut le "
                            "supprimer.", "kind")
    person_id = event.person_id
    db.session.delete(event)
    db.session.flush()
    audit.record(actor, "event_removed", person=person_id, fields=["kind", "event_on"], detail=f"event {event.id}")
