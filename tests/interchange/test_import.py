"""A valid file is written whole, with what the rules derive (kind, verdict, current end, referral state)."""
import copy
from datetime import date

import pytest
from sqlalchemy import select

from agir.extensions import db
from agir.interchange.importer import import_lines
from models import (
    Accompaniment,
    AuditEntry,
    Department,
    Event,
    Household,
    Participation,
    Person,
    Programme,
    Referral,
    RightStep,
    Structure,
)
from tests.interchange import sample
from tests.interchange.helpers import import_file, row_counts


def test_a_valid_file_writes_every_record_and_what_the_rules_derive(runner, tmp_path, app):
    result = import_file(runner, tmp_path, sample.records())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Import terminé : 1 département(s), 3 structure(s), 1 programme(s), 1 personne(s)" in result.stderr
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.ref == "P1"))
        assert (person.last_name, person.birth_on, person.protection_on) == ("Rahimi", date(1995, 3, 2),
                                                                             date(2021, 9, 15))
        assert person.household.ref == "H1" and person.department.code == "33" and person.structure.ref == "S1"
        assert len(person.pseudonym) == 10 and person.pseudonym != person.ref
        acc = person.accompaniments[0]
        assert (acc.kind, acc.is_eligible, acc.is_priority, acc.eligibility_reasons) == ("agir", True, True, [])
        assert (acc.planned_end_on, acc.current_end_on, acc.exit_on) == (date(2023, 5, 31), date(2023, 6, 30),
                                                                        date(2023, 6, 15))
        assert acc.extensions[0].reason == "Recherche de logement"
        assert (acc.exit.reason, acc.exit.job_kind, acc.exit.job_months, acc.exit.training_level) == (
            "goals_reached", "cdd", 8, None)
        assert (acc.exit.followup.followup_on, acc.exit.followup.is_positive) == (date(2023, 12, 20), True)
        referral = db.session.scalar(select(Referral))
        assert (referral.state, referral.need, referral.sender_structure.ref) == ("started", "Apprendre le français",
                                                                                 "S1")
        participation = db.session.scalar(select(Participation))
        assert (participation.planned_hours, participation.attended_hours) == (100.0, 85.5)
        assert {r.kind: r.state for r in db.session.scalars(select(RightStep))} == {
            "health_insurance": "obtained", "rsa": "refused", "bank_account": "requested"}
        assert db.session.scalar(select(Event).where(Event.kind == "sport_event")).programme.ref == "PR1"
        programme = db.session.scalar(select(Programme))
        assert [(s.held_on, s.hours) for s in programme.sessions] == [(date(2022, 2, 1), 3.0), (date(2022, 2, 8), 2.5)]
        assert db.session.scalar(select(Department)).max_months == 12
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
        assert {a.person_id for a in audit} == {person.id, None}  # one per person, one for the whole import
        assert all("Rahimi" not in str(a.fields) + str(a.detail) for a in audit)
        db.session.remove()


def test_stdin_dash_and_blank_lines_and_forward_references(runner, app):
    # Persons first: their structures, programme and department come later in the file.
    items = sample.dumps([sample.PERSON, *sample.STRUCTURES, sample.PROGRAMME, sample.DEPARTMENT])
    text = "\n\n".join(items) + "\n\n"
    result = runner.invoke(args=["agir", "import", "-"], input=text)
    assert result.exit_code == 0, result.stderr
    assert row_counts(app)["persons"] == 1


def test_blank_lines_count_in_the_line_numbers(runner, app):
    bad = sample.person(sex="X")
    text = "\n".join(sample.dumps(sample.records())[:5]) + "\n\n   \n" + sample.dumps([bad])[0] + "\n"
    result = runner.invoke(args=["agir", "import", "-"], input=text)
    assert result.exit_code == 1
    assert result.stderr.startswith("line 8: sex: valeur inconnue « X »")


def test_references_to_records_already_in_the_database(runner, tmp_path, app):
    assert import_file(runner, tmp_path, sample.records(), name="first.jsonl").exit_code == 0
    other = sample.person(ref="P2", household="H1")  # joins the household H1 already written
    result = import_file(runner, tmp_path, [other], name="second.jsonl")
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        household = db.session.scalar(select(Household).where(Household.ref == "H1"))
        assert sorted(p.ref for p in household.members) == ["P1", "P2"]
        db.session.remove()


