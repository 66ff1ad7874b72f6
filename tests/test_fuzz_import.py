"""Robustness of the import: random lines and mutations of a valid generated file never raise.

A file is either imported or refused with `line N: field.path: message` errors and nothing written; no
input — malformed JSON, wrong types, huge numbers, NaN, unknown keys, invalid UTF-8 — may end in an
exception (a traceback for the person running `agir import`).
"""
import copy
import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from agir.demo.generator import generate_lines
from agir.extensions import db
from agir.interchange.importer import import_lines
from models import Department, Person

BASE = [json.loads(line) for line in generate_lines(2, seed=7, departments=1, today=date(2025, 6, 1))]
ERROR = re.compile(r"line ([1-9]\d*): \S")
SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.just(10**400),
    st.sampled_from(["2023-02-30", "2024-02-29", "2023-13-01", "23-01-01", "2023-1-1", "", "33", "P0000001",
                     "refugee", "agir_operator", "cdi", "obtained", "\x00", "9" * 30]),
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                          max_size=3), max_leaves=10)
GARBAGE = st.one_of(
    st.text(max_size=40),
    JSON.map(json.dumps),
    st.binary(max_size=40),
    st.sampled_from(["{", "}", "[]", "null", "{}", '{"type": null}', '{"type": "person"}', '{"type": "unknown"}',
                     "\ufeff{}", "   ", '{"type": "department", "code": "33"}', '{"type": "person", "ref": 1}',
                     '{"type": "structure", "ref": "S33-01", "extra": {"deep": [1, 2]}}', "NaN", '"text"',
                     b"\xff\xfe{}".decode("latin-1"), '{"type":"person"' + "," * 3 + "}"]),
)


def key_paths(node, prefix=()):
    """Every (path) to a value inside a record."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from key_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield prefix + (index,)
            yield from key_paths(value, prefix + (index,))


def at(record, path):
    for step in path:
        record = record[step]
    return record


@st.composite
def mutated_files(draw) -> list:
    """The valid file with one to three values replaced, removed or added, and perhaps garbage lines."""
    records = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        record = records[draw(st.integers(0, len(records) - 1))]
        path = draw(st.sampled_from(list(key_paths(record))))
        parent, key = at(record, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[key] = draw(JSON)
        elif action == "remove":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON)
        else:
            parent.append(draw(JSON))
    lines: list = [json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(GARBAGE))
    if draw(st.booleans()):
        lines = [line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line for line in lines]
    return lines


def check(lines, dry_run: bool) -> None:
    before = db.session.scalar(select(func.count(Person.id)))
    try:
        result = import_lines(lines, dry_run=dry_run)
    finally:
        db.session.rollback()
    assert isinstance(result.errors, list) and isinstance(result.counts, dict)
    for error in result.errors:
        match = ERROR.match(error)
        assert match, f"badly formed error: {error!r}"
        assert int(match.group(1)) <= len(lines), error
        assert "\n" not in error
    assert db.session.scalar(select(func.count(Person.id))) == before


def _record(kind: str) -> int:
    return next(i for i, r in enumerate(BASE) if r["type"] == kind)


@pytest.mark.parametrize("where", ["total_cost", "p104_subsidy", "sessions.hours", "planned_hours", "attended_hours",
                                   "target_beneficiaries", "max_months"])
@pytest.mark.parametrize("huge", [10**400, -(10**400), 1e308 * 10], ids=["10**400", "-10**400", "Infinity"])
def test_huge_numbers_are_errors_not_exceptions(app_ctx, where, huge):
    # A 400-digit integer is valid JSON; float() of it overflows.
    records = copy.deepcopy(BASE)
    programme = records[_record("programme")]
    person = records[_record("person")]
    if where == "sessions.hours":
        programme["sessions"][0]["hours"] = huge
    elif where in ("planned_hours", "attended_hours"):
        person["participations"] = [{"programme": programme["ref"], "start": programme["start"], "end": None,
                                     "planned_hours": 10.0, "attended_hours": 5.0, "level_start": None,
                                     "level_end": None, where: huge}]
    elif where == "max_months":
        records[0]["max_months"] = huge
    else:
        programme[where] = huge
    lines = [json.dumps(r) for r in records]
    check(lines, dry_run=False)
    assert import_lines(lines, dry_run=True).errors
    db.session.rollback()


def test_the_generated_file_is_valid_to_start_with(app_ctx):
    result = import_lines([json.dumps(r) for r in BASE], dry_run=True)
    db.session.rollback()
    assert result.errors == [] and result.counts["person"] == 2


@SETTINGS
@given(lines=mutated_files(), dry_run=st.booleans())
def test_a_mutated_file_never_raises(app_ctx, lines, dry_run):
    check(lines, dry_run)


@SETTINGS
@given(lines=st.lists(GARBAGE, max_size=6))
def test_random_lines_never_raise(app_ctx, lines):
    check(lines, dry_run=False)


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=mutated_files())
def test_the_command_answers_0_or_1_and_never_a_traceback(app_ctx, runner, tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "file.jsonl"
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
                                for line in lines))
    departments = db.session.scalar(select(func.count(Department.id)))
    result = runner.invoke(args=["agir", "import", "--dry-run", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count(Department.id))) == departments
