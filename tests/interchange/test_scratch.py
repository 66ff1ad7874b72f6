"""The import's refs and identities kept on disk give what the in-memory forms gave (issue 21, item 1).

The oracle is agir.duplicates.import_warnings, which holds every identity of the file in memory:
the temporary SQLite database of the import must give the same warnings, in the same order,
with the same message for each line (ties included), with or without files in the database.
"""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agir.duplicates import Identity, import_warnings
from agir.extensions import db
from agir.interchange.importer import import_lines
from agir.interchange.scratch import Scratch
from tests.interchange import sample

LAST = ["Rahimi", "Rahimy", "Karimi", "Nadia", "Haidari"]
FIRST = ["Nadia", "Nadja", "Ali", "Rahimi"]
DAYS = [date(1995, 3, 2), date(1995, 2, 3), date(1995, 1, 1), date(1995, 3, 12), date(1959, 3, 2), date(1995, 3, 3),
        date(1994, 3, 2)]
IDENTITY = st.tuples(st.sampled_from(LAST), st.sampled_from(FIRST), st.sampled_from(["F", "M"]),
                     st.sampled_from(DAYS), st.sampled_from(["AFG", "SYR"]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _identities(drawn) -> list[Identity]:
    return [Identity(line=2 * n + 5, ref=f"R{n}", last_name=last, first_name=first, sex=sex, birth_on=day,
                     nationality=nat) for n, (last, first, sex, day, nat) in enumerate(drawn)]


def _scratch_warnings(identities: list[Identity]) -> list[tuple[int, str]]:
    scratch = Scratch()
    try:
        for ident in identities:
            scratch.add_identity(ident)
        return scratch.warnings()
    finally:
        scratch.close()


@SETTINGS
@given(drawn=st.lists(IDENTITY, max_size=14))
def test_the_warnings_of_the_scratch_database_are_those_of_the_memory_walk(app_ctx, drawn):
    identities = _identities(drawn)
    assert _scratch_warnings(identities) == import_warnings(identities)


@SETTINGS
@given(drawn=st.lists(IDENTITY, max_size=10))
def test_the_same_with_files_already_in_the_database(app_ctx, drawn):
    people = [sample.person(ref=f"DB{n}", household=None, last_name=last, first_name=first, sex=sex,
                            birth_date=day.isoformat(), nationality=nat)
              for n, (last, first, sex, day, nat) in enumerate([("Rahimi", "Nadia", "F", DAYS[0], "AFG"),
                                                                ("Karimi", "Ali", "M", DAYS[1], "AFG"),
                                                                ("Rahimi", "Nadia", "F", DAYS[2], "AFG")])]
    try:
        assert import_lines(sample.dumps(sample.records(*people))).ok
        identities = _identities(drawn)
        expected = import_warnings(identities)
        assert _scratch_warnings(identities) == expected
    finally:
        db.session.rollback()


def test_refs_twice_and_refs_in_the_database_come_with_their_first_line(app_ctx):
    try:
        assert import_lines(sample.dumps(sample.records(sample.person(ref="OLD")))).ok
        scratch = Scratch()
        for line, ref in enumerate(["A", "B", "A", "OLD", "C", "A", "OLD"], 1):
            scratch.add_ref(ref, line)
        assert list(scratch.duplicate_refs()) == [(3, "A", 1), (6, "A", 1), (7, "OLD", 4)]
        assert list(scratch.existing_refs()) == [("OLD", 4)]
        assert scratch.person_refs() == 4
        scratch.close()
    finally:
        db.session.rollback()


def test_the_walk_is_not_vacuous(app_ctx):
    identities = _identities([("Rahimi", "Nadia", "F", DAYS[0], "AFG"), ("Rahimy", "Nadia", "F", DAYS[1], "AFG"),
                              ("Rahimi", "Nadja", "F", DAYS[0], "AFG")])
    found = _scratch_warnings(identities)
    assert found == import_warnings(identities) and [line for line, _ in found] == [7, 9]
