"""The path (SPEC §4.3) as the social worker records it: rights, housing, jobs, trainings, events.

Rights are one line per kind (created on first change). The other items are dated lines added,
corrected or deleted; each kind is described once in ITEMS (model, fields, check).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from agir.audit import record
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations.persons import check_version, not_after_today
from agir.rules.path import check_job, check_right, check_right_change
from models import Event, HousingAccess, HousingStep, Job, Person, RightStep, Training
from models.enums import (
    EVENT_KINDS,
    EVENTS_WITH_ID,
    HOUSING_KINDS,
    HOUSING_STEP_KINDS,
    JOB_KINDS,
    RIGHT_KINDS,
    RIGHT_STATES,
    TRAINING_LEVELS,
)

RIGHT_DATE_WHAT = {"requested": "La date de demande", "obtained": "La date d'obtention", "refused": "La date de refus"}


def set_right(actor, person: Person, kind: str, state: str, requested: date | None = None,
              obtained: date | None = None, refused: date | None = None, reason: str | None = None,
              version: int | None = None, today: date | None = None) -> RightStep:
    """Set the state and dates of one right (todo → requested → obtained / refused, or not applicable)."""
    today = today or date.today()
    if kind not in RIGHT_KINDS:
        raise RuleViolation("enum", "Droit inconnu.", "kind")
    if state not in RIGHT_STATES:
        raise RuleViolation("enum", "État inconnu.", "state")
    step = db.session.scalar(select(RightStep).where(RightStep.person_id == person.id, RightStep.kind == kind))
    if step is None and version:
        raise StaleRecord()  # the line was deleted (or never existed) while the form was open
    if step is not None:
        check_version(step, version)  # version 0: the form saw no line yet
    dates = {"requested": requested, "obtained": obtained, "refused": refused}
    reason = ((reason or "").strip() or None) if state == "refused" else None  # a reason belongs to a refusal
    check_right(state, dates, reason)
    if step is not None:
        check_right_change(step.state, {"requested": step.requested_on, "obtained": step.obtained_on,
                                        "refused": step.refused_on}, state, dates)
    for name, day in dates.items():
        not_after_today(day, name, RIGHT_DATE_WHAT[name], today)
    if step is None:
        step = RightStep(person_id=person.id, kind=kind)
        db.session.add(step)
    new = {"state": state, "requested_on": requested, "obtained_on": obtained, "refused_on": refused,
           "refusal_reason": reason}
    changed = [name for name, value in new.items() if getattr(step, name) != value]
    for name in changed:
        setattr(step, name, new[name])
    db.session.flush()
    record(actor, "set_right", person=person, fields=[f"{kind}.{name}" for name in changed])
    return step


def _enum(value, allowed, field: str, message: str) -> None:
    if value not in allowed:
        raise RuleViolation("enum", message, field)


def _required_date(values: dict, field: str, what: str, today: date) -> None:
    if values.get(field) is None:
        raise RuleViolation("required", f"{what} est obligatoire.", field)
    not_after_today(values[field], field, what, today)


def _check_housing_step(v: dict, today: date) -> None:
    _enum(v.get("kind"), HOUSING_STEP_KINDS, "kind", "Choisissez le type de démarche.")
    _required_date(v, "date", "La date de la démarche", today)
    v["number"] = (v.get("number") or "").strip() or None
    if v["number"] and len(v["number"]) > 64:
        raise RuleViolation("too_long", "Le numéro fait au plus 64 caractères.", "number")


def _check_housing(v: dict, today: date) -> None:
    _enum(v.get("kind"), HOUSING_KINDS, "kind", "Choisissez le type de logement.")
    _required_date(v, "date", "La date d'entrée dans le logement", today)


def _check_job(v: dict, today: date) -> None:
    _enum(v.get("kind"), JOB_KINDS, "kind", "Choisissez le type de contrat.")
    _required_date(v, "date", "La date de début du contrat", today)
    check_job(v["kind"], v.get("months"))


def _check_training(v: dict, today: date) -> None:
    _enum(v.get("level"), TRAINING_LEVELS, "level", "Choisissez le niveau de la formation.")
    _required_date(v, "date", "La date de début de la formation", today)


def _check_event(v: dict, today: date) -> None:
    _enum(v.get("kind"), EVENT_KINDS, "kind", "Choisissez le type d'événement.")
    _required_date(v, "date", "La date de l'événement", today)
    v["event_ref"] = (v.get("event_ref") or "").strip() or None
    if v["kind"] in EVENTS_WITH_ID and not v["event_ref"]:
        raise RuleViolation("event_ref_required",
                            "Indiquez l'identifiant de l'événement (le même pour toutes les personnes présentes).",
                            "event_ref")
    if v["kind"] not in EVENTS_WITH_ID:
        v["event_ref"] = None
    elif len(v["event_ref"]) > 64:
        raise RuleViolation("too_long", "L'identifiant fait au plus 64 caractères.", "event_ref")


@dataclass(frozen=True)
class ItemKind:
    """A kind of dated line of the path: its model, form field → column mapping, and its check."""

    model: type
    columns: dict  # form/rule field name → model column
    check: Callable[[dict, date], None]


ITEMS = {
    "housing_step": ItemKind(HousingStep, {"kind": "kind", "date": "step_on", "number": "number"},
                             _check_housing_step),
    "housing": ItemKind(HousingAccess, {"kind": "kind", "date": "access_on"}, _check_housing),
    "job": ItemKind(Job, {"kind": "kind", "date": "start_on", "months": "months"}, _check_job),
    "training": ItemKind(Training, {"level": "level", "date": "start_on"}, _check_training),
    "event": ItemKind(Event, {"kind": "kind", "date": "event_on", "event_ref": "event_ref"}, _check_event),
}


def _kind_of(item) -> str:
    return next(name for name, spec in ITEMS.items() if isinstance(item, spec.model))


def add_item(actor, person: Person, item_kind: str, values: dict, today: date | None = None):
    """Add a dated line (housing step, housing access, job, training, event) to the person's path."""
    spec = ITEMS[item_kind]
    values = {name: values.get(name) for name in spec.columns}
    spec.check(values, today or date.today())
    item = spec.model(person_id=person.id, **{spec.columns[n]: v for n, v in values.items()})
    db.session.add(item)
    db.session.flush()
    record(actor, f"add_{item_kind}", person=person, fields=[n for n, v in values.items() if v is not None])
    return item


