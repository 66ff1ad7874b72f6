"""Persons, households and notes (SPEC §3, §4.3 notes): create, update, move between households.

Every function takes the acting user, checks, mutates, flushes, writes an audit entry with the
names of the fields touched (never their values) and leaves the commit to the caller.
"""
import re
import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from agir.audit import record, record_correction
from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleLine, StaleRecord
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.rules.corrections import check_changed, check_reason, refuse_all, violations_of
from agir.rules.person import Enrolment, enrolment_violations, not_after_today, person_violations
from agir.rules.text import MAX_LENGTHS
from models import Household, Note, Person
from models.enums import HOSTINGS, LEVELS, SEXES, STATUSES

PERSON_FIELDS = (
    "last_name", "first_name", "sex", "birth_on", "nationality", "status", "protection_on",
    "first_permit_on", "arrival_on", "cir_on", "permit_expiry_on", "hosting", "language_level",
    "prior_programme", "phone", "email",
)
REQUIRED = {
    "last_name": _l("Le nom est obligatoire."), "first_name": _l("Le prénom est obligatoire."),
    "sex": _l("Le sexe est obligatoire."), "birth_on": _l("La date de naissance est obligatoire."),
    "nationality": _l("La nationalité est obligatoire."), "status": _l("Le statut est obligatoire."),
}
NATIONALITY_RE = re.compile(r"^[A-Z]{3}$")
MAX_NOTE_LENGTH = MAX_LENGTHS["note.text"]


def check_version(record_, version: int | None) -> None:
    """Refuse a save made from a form loaded before someone else's save (optimistic locking)."""
    if version is not None and record_.version_id is not None and int(version) != record_.version_id:
        raise StaleRecord()


def _clean(values: dict) -> dict:
    """Strip text, turn empty strings into None, upper-case the nationality code."""
    out = {}
    for name in PERSON_FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        out[name] = value
    if out["nationality"]:
        out["nationality"] = out["nationality"].upper()
    if out["email"]:
        out["email"] = out["email"].lower()
    return out


def check_person(values: dict, today: date) -> None:
    """The fields of SPEC §3: required ones, enums, the BPI date rule, dates in the past."""
    for name, message in REQUIRED.items():
        if not values.get(name):
            raise RuleViolation("required", message, name)
    if values["sex"] not in SEXES:
        raise RuleViolation("enum", _l("Sexe inconnu."), "sex")
    if values["status"] not in STATUSES:
        raise RuleViolation("enum", _l("Statut inconnu."), "status")
    if not NATIONALITY_RE.match(values["nationality"]):
        raise RuleViolation("nationality", _l("La nationalité est un code ISO à trois lettres (AFG, SYR, ERI…)."),
                            "nationality")
    if values.get("hosting") and values["hosting"] not in HOSTINGS:
        raise RuleViolation("enum", _l("Hébergement inconnu."), "hosting")
    if values.get("language_level") and values["language_level"] not in LEVELS:
        raise RuleViolation("enum", _l("Niveau CECRL inconnu."), "language_level")
    # The rules `agir import` applies too (agir.rules.person): BPI / first permit, not after today,
    # not before birth, e-mail, lengths.
    for violation in person_violations(values, today):
        raise violation


def check_enrolments_hold(person: Person, values: dict) -> None:
    """A change of status or protection date must leave every accompaniment of the file eligible, as
    `agir import` checks it (an entry before the protection date, a non-BPI accompanied…)."""
    enrolments = [Enrolment(a.start_on, a.structure.kind, person.department.agir_start_on)
                  for a in person.accompaniments]
    for violation in enrolment_violations(values["status"], values.get("protection_on"), enrolments):
        raise violation


def _unique_ref(model, prefix: str) -> str:
    """A random reference not yet used (P-3F9A12C4, H-…); refs stay stable in exports."""
    while True:
        ref = f"{prefix}-{secrets.token_hex(4).upper()}"
        if db.session.scalar(select(model.id).where(model.ref == ref)) is None:
            return ref


def new_household() -> Household:
    """An empty household with its own reference."""
    household = Household(ref=_unique_ref(Household, "H"))
    db.session.add(household)
    return household


def create_person(actor, values: dict, household: Household | None = None, today: date | None = None) -> Person:
    """Open a file in the actor's structure and department, in a new household or an existing one."""
    today = today or paris_today()
    structure = getattr(actor, "structure", None)
    if structure is None:
        raise RuleViolation("no_structure", _l("Votre compte n'est rattaché à aucune structure."), None)
    values = _clean(values)
    check_person(values, today)
    person = Person(ref=_unique_ref(Person, "P"), department_id=structure.department_id,
                    structure_id=structure.id, household=household or new_household(), **values)
    db.session.add(person)
    db.session.flush()
    record(actor, "create_person", person=person,
           fields=[n for n, v in values.items() if v is not None] + ["household"])
    return person


