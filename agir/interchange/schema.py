"""The shape of the interchange records (INTERCHANGE.md), field by field, at any depth.

`validate_record` checks one decoded JSON line against the schema of its type: unknown fields,
JSON types, enum values, strict ISO dates, lengths. It never raises: it returns the normalised
record (dates parsed, numbers as floats), the errors as (field.path, French message) and the
references the record makes to other records (for the importer to resolve).
Rules of SPEC §4 are not here: they live in agir/rules and are applied by agir/interchange/checks.py.
"""
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from agir.dates import parse_iso
from models import enums

# A value that failed validation; rule checks skip what depends on it.
INVALID = object()

RECORD_TYPES = ("department", "structure", "programme", "person")
# The field that identifies a record of each type (its `ref`).
KEY_FIELDS = {"department": "code", "structure": "ref", "programme": "ref", "person": "ref"}
INT32_MAX = 2_147_483_647
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))
# INSEE codes: 01–95 (no 20: Corsica is 2A and 2B), 2A, 2B, overseas 971–976 (as the admin forms accept).
DEPARTMENT_CODE_RE = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6]")
NATIONALITY_RE = re.compile(r"[A-Z]{3}")
SIMPLE_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

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
    "date_range": "date hors de la plage admise (1900-01-01 à 2199-12-31)",
    "enum": "valeur inconnue {value} (valeurs admises : {allowed})",
    "department_code": "code de département INSEE invalide (ex. « 33 », « 2A », « 974 »)",
    "nationality": "code pays ISO 3166 alpha-3 attendu (trois lettres majuscules, ex. « AFG »)",
}


@dataclass(frozen=True)
class Field:
    """How one field is checked: its kind and constraints."""

    kind: str  # str, ref, int, number, bool, date, enum, object, list
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
    "code": text(3, True, pattern=(DEPARTMENT_CODE_RE, "department_code")),
    "name": text(120, True),
    "agir_start": day(),
    "agir_wave": enum(enums.DEPARTMENT_WAVES),
    "max_months": integer(),
}
STRUCTURE = {
    "ref": text(64, True),
    "name": text(200, True),
    "department": ref("department", True),
    "kind": enum(enums.STRUCTURE_KINDS, True),
}
SESSION = {"date": day(True), "hours": number(True)}
PROGRAMME = {
    "ref": text(64, True),
    "name": text(200, True),
    "theme": enum(enums.THEMES, True),
    "structure": ref("structure", True),
    "department": ref("department", True),
    "start": day(True),
    "end": day(),
    "target_beneficiaries": integer(),
    "total_cost": number(),
    "p104_subsidy": number(),
    "carif_oref_ref": text(64),
    "sessions": items(SESSION),
}
EXIT = {
    "date": day(True),
    "reason": enum(enums.EXIT_REASONS, True),
    "job": obj({"kind": enum(enums.JOB_KINDS, True), "months": integer(-INT32_MAX)}),
    "training": obj({"level": enum(enums.TRAINING_LEVELS, True)}),
    "followup": obj({"date": day(True), "positive": boolean(True)}),
}
ACCOMPANIMENT = {
    "structure": ref("structure", True),
    "start": day(True),
    "planned_end": day(True),
    # The reason's emptiness is the extension rule's to judge (agir.rules.durations).
    "extensions": items({"date": day(True), "planned_end": day(True), "reason": text(required=True, nonblank=False)}),
    "exit": obj(EXIT),
}
RIGHT = {
    "kind": enum(enums.RIGHT_KINDS, True),
    "state": enum(enums.RIGHT_STATES, True),
    "requested": day(),
    "obtained": day(),
    "refused": day(),
    "reason": text(),
}
REFERRAL = {
    "programme": ref("programme", True),
    "sent": day(), "accepted": day(), "refused": day(), "refusal_reason": text(),
    "started": day(), "completed": day(), "dropped_out": day(), "cancelled": day(),
    # Optional extensions of the contract, exported only when set.
    "need": text(300),
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
    "event": text(64),
    "programme": ref("programme"),  # optional extension, exported only when set
}
PERSON = {
    "ref": text(64, True),
    "department": ref("department", True),
    "household": text(64, nonblank=True),
    "last_name": text(120, True),
    "first_name": text(120, True),
    "sex": enum(enums.SEXES, True),
    "birth_date": day(True),
    "nationality": text(3, True, pattern=(NATIONALITY_RE, "nationality")),
    "status": enum(enums.STATUSES, True),
    "protection_date": day(),
    "first_permit_date": day(),
    "arrival_date": day(),
    "cir_date": day(),
    "permit_expiry": day(),
    "hosting": enum(enums.HOSTINGS),
    "language_level": enum(enums.LEVELS),
    "prior_programme": text(200),
    "phone": text(40),
    "email": text(200),
    "accompaniments": items(ACCOMPANIMENT),
    "rights": items(RIGHT),
    "housing_steps": items({"kind": enum(enums.HOUSING_STEP_KINDS, True), "date": day(True), "number": text(64)}),
    "housing": items({"kind": enum(enums.HOUSING_KINDS, True), "date": day(True)}),
    "jobs": items({"kind": enum(enums.JOB_KINDS, True), "start": day(True), "months": integer(-INT32_MAX)}),
    "trainings": items({"level": enum(enums.TRAINING_LEVELS, True), "start": day(True)}),
    "referrals": items(REFERRAL),
    "participations": items(PARTICIPATION),
    "events": items(EVENT),
    "notes": items({"date": day(True), "text": text(required=True)}),
    # Optional extension: the structure that opened the file, exported only when the latest
    # accompaniment does not tell it (a file opened but not enrolled yet).
    "opened_by": ref("structure"),
}
SCHEMAS = {"department": DEPARTMENT, "structure": STRUCTURE, "programme": PROGRAMME, "person": PERSON}


