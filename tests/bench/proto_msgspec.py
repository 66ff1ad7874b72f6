"""Prototype (issue 14 item 6): msgspec, strict, as the declarative schema of the person record, against the
generated validator of agir/interchange/validation.py. Time only, on the person lines of a generated file,
and what its errors say. msgspec is not a dependency of the project: install it aside to run this, e.g.

    .venv/bin/pip install --target /tmp/msgspec_pkg msgspec==0.22.0
    PYTHONPATH=/tmp/msgspec_pkg .venv/bin/python tests/bench/proto_msgspec.py --persons 20000

The msgspec types are derived from the same schema (agir/interchange/schema.py), so both check the same
fields: unknown fields refused, JSON types, enums (Literal), lengths, patterns, integer bounds, dates
(msgspec parses ISO dates itself; the local date-times `YYYY-MM-DDTHH:MM` are checked by pattern).
Not expressed in msgspec: « non blank » strings, the NUL / lone-surrogate check, the date range of
agir.dates.in_range and the impossible local times (they would be checked after decoding).
"""
import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402  (installed aside, see the docstring)

from agir.interchange import schema  # noqa: E402
from agir.interchange.validation import validate_record  # noqa: E402

_TYPES: dict[int, type] = {}


def _field_type(name: str, spec: schema.Field):
    meta = {}
    if spec.kind in ("str", "ref"):
        if spec.max_length is not None:
            meta["max_length"] = spec.max_length
        if spec.pattern is not None and isinstance(spec.pattern[0], schema.re.Pattern):
            meta["pattern"] = f"^(?:{spec.pattern[0].pattern})$"
        kind = Annotated[str, msgspec.Meta(**meta)] if meta else str
    elif spec.kind == "int":
        kind = Annotated[int, msgspec.Meta(ge=spec.low, le=spec.high)]
    elif spec.kind == "number":
        kind = Annotated[float, msgspec.Meta(ge=0, le=10**15)]
    elif spec.kind == "bool":
        kind = bool
    elif spec.kind == "date":
        kind = date
    elif spec.kind == "datetime":
        kind = Annotated[str, msgspec.Meta(pattern=f"^{schema.DATETIME_RE.pattern}$")]
    elif spec.kind == "enum":
        kind = Literal[tuple(spec.values)]
    elif spec.kind == "object":
        kind = struct_of(name, spec.schema)
    else:  # list
        kind = list[struct_of(name, spec.schema)]
    if spec.kind == "list":
        return (name, kind | None, None)
    return (name, kind) if spec.required else (name, kind | None, None)


def struct_of(name: str, fields: dict) -> type:
    """A msgspec Struct (unknown fields forbidden) for one schema of schema.py."""
    found = _TYPES.get(id(fields))
    if found is None:
        members = [_field_type(key, spec) for key, spec in fields.items()]
        members.sort(key=len)  # required (no default) first, as Python requires
        found = _TYPES[id(fields)] = msgspec.defstruct(name.title().replace("_", ""), members,
                                                       forbid_unknown_fields=True, kw_only=True)
    return found


def person_type() -> type:
    fields = dict(schema.PERSON, type=schema.Field("enum", True, values=("person",)))
    return struct_of("person", fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--file", default=None, help="a generated file (default: generated here)")
    args = parser.parse_args()
    if args.file:
        lines = [line for line in Path(args.file).read_bytes().splitlines() if b'"type": "person"' in line
                 or b'"type":"person"' in line][:args.persons]
    else:
        from agir.demo.generator import generate_lines
        lines = [line.encode() for line in generate_lines(args.persons, seed=8, departments=8,
                                                             today=date(2026, 12, 5)) if '"person"' in line[:40]]
    decoder = msgspec.json.Decoder(person_type(), strict=True)

    def generated():
        for line in lines:
            found = validate_record(json.loads(line))
            assert not found.errors, found.errors

    def declarative():
        for line in lines:
            decoder.decode(line)

    times: dict[str, list[float]] = {"generated validator (json.loads + validate_record)": [],
                                     "msgspec strict (decode into Structs)": []}
    for _ in range(args.rounds):  # alternated, same lines
        for times_of, run in zip(times.values(), (generated, declarative), strict=True):
            start = time.process_time()
            run()
            times_of.append(time.process_time() - start)
    print(f"{len(lines)} person lines, {args.rounds} rounds alternated, CPU seconds (median, min):")
    for label, values in times.items():
        print(f"  {label}: {statistics.median(values):.3f} s, {min(values):.3f} s")
    # Errors: one broken line, three faults.
    broken = json.loads(lines[0])
    broken["sex"] = "X"
    broken["birth_date"] = "1995-02-30"
    broken["accompaniments"] = [{"structure": 12}]
    print("generated validator:", validate_record(broken).errors)
    try:
        decoder.decode(json.dumps(broken).encode())
    except msgspec.ValidationError as exc:
        print("msgspec:", str(exc))


if __name__ == "__main__":
    main()