def update_item(actor, item, values: dict, today: date | None = None):
    """Correct a dated line of the path."""
    item_kind = _kind_of(item)
    spec = ITEMS[item_kind]
    values = {name: values.get(name) for name in spec.columns}
    spec.check(values, today or date.today())
    changed = [n for n, v in values.items() if getattr(item, spec.columns[n]) != v]
    for name in changed:
        setattr(item, spec.columns[name], values[name])
    db.session.flush()
    record(actor, f"update_{item_kind}", person=item.person_id, fields=changed)
    return item


def delete_item(actor, item) -> None:
    """Delete a dated line recorded by mistake."""
    item_kind = _kind_of(item)
    person_id = item.person_id
    db.session.delete(item)
    db.session.flush()
    record(actor, f"delete_{item_kind}", person=person_id, fields=list(ITEMS[item_kind].columns))


def add_housing_step(actor, person, **values):
    """A housing application (social housing with its number, SIAO, IML, other)."""
    return add_item(actor, person, "housing_step", values)


def record_housing_access(actor, person, **values):
    """Access to a dwelling (permanent for social rental, private rental, IML mandate)."""
    return add_item(actor, person, "housing", values)


def add_job(actor, person, **values):
    """A job: kind, start date, length in months (none for a CDI)."""
    return add_item(actor, person, "job", values)


def add_training(actor, person, **values):
    """A training: level and start date."""
    return add_item(actor, person, "training", values)


def add_event(actor, person, **values):
    """A dated event (consultation, mentoring pair, digital tool, sport or cultural event with its id)."""
    return add_item(actor, person, "event", values)
