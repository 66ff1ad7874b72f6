"""Persons, households and notes (SPEC §3, §4.3 notes): create, update, move between households.

Every function takes the acting user, checks, mutates, flushes, writes an audit entry with the
names of the fields touched (never their values) and leaves the commit to the caller.
"""
import re
import secrets
from datetime import date

from sqlalchemy import select

from agir.audit import record
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from models import Household, Note, Person
from models.enums import BPI_STATUSES, HOSTINGS, LEVELS, SEXES, STATUSES

PERSON_FIELDS = (
    "last_name", "first_name", "sex", "birth_on", "nationality", "status", "protection_on",
    "first_permit_on", "arrival_on", "cir_on", "permit_expiry_on", "hosting", "language_level",
    "prior_programme", "phone", "email",
)
REQUIRED = {
    "last_name": "Le nom est obligatoire.", "first_name": "Le prénom est obligatoire.",
    "sex": "Le sexe est obligatoire.", "birth_on": "La date de naissance est obligatoire.",
    "nationality": "La nationalité est obligatoire.", "status": "Le statut est obligatoire.",
}
# Dates that describe the past: a date after today is a typing error.
PAST_DATES = {
    "birth_on": "La date de naissance", "protection_on": "La date de protection",
    "first_permit_on": "La date du premier titre", "arrival_on": "La date d'arrivée",
    "cir_on": "La date de signature du CIR",
}
NATIONALITY_RE = re.compile(r"^[A-Z]{3}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NOTE_LENGTH = 5000


def check_version(record_, version: int | None) -> None:
    """Refuse a save made from a form loaded before someone else's save (optimistic locking)."""
    if version is not None and record_.version_id is not None and int(version) != record_.version_id:
        raise StaleRecord()


def not_after_today(day: date | None, field: str, what: str, today: date) -> None:
    """Dates of things that happened cannot be in the future."""
    if day is not None and day > today:
        raise RuleViolation("date_in_future", f"{what} ne peut pas être postérieure à aujourd'hui.", field)


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
        raise RuleViolation("enum", "Sexe inconnu.", "sex")
    if values["status"] not in STATUSES:
        raise RuleViolation("enum", "Statut inconnu.", "status")
    if not NATIONALITY_RE.match(values["nationality"]):
        raise RuleViolation("nationality", "La nationalité est un code ISO à trois lettres (AFG, SYR, ERI…).",
                            "nationality")
    if values.get("hosting") and values["hosting"] not in HOSTINGS:
        raise RuleViolation("enum", "Hébergement inconnu.", "hosting")
    if values.get("language_level") and values["language_level"] not in LEVELS:
        raise RuleViolation("enum", "Niveau CECRL inconnu.", "language_level")
    if values["status"] in BPI_STATUSES and not values.get("protection_on"):
        raise RuleViolation("protection_required",
                            "La date d'obtention de la protection est obligatoire pour un·e BPI.", "protection_on")
    if values["status"] not in BPI_STATUSES and not values.get("first_permit_on"):
        raise RuleViolation("first_permit_required",
                            "La date du premier titre de séjour est obligatoire pour un·e primo-arrivant·e.",
                            "first_permit_on")
    for name, what in PAST_DATES.items():
        not_after_today(values.get(name), name, what, today)
    birth = values["birth_on"]
    for name in ("protection_on", "first_permit_on", "arrival_on", "cir_on"):
        if values.get(name) and values[name] < birth:
            raise RuleViolation("before_birth", f"{PAST_DATES[name]} ne peut précéder la naissance.", name)
    if values.get("email") and not EMAIL_RE.match(values["email"]):
        raise RuleViolation("email", "Adresse électronique invalide.", "email")


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
    today = today or date.today()
    structure = getattr(actor, "structure", None)
    if structure is None:
        raise RuleViolation("no_structure", "Votre compte n'est rattaché à aucune structure.", None)
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
    check_person(values, today or date.today())
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
        raise RuleViolation("same_household", "La personne fait déjà partie de ce ménage.", "household_ref")
    if household is None and person.household is not None and len(person.household.members) == 1:
        raise RuleViolation("already_alone", "La personne forme déjà un ménage à elle seule.", "household_ref")
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
        raise RuleViolation("required", "La date de la note est obligatoire.", "date")
    not_after_today(noted_on, "date", "La date de la note", today)
    if not text:
        raise RuleViolation("required", "Le texte de la note est obligatoire.", "text")
    if len(text) > MAX_NOTE_LENGTH:
        raise RuleViolation("too_long", f"Une note fait au plus {MAX_NOTE_LENGTH} caractères.", "text")
    return text


def add_note(actor, person: Person, noted_on: date, text: str, today: date | None = None) -> Note:
    """A dated note by the social worker (never shown to other roles)."""
    text = _check_note(noted_on, text, today or date.today())
    note = Note(person=person, noted_on=noted_on, text=text, author_id=getattr(actor, "id", None))
    db.session.add(note)
    db.session.flush()
    record(actor, "add_note", person=person, fields=["date", "text"])
    return note


def _own_note(actor, note: Note) -> None:
    if note.author_id != getattr(actor, "id", None):
        raise RuleViolation("not_author", "Seul·e l'auteur·rice d'une note peut la modifier ou la supprimer.", None)


def update_note(actor, note: Note, noted_on: date, text: str, today: date | None = None) -> Note:
    """Correct one's own note."""
    _own_note(actor, note)
    text = _check_note(noted_on, text, today or date.today())
    changed = [n for n, old, new in (("date", note.noted_on, noted_on), ("text", note.text, text)) if old != new]
    note.noted_on, note.text = noted_on, text
    db.session.flush()
    record(actor, "update_note", person=note.person_id, fields=changed)
    return note


def delete_note(actor, note: Note) -> None:
    """Delete one's own note."""
    _own_note(actor, note)
    person_id = note.person_id
    db.session.delete(note)
    db.session.flush()
    record(actor, "delete_note", person=person_id, fields=["date", "text"])
