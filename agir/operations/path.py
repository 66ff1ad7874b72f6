"""The path (SPEC §4.3) as the social worker records it: rights, housing, jobs, trainings, events.

Rights are one line per kind (created on first change). The other items are dated lines added,
corrected or deleted; each kind is described once in ITEMS (model, fields, check).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from agir.audit import record, record_correction
from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleLine, StaleRecord
from agir.extensions import db
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.operations.persons import check_version, file_holder, not_after_today
from agir.rules.corrections import (
    check_changed,
    check_reason,
    check_recorder,
    refuse_all,
    snapshot,
    violations_of,
)
from agir.rules.path import check_event_ref, check_job, check_right, check_right_change
from agir.rules.text import check_length
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

RIGHT_DATE_WHAT = {"requested": _l("La date de demande"), "obtained": _l("La date d'obtention"),
                   "refused": _l("La date de refus")}


def set_right(actor, person: Person, kind: str, state: str, requested: date | None = None,
              obtained: date | None = None, refused: date | None = None, reason: str | None = None,
              version: int | None = None, today: date | None = None) -> RightStep:
    """Set the state and dates of one right (todo → requested → obtained / refused, or not applicable)."""
    today = today or paris_today()
    if kind not in RIGHT_KINDS:
        raise RuleViolation("enum", _l("Droit inconnu."), "kind")
    if state not in RIGHT_STATES:
        raise RuleViolation("enum", _l("État inconnu."), "state")
    step = db.session.scalar(select(RightStep).where(RightStep.person_id == person.id, RightStep.kind == kind))
    if step is None and version:
        raise StaleLine()  # the line was deleted (or never existed) while the form was open
    if step is not None:
        check_line_version(step, version)  # version 0: the form saw no line yet
    dates = {"requested": requested, "obtained": obtained, "refused": refused}
    reason = ((reason or "").strip() or None) if state == "refused" else None  # a reason belongs to a refusal
    check_right(state, dates, reason)
    if step is not None:
        check_right_change(step.state, {"requested": step.requested_on, "obtained": step.obtained_on,
                                        "refused": step.refused_on}, state, dates)
        if not (step.state == "refused" and state != "refused"):  # after a refusal, a new request is new
            _check_not_a_correction(step, dates)
    for name, day in dates.items():
        not_after_today(day, name, RIGHT_DATE_WHAT[name], today)
    recorder = getattr(actor, "structure_id", None)  # read before any change: reading it may flush
    if step is None:
        step = RightStep(person_id=person.id, kind=kind)
        db.session.add(step)
    new = {"state": state, "requested_on": requested, "obtained_on": obtained, "refused_on": refused,
           "refusal_reason": reason}
    changed = [name for name, value in new.items() if getattr(step, name) != value]
    for name in changed:
        setattr(step, name, new[name])
    if changed:
        step.structure_id = recorder  # the structure of its latest step
    flush_line()
    record(actor, "set_right", person=person, fields=[f"{kind}.{name}" for name in changed])
    return step


def _check_not_a_correction(step: RightStep, dates: dict) -> None:
    """The ordinary update records the next step; a date already recorded is changed only by « Corriger »,
    with its reason (docs/rules.md, corrections of the path)."""
    for name, day in dates.items():
        recorded = getattr(step, f"{name}_on")
        if recorded is not None and day is not None and day != recorded:
            raise RuleViolation("use_correction", _l("%(value)s est déjà enregistrée (%(day)s) : pour la "
                                                     "changer, utilisez « Corriger », avec un motif.",
                                                         value=RIGHT_DATE_WHAT[name], day=LazyDate(recorded)),
                                name)


RIGHT_FIELDS = ("state", "requested_on", "obtained_on", "refused_on", "refusal_reason")


def right_values(step: RightStep) -> dict:
    """A right line as the audit keeps it (its kind, state, dates and refusal reason)."""
    return snapshot({"kind": step.kind} | {name: getattr(step, name) for name in RIGHT_FIELDS})


def correct_right(actor, step: RightStep, state: str, requested: date | None = None, obtained: date | None = None,
                  refused: date | None = None, refusal_reason: str | None = None, reason: str | None = None,
                  version: int | None = None, today: date | None = None) -> RightStep:
    """Correct a right recorded wrongly, with the reason: any state (even back to an earlier one), its dates
    checked again (matching the state, never running backwards, never in the future)."""
    today = today or paris_today()
    person = step.person
    check_recorder(getattr(actor, "structure_id", None), step.structure_id, file_holder(person))
    check_line_version(step, version)
    if state not in RIGHT_STATES:
        raise RuleViolation("enum", _l("État inconnu."), "state")
    dates = {"requested": requested, "obtained": obtained, "refused": refused}
    refusal_reason = ((refusal_reason or "").strip() or None) if state == "refused" else None
    refuse_all(violations_of(lambda: check_right(state, dates, refusal_reason),
                             *[lambda n=name, d=day: not_after_today(d, n, RIGHT_DATE_WHAT[n], today)
                               for name, day in dates.items()],
                             lambda: check_reason(reason)))
    reason = check_reason(reason)
    before = right_values(step)
    new = {"state": state, "requested_on": requested, "obtained_on": obtained, "refused_on": refused,
           "refusal_reason": refusal_reason}
    after = snapshot({"kind": step.kind} | new)
    check_changed(before, after)
    for name, value in new.items():
        if getattr(step, name) != value:
            setattr(step, name, value)
    flush_line()
    record_correction(actor, person, "right", before, after, reason)
    return step


def cancel_right(actor, step: RightStep, reason: str | None, version: int | None = None) -> None:
    """Cancel a right line recorded by mistake (the right goes back to « à faire »), with the reason."""
    person = step.person
    check_recorder(getattr(actor, "structure_id", None), step.structure_id, file_holder(person))
    check_line_version(step, version)
    reason = check_reason(reason, cancel=True)
    before = right_values(step)
    db.session.delete(step)
    flush_line()
    record_correction(actor, person, "right", before, None, reason)


def _enum(value, allowed, field: str, message: str) -> None:
    if value not in allowed:
        raise RuleViolation("enum", message, field)


def _required_date(values: dict, field: str, what: str, today: date) -> None:
    if values.get(field) is None:
        raise RuleViolation("required", _l("%(what)s est obligatoire.", what=what), field)
    not_after_today(values[field], field, what, today)


def _check_housing_step(v: dict, today: date) -> None:
    _enum(v.get("kind"), HOUSING_STEP_KINDS, "kind", _l("Choisissez le type de démarche."))
    _required_date(v, "date", _l("La date de la démarche"), today)
    v["number"] = (v.get("number") or "").strip() or None
    check_length(v["number"], "housing_step.number", "number")


def _check_housing(v: dict, today: date) -> None:
    _enum(v.get("kind"), HOUSING_KINDS, "kind", _l("Choisissez le type de logement."))
    _required_date(v, "date", _l("La date d'entrée dans le logement"), today)


def _check_job(v: dict, today: date) -> None:
    _enum(v.get("kind"), JOB_KINDS, "kind", _l("Choisissez le type de contrat."))
    _required_date(v, "date", _l("La date de début du contrat"), today)
    check_job(v["kind"], v.get("months"))


def _check_training(v: dict, today: date) -> None:
    _enum(v.get("level"), TRAINING_LEVELS, "level", _l("Choisissez le niveau de la formation."))
    _required_date(v, "date", _l("La date de début de la formation"), today)


def _check_event(v: dict, today: date) -> None:
    _enum(v.get("kind"), EVENT_KINDS, "kind", _l("Choisissez le type d'événement."))
    _required_date(v, "date", _l("La date de l'événement"), today)
    v["event_ref"] = (v.get("event_ref") or "").strip() or None
    if v["kind"] not in EVENTS_WITH_ID:
        v["event_ref"] = None  # the file's form keeps no id for another kind of event
    check_event_ref(v["kind"], v["event_ref"])
    check_length(v["event_ref"], "event.event", "event_ref")


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
    spec.check(values, today or paris_today())
    item = spec.model(person_id=person.id, structure_id=getattr(actor, "structure_id", None),
                      **{spec.columns[n]: v for n, v in values.items()})
    db.session.add(item)
    db.session.flush()
    record(actor, f"add_{item_kind}", person=person, fields=[n for n, v in values.items() if v is not None])
    return item


def recorded_by(item) -> int | None:
    """The structure that recorded a line (an event of a programme: the programme's operator)."""
    if item.structure_id is not None:
        return item.structure_id
    programme = getattr(item, "programme", None)
    return programme.structure_id if programme is not None else None


def may_correct(actor, person: Person, item) -> bool:
    """Whether the actor's structure recorded the line (for the file's buttons)."""
    try:
        check_recorder(getattr(actor, "structure_id", None), recorded_by(item), file_holder(person))
    except RuleViolation:
        return False
    return True


def check_line_version(item, version: int | None) -> None:
    """The form's version against the line's (a line saved by someone else meanwhile is refused)."""
    try:
        check_version(item, version)
    except StaleRecord:
        raise StaleLine() from None


def flush_line() -> None:
    """Flush; a line changed or deleted by a concurrent save (0 rows matched its version) is refused."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleLine() from None


def item_values(item) -> dict:
    """The line's fields under their form names, as plain values (before / after of the audit)."""
    spec = ITEMS[_kind_of(item)]
    return snapshot({name: getattr(item, column) for name, column in spec.columns.items()})


def correct_item(actor, item, values: dict, reason: str | None, version: int | None = None,
                 today: date | None = None):
    """Correct a dated line, with the reason; the rules of the line are checked again, before/after audited."""
    item_kind = _kind_of(item)
    spec = ITEMS[item_kind]
    person = item.person
    check_recorder(getattr(actor, "structure_id", None), recorded_by(item), file_holder(person))
    check_line_version(item, version)
    values = {name: values.get(name) for name in spec.columns}
    today = today or paris_today()
    refuse_all(violations_of(lambda: spec.check(values, today), lambda: check_reason(reason)))
    reason = check_reason(reason)
    before = item_values(item)
    after = snapshot(values)
    check_changed(before, after)
    for name, value in values.items():
        if getattr(item, spec.columns[name]) != value:
            setattr(item, spec.columns[name], value)
    flush_line()
    record_correction(actor, person, item_kind, before, after, reason)
    return item


def cancel_item(actor, item, reason: str | None, version: int | None = None) -> None:
    """Cancel (delete) a line recorded by mistake, with the reason; the audit keeps what it was."""
    item_kind = _kind_of(item)
    person = item.person
    check_recorder(getattr(actor, "structure_id", None), recorded_by(item), file_holder(person))
    check_line_version(item, version)
    reason = check_reason(reason, cancel=True)
    before = item_values(item)
    db.session.delete(item)
    flush_line()
    record_correction(actor, person, item_kind, before, None, reason)


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
