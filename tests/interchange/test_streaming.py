"""The import reads its file again for each pass instead of holding it (issue 21, item 1).

The scan keeps refs, forward references and small facts; the check pass reads again the lines of
the persons left for it; the write pass reads the file again and writes; all in one transaction.
"""
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from agir.extensions import db
from agir.interchange import source
from agir.interchange.checks import AccompanimentFacts, PersonFacts
from agir.interchange.importer import ChangedFile, import_lines
from models import Accompaniment, Person, Referral
from tests.interchange import sample
from tests.interchange.helpers import row_counts


class CountedSource:
    """A source read again at each call, counting the calls (the passes over the file)."""

    def __init__(self, lines):
        self.lines = lines
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return iter(self.lines)


def test_a_valid_file_is_read_once_to_validate_and_once_to_write(app_ctx):
    lines = sample.generated_lines(5)
    src = CountedSource(lines)
    result = import_lines(src)
    assert result.ok and result.counts["person"] == 5
    assert src.calls == 2  # the scan, the write: no line kept in between
    assert db.session.scalar(select(func.count(Person.id))) == 5


def test_a_dry_run_reads_the_file_once(app_ctx):
    src = CountedSource(sample.generated_lines(3))
    assert import_lines(src, dry_run=True).ok
    assert src.calls == 1


def test_persons_before_their_structures_are_checked_from_the_file_read_again_and_written_in_order(app_ctx):
    # P-A is checked by the scan; P-B names S3 before its line (checked by the check pass); P-C after.
    a = sample.person(ref="PA", household="HA")
    b = sample.person(ref="PB", household="HB", last_name="Karimi")
    b["accompaniments"][0]["structure"] = "S3"
    c = sample.person(ref="PC", household="HC", last_name="Haidari")
    s1, s2, s3 = sample.STRUCTURES
    lines = sample.dumps([sample.DEPARTMENT, s1, s2, sample.PROGRAMME, a, b, s3, c])
    src = CountedSource(lines)
    result = import_lines(src)
    assert result.ok, result.errors
    assert src.calls == 3  # scan, the deferred person's line again, write
    kinds = dict(db.session.execute(select(Person.ref, Accompaniment.kind).join(Accompaniment)).all())
    assert kinds == {"PA": "agir", "PB": "project", "PC": "agir"}
    states = set(db.session.scalars(select(Referral.state)))
    assert states == {"started"}
    # The same file as a list gives the same result (the oracle: the lines given at once).
    db.session.rollback()
    assert import_lines(lines).counts == result.counts


def test_errors_are_the_same_from_a_file_and_from_the_lines(app_ctx, tmp_path):
    bad = sample.person(ref="PB", sex="X")
    bad["referrals"][0]["programme"] = "NOPE"
    lines = sample.dumps([sample.person(ref="P0"), *sample.records(bad), sample.person(ref="PB")])
    lines.insert(2, "{not json")
    path = tmp_path / "file.jsonl"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8") + b"\xff\xfe\n")
    from_file = import_lines(path, dry_run=True).errors
    assert from_file == import_lines(lines + [b"\xff\xfe"], dry_run=True).errors
    assert any("NOPE" in e for e in from_file) and any("déjà ligne" in e for e in from_file)
    assert from_file[-1] == f"line {len(lines) + 1}: record: encodage invalide (UTF-8 attendu)"


def test_a_file_changed_between_the_passes_raises_and_the_caller_rolls_everything_back(app, app_ctx):
    lines = sample.generated_lines(4)
    shorter = lines[:-1]
    calls = []

    def changing():
        calls.append(1)
        return iter(lines if len(calls) == 1 else shorter)

    before = row_counts(app)
    with pytest.raises(ChangedFile):
        import_lines(changing)
    db.session.rollback()
    assert row_counts(app) == before


def test_the_command_reads_the_standard_input_through_a_temporary_file(runner, app):
    text = "\n".join(sample.dumps(sample.records())) + "\n"
    result = runner.invoke(args=["agir", "import", "-"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert "1 personne(s)" in result.stderr


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=60) | st.lists(st.sampled_from([b"a", b"\r", b"\n", b"\r\n", b"{}", b" "]),
                                              max_size=20).map(b"".join),
       chunk=st.integers(1, 5))
def test_a_file_is_cut_into_lines_as_bytes_splitlines_cuts_it(tmp_path_factory, data, chunk):
    path = tmp_path_factory.mktemp("lines") / "f"
    path.write_bytes(data)
    old = source.CHUNK_BYTES
    source.CHUNK_BYTES = chunk  # chunk boundaries everywhere, \r\n cut in two included
    try:
        assert list(source.file_lines(path)) == data.splitlines()
    finally:
        source.CHUNK_BYTES = old


def test_the_facts_spool_gives_back_what_it_kept_in_order():
    spool = source.FactsSpool()
    kept = []
    for n in range(1, 2 * source.SPOOL_BATCH + 7):
        facts = PersonFacts([AccompanimentFacts("agir", n % 2 == 0, n % 3 == 0, ["late"] * (n % 2), None)],
                            ["sent", None])
        spool.add(n * 2, facts)
        kept.append((n * 2, facts))
    assert list(spool) == kept
    spool.close()


def _garbage_left(count: int, monkeypatch) -> int:
    """Objects in reference cycles an import of `count` generated persons, written five at a time, leaves
    behind with the cyclic collector paused (as `import_lines` pauses it)."""
    from agir.interchange import writer
    monkeypatch.setattr(writer, "BATCH", 5)
    gc.collect()
    gc.disable()
    try:
        result = import_lines(sample.generated_lines(count))
        assert result.ok, result.errors
        return gc.collect()
    finally:
        gc.enable()
        db.session.rollback()


def test_the_write_leaves_no_garbage_that_grows_with_the_file(app_ctx, monkeypatch):
    # The import pauses the cyclic collector: whatever a batch leaves in a reference cycle stays until the end.
    # Statements built at each call of rows_where_in (households, pseudonyms) left a dozen objects in cycles,
    # holding the values (a thousand pseudonyms), per batch: memory growing with the file at 1,000,000 persons.
    _garbage_left(5, monkeypatch)  # what a first import leaves once (caches, compiled statements)
    few, many = _garbage_left(10, monkeypatch), _garbage_left(60, monkeypatch)  # 2 batches, 12 batches
    assert many - few <= 10, (few, many)
