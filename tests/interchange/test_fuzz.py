"""Property: whatever the lines, the importer answers with errors, never with an exception."""
import copy
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agir.extensions import db
from agir.interchange import validation
from agir.interchange.importer import import_lines
from tests.interchange import sample

ERROR_LINE = re.compile(r"line \d+: [^\n]+: [^\n]+")
WORDS = ["2023-02-30", "2020-02-29", "2022-07-01", "9999-12-31", "0001-01-01", "refugee", "family", "cdi", "S1", "S2",
         "PR1", "33", "2A", "", " ", "\x00", "\ud800", "A1", "sport_event", "obtained", "NaN", "1e999",
         # contract v2
         "2022-06-20T10:00", "2022-03-27T02:30", "2022-06-20T24:00", "2099-01-01T09:00", "prs", "PRS", "fa", "honoured",
         "done", "open", "high", "ofii", "a" * 64, "75", "84"]


def _leaves():
    return (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
            | st.sampled_from(WORDS) | st.integers(min_value=-(2**70), max_value=2**70) | st.just(-(10**400)))


JSON = st.recursive(_leaves(), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8) | st.sampled_from(list(sample.v2_person())), inner,
                                      max_size=3),
                    max_leaves=12)


def _paths(value, prefix=()):
    """Every (keys…) path inside a record."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PERSON_PATHS = [p for p in _paths(sample.PERSON) if p]
# The person of the contract's second version (languages, orientation, appointments, documents, diagnostic…).
V2_PERSON = sample.v2_person()
V2_PATHS = [p for p in _paths(V2_PERSON) if p]


@st.composite
def mutated_person(draw):
    """A valid sample person (v1 or v2) with one field replaced, deleted or added, anywhere."""
    v2 = draw(st.booleans())
    record = copy.deepcopy(V2_PERSON if v2 else sample.PERSON)
    path = draw(st.sampled_from(V2_PATHS if v2 else PERSON_PATHS))
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(JSON)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8))] = draw(JSON)
    return json.dumps(record, ensure_ascii=draw(st.booleans()))


LINES = st.lists(st.one_of(mutated_person(), st.text(max_size=40), JSON.map(json.dumps),
                           st.binary(max_size=30)), min_size=1, max_size=4)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(lines=LINES, with_reference=st.booleans())
def test_the_importer_never_raises_on_any_line(app_ctx, lines, with_reference):
    head = sample.dumps([sample.DEPARTMENT, *sample.STRUCTURES, sample.PROGRAMME]) if with_reference else []
    try:
        result = import_lines(head + lines)
        assert all(ERROR_LINE.fullmatch(error) for error in result.errors), result.errors
        if result.errors:
            assert result.counts == {}
    finally:
        db.session.rollback()


def _typed(value):
    """A value with the type of every leaf (12 and 12.0 differ here, unlike with ==)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def test_the_writer_normalises_a_valid_line_exactly_as_the_validation_does():
    """The writer skips the second validation (normalise_valid): same record, to the type of each value."""
    from agir.demo.generator import generate_lines
    from agir.interchange.validation import normalise_valid, validate_record

    lines = [json.loads(line) for line in generate_lines(300, seed=5)]
    lines += [copy.deepcopy(sample.PERSON), copy.deepcopy(V2_PERSON)]
    persons = [data for data in lines if data["type"] == "person"]
    assert len(persons) > 300 - 1
    for data in lines:
        found = validate_record(data)
        assert found.errors == [], found.errors
        assert _typed(normalise_valid(data)) == _typed(found.record)


# The compiled validation (generated code per schema) against the plain walk over the schema it
# replaced, kept here as the oracle: same record, same errors in the same order, same refs.

def _plain_object(schema, data, path, out):
    from agir.interchange.validation import MESSAGES, Node, _path
    before = len(out.errors)
    node = Node()
    for key in data:
        if key not in schema:
            out.errors.append((_path(path, key), MESSAGES["unknown"]))
    for key, spec in schema.items():
        if key in data:
            node[key] = _plain_value(spec, data[key], path, key, out)
        elif spec.required:
            out.errors.append((_path(path, key), MESSAGES["missing"]))
            node[key] = validation.INVALID
        else:
            node[key] = [] if spec.kind == "list" else None
    node.ok = len(out.errors) == before
    return node


def _plain_value(spec, value, parent, key, out):
    from agir.interchange.validation import _CHECKERS, MESSAGES, _Invalid, _parse_date, _parse_datetime, _path, quote
    if value is None:
        if spec.required:
            out.errors.append((_path(parent, key), MESSAGES["null"]))
            return validation.INVALID
        return [] if spec.kind == "list" else None
    try:
        if spec.kind in _CHECKERS:
            return _CHECKERS[spec.kind](spec, value, parent, key, out)
        if spec.kind in ("date", "datetime"):
            if not isinstance(value, str):
                raise _Invalid(MESSAGES[spec.kind])
            parsed, error = (_parse_date if spec.kind == "date" else _parse_datetime)(value)
            if error is not None:
                raise _Invalid(error)
            return parsed
        if spec.kind == "enum":
            if type(value) is not type(spec.values[0]) or value not in spec.values:
                raise _Invalid(MESSAGES["enum"].format(value=quote(value), allowed=", ".join(map(str, spec.values))))
            return value
        if spec.kind == "object":
            if not isinstance(value, dict):
                raise _Invalid(MESSAGES["object"])
            return _plain_object(spec.schema, value, _path(parent, key), out)
        assert spec.kind == "list"
        if not isinstance(value, list):
            raise _Invalid(MESSAGES["list"])
        path, result = _path(parent, key), []
        for index, item in enumerate(value):
            where = _path(path, index)
            if isinstance(item, dict):
                result.append(_plain_object(spec.schema, item, where, out))
            else:
                out.errors.append((where, MESSAGES["object"]))
                result.append(validation.INVALID)
        return result
    except _Invalid as exc:
        out.errors.append((_path(parent, key), exc.args[0]))
    return validation.INVALID


def _shape(value):
    """_typed, with INVALID and each node's `ok` made visible."""
    if value is validation.INVALID:
        return "INVALID"
    if isinstance(value, validation.Node):
        return ("node", value.ok, {key: _shape(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return (type(value).__name__, value)


RECORDS = st.one_of(mutated_person().map(json.loads), JSON,
                    st.sampled_from([sample.DEPARTMENT, *sample.STRUCTURES, sample.PROGRAMME]).flatmap(
                        lambda record: st.dictionaries(st.sampled_from(list(record)), JSON, max_size=3).map(
                            lambda changes: {**record, **changes})))


@settings(max_examples=400, deadline=None)
@given(data=RECORDS)
def test_the_compiled_validation_finds_what_the_plain_walk_over_the_schema_finds(data):
    from agir.interchange.schema import SCHEMAS
    found = validation.validate_record(data)
    if found.type is None:
        return
    plain = validation.Validation(found.type, None, [], [])
    plain.record = _plain_object(SCHEMAS[found.type], {k: v for k, v in data.items() if k != "type"}, "", plain)
    assert found.errors == plain.errors
    assert found.refs == plain.refs
    assert _shape(found.record) == _shape(plain.record)
