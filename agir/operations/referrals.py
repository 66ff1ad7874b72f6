"""Referrals to programmes and what the programme side records: participations and events (SPEC §4.3).

A referral is sent by a structure (the sender) to a programme operated by another structure (the
receiver). The receiver accepts or refuses it, starts it, completes it or records a drop-out; the
sender may cancel it while it is still sent. Every step is dated and checked by
agir.rules.path. Operations flush and audit (field names only), never commit.
"""
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from agir import access, audit
from agir.dates import add_years, format_fr
from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleLine, StaleRecord
from agir.extensions import db
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.operations.locks import index_named, lock_person, violates
from agir.rules.corrections import check_changed, check_reason, refuse_all, snapshot, violations_of
from agir.rules.eligibility import within_referral_window
from agir.rules.path import (
    REFERRAL_DATE_FIELDS,
    REFERRAL_PATHS,
    REFERRAL_TRANSITIONS,
    check_event_ref,
    check_participation,
    check_referral_transition,
    date_of,
    referral_already_open,
    referral_state,
)
from agir.rules.person import not_after_today
from agir.rules.text import check_need
from models import Event, Participation, Person, Programme, Referral
from models.enums import EVENT_KINDS, LANGUAGE_THEMES, OPEN_REFERRAL_STATES

RECEIVER_STEPS = ("accepted", "refused", "started", "completed", "dropped_out")
SENDER_STEPS = ("cancelled",)
OPEN_STATES = OPEN_REFERRAL_STATES
# At most one open referral per person and programme: the database's partial unique index (migration 0005).
OPEN_INDEX = index_named(Referral, "uq_referrals_open_person_id_programme_id")


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


def _check_day(on: date | None, today: date, field: str) -> None:
    if on is None:
        raise RuleViolation("date_required", _l("La date est requise."), field)
    not_after_today(on, field, _l("La date"), today)


def _check_version(record, version_id: int | None, error: type[StaleRecord] = StaleLine) -> None:
    """A form read at another version of the record than the one stored: refused, nothing written."""
    if version_id is not None and version_id != record.version_id:
        raise error()


def _flush() -> None:
    """Flush; a record changed or deleted by a concurrent save (its version no longer matches) is refused."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleLine() from None


# ---------------------------------------------------------------- referrals

def send_referral(actor, person: Person, programme: Programme, need: str | None, sent_on: date | None,
                  today: date | None = None) -> Referral:
    """Refer a person to a programme of their department; the actor's structure is the sender."""
    today = today or paris_today()
    if not access.can_refer(actor) or not actor.structure_id:
        raise RuleViolation("referral_forbidden", _l("Votre rôle ne permet pas d'orienter."), "programme")
    if access.view_level(actor, person.id, db.session) is None:
        raise RuleViolation("person_forbidden", _l("Personne introuvable."), "programme")
    if programme is None:
        raise RuleViolation("programme_required", _l("Choisissez un programme."), "programme")
    if programme.department_id != person.department_id:
        raise RuleViolation("programme_other_department",
                            _l("Ce programme n'appartient pas au département de la personne."), "programme")
    need = check_need(need)
    _check_day(sent_on, today, "sent_on")
    if programme.end_on is not None and sent_on > programme.end_on:
        raise RuleViolation("programme_ended",
                            _l("Ce programme s'est terminé le %(day)s.", day=LazyDate(programme.end_on)), "programme")
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
    today = today or paris_today()
    _check_version(referral, version_id, StaleRecord)  # an answer, not a correction: « ce dossier… »
    check_referral_transition(referral.state, target)
    if target in SENDER_STEPS and not is_sender(actor, referral):
        raise RuleViolation("referral_side", _l("Seule la structure qui a envoyé l'orientation peut l'annuler."),
                            "state")
    if target in RECEIVER_STEPS and not works_for_programme(actor, referral.programme):
        raise RuleViolation("referral_side",
                            _l("Seule la structure qui porte le programme peut répondre à cette orientation."), "state")
    _check_day(on, today, "on")
    previous = REFERRAL_PATHS[referral.state][-1]
    if on < getattr(referral, f"{previous}_on"):
        raise RuleViolation("dates_backwards", _l("%(value)s ne peut précéder %(value2)s (%(day)s).",
                                                  value=date_of(target).capitalize(), value2=date_of(previous),
                                                      day=LazyDate(getattr(referral, f'{previous}_on'))), "on")
    reason = (reason or "").strip() or None
    if target == "refused" and not reason:
        raise RuleViolation("refusal_reason_required", _l("Indiquez le motif du refus."), "reason")
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