def update_person(actor, person: Person, values: dict, version: int | None = None,
                  today: date | None = None) -> Person:
    """Change identity, status, dates, hosting, language level or contact; audit the fields changed."""
    check_version(person, version)
    values = _clean(values)
    check_person(values, today or paris_today())
    check_enrolments_hold(person, values)
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, values[name])
    db.session.flush()
    record(actor, "update_person", person=person, fields=changed)
    return person


def change_household(actor, person: Person, household: Household | None, version: int | None = None) -> Person:
    """Move the person into another household, or into a new one of their own (household=None)."""
    check_version(person, version)
    if household is not None and household.id == person.household_id:
        raise RuleViolation("same_household", _l("La personne fait déjà partie de ce ménage."), "household_ref")
    if household is None and person.household is not None and len(person.household.members) == 1:
        raise RuleViolation("already_alone", _l("La personne forme déjà un ménage à elle seule."), "household_ref")
    previous = person.household
    person.household = household or new_household()
    db.session.flush()
    if previous is not None and not previous.members:
        db.session.delete(previous)  # an empty household counts for nothing and would linger
        db.session.flush()
    record(actor, "change_household", person=person, fields=["household"])
    return person


def _check_note(noted_on: date | None, text: str | None, today: date) -> str:
    text = (text or "").strip()
    if noted_on is None:
        raise RuleViolation("required", _l("La date de la note est obligatoire."), "date")
    not_after_today(noted_on, "date", _l("La date de la note"), today)
    if not text:
        raise RuleViolation("required", _l("Le texte de la note est obligatoire."), "text")
    if len(text) > MAX_NOTE_LENGTH:
        raise RuleViolation("too_long", _l("Une note fait au plus %(max_note_length)s caractères.",
                                           max_note_length=MAX_NOTE_LENGTH), "text")
    return text


def add_note(actor, person: Person, noted_on: date, text: str, today: date | None = None) -> Note:
    """A dated note by the social worker (never shown to other roles)."""
    text = _check_note(noted_on, text, today or paris_today())
    note = Note(person=person, noted_on=noted_on, text=text, author_id=getattr(actor, "id", None),
                structure_id=getattr(actor, "structure_id", None))
    db.session.add(note)
    db.session.flush()
    record(actor, "add_note", person=person, fields=["date", "text"])
    return note


def file_holder(person: Person) -> int | None:
    """The structure holding the file: that of its latest accompaniment, else the one that opened it."""
    latest = max(person.accompaniments, key=lambda a: (a.start_on, a.id), default=None)
    return latest.structure_id if latest is not None else person.structure_id


def may_correct_note(actor, note: Note) -> bool:
    """Its author; when the author's account is gone or disabled, the structure that wrote it (docs/rules.md)."""
    if note.author_id is not None and note.author_id == getattr(actor, "id", None):
        return True
    author = note.author
    if author is not None and author.is_enabled:
        return False
    structure = note.structure_id if note.structure_id is not None else file_holder(note.person)
    return structure is not None and structure == getattr(actor, "structure_id", None)


def _own_note(actor, note: Note) -> None:
    if not may_correct_note(actor, note):
        raise RuleViolation("not_author", _l("Seul·e l'auteur·rice d'une note peut la corriger ou l'annuler."), None)


def note_values(note: Note) -> dict:
    """A note as the audit keeps it: its date and the length of its text, never the text itself."""
    return {"date": note.noted_on.isoformat(), "text": f"{len(note.text)} caractères"}


def _check_note_version(note: Note, version: int | None) -> None:
    try:
        check_version(note, version)
    except StaleRecord:
        raise StaleLine() from None


def _flush_note() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleLine() from None


def correct_note(actor, note: Note, noted_on: date, text: str, reason: str | None, version: int | None = None,
                 today: date | None = None) -> Note:
    """Correct a note (its author), with the reason; the audit keeps the date before/after, not the text."""
    _own_note(actor, note)
    _check_note_version(note, version)
    today = today or paris_today()
    refuse_all(violations_of(lambda: _check_note(noted_on, text, today), lambda: check_reason(reason)))
    text = _check_note(noted_on, text, today)
    reason = check_reason(reason)
    before = note_values(note)
    after = {"date": noted_on.isoformat(),
             "text": before["text"] if text == note.text else f"texte corrigé, {len(text)} caractères"}
    check_changed(before, after)
    note.noted_on, note.text = noted_on, text
    _flush_note()
    record_correction(actor, note.person, "note", before, after, reason)
    return note


def cancel_note(actor, note: Note, reason: str | None, version: int | None = None) -> None:
    """Cancel (delete) a note written by mistake, with the reason."""
    _own_note(actor, note)
    _check_note_version(note, version)
    reason = check_reason(reason, cancel=True)
    person = note.person
    before = note_values(note)
    db.session.delete(note)
    _flush_note()
    record_correction(actor, person, "note", before, None, reason)
