"""The shape of the interchange records (INTERCHANGE.md), field by field, at any depth.

Each record type is a dict of fields: JSON kind, required or optional, enum values (models/enums.py),
lengths (agir.rules.text.MAX_LENGTHS, the forms' table), references to other records.
agir/interchange/validation.py checks a decoded line against them; the rules of SPEC §4 are applied
by agir/interchange/checks.py.
"""
import re
from dataclasses import dataclass

from agir import languages
from agir.dates import DATE_MAX, DATE_MIN
from agir.rules.text import MAX_LENGTHS as L
from models import enums

RECORD_TYPES = ("department", "structure", "programme", "person")
# The field that identifies a record of each type (its `ref`).
KEY_FIELDS = {"department": "code", "structure": "ref", "programme": "ref", "person": "ref"}
INT32_MAX = 2_147_483_647
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# INSEE codes: 01–95 (no 20: Corsica is 2A and 2B), 2A, 2B, overseas 971–976 (as the admin forms accept).
DEPARTMENT_CODE_RE = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6]")
NATIONALITY_RE = re.compile(r"[A-Z]{3}")
SIMPLE_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Contract v2: local date and time (Europe/Paris), an INSEE region code, a SHA-256 hex digest.
DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")
REGION_CODE_RE = re.compile(r"[0-9]{2}")
SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")


class _Iso6393:
    """A `pattern` of the schema that matches exactly the codes of ISO 639-3 (agir/languages.py)."""

    @staticmethod
    def fullmatch(value: str) -> bool:
        return languages.is_iso639_3(value)


ISO639_3 = _Iso6393()

MESSAGES = {
    "missing": "champ obligatoire manquant",
    "null": "valeur obligatoire (null n'est pas admis)",
    "unknown": "champ inconnu",
    "str": "doit être une chaîne de caractères",
    "blank": "ne peut pas être vide",
    "too_long": "trop long ({n} caractères au plus)",
    "bad_chars": "contient des caractères interdits",
    "int": "doit être un nombre entier",
    "int_range": "doit être un nombre entier entre {low} et {high}",
    "number": "doit être un nombre",
    "negative": "ne peut pas être négatif",
    "bool": "doit être un booléen (true ou false)",
    "object": "doit être un objet JSON",
    "list": "doit être une liste",
    "date": "doit être une date au format AAAA-MM-JJ",
    "impossible_date": "date impossible : {value}",
    "date_range": f"date hors de la plage admise ({DATE_MIN.isoformat()} à {DATE_MAX.isoformat()})",
    "enum": "valeur inconnue {value} (valeurs admises : {allowed})",
    "department_code": "code de département INSEE invalide (ex. « 33 », « 2A », « 974 »)",
    "nationality": "code pays ISO 3166 alpha-3 attendu (trois lettres majuscules, ex. « AFG »)",
    "datetime": "doit être une date et une heure locales (Paris) au format AAAA-MM-JJTHH:MM",
    "impossible_datetime": "date ou heure impossible : {value}",
    "language": "code de langue ISO 639-3 inconnu (trois lettres minuscules, ex. « prs », « arb », « fra »)",
    "region_code": "code de région INSEE invalide (deux chiffres, ex. « 75 », « 04 »)",
    "sha256": "empreinte SHA-256 attendue (64 caractères hexadécimaux) ou null",
}


@dataclass(frozen=True)
class Field:
    """How one field is checked: its kind and constraints."""

    kind: str  # str, ref, int, number, bool, date, datetime, enum, object, list
    required: bool = False
    nonblank: bool = False
    max_length: int | None = None
    pattern: tuple[re.Pattern, str] | None = None
    values: tuple = ()
    ref: str | None = None
    low: int = 0
    high: int = INT32_MAX
    schema: dict | None = None  # fields of an object, or of each item of a list


def text(max_length=None, required=False, nonblank=None, pattern=None):
    """A string field (required strings may not be blank unless told)."""
    return Field("str", required, required if nonblank is None else nonblank, max_length, pattern)


def ref(target, required=False):
    """A reference to a record of another type, by its ref (or code for a department)."""
    return Field("ref", required, True, 64, ref=target)


def day(required=False):
    """A strict ISO date."""
    return Field("date", required)


