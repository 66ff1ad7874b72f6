"""Finding 7 of issue 13: a line with the same key twice, or a line that is not a JSON object (`null`, a
list, a number…), is an error `line N: record: …` in French; exit 1; nothing written."""
import json
import re

import pytest

from tests.interchange import sample
from tests.interchange.helpers import import_file, row_counts


def _valid_lines() -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in sample.records(sample.person(ref="OK1", household="OKH"))]


def _with_duplicate(text: str, key: str, value: str) -> str:
    """The JSON object `text` with `key` written a second time (as a JSON encoder never would)."""
    assert text.endswith("}")
    return text[:-1] + f', "{key}": {value}}}'


@pytest.mark.parametrize("key, value", [("last_name", '"Autre"'), ("ref", '"OK2"'), ("birth_date", '"1990-01-01"')])
def test_a_person_line_with_a_key_twice_is_refused(runner, tmp_path, app, key, value):
    lines = _valid_lines()
    number = len(lines)
    lines[-1] = _with_duplicate(lines[-1], key, value)
    before = row_counts(app)
    result = import_file(runner, tmp_path, lines)
    assert result.exit_code == 1, result.output
    assert f"line {number}: record: la clé « {key} » est présente deux fois" in result.stderr, result.stderr
    assert all(re.fullmatch(r"line \d+: [^ ]+: .+", line) for line in result.stderr.splitlines()), result.stderr
    assert row_counts(app) == before


def test_a_key_twice_inside_a_nested_object_is_refused(runner, tmp_path, app):
    record = sample.person(ref="OK1", household="OKH")
    text = json.dumps(record, ensure_ascii=False)
    first = json.dumps(record["accompaniments"][0], ensure_ascii=False)
    text = text.replace(first, _with_duplicate(first, "start", '"2023-01-01"'), 1)
    lines = _valid_lines()[:-1] + [text]
    before = row_counts(app)
    result = import_file(runner, tmp_path, lines)
    assert result.exit_code == 1
    assert f"line {len(lines)}: record: la clé « start » est présente deux fois" in result.stderr, result.stderr
    assert row_counts(app) == before


@pytest.mark.parametrize("line", ["null", "[]", "[1, 2]", "42", '"person"', "true", "false", "3.5"])
def test_a_line_that_is_not_an_object_is_refused(runner, tmp_path, app, line):
    lines = _valid_lines()
    lines.insert(2, line)
    before = row_counts(app)
    result = import_file(runner, tmp_path, lines)
    assert result.exit_code == 1, result.output
    assert "line 3: record: un enregistrement doit être un objet JSON ({…})" in result.stderr, result.stderr
    assert all(re.fullmatch(r"line \d+: [^ ]+: .+", line) for line in result.stderr.splitlines()), result.stderr
    assert row_counts(app) == before


def test_the_same_file_without_them_imports(runner, tmp_path, app):
    result = import_file(runner, tmp_path, _valid_lines())
    assert result.exit_code == 0, result.stderr
