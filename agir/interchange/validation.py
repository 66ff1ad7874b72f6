"""Validation of one decoded JSON line against the schema of its type (agir/interchange/schema.py).

Unknown fields, JSON types, enum values, strict ISO dates, lengths, at any depth. It never raises:
it returns the normalised record (dates parsed, numbers as floats), the errors as
(field.path, French message) and the references the record makes to other records.
"""
import json
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from agir.dates import in_range, parse_iso
from agir.interchange.schema import (
    DATE_RE,
    MESSAGES,
    RECORD_TYPES,
    SCHEMAS,
    SIMPLE_KEY_RE,
    Field,
)

# A value that failed validation; rule checks skip what depends on it.
INVALID = object()
MAX_NUMBER = 10**15  # hours and euros beyond this are typing errors


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


def normalise_valid(data: dict) -> Node:
    """The record validate_record returns for a line it found valid, without checking it again.

    For the writer only, on lines the scan validated: dates parsed, numbers as floats, absent
    fields as None or [] — nothing is checked, so never call it on unchecked input.
    """
    return _normal(SCHEMAS[data["type"]], data)


def _normal(schema: dict, data: dict) -> Node:
    node = Node()
    node.ok = True
    get = data.get
    for key, kind, sub in _plan(id(schema), schema):
        value = get(key)
        if value is None:
            node[key] = [] if kind == "list" else None
        elif kind == "date":
            node[key] = _parse_date(value)[0]
        elif kind == "number":
            node[key] = float(value)
        elif kind == "object":
            node[key] = _normal(sub, value)
        elif kind == "list":
            node[key] = [_normal(sub, item) for item in value]
        else:
            node[key] = value
    return node


_PLANS: dict[int, tuple] = {}


def _plan(key: int, schema: dict) -> tuple:
    """(field, kind, nested schema) of a schema, computed once (the schemas are module constants)."""
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = tuple((name, spec.kind, spec.schema) for name, spec in schema.items())
    return plan


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
    if type(value) not in (int, float) or abs(value) > MAX_NUMBER or not math.isfinite(value):
        raise _Invalid(MESSAGES["number"])  # abs() first: math.isfinite(10**400) overflows
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
        parsed = parse_iso(value, bounded=False)
    except ValueError:
        return None, MESSAGES["impossible_date"].format(value=value)
    if not in_range(parsed):
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