def moment(required=False):
    """A strict local date and time YYYY-MM-DDTHH:MM (Europe/Paris, stored naive)."""
    return Field("datetime", required)


def language(required=False):
    """An ISO 639-3 language code."""
    return Field("str", required, True, 3, (ISO639_3, "language"))


def enum(values, required=False):
    """One of the values of models/enums.py."""
    return Field("enum", required, values=tuple(values))


def integer(low=0, high=INT32_MAX, required=False):
    """A JSON integer within bounds."""
    return Field("int", required, low=low, high=high)


def number(required=False):
    """A finite, non-negative JSON number (hours, money), stored as a float."""
    return Field("number", required)


def boolean(required=False):
    """true or false."""
    return Field("bool", required)


def obj(schema, required=False):
    """A nested object, or null."""
    return Field("object", required, schema=schema)


def items(schema):
    """A list of objects (omitted or null means an empty list)."""
    return Field("list", schema=schema)


DEPARTMENT = {
    "code": text(L["department.code"], True, pattern=(DEPARTMENT_CODE_RE, "department_code")),
    "name": text(L["department.name"], True),
    "agir_start": day(),
    "agir_wave": enum(enums.DEPARTMENT_WAVES),
    "max_months": integer(),
    # Contract v2: the INSEE region (absent: derived from the code; another region's: refused).
    "region": text(2, pattern=(REGION_CODE_RE, "region_code")),
}
STRUCTURE = {
    "ref": text(L["structure.ref"], True),
    "name": text(L["structure.name"], True),
    "department": ref("department", True),
    "kind": enum(enums.STRUCTURE_KINDS, True),
}
SESSION = {"date": day(True), "hours": number(True)}
PROGRAMME = {
    "ref": text(L["programme.ref"], True),
    "name": text(L["programme.name"], True),
    "theme": enum(enums.THEMES, True),
    "structure": ref("structure", True),
    "department": ref("department", True),
    "start": day(True),
    "end": day(),
    "target_beneficiaries": integer(),
    "total_cost": number(),
    "p104_subsidy": number(),
    "carif_oref_ref": text(L["programme.carif_oref_ref"]),
    "sessions": items(SESSION),
}
EXIT = {
    "date": day(True),
    "reason": enum(enums.EXIT_REASONS, True),
    "job": obj({"kind": enum(enums.JOB_KINDS, True), "months": integer(-INT32_MAX)}),
    "training": obj({"level": enum(enums.TRAINING_LEVELS, True)}),
    "followup": obj({"date": day(True), "positive": boolean(True)}),
}
AREA = {"need": enum(enums.NEEDS, True), "text": text(L["diagnostic.text"])}
DIAGNOSTIC = {
    "date": day(True),
    # Exactly the six areas: each is required, any other is an unknown field.
    "areas": obj({area: obj(AREA, True) for area in enums.AREAS}, True),
}
OBJECTIVE = {
    "area": enum(enums.AREAS, True),
    "objective": text(L["plan.objective"], True),
    "due": day(),
    "state": enum(enums.OBJECTIVE_STATES, True),
    "closed": day(),
    # Optional extensions, exported only when set: what carries the objective out, in the same person line —
    # the right by its kind (one line per kind), the others by their position (from 0) in their list.
    "right": enum(enums.RIGHT_KINDS),
    "housing_step": integer(),
    "referral": integer(),
    "training": integer(),
}
ACCOMPANIMENT = {
    "structure": ref("structure", True),
    "start": day(True),
    "planned_end": day(True),
    # The reason's emptiness is the extension rule's to judge (agir.rules.durations).
    "extensions": items({"date": day(True), "planned_end": day(True),
                         "reason": text(L["extension.reason"], required=True, nonblank=False)}),
    "exit": obj(EXIT),
    # Contract v2 (SPEC §4.5).
    "diagnostic": obj(DIAGNOSTIC),
    "plan": items(OBJECTIVE),
    "contract": obj({"signed": day(True), "language": language(True)}),
}
RIGHT = {
    "kind": enum(enums.RIGHT_KINDS, True),
    "state": enum(enums.RIGHT_STATES, True),
    "requested": day(),
    "obtained": day(),
    "refused": day(),
    "reason": text(L["right.reason"]),
}
REFERRAL = {
    "programme": ref("programme", True),
    "sent": day(), "accepted": day(), "refused": day(), "refusal_reason": text(L["referral.refusal_reason"]),
    "started": day(), "completed": day(), "dropped_out": day(), "cancelled": day(),
    # Optional extensions of the contract, exported only when set.
    "need": text(L["referral.need"]),
    "sender": ref("structure"),
}
PARTICIPATION = {
    "programme": ref("programme", True),
    "start": day(True),
    "end": day(),
    # Sign is the participation rule's to judge (agir.rules.path.check_participation).
    "planned_hours": Field("number", low=-1),
    "attended_hours": Field("number", low=-1),
    "level_start": enum(enums.LEVELS),
    "level_end": enum(enums.LEVELS),
}
EVENT = {
    "kind": enum(enums.EVENT_KINDS, True),
    "date": day(True),
    "event": text(L["event.event"]),
    "programme": ref("programme"),  # optional extension, exported only when set
}
APPOINTMENT = {
    "structure": ref("structure", True),
    "start": moment(True),
    "minutes": integer(*enums.APPOINTMENT_MINUTES, required=True),
    "kind": enum(enums.APPOINTMENT_KINDS, True),
    "mode": enum(enums.APPOINTMENT_MODES, True),
    "interpreter": language(),
    "status": enum(enums.APPOINTMENT_STATUSES, True),
}
DOCUMENT = {
    "structure": ref("structure", True),
    "kind": enum(enums.DOCUMENT_KINDS, True),
    "date": day(True),
    "expires": day(),
    "filename": text(L["document.filename"], nonblank=True),
    "sha256": text(64, pattern=(SHA256_RE, "sha256")),
}
PERSON = {
    "ref": text(L["person.ref"], True),
    "department": ref("department", True),
    "household": text(L["person.household"], nonblank=True),
    "last_name": text(L["person.last_name"], True),
    "first_name": text(L["person.first_name"], True),
    "sex": enum(enums.SEXES, True),
    "birth_date": day(True),
    "nationality": text(L["person.nationality"], True, pattern=(NATIONALITY_RE, "nationality")),
    "status": enum(enums.STATUSES, True),
    "protection_date": day(),
    "first_permit_date": day(),
    "arrival_date": day(),
    "cir_date": day(),
    "permit_expiry": day(),
    "hosting": enum(enums.HOSTINGS),
    "language_level": enum(enums.LEVELS),
    "prior_programme": text(L["person.prior_programme"]),
    "phone": text(L["person.phone"]),
    "email": text(L["person.email"]),
    "accompaniments": items(ACCOMPANIMENT),
    "rights": items(RIGHT),
    "housing_steps": items({"kind": enum(enums.HOUSING_STEP_KINDS, True), "date": day(True),
                            "number": text(L["housing_step.number"])}),
    "housing": items({"kind": enum(enums.HOUSING_KINDS, True), "date": day(True)}),
    "jobs": items({"kind": enum(enums.JOB_KINDS, True), "start": day(True), "months": integer(-INT32_MAX)}),
    "trainings": items({"level": enum(enums.TRAINING_LEVELS, True), "start": day(True)}),
    "referrals": items(REFERRAL),
    "participations": items(PARTICIPATION),
    "events": items(EVENT),
    "notes": items({"date": day(True), "text": text(L["note.text"], required=True)}),
    # Optional extension: the structure that opened the file, exported only when the latest
    # accompaniment does not tell it (a file opened but not enrolled yet).
    "opened_by": ref("structure"),
    # Contract v2 (SPEC §3, §4.6, §4.7): optional on import, always exported.
    "languages": items({"code": language(True), "level": enum(enums.LANGUAGE_LEVELS, True)}),
    "interpreter": language(),
    "orientation": obj({"date": day(True), "source": enum(enums.ORIENTATION_SOURCES, True),
                        "structure": ref("structure", True)}),
    "appointments": items(APPOINTMENT),
    "documents": items(DOCUMENT),
}
SCHEMAS = {"department": DEPARTMENT, "structure": STRUCTURE, "programme": PROGRAMME, "person": PERSON}