# ---------------------------------------------------------------- corrections of referral steps

def referral_values(referral: Referral) -> dict:
    """A referral as the audit keeps it: state, dated steps, refusal reason."""
    return snapshot({"programme": referral.programme_id, "state": referral.state, "refusal_reason":
                     referral.refusal_reason} | {f"{name}_on": day for name, day in _dates(referral).items()})


def step_owner_ok(actor, referral: Referral, step: str) -> bool:
    """A step is corrected by the side that records it: the sender for sent / cancelled (the programme's
    structure when the sender is unknown), the programme's structure for its answers."""
    if step in ("sent", "cancelled") and referral.sender_structure_id is not None:
        return is_sender(actor, referral)
    return works_for_programme(actor, referral.programme)


def _check_step_owner(actor, referral: Referral, step: str) -> None:
    if not step_owner_ok(actor, referral, step):
        who = _l("qui a envoyé l'orientation") if step in ("sent", "cancelled") and referral.sender_structure_id \
            else _l("qui porte le programme")
        raise RuleViolation("referral_side", _l("Seule la structure %(who)s peut corriger cette étape.", who=who), None)


def last_step(referral: Referral) -> str:
    """The latest recorded step (the one an undo takes back)."""
    return REFERRAL_PATHS[referral.state][-1]


def may_withdraw(actor, referral: Referral) -> bool:
    """The side that sent a referral may withdraw it, sent by mistake, while the programme has not answered."""
    return referral.state in ("sent", "cancelled") and step_owner_ok(actor, referral, "sent")


def withdraw_referral(actor, referral: Referral, reason: str | None, version_id: int | None = None) -> None:
    """Delete a referral sent by mistake (wrong person, wrong programme), with the reason: only its sender, only
    while the programme has not answered it (sent, or cancelled by the sender). Unlike « annuler », which
    keeps a dated cancellation, nothing of it is left in the figures; the audit keeps what it was."""
    _check_version(referral, version_id)
    if referral.state not in ("sent", "cancelled"):
        raise RuleViolation("referral_answered", _l("Le programme a déjà répondu à cette orientation : elle ne "
                                                    "peut plus être retirée (ses étapes se corrigent une à une)."),
                                                        None)
    _check_step_owner(actor, referral, "sent")
    reason = check_reason(reason, cancel=True)
    person = referral.person
    before = referral_values(referral) | {"need": referral.need}
    db.session.delete(referral)
    _flush()
    audit.record_correction(actor, person, "referral", before, None, reason)


def undo_referral_step(actor, referral: Referral, reason: str | None, version_id: int | None = None) -> Referral:
    """Take back the latest step recorded by mistake (accepted, refused, started, completed, dropped out,
    cancelled): the referral returns to its previous state, with the reason. Undoing a start removes the
    participation it opened while nothing was entered in it; undoing an end reopens the participation."""
    _check_version(referral, version_id)
    step = last_step(referral)
    if step == "sent":
        raise RuleViolation("nothing_to_undo", _l("Cette orientation n'a pas d'étape après son envoi : rien à "
                                                  "reprendre (pour la retirer, annulez-la)."), None)
    _check_step_owner(actor, referral, step)
    reason = check_reason(reason, cancel=True)
    state = referral_state(_dates(referral) | {step: None})
    if referral.state not in OPEN_STATES and state in OPEN_STATES and db.session.scalar(
            select(Referral.id).where(Referral.person_id == referral.person_id, Referral.id != referral.id,
                                      Referral.programme_id == referral.programme_id,
                                      Referral.state.in_(OPEN_STATES))):
        raise RuleViolation("referral_open", _l("Une autre orientation de cette personne vers ce programme est "
                                                "en cours : celle-ci ne peut pas redevenir ouverte."), None)
    before = referral_values(referral)
    undone_on = getattr(referral, f"{step}_on")
    setattr(referral, f"{step}_on", None)
    if step == "refused":
        referral.refusal_reason = None
    referral.state = state
    _flush()
    audit.record_correction(actor, referral.person, "referral", before, referral_values(referral), reason)
    _undo_participation(actor, referral, step, undone_on, reason)
    return referral


