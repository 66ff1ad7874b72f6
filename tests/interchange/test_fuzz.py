"""Property: whatever the lines, the importer answers with errors, never with an exception."""
import copy
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agir.extensions import db
from agir.interchange.importer import import_lines
from tests.interchange import sample

ERROR_LINE = re.compile(r"line \d+: [^\n]+: [^\n]+")
WORDS = ["2023-02-30", "2020-02-29", "2022-07-01", "9999-12-31", "0001-01-01", "refugee", "family", "cdi", "S1", "S2",
         "PR1", "33", "2A", "", " ", "\x00", "\ud800", "A1", "sport_event", "obtained", "NaN", "1e999"]


def _leaves():
    return (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
            | st.sampled_from(WORDS) | st.integers(min_value=-(2**70), max_value=2**70) | st.just(-(10**400)))


JSON = st.recursive(_leaves(), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8) | st.sampled_from(list(sample.PERSON)), inner, max_size=3),
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


@st.composite
def mutated_person(draw):
    """The valid sample person with one field replaced, deleted or added, anywhere."""
    record = copy.deepcopy(sample.PERSON)
    path = draw(st.sampled_from(PERSON_PATHS))
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
    from agir.generator import generate_lines
    from agir.interchange.validation import normalise_valid, validate_record

    lines = [json.loads(line) for line in generate_lines(300, seed=5)]
    lines.append(copy.deepcopy(sample.PERSON))
    persons = [data for data in lines if data["type"] == "person"]
    assert len(persons) > 300 - 1
    for data in lines:
        found = validate_record(data)
        assert found.errors == [], found.errors
        assert _typed(normalise_valid(data)) == _typed(found.record)