class Node(dict):
    """A normalised object; `ok` is False when it or anything inside it was invalid."""

    __slots__ = ("ok",)


@dataclass
class Validation:
    """What validate_record found in one line."""

    type: str | None
    record: Node | None
    errors: list[tuple[str, str]]
    refs: list[tuple[str, str, str]]  # (field.path, target type, ref)


def validate_record(data) -> Validation:
    """Check one decoded JSON line; never raises."""
    result = Validation(None, None, [], [])
    if not isinstance(data, dict):
        result.errors.append(("record", "un enregistrement doit être un objet JSON ({…})"))
        return result
    kind = data.get("type")
    if "type" not in data or kind is None:
        result.errors.append(("type", MESSAGES["missing"]))
        return result
    if not isinstance(kind, str) or kind not in SCHEMAS:
        result.errors.append(("type", MESSAGES["enum"].format(value=quote(kind), allowed=", ".join(RECORD_TYPES))))
        return result
    result.type = kind
    body = {k: v for k, v in data.items() if k != "type"}
    result.record = _object(SCHEMAS[kind], body, "", result)
    return result


def _path(parent: str, key) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if not SIMPLE_KEY_RE.fullmatch(key):
        return f"{parent}[{json.dumps(key)}]"  # an odd unknown key, quoted and escaped on one line
    return f"{parent}.{key}" if parent else key


def quote(value) -> str:
    """A value shown in a message: « text » for strings, on one line, at most 60 characters."""
    # Escaped control characters keep the message on one line; lone surrogates cannot be printed.
    shown = json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, str):
        shown = f"« {shown[1:-1]} »"
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _object(schema: dict, data: dict, path: str, out: Validation) -> Node:
    before = len(out.errors)
    node = Node()
    for key in data:
        if key not in schema:
            out.errors.append((_path(path, key), MESSAGES["unknown"]))
    for key, spec in schema.items():
        if key in data:
            node[key] = _value(spec, data[key], path, key, out)
        elif spec.required:
            out.errors.append((_path(path, key), MESSAGES["missing"]))
            node[key] = INVALID
        else:
            node[key] = [] if spec.kind == "list" else None
    node.ok = len(out.errors) == before
    return node


def _value(spec: Field, value, parent: str, key: str, out: Validation):
    """The normalised value of one field (its path is only built when needed: errors, nesting, refs)."""
    if value is None:
        if spec.required:
            out.errors.append((_path(parent, key), MESSAGES["null"]))
            return INVALID
        return [] if spec.kind == "list" else None
    try:
        return _CHECKERS[spec.kind](spec, value, parent, key, out)
    except _Invalid as exc:
        out.errors.append((_path(parent, key), exc.args[0]))
    return INVALID