def _undo_participation(actor, referral: Referral, step: str, on: date, reason: str) -> None:
    if step == "started":
        part = open_participation(referral.person_id, referral.programme_id)
        if part is not None and part.start_on == on and part.planned_hours is None \
                and part.attended_hours is None and part.level_end is None:
            before = participation_values(part)
            db.session.delete(part)
            _flush()
            audit.record_correction(actor, referral.person, "participation", before, None, reason)
    elif step in ("completed", "dropped_out"):
        part = latest_participation(referral.person_id, referral.programme_id)
        if part is not None and part.end_on == on:
            before = participation_values(part)
            part.end_on = None
            _flush()
            audit.record_correction(actor, referral.person, "participation", before, participation_values(part),
                                    reason)


def correct_referral_date(actor, referral: Referral, step: str, on: date | None, reason: str | None,
                          version_id: int | None = None, today: date | None = None) -> Referral:
    """Correct the date of one recorded step, with the reason; the steps must still follow each other in
    time, never in the future, and the participation that step opened or closed follows the new date."""
    today = today or paris_today()
    _check_version(referral, version_id)
    if step not in REFERRAL_DATE_FIELDS or getattr(referral, f"{step}_on") is None:
        raise RuleViolation("step_not_recorded", _l("Cette étape n'est pas enregistrée sur l'orientation."), "step")
    _check_step_owner(actor, referral, step)
    old = getattr(referral, f"{step}_on")
    refuse_all(violations_of(lambda: _check_step_date(referral, step, old, on, today), lambda: check_reason(reason)))
    reason = check_reason(reason)
    before = referral_values(referral)
    setattr(referral, f"{step}_on", on)
    _flush()
    audit.record_correction(actor, referral.person, "referral", before, referral_values(referral), reason)
    _follow_corrected_date(actor, referral, step, old, on, reason)
    return referral


def _check_step_date(referral: Referral, step: str, old: date, on: date | None, today: date) -> None:
    _check_day(on, today, "on")
    if step == "sent" and referral.programme.end_on is not None and on > referral.programme.end_on:
        raise RuleViolation("programme_ended",
                            _l("Ce programme s'est terminé le %(day)s.", day=LazyDate(referral.programme.end_on)), "on")
    if old == on:
        raise RuleViolation("nothing_changed", _l("Cette étape porte déjà cette date."), "on")
    try:
        referral_state(_dates(referral) | {step: on})  # never before the previous step, never after the next
    except RuleViolation as exc:
        exc.field = "on"
        raise


def _follow_corrected_date(actor, referral: Referral, step: str, old: date, on: date, reason: str) -> None:
    part = latest_participation(referral.person_id, referral.programme_id)
    if part is None:
        return
    column = {"started": "start_on", "completed": "end_on", "dropped_out": "end_on"}.get(step)
    if column is None or getattr(part, column) != old:
        return
    start, end = (on, part.end_on) if column == "start_on" else (part.start_on, on)
    if end is not None and end < start:
        return  # the participation's own dates were entered apart: left as they are
    before = participation_values(part)
    setattr(part, column, on)
    _flush()
    audit.record_correction(actor, referral.person, "participation", before, participation_values(part), reason)


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
        raise RuleViolation("start_required", _l("La date de début est requise."), "start_on")
    check_participation(values["start_on"], values.get("end_on"), values.get("planned_hours"),
                        values.get("attended_hours"), values.get("level_start"), values.get("level_end"))
    if programme.theme not in LANGUAGE_THEMES and (values.get("level_start") or values.get("level_end")):
        raise RuleViolation("levels_language_only",
                            _l("Les niveaux CECRL ne se renseignent que pour les programmes linguistiques."),
                                "level_start")


def _rule_field(exc: RuleViolation) -> RuleViolation:
    # agir.rules.path names the end date "end"; the form calls it end_on.
    if exc.field == "end":
        exc.field = "end_on"
    return exc


def create_participation(actor, person: Person, programme: Programme, **values) -> Participation:
    """Record, from the programme side, a participation of the person in one of its programmes."""
    if programme is None or not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui porte le programme enregistre ses "
                                                      "participations."), "programme")
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


def participation_values(participation: Participation) -> dict:
    """A participation as the audit keeps it (its programme, dates, hours and levels)."""
    return snapshot({"programme": participation.programme_id}
                    | {name: getattr(participation, name) for name in PARTICIPATION_FIELDS})