def test_dry_run_validates_and_writes_nothing(runner, tmp_path, app):
    before = row_counts(app)
    result = import_file(runner, tmp_path, sample.records(), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Fichier valide (rien n'a été écrit)" in result.stderr
    assert row_counts(app) == before


def test_import_lines_writes_without_committing(app_ctx):
    result = import_lines(sample.dumps(sample.records()))
    assert result.errors == [] and result.counts["person"] == 1
    assert db.session.scalar(select(Person.ref)) == "P1"
    db.session.rollback()
    assert db.session.scalar(select(Person.ref)) is None


def test_import_lines_reports_errors_and_writes_nothing(app_ctx):
    result = import_lines(sample.dumps(sample.records(sample.person(hosting="hotel"))))
    assert result.errors[0].startswith("line 6: hosting: valeur inconnue") and not result.ok
    assert db.session.scalar(select(Person.ref)) is None


def test_a_department_without_max_months_gets_12_or_18_in_wave_2024(runner, tmp_path, app):
    deps = [{**sample.DEPARTMENT, "code": "33", "max_months": None, "agir_wave": 2022},
            {**sample.DEPARTMENT, "code": "64", "name": "Pyrénées-Atlantiques", "agir_wave": 2024,
             "agir_start": "2024-01-01"}]
    del deps[1]["max_months"]
    s64 = {**sample.STRUCTURES[0], "ref": "S64", "department": "64"}
    # 15 months: only possible where the maximum is 18 months.
    long_one = sample.person(ref="P64", department="64", protection_date="2023-09-01", accompaniments=[
        {"structure": "S64", "start": "2024-01-15", "planned_end": "2025-04-15", "extensions": [], "exit": None}])
    result = import_file(runner, tmp_path, [*deps, *sample.STRUCTURES, s64, sample.PROGRAMME, long_one])
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        assert dict(db.session.execute(select(Department.code, Department.max_months)).all()) == {"33": 12, "64": 18}
        db.session.remove()
    too_long = copy.deepcopy(long_one)
    too_long.update(ref="P33", department="33")
    too_long["accompaniments"][0].update(structure="S1", start="2023-01-15", planned_end="2024-04-15")
    result = import_file(runner, tmp_path, [too_long], name="second.jsonl")
    assert result.exit_code == 1
    assert "line 1: accompaniments[0].planned_end: La fin prévue doit être au plus tard le 15/01/2024" in result.stderr


def _enrolment(protection: str, start: str, structure="S1", agir_start="2022-01-01", planned_end=None):
    """A department with AGIR since agir_start and one person enrolled on `start`."""
    start_day = date.fromisoformat(start)
    planned_end = planned_end or date(start_day.year + 1, start_day.month, 1).isoformat()
    person = sample.person(protection_date=protection, accompaniments=[
        {"structure": structure, "start": start, "planned_end": planned_end, "extensions": [], "exit": None}],
        referrals=[], participations=[], events=[{"kind": "medical_consultation", "date": start, "event": None}])
    return [{**sample.DEPARTMENT, "agir_start": agir_start}, *sample.STRUCTURES, sample.PROGRAMME, person]


TWO_YEARS = "accompaniments[0].start: La protection a été obtenue il y a plus de deux ans"


@pytest.mark.parametrize("protection, start, structure, agir_start, error", [
    # Two calendar years: the last day to enter is the day before the second anniversary.
    ("2020-07-01", "2022-06-30", "S1", "2022-01-01", None),
    ("2020-07-01", "2022-07-01", "S1", "2022-01-01", TWO_YEARS),
    # 29 February + 2 years = 28 February.
    ("2020-02-29", "2022-02-27", "S1", "2022-01-01", None),
    ("2020-02-29", "2022-02-28", "S1", "2022-01-01", TWO_YEARS),
    # AGIR start of the department.
    ("2022-03-01", "2022-07-01", "S1", "2022-07-01", None),
    ("2022-03-01", "2022-06-30", "S1", "2022-07-01", "accompaniments[0].start: La date d'entrée est antérieure au "
                                                     "déploiement d'AGIR dans le département (01/07/2022)."),
    ("2022-03-01", "2022-07-01", "S1", None, "accompaniments[0].start: AGIR n'est pas encore déployé"),
    # The holding structure: a structuring project needs only a BPI; a programme operator holds nothing.
    ("2019-01-01", "2022-07-01", "S3", None, None),
    ("2022-03-01", "2022-07-01", "S2", "2022-01-01", "accompaniments[0].structure: Cette structure ne peut pas porter"),
])
def test_eligibility_boundaries_at_import(runner, tmp_path, app, protection, start, structure, agir_start, error):
    result = import_file(runner, tmp_path, _enrolment(protection, start, structure, agir_start), "--dry-run")
    if error is None:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 1
        assert f"line 6: {error}" in result.stderr, result.stderr


def test_priority_and_kind_are_stored_with_the_enrolment(runner, tmp_path, app):
    # Protected 14 months before a structuring-project enrolment: not priority, kind "project".
    result = import_file(runner, tmp_path, _enrolment("2021-05-01", "2022-07-01", "S3"))
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        acc = db.session.scalar(select(Accompaniment))
        assert (acc.kind, acc.is_priority, acc.is_eligible, acc.current_end_on) == ("project", False, True,
                                                                                  date(2023, 7, 1))
        assert acc.structure_id == db.session.scalar(select(Structure.id).where(Structure.ref == "S3"))
        db.session.remove()


def test_progress_goes_to_stderr_never_stdout(runner, tmp_path, app, monkeypatch):
    monkeypatch.setattr("agir.commands.interchange.BIG_FILE_LINES", 1)
    result = import_file(runner, tmp_path, sample.records())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Écriture : 100 % (1/1)" in result.stderr


def test_a_refused_big_file_prints_nothing_but_its_errors(runner, tmp_path, app, monkeypatch):
    monkeypatch.setattr("agir.commands.interchange.BIG_FILE_LINES", 1)
    result = import_file(runner, tmp_path, sample.records(sample.person(sex="X")))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["line 6: sex: valeur inconnue « X » (valeurs admises : F, M)"]


def test_import_lines_accepts_a_whole_text(app_ctx):
    result = import_lines("\n".join(sample.dumps(sample.records())), dry_run=True)
    assert result.ok and result.counts["person"] == 1
