"""Validation of one decoded JSON line against the schema of its type (agir/interchange/schema.py).

Unknown fields, JSON types, enum values, strict ISO dates, lengths, at any depth. It never raises:
it returns the normalised record (dates parsed, numbers as floats), the errors as
(field.path, French message) and the references the record makes to other records.
"""
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from agir.dates import in_range, parse_iso
from agir.interchange.schema import (
    DATE_RE,
    DATETIME_RE,
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
    result.record = _compiled(SCHEMAS[kind]).check(body, "", result)
    return result


def normalise_valid(data: dict) -> Node:
    """The record validate_record returns for a line it found valid, without checking it again.

    For the writer only, on lines the scan validated: dates parsed, numbers as floats, absent
    fields as None or [] — nothing is checked, so never call it on unchecked input.
    """
    return _compiled(SCHEMAS[data["type"]]).normal(data)


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


class _Invalid(Exception):
    """Raised inside the checkers, turned into one error at the field's path."""


def _check_str(spec: Field, value, parent: str, key: str, out: Validation):
    if not isinstance(value, str):
        raise _Invalid(MESSAGES["str"])
    if "\x00" in value:
        raise _Invalid(MESSAGES["bad_chars"])
    if not value.isascii():  # (isascii is immediate; most values are ASCII)
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


@lru_cache(maxsize=65536)
def _parse_datetime(value: str) -> tuple[datetime | None, str | None]:
    """(naive local datetime, None) or (None, message), for `YYYY-MM-DDTHH:MM` (Europe/Paris wall clock)."""
    if not DATETIME_RE.fullmatch(value):
        return None, MESSAGES["datetime"]
    day, error = _parse_date(value[:10])
    if error is not None:
        return None, MESSAGES["impossible_datetime"].format(value=value) if error != MESSAGES["date_range"] else error
    hours, minutes = int(value[11:13]), int(value[14:16])
    if hours > 23 or minutes > 59:
        return None, MESSAGES["impossible_datetime"].format(value=value)
    return datetime(day.year, day.month, day.day, hours, minutes), None


def _enum_error(spec: Field, value) -> str:
    return MESSAGES["enum"].format(value=quote(value), allowed=", ".join(map(str, spec.values)))


def _not_an_object(where: str, out: Validation):
    """An item of a list of objects that is not one."""
    out.errors.append((where, MESSAGES["object"]))
    return INVALID


# Compiled schemas ---------------------------------------------------------------------------
# Each schema of schema.py (records and the objects nested in them) becomes two generated
# functions, written once per process: `check(data, path, out)` validates an object and
# `normal(data)` normalises one already validated. A field is one straight block of code, where a
# walk over the schema looked up its spec and dispatched on its kind for every value of every line
# (a person line holds about a hundred values). The generated code does what the walk did, in the
# same order: unknown fields first (in the line's order), then each field of the schema in the
# schema's order; `_compiled(schema).source` shows it.

_ABSENT = object()  # a field missing from the line (None is a null)


class _Compiled:
    """The generated check and normal functions of one schema, and their source."""

    def __init__(self, schema: dict):
        self.namespace = {"Node": Node, "INVALID": INVALID, "_ABSENT": _ABSENT, "_Invalid": _Invalid,
                          "_path": _path, "_parse_date": _parse_date, "_parse_datetime": _parse_datetime,
                          "_enum_error": _enum_error,
                          "_not_an_object": _not_an_object, "MESSAGES": MESSAGES}
        check, normal = ["def check(data, path, out):"], ["def normal(data):"]
        keys = self._name(frozenset(schema), "keys")
        check += ["    errors = out.errors",
                  "    before = len(errors)",
                  f"    if not {keys}.issuperset(data):",
                  "        for key in data:",
                  f"            if key not in {keys}:",
                  "                errors.append((_path(path, key), MESSAGES['unknown']))",
                  "    node = Node()"]
        normal += ["    get = data.get",
                   "    node = Node()",
                   "    node.ok = True"]
        for key, spec in schema.items():
            check += self._check_field(key, spec)
            normal += self._normal_field(key, spec)
        check += ["    node.ok = len(errors) == before",
                  "    return node"]
        normal += ["    return node"]
        self.source = "\n".join(check + [""] + normal) + "\n"
        exec(compile(self.source, f"<schema {', '.join(schema)[:60]}>", "exec"), self.namespace)
        self.check, self.normal = self.namespace["check"], self.namespace["normal"]

    def _name(self, value, prefix: str) -> str:
        """A name for a constant of the generated code (spec, values, nested function)."""
        name = f"_{prefix}{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def _check_field(self, key: str, spec: Field) -> list[str]:
        k = repr(key)  # schema keys are plain identifiers
        joined = f"(f'{{path}}.{key}' if path else {k})"  # _path(path, key), inlined

        def fail(message: str) -> list[str]:
            """The lines recording an error of the field (`message`: an expression)."""
            return [f"            errors.append((_path(path, {k}), {message}))",
                    f"            node[{k}] = INVALID"]
        if spec.required:
            absent = [f"        errors.append((_path(path, {k}), MESSAGES['missing' if value is _ABSENT else 'null']))",
                      f"        node[{k}] = INVALID"]
        else:
            absent = [f"        node[{k}] = {'[]' if spec.kind == 'list' else 'None'}"]
        lines = [f"    value = data.get({k}, _ABSENT)",
                 "    if value is None or value is _ABSENT:", *absent,
                 "    else:"]
        if spec.kind in ("date", "datetime"):
            parse = "_parse_date" if spec.kind == "date" else "_parse_datetime"
            lines += ["        if isinstance(value, str):",
                      f"            parsed, error = {parse}(value)",
                      "        else:",
                      f"            parsed, error = None, MESSAGES[{spec.kind!r}]",
                      "        if error is None:",
                      f"            node[{k}] = parsed",
                      "        else:", *fail("error")]
        elif spec.kind == "enum":
            # type() guards against 2022.0 == 2022 and True == 1.
            kind, values = self._name(type(spec.values[0]), "type"), self._name(frozenset(spec.values), "values")
            lines += [f"        if type(value) is {kind} and value in {values}:",
                      f"            node[{k}] = value",
                      "        else:", *fail(f"_enum_error({self._name(spec, 'spec')}, value)")]
        elif spec.kind == "object":
            sub = self._name(_compiled(spec.schema).check, "check")
            lines += ["        if isinstance(value, dict):",
                      f"            node[{k}] = {sub}(value, {joined}, out)",
                      "        else:", *fail("MESSAGES['object']")]
        elif spec.kind == "list":
            sub = self._name(_compiled(spec.schema).check, "check")
            lines += ["        if not isinstance(value, list):", *fail("MESSAGES['list']"),
                      "        elif not value:",
                      f"            node[{k}] = []",
                      "        else:",
                      f"            where = {joined}",
                      f"            node[{k}] = [{sub}(item, f'{{where}}[{{i}}]', out) if isinstance(item, dict)",
                      "                         else _not_an_object(f'{where}[{i}]', out)",
                      "                         for i, item in enumerate(value)]"]
        else:  # str, ref, int, number, bool: their checker raises _Invalid with the message
            checker = self._name(_CHECKERS[spec.kind], "checker")
            lines += ["        try:",
                      f"            node[{k}] = {checker}({self._name(spec, 'spec')}, value, path, {k}, out)",
                      "        except _Invalid as exc:", *fail("exc.args[0]")]
        return lines

    def _normal_field(self, key: str, spec: Field) -> list[str]:
        k = repr(key)
        if spec.kind == "date":
            value = "_parse_date(value)[0]"
        elif spec.kind == "datetime":
            value = "_parse_datetime(value)[0]"
        elif spec.kind == "number":
            value = "float(value)"
        elif spec.kind == "object":
            value = f"{self._name(_compiled(spec.schema).normal, 'normal')}(value)"
        elif spec.kind == "list":
            value = f"[{self._name(_compiled(spec.schema).normal, 'normal')}(item) for item in value]"
        else:
            return [f"    node[{k}] = get({k})"]
        return [f"    value = get({k})",
                f"    node[{k}] = {'[]' if spec.kind == 'list' else 'None'} if value is None else {value}"]


_COMPILED: dict[int, _Compiled] = {}


def _compiled(schema: dict) -> _Compiled:
    """The compiled functions of a schema (the schemas are module constants: compiled once)."""
    compiled = _COMPILED.get(id(schema))
    if compiled is None:
        compiled = _COMPILED[id(schema)] = _Compiled(schema)
    return compiled


_CHECKERS = {"str": _check_str, "ref": _check_str, "int": _check_int, "number": _check_number, "bool": _check_bool}


def usable(node, *keys) -> bool:
    """True when the node and the named values are valid (rule checks skip the rest)."""
    if not isinstance(node, Node):
        return False
    if node.ok:  # nothing inside it was invalid: the usual case, asked ~15 times per person
        return True
    return all(node.get(key) is not INVALID for key in keys)