def update_participation(actor, participation: Participation, version_id: int | None, reason: str | None = None,
                         **values) -> Participation:
    """Enter hours, levels or dates of a participation (optimistic locking on version_id).

    Filling a blank is plain entry; changing a value already recorded is a correction: it needs a
    reason, and the audit keeps the participation before and after (docs/rules.md)."""
    programme = participation.programme
    if not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui porte le programme enregistre ses "
                                                      "participations."), "programme")
    _check_version(participation, version_id)
    values = _participation_values(values)
    changed = [k for k, v in values.items() if getattr(participation, k) != v]
    corrected = [k for k in changed if getattr(participation, k) is not None]

    def check_values():
        try:
            _check_participation_values(programme, values)
        except RuleViolation as exc:
            raise _rule_field(exc) from None

    refuse_all(violations_of(check_values, *([lambda: check_reason(reason)] if corrected else [])))
    before = participation_values(participation)
    if corrected:
        reason = check_reason(reason)
    for name in changed:
        setattr(participation, name, values[name])
    _flush()
    if corrected:
        audit.record_correction(actor, participation.person, "participation", before,
                                participation_values(participation), reason)
    else:
        audit.record(actor, "participation_updated", person=participation.person_id, fields=changed,
                     detail=f"participation {participation.id}")
    return participation


def cancel_participation(actor, participation: Participation, reason: str | None,
                         version_id: int | None = None) -> None:
    """Cancel (delete) a participation recorded by mistake, by the programme's structure, with the reason."""
    if not works_for_programme(actor, participation.programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui porte le programme peut annuler "
                                                      "ses participations."), None)
    _check_version(participation, version_id)
    reason = check_reason(reason, cancel=True)
    person = participation.person
    before = participation_values(participation)
    db.session.delete(participation)
    _flush()
    audit.record_correction(actor, person, "participation", before, None, reason)


# ---------------------------------------------------------------- events

def _check_event(kind: str, event_on: date | None, event_ref: str | None, today: date) -> str | None:
    """The kind, the day (not in the future) and the id only sport and cultural events carry; the id cleaned."""
    if kind not in EVENT_KINDS:
        raise RuleViolation("event_kind_unknown", _l("Type d'événement inconnu."), "kind")
    _check_day(event_on, today, "event_on")
    event_ref = (event_ref or "").strip() or None
    check_event_ref(kind, event_ref)
    return event_ref


def record_event(actor, person: Person, programme: Programme, kind: str, event_on: date | None,
                 event_ref: str | None = None, today: date | None = None) -> Event:
    """A consultation, mentoring pair, digital tool or sport/cultural event, recorded by the programme."""
    today = today or paris_today()
    if programme is None or not works_for_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui porte le programme enregistre ses "
                                                      "événements."), "programme")
    event_ref = _check_event(kind, event_on, event_ref, today)
    event = Event(person_id=person.id, programme_id=programme.id, structure_id=programme.structure_id, kind=kind,
                  event_on=event_on, event_ref=event_ref)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event_recorded", person=person,
                 fields=["kind", "event_on"] + (["event_ref"] if event_ref else []), detail=f"event {event.id}")
    return event


def event_values(event: Event) -> dict:
    """An event as the audit keeps it."""
    return snapshot({"kind": event.kind, "event_on": event.event_on, "event_ref": event.event_ref,
                     "programme": event.programme_id})


def correct_event(actor, event: Event, kind: str, event_on: date | None, event_ref: str | None,
                  reason: str | None, version_id: int | None = None, today: date | None = None) -> Event:
    """Correct an event recorded wrongly, only by the programme that recorded it, with the reason."""
    today = today or paris_today()
    if event.programme is None or not works_for_programme(actor, event.programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui a enregistré l'événement peut le "
                                                      "corriger."), None)
    _check_version(event, version_id)
    refuse_all(violations_of(lambda: _check_event(kind, event_on, event_ref, today), lambda: check_reason(reason)))
    event_ref = _check_event(kind, event_on, event_ref, today)
    reason = check_reason(reason)
    before = event_values(event)
    after = snapshot({"kind": kind, "event_on": event_on, "event_ref": event_ref, "programme": event.programme_id})
    check_changed(before, after)
    event.kind, event.event_on, event.event_ref = kind, event_on, event_ref
    _flush()
    audit.record_correction(actor, event.person, "event", before, after, reason)
    return event


def cancel_event(actor, event: Event, reason: str | None, version_id: int | None = None) -> None:
    """Cancel (delete) an event recorded by mistake, only by the programme that recorded it, with the reason."""
    if event.programme is None or not works_for_programme(actor, event.programme):
        raise RuleViolation("programme_forbidden", _l("Seule la structure qui a enregistré l'événement peut "
                                                      "l'annuler."), None)
    _check_version(event, version_id)
    reason = check_reason(reason, cancel=True)
    person = event.person
    before = event_values(event)
    db.session.delete(event)
    _flush()
    audit.record_correction(actor, person, "event", before, None, reason)