class _Invalid(Exception):
    """Raised inside the checkers, turned into one error at the field's path."""


def _check_str(spec: Field, value, parent: str, key: str, out: Validation):
    if not isinstance(value, str):
        raise _Invalid(MESSAGES["str"])
    if "\x00" in value:
        raise _Invalid(MESSAGES["bad_chars"])
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored
        raise _Invalid(MESSAGES["bad_chars"]) from None
    if spec.nonblank and not value.strip():
        raise _Invalid(MESSAGES["blank"])
    if spec.pattern is not None and not spec.pattern[0].fullmatch(value):
        raise _Invalid(MESSAGES[spec.pattern[1]])
    if spec.max_length is not None and len(value) > spec.max_length:
        raise _Invalid(MESSAGES["too_long"].format(n=spec.max_length))
    if spec.kind == "ref":
        out.refs.append((_path(parent, key), spec.ref, value))
    return value


def _check_int(spec: Field, value, parent: str, key: str, out: Validation):
    if type(value) is not int:
        raise _Invalid(MESSAGES["int"])
    if not spec.low <= value <= spec.high:
        raise _Invalid(MESSAGES["int_range"].format(low=spec.low, high=spec.high))
    return value


def _check_number(spec: Field, value, parent: str, key: str, out: Validation):
    if type(value) not in (int, float) or not math.isfinite(value) or abs(value) > 1e15:
        raise _Invalid(MESSAGES["number"])
    if value < 0 and spec.low >= 0:
        raise _Invalid(MESSAGES["negative"])
    return float(value)


def _check_bool(spec: Field, value, parent: str, key: str, out: Validation):
    if type(value) is not bool:
        raise _Invalid(MESSAGES["bool"])
    return value


def _check_date(spec: Field, value, parent: str, key: str, out: Validation):
    if not isinstance(value, str):
        raise _Invalid(MESSAGES["date"])
    parsed, error = _parse_date(value)
    if error is not None:
        raise _Invalid(error)
    return parsed


@lru_cache(maxsize=65536)
def _parse_date(value: str) -> tuple[date | None, str | None]:
    """(date, None) or (None, message); cached, since a file repeats the same dates a lot."""
    if not DATE_RE.fullmatch(value):
        return None, MESSAGES["date"]
    try:
        parsed = parse_iso(value)
    except ValueError:
        return None, MESSAGES["impossible_date"].format(value=value)
    if not DATE_RANGE[0] <= parsed <= DATE_RANGE[1]:
        return None, MESSAGES["date_range"]
    return parsed, None


def _check_enum(spec: Field, value, parent: str, key: str, out: Validation):
    # type() guards against 2022.0 == 2022 and True == 1.
    if type(value) is not type(spec.values[0]) or value not in spec.values:
        raise _Invalid(MESSAGES["enum"].format(value=quote(value), allowed=", ".join(map(str, spec.values))))
    return value


def _check_object(spec: Field, value, parent: str, key: str, out: Validation):
    if not isinstance(value, dict):
        raise _Invalid(MESSAGES["object"])
    return _object(spec.schema, value, _path(parent, key), out)


def _check_list(spec: Field, value, parent: str, key: str, out: Validation):
    if not isinstance(value, list):
        raise _Invalid(MESSAGES["list"])
    path = _path(parent, key)
    result = []
    for index, item in enumerate(value):
        where = _path(path, index)
        if isinstance(item, dict):
            result.append(_object(spec.schema, item, where, out))
        else:
            out.errors.append((where, MESSAGES["object"]))
            result.append(INVALID)
    return result


_CHECKERS = {
    "str": _check_str, "ref": _check_str, "int": _check_int, "number": _check_number,
    "bool": _check_bool, "date": _check_date, "enum": _check_enum, "object": _check_object,
    "list": _check_list,
}


def usable(node, *keys) -> bool:
    """True when the node and the named values are valid (rule checks skip the rest)."""
    return isinstance(node, Node) and all(node.get(k) is not INVALID for k in keys)
