"""`agir duplicates` (INTERCHANGE.md) and the import's duplicate warnings (SPEC §4.8), through the real commands."""
import json

from sqlalchemy import func, select

from agir.extensions import db
from models import Person
from tests.interchange import sample
from tests.interchange.helpers import import_file

OTHER_DEPARTMENT = {"type": "department", "code": "69", "name": "Rhône", "agir_start": "2022-09-01",
                    "agir_wave": 2022, "max_months": 12}
OTHER_STRUCTURE = {"type": "structure", "ref": "S9", "name": "Opérateur AGIR Lyon", "department": "69",
                   "kind": "agir_operator"}


def identity(ref, last, first, born, sex="F", nationality="AFG", department="33", phone=None):
    """A person without a path (only the identity matters here)."""
    return {"type": "person", "ref": ref, "department": department, "household": f"H-{ref}", "last_name": last,
            "first_name": first, "sex": sex, "birth_date": born, "nationality": nationality, "status": "refugee",
            "protection_date": "2021-09-15", "phone": phone}


def duplicates(runner, *options):
    result = runner.invoke(args=["agir", "duplicates", *options])
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


FAMILY = [
    identity("P1", "Rahimi", "Nadia", "1995-03-02"),
    identity("P2", "RAHIMI", "Nadiya", "1995-02-03"),  # the same woman: day and month swapped, a typo
    identity("P3", "Rahimi", "Farzana", "1995-03-02"),  # her twin sister
    identity("P4", "Rahimi", "Ahmad", "1968-11-20", sex="M"),  # her father
    identity("P5", "Karimi", "Mohammad", "1990-06-15", sex="M"),
    identity("P6", "Mohamed", "Karimi", "1990-01-01", sex="M"),  # names swapped, day unknown
    identity("P7", "Karimi", "Mohammad", "1979-09-09", sex="M"),  # a common name, born another year
]


def test_import_warns_of_probable_duplicates_and_still_imports(runner, tmp_path, app):
    records = sample.records() + FAMILY[1:]  # the sample's P1 is Nadia Rahimi, born 1995-03-02
    line = {r.get("ref"): n for n, r in enumerate(records, 1)}
    result = import_file(runner, tmp_path, records)
    assert result.exit_code == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if ": warning: " in w]
    assert [w.split(":")[0] for w in warnings] == [f"line {line['P2']}", f"line {line['P6']}"]
    assert f"probablement la même personne que la ligne {line['P1']} (P1, score" in warnings[0]
    assert f"la ligne {line['P5']} (P5, score" in warnings[1]
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == len(FAMILY)


def test_import_warns_of_a_file_already_in_the_database(runner, tmp_path, app):
    assert import_file(runner, tmp_path, sample.records(), name="a.jsonl").exit_code == 0
    again = identity("Q1", "Rahimy", "Nadia", "1995-01-01")  # Nadia Rahimi (P1) with an unknown birth day
    result = import_file(runner, tmp_path, [again], name="b.jsonl")
    assert result.exit_code == 0, result.stderr
    assert "line 1: warning: probablement la même personne que le dossier P1 déjà dans la base" in result.stderr
    assert duplicates(runner) == [{"persons": ["P1", "Q1"], "score": duplicates(runner)[0]["score"]}]


def test_no_warning_for_different_persons(runner, tmp_path, app):
    result = import_file(runner, tmp_path, sample.records() + FAMILY[2:5] + FAMILY[6:])
    assert result.exit_code == 0
    assert "warning" not in result.stderr


def test_duplicates_prints_the_pairs_of_the_contract(runner, tmp_path, app):
    lyon = [OTHER_DEPARTMENT, OTHER_STRUCTURE, identity("L2", "Haile", "Senait", "1992-07-04", nationality="ERI",
                                                        department="69"),
            identity("L1", "Hailé", "Senayt", "1992-07-04", nationality="ERI", department="69")]
    assert import_file(runner, tmp_path, sample.records() + FAMILY[1:] + lyon).exit_code == 0
    pairs = duplicates(runner)
    assert {tuple(p["persons"]) for p in pairs} == {("P1", "P2"), ("P5", "P6"), ("L1", "L2")}
    for pair in pairs:
        assert set(pair) == {"persons", "score"}
        assert pair["persons"][0] < pair["persons"][1]
        assert 0.0 <= pair["score"] <= 1.0
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    assert {tuple(p["persons"]) for p in duplicates(runner, "--department", "69")} == {("L1", "L2")}
    assert {tuple(p["persons"]) for p in duplicates(runner, "--department", "33")} == {("P1", "P2"), ("P5", "P6")}
    assert duplicates(runner, "--department", "75") == []


def test_duplicates_of_an_empty_database(runner, app):
    assert duplicates(runner) == []


def test_an_anonymised_file_is_no_longer_a_duplicate_nor_found_by_its_keys(runner, tmp_path, app):
    assert import_file(runner, tmp_path, sample.records() + FAMILY[1:2]).exit_code == 0
    with app.app_context():
        from agir.privacy import anonymise_person
        person = db.session.scalar(select(Person).where(Person.ref == "P2"))
        anonymise_person(None, person)
        db.session.commit()
        keys = db.session.execute(select(Person.name_key, Person.last_key, Person.search_text, Person.phone_key)
                                  .where(Person.anonymised_at.is_not(None))).one()
        assert tuple(keys) == (None, None, None, None)  # nothing of the names is left in the keys
    assert duplicates(runner) == []


def test_a_dry_run_warns_too_and_writes_nothing(runner, tmp_path, app):
    result = import_file(runner, tmp_path, sample.records() + FAMILY[1:2], "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert [w for w in result.stderr.splitlines() if ": warning: probablement la même personne que la ligne" in w]
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_an_invalid_file_prints_its_errors_only(runner, tmp_path, app):
    broken = dict(FAMILY[1], birth_date="1995-02-30")
    result = import_file(runner, tmp_path, sample.records() + [broken])
    assert result.exit_code == 1
    assert "warning" not in result.stderr
