"""Contract v2 (issue 15, items 1–2): every field of INTERCHANGE.md « Since the second version » is imported,
always exported and round-trips exactly; each refusal is one `line N: field.path: message`, nothing written.

Run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL (the round trip on both databases)."""
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from agir.extensions import db
from models import (
    Accompaniment,
    Appointment,
    Department,
    DiagnosticArea,
    Document,
    Person,
    PersonLanguage,
    PlanObjective,
    Region,
    RightStep,
    Structure,
)
from tests.interchange import sample
from tests.interchange.helpers import canonical, empty_database, export, import_file, row_counts

PERSON_LINE = 6  # department, three structures, the programme, then the person


def _import_person(runner, tmp_path, person, *others):
    return import_file(runner, tmp_path, [*sample.records(person), *others])


def _errors(result) -> list[str]:
    assert result.exit_code == 1, result.stdout
    return result.stderr.strip().splitlines()


# Round trip -------------------------------------------------------------------------------------

def test_a_file_using_every_v2_field_imports_exports_and_round_trips_exactly(runner, tmp_path, app):
    full = sample.v2_person()
    # A second person: another nationality's languages, an orientation by the SIAO to the project operator,
    # a diagnostic without a plan, an accompaniment still open with a contract signed the day it started.
    second = sample.v2_person(ref="P2", household="H2", last_name="Tesfaye", first_name="Selam",
                              nationality="ERI")
    second["languages"] = [{"code": "tir", "level": "native"}, {"code": "arb", "level": "fluent"}]
    second["interpreter"] = "tir"
    second["orientation"] = {"date": "2022-06-30", "source": "siao", "structure": "S3"}
    acc = second["accompaniments"][0]
    acc.update(exit=None, plan=[], contract={"signed": "2022-07-01", "language": "tir"},
               diagnostic=sample.diagnostic("2022-07-01", mobility=("low", None), childcare=("high", "Deux enfants")))
    source = [{**sample.DEPARTMENT, "region": "75"}, *sample.STRUCTURES, sample.PROGRAMME, full, second]
    result = import_file(runner, tmp_path, source)
    assert result.exit_code == 0, result.stderr

    first = export(runner)
    # Every field given is given back, with exactly its value.
    assert canonical(first) == canonical(sample.exported(source))

    with app.app_context():
        p1 = db.session.scalar(select(Person).where(Person.ref == "P1"))
        assert [(lang.code, lang.level) for lang in p1.languages] == [("prs", "native"), ("fra", "basic"),
                                                                      ("pus", "fluent")]
        assert (p1.interpreter, p1.oriented_on, p1.orientation_source, p1.orientation_structure.ref) == (
            "prs", date(2022, 6, 10), "ofii", "S1")
        assert len(p1.appointments) == 6 and len(p1.documents) == 9
        assert p1.appointments[0].start_at == datetime(2022, 6, 20, 10, 0)  # Paris wall clock, stored as is
        acc1 = p1.accompaniments[0]
        assert (acc1.diagnostic_on, acc1.contract_signed_on, acc1.contract_language) == (
            date(2022, 7, 5), date(2022, 7, 12), "prs")
        assert {a.area: a.need for a in acc1.diagnostic_areas} == {
            "rights": "high", "housing": "high", "employment": "low", "language": "high", "mobility": "none",
            "childcare": "none"}
        assert [(o.area, o.state, o.closed_on) for o in acc1.plan][:3] == [
            ("housing", "done", date(2022, 12, 1)), ("language", "dropped", date(2023, 3, 1)),
            ("employment", "open", None)]
        # Each objective points to what carries it out.
        plan = acc1.plan
        assert (plan[0].housing_step_id, plan[1].referral_id, plan[2].training_id) == (
            p1.housing_steps[0].id, p1.referrals[0].id, p1.trainings[0].id)
        assert db.session.get(RightStep, plan[3].right_step_id).kind == "health_insurance"
        assert plan[4].right_step_id is plan[4].referral_id is plan[4].training_id is plan[4].housing_step_id is None
        assert db.session.scalar(select(Department.code).join(Region).where(Region.code == "75")) == "33"
        # The SQL can count the diagnostic's needs by area (rows, not JSON).
        high = dict(db.session.execute(select(DiagnosticArea.area, func.count()).where(DiagnosticArea.need == "high")
                                       .group_by(DiagnosticArea.area)).all())
        assert high == {"rights": 1, "housing": 1, "language": 1, "childcare": 1}
        db.session.remove()

    empty_database(app)
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in first) + "\n", encoding="utf-8")
    again = runner.invoke(args=["agir", "import", str(path)])
    assert again.exit_code == 0, again.stderr
    second_export = export(runner)
    assert len(second_export) == len(first) == 7
    assert canonical(second_export) == canonical(first)


def test_a_department_export_carries_the_structures_its_v2_records_point_to(runner, tmp_path, app):
    # The person of 33 was oriented to, and has a document at, structures of another department (64).
    dep64 = {"type": "department", "code": "64", "name": "Pyrénées-Atlantiques", "agir_start": None,
             "agir_wave": None, "max_months": 12}
    s64 = {"type": "structure", "ref": "S64", "name": "Service de l'État", "department": "64", "kind": "state_service"}
    o64 = {"type": "structure", "ref": "O64", "name": "Association", "department": "64",
           "kind": "programme_operator"}
    person = sample.v2_person()
    person["orientation"]["structure"] = "O64"
    person["documents"][1]["structure"] = "S64"
    assert _import_person(runner, tmp_path, person, dep64, s64, o64).exit_code == 0
    records = export(runner, "--department", "33")
    assert {r["ref"] for r in records if r["type"] == "structure"} >= {"S64", "O64"}
    assert {(r["code"], r["region"]) for r in records if r["type"] == "department"} == {("33", "75"), ("64", "75")}
    empty_database(app)
    path = tmp_path / "dep.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    again = runner.invoke(args=["agir", "import", str(path)])
    assert again.exit_code == 0, again.stderr


def test_a_v1_file_still_imports_and_exports_the_v2_fields_empty(runner, tmp_path, app):
    v1 = sample.records()
    assert all(key not in sample.PERSON for key in sample.V2_PERSON_DEFAULTS)
    result = import_file(runner, tmp_path, v1)
    assert result.exit_code == 0, result.stderr
    records = {r["type"]: r for r in export(runner)}
    person = records["person"]
    assert {key: person[key] for key in sample.V2_PERSON_DEFAULTS} == sample.V2_PERSON_DEFAULTS
    assert {key: person["accompaniments"][0][key] for key in sample.V2_ACCOMPANIMENT_DEFAULTS} == \
        sample.V2_ACCOMPANIMENT_DEFAULTS
    assert records["department"]["region"] == "75"  # absent: derived from the code


@pytest.mark.parametrize(("code", "region"), [("2A", "94"), ("2B", "94"), ("974", "04"), ("971", "01"),
                                              ("976", "06"), ("75", "11"), ("13", "93")])
def test_an_imported_department_gets_the_region_of_its_code(runner, tmp_path, app, code, region):
    department = {"type": "department", "code": code, "name": "Département", "agir_start": None,
                  "agir_wave": None, "max_months": 12}
    result = import_file(runner, tmp_path, [department])
    assert result.exit_code == 0, result.stderr
    assert export(runner)[0]["region"] == region
    with app.app_context():
        assert db.session.scalar(select(Region.code).join(Department).where(Department.code == code)) == region
        assert db.session.scalar(select(func.count()).select_from(Region)) == 18
        db.session.remove()


# Errors -----------------------------------------------------------------------------------------

def _mutated(change):
    person = sample.v2_person()
    change(person)
    return person


def _acc(person):
    return person["accompaniments"][0]


ERRORS = [
    # Unknown fields and enum values
    ("unknown_field_appointment", lambda p: p["appointments"][0].update(room="B12"),
     "appointments[0].room: champ inconnu"),
    ("unknown_field_referent", lambda p: p["appointments"][0].update(referent="marie@example.fr"),
     "appointments[0].referent: champ inconnu"),
    ("unknown_field_document_bytes", lambda p: p["documents"][0].update(content="JVBERi0="),
     "documents[0].content: champ inconnu"),
    ("unknown_field_contract", lambda p: _acc(p)["contract"].update(pdf="x"),
     "accompaniments[0].contract.pdf: champ inconnu"),
    ("unknown_area", lambda p: _acc(p)["diagnostic"]["areas"].update(health={"need": "high", "text": None}),
     "accompaniments[0].diagnostic.areas.health: champ inconnu"),
    ("missing_area", lambda p: _acc(p)["diagnostic"]["areas"].pop("childcare"),
     "accompaniments[0].diagnostic.areas.childcare: champ obligatoire manquant"),
    ("appointment_status", lambda p: p["appointments"][0].update(status="done"),
     "appointments[0].status: valeur inconnue « done » (valeurs admises : planned, honoured, missed, excused, "
     "cancelled)"),
    ("appointment_kind", lambda p: p["appointments"][0].update(kind="interview"),
     "appointments[0].kind: valeur inconnue « interview »"),
    ("appointment_mode", lambda p: p["appointments"][0].update(mode="visio"),
     "appointments[0].mode: valeur inconnue « visio »"),
    ("document_kind", lambda p: p["documents"][1].update(kind="passport"),
     "documents[1].kind: valeur inconnue « passport »"),
    ("language_level", lambda p: p["languages"][1].update(level="good"),
     "languages[1].level: valeur inconnue « good » (valeurs admises : native, fluent, basic)"),
    ("orientation_source", lambda p: p["orientation"].update(source="caf"),
     "orientation.source: valeur inconnue « caf » (valeurs admises : ofii, siao, operator, self, other)"),
    ("need", lambda p: _acc(p)["diagnostic"]["areas"]["rights"].update(need="medium"),
     "accompaniments[0].diagnostic.areas.rights.need: valeur inconnue « medium » (valeurs admises : none, low, high)"),
    ("plan_state", lambda p: _acc(p)["plan"][0].update(state="closed"),
     "accompaniments[0].plan[0].state: valeur inconnue « closed » (valeurs admises : open, done, dropped)"),
    ("plan_area", lambda p: _acc(p)["plan"][0].update(area="health"),
     "accompaniments[0].plan[0].area: valeur inconnue « health »"),
    # ISO 639-3
    ("language_two_letters", lambda p: p["languages"][0].update(code="fa"),
     "languages[0].code: code de langue ISO 639-3 inconnu (trois lettres minuscules, ex. « prs », « arb », « fra »)"),
    ("language_not_in_standard", lambda p: p["languages"][0].update(code="xyq"),
     "languages[0].code: code de langue ISO 639-3 inconnu"),
    ("language_upper_case", lambda p: p.update(interpreter="PRS"), "interpreter: code de langue ISO 639-3 inconnu"),
    ("appointment_interpreter", lambda p: p["appointments"][0].update(interpreter="dari"),
     "appointments[0].interpreter: code de langue ISO 639-3 inconnu"),
    ("contract_language", lambda p: _acc(p)["contract"].update(language="fr"),
     "accompaniments[0].contract.language: code de langue ISO 639-3 inconnu"),
    ("language_twice", lambda p: p["languages"][2].update(code="prs"),
     "languages[2].code: Langue déjà indiquée pour cette personne (languages[0])."),
    # Appointments
    ("structure_programme_operator", lambda p: p["appointments"][1].update(structure="S2"),
     "appointments[1].structure: Le rendez-vous doit être tenu par un opérateur AGIR ou de projet structurant du "
     "département de la personne."),
    ("minutes_too_short", lambda p: p["appointments"][0].update(minutes=4),
     "appointments[0].minutes: doit être un nombre entier entre 5 et 480"),
    ("minutes_too_long", lambda p: p["appointments"][0].update(minutes=481),
     "appointments[0].minutes: doit être un nombre entier entre 5 et 480"),
    ("minutes_not_integer", lambda p: p["appointments"][0].update(minutes=60.0),
     "appointments[0].minutes: doit être un nombre entier"),
    ("start_with_space", lambda p: p["appointments"][0].update(start="2022-06-20 10:00"),
     "appointments[0].start: doit être une date et une heure locales (Paris) au format AAAA-MM-JJTHH:MM"),
    ("start_with_seconds", lambda p: p["appointments"][0].update(start="2022-06-20T10:00:00"),
     "appointments[0].start: doit être une date et une heure locales (Paris) au format AAAA-MM-JJTHH:MM"),
    ("start_with_offset", lambda p: p["appointments"][0].update(start="2022-06-20T10:00+02:00"),
     "appointments[0].start: doit être une date et une heure locales (Paris) au format AAAA-MM-JJTHH:MM"),
    ("start_date_only", lambda p: p["appointments"][0].update(start="2022-06-20"),
     "appointments[0].start: doit être une date et une heure locales (Paris) au format AAAA-MM-JJTHH:MM"),
    ("start_impossible_hour", lambda p: p["appointments"][0].update(start="2022-06-20T24:00"),
     "appointments[0].start: date ou heure impossible : 2022-06-20T24:00"),
    ("start_impossible_day", lambda p: p["appointments"][0].update(start="2022-02-30T10:00"),
     "appointments[0].start: date ou heure impossible : 2022-02-30T10:00"),
    ("start_skipped_by_summer_time", lambda p: p["appointments"][0].update(start="2022-03-27T02:30"),
     "appointments[0].start: Cette heure n'existe pas à Paris ce jour-là (passage à l'heure d'été)."),
    ("honoured_in_the_future", lambda p: p["appointments"][5].update(start="2099-06-14T16:45", status="honoured"),
     "appointments[5].status: Un rendez-vous à venir ne peut pas être déjà honoré ou manqué."),
    # Documents and orientation
    ("sha256_short", lambda p: p["documents"][0].update(sha256="abc"),
     "documents[0].sha256: empreinte SHA-256 attendue (64 caractères hexadécimaux) ou null"),
    ("sha256_not_hex", lambda p: p["documents"][0].update(sha256="g" * 64),
     "documents[0].sha256: empreinte SHA-256 attendue (64 caractères hexadécimaux) ou null"),
    ("document_expires_before_its_date", lambda p: p["documents"][0].update(expires="2022-06-19"),
     "documents[0].expires: La date d'expiration ne peut précéder la date du document."),
    ("document_dated_in_the_future", lambda p: p["documents"][0].update(date="2099-01-01", expires=None),
     "documents[0].date: La date du document ne peut pas être postérieure à aujourd'hui."),
    ("orientation_structure_unknown", lambda p: p["orientation"].update(structure="S99"),
     "orientation.structure: référence inconnue « S99 » (ni dans le fichier ni dans la base)"),
    ("orientation_structure_missing", lambda p: p["orientation"].pop("structure"),
     "orientation.structure: champ obligatoire manquant"),
    ("orientation_in_the_future", lambda p: p["orientation"].update(date="2099-01-01"),
     "orientation.date: La date d'orientation ne peut pas être postérieure à aujourd'hui."),
    # Plan
    ("closed_while_open", lambda p: _acc(p)["plan"][2].update(closed="2022-10-01"),
     "accompaniments[0].plan[2].closed: Un objectif en cours n'a pas de date de clôture."),
    ("done_without_closed", lambda p: _acc(p)["plan"][0].update(closed=None),
     "accompaniments[0].plan[0].closed: La date de clôture est obligatoire pour un objectif atteint ou abandonné."),
    ("dropped_without_closed", lambda p: _acc(p)["plan"][1].pop("closed"),
     "accompaniments[0].plan[1].closed: La date de clôture est obligatoire pour un objectif atteint ou abandonné."),
    ("closed_before_start", lambda p: _acc(p)["plan"][0].update(closed="2022-06-30"),
     "accompaniments[0].plan[0].closed: La date de clôture ne peut précéder l'entrée dans l'accompagnement."),
    ("closed_after_today", lambda p: _acc(p)["plan"][0].update(closed="2099-01-01"),
     "accompaniments[0].plan[0].closed: La date de clôture ne peut pas être postérieure à aujourd'hui."),
    ("objective_right_not_followed", lambda p: _acc(p)["plan"][3].update(right="caf_benefits"),
     "accompaniments[0].plan[3].right: Ce droit n'est pas suivi dans le dossier (aucune ligne de ce type dans "
     "rights)."),
    ("objective_referral_out_of_range", lambda p: _acc(p)["plan"][1].update(referral=1),
     "accompaniments[0].plan[1].referral: Aucune orientation n° 1 dans le dossier (referrals en compte 1, "
     "numérotées à partir de 0)."),
    ("objective_training_negative", lambda p: _acc(p)["plan"][2].update(training=-1),
     "accompaniments[0].plan[2].training: doit être un nombre entier entre 0 et"),
    ("objective_medical", lambda p: _acc(p)["plan"][0].update(objective="Suivre le traitement du diabète"),
     "accompaniments[0].plan[0].objective: Ce texte ne doit contenir aucune information médicale (« diabète »)"),
    # Diagnostic and contract
    ("diagnostic_before_start", lambda p: _acc(p)["diagnostic"].update(date="2022-06-30"),
     "accompaniments[0].diagnostic.date: La date du diagnostic ne peut précéder l'entrée dans l'accompagnement."),
    ("diagnostic_medical_text", lambda p: _acc(p)["diagnostic"]["areas"]["housing"].update(text="Dépression sévère"),
     "accompaniments[0].diagnostic.areas.housing.text: Ce texte ne doit contenir aucune information médicale "
     "(« Dépression ») : décrivez la situation et le besoin, jamais un diagnostic ou un traitement."),
    ("diagnostic_area_not_an_object", lambda p: _acc(p)["diagnostic"]["areas"].update(mobility="none"),
     "accompaniments[0].diagnostic.areas.mobility: doit être un objet JSON"),
    ("contract_before_start", lambda p: _acc(p)["contract"].update(signed="2022-06-30"),
     "accompaniments[0].contract.signed: La date de signature du contrat ne peut précéder l'entrée dans "
     "l'accompagnement."),
    ("contract_without_language", lambda p: _acc(p)["contract"].pop("language"),
     "accompaniments[0].contract.language: champ obligatoire manquant"),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_each_v2_error_is_one_line_with_its_path_and_nothing_is_written(runner, tmp_path, app, change, expected):
    before = row_counts(app)
    errors = _errors(_import_person(runner, tmp_path, _mutated(change)))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"line {PERSON_LINE}: {expected}"), errors
    assert row_counts(app) == before


def test_a_department_region_that_is_not_its_own_is_refused(runner, tmp_path, app):
    before = row_counts(app)
    errors = _errors(import_file(runner, tmp_path, [{**sample.DEPARTMENT, "region": "84"}, *sample.records()[1:]]))
    assert errors == ["line 1: region: La région 84 (Auvergne-Rhône-Alpes) n'est pas celle du département 33 : "
                      "sa région INSEE est 75 (Nouvelle-Aquitaine)."]
    errors = _errors(import_file(runner, tmp_path, [{**sample.DEPARTMENT, "region": "7"}]))
    assert errors == ["line 1: region: code de région INSEE invalide (deux chiffres, ex. « 75 », « 04 »)"]
    assert row_counts(app) == before


def test_an_appointment_at_an_operator_of_another_department_is_refused(runner, tmp_path, app):
    dep64 = {"type": "department", "code": "64", "name": "Pyrénées-Atlantiques", "agir_start": "2022-07-01",
             "agir_wave": 2022, "max_months": 12}
    s64 = {"type": "structure", "ref": "S64", "name": "Opérateur AGIR Pau", "department": "64",
           "kind": "agir_operator"}
    person = sample.v2_person()
    person["appointments"][0]["structure"] = "S64"
    # The structure comes after the person in the file: checked in the second pass, same message.
    errors = _errors(_import_person(runner, tmp_path, person, dep64, s64))
    assert errors == [f"line {PERSON_LINE}: appointments[0].structure: Le rendez-vous doit être tenu par un opérateur "
                      "AGIR ou de projet structurant du département de la personne."]


def test_every_error_of_a_file_is_reported_at_once(runner, tmp_path, app):
    person = sample.v2_person()
    person["languages"][0]["code"] = "fa"
    person["appointments"][0]["minutes"] = 600
    _acc(person)["plan"][2]["closed"] = "2022-10-01"
    other = sample.v2_person(ref="P2", household="H2")
    other["documents"][0]["sha256"] = "0" * 63
    errors = _errors(import_file(runner, tmp_path, [*sample.records(person), other]))
    assert [e.split(":")[0:2] for e in errors] == [
        ["line 6", " languages[0].code"], ["line 6", " appointments[0].minutes"],
        ["line 6", " accompaniments[0].plan[2].closed"], ["line 7", " documents[0].sha256"]]


def test_the_sha256_is_given_back_as_written_and_null_stays_null(runner, tmp_path, app):
    person = sample.v2_person()
    person["documents"][0]["sha256"] = "ABCDEF" + "0" * 58
    assert _import_person(runner, tmp_path, person).exit_code == 0
    documents = {r["type"]: r for r in export(runner)}["person"]["documents"]
    assert documents[0]["sha256"] == "ABCDEF" + "0" * 58
    assert documents[1]["sha256"] is None


def test_a_dry_run_of_a_v2_file_writes_nothing(runner, tmp_path, app):
    before = row_counts(app)
    result = _import_person(runner, tmp_path, sample.v2_person())
    assert result.exit_code == 0
    empty_database(app)
    result = import_file(runner, tmp_path, sample.records(sample.v2_person()), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert row_counts(app) == before


# The database itself ----------------------------------------------------------------------------

def test_the_database_refuses_minutes_outside_5_to_480(app_ctx, world):
    from tests import factories
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    for minutes, accepted in ((4, False), (5, True), (480, True), (481, False)):
        row = {"p": person.id, "s": world.agir.id, "m": minutes}
        statement = text("INSERT INTO appointments (person_id, structure_id, start_at, minutes, kind, mode, status, "
                         "created_at, updated_at, version_id) VALUES (:p, :s, '2022-09-01 10:00:00', :m, "
                         "'follow_up', 'phone', 'planned', '2022-09-01 10:00:00', '2022-09-01 10:00:00', 1)")
        if accepted:
            with db.engine.begin() as conn:
                conn.execute(statement, row)
        else:
            with pytest.raises(IntegrityError) as refused, db.engine.begin() as conn:
                conn.execute(statement, row)
            assert "ck_appointments_minutes" in str(refused.value) or "CHECK constraint failed" in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


def test_deleting_a_person_deletes_their_v2_records(app_ctx, world):
    from tests import factories
    person = factories.make_person(world.department, world.agir)
    acc = factories.make_accompaniment(person, world.agir)
    person.languages.append(PersonLanguage(code="prs", level="native"))
    person.appointments.append(Appointment(structure=world.agir, start_at=datetime(2022, 9, 5, 9, 30), minutes=30,
                                           kind="first_interview", mode="on_site", status="honoured"))
    person.documents.append(Document(structure=world.agir, kind="caf", document_on=date(2022, 9, 5)))
    acc.diagnostic_on = date(2022, 9, 6)
    acc.diagnostic_areas.append(DiagnosticArea(area="rights", need="low", text=None))
    acc.plan.append(PlanObjective(area="rights", objective="Ouvrir les droits", state="open"))
    db.session.commit()
    db.session.delete(person)
    db.session.commit()
    for model in (PersonLanguage, Appointment, Document, DiagnosticArea, PlanObjective, Accompaniment):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert db.session.scalar(select(func.count()).select_from(Structure)) > 0


def test_the_v2_sample_uses_every_enumeration_value():
    """The round trip file exercises every value (so the round trip covers each one)."""
    from models import enums
    person = sample.v2_person()
    acc = _acc(person)
    assert {a["kind"] for a in person["appointments"]} == set(enums.APPOINTMENT_KINDS)
    assert {a["mode"] for a in person["appointments"]} == set(enums.APPOINTMENT_MODES)
    assert {a["status"] for a in person["appointments"]} == set(enums.APPOINTMENT_STATUSES)
    assert {d["kind"] for d in person["documents"]} == set(enums.DOCUMENT_KINDS)
    assert {lang["level"] for lang in person["languages"]} == set(enums.LANGUAGE_LEVELS)
    assert {o["state"] for o in acc["plan"]} == set(enums.OBJECTIVE_STATES)
    assert {o["area"] for o in acc["plan"]} == set(enums.AREAS)
    assert {a["need"] for a in acc["diagnostic"]["areas"].values()} == set(enums.NEEDS)


def test_v2_records_written_outside_the_importer_are_exported(runner, app_ctx, world):
    from tests import factories
    person = factories.make_person(world.department, world.agir)
    acc = factories.make_accompaniment(person, world.agir)
    factories.add_language(person, "ukr", "native")
    factories.orient(person, world.agir, date(2022, 8, 1), "self")
    factories.make_appointment(person, world.agir, datetime(2022, 8, 20, 9, 5), 15, "first_interview", "phone",
                               "honoured", "ukr")
    factories.make_document(person, world.agir, "identity", date(2022, 8, 20), date(2030, 1, 1), "cni.pdf")
    factories.make_diagnostic(acc, rights="high", housing=("low", "Hébergé chez un tiers"))
    factories.add_objective(acc, "rights", "Ouvrir les droits", state="done", closed=date(2022, 10, 1))
    factories.sign_contract(acc, date(2022, 9, 5), "ukr")
    db.session.commit()
    exported = {(r["type"], r.get("ref") or r.get("code")): r for r in export(runner)}
    record = exported[("person", person.ref)]
    assert record["languages"] == [{"code": "ukr", "level": "native"}]
    assert record["orientation"] == {"date": "2022-08-01", "source": "self", "structure": "S-AGIR"}
    assert record["appointments"] == [{"structure": "S-AGIR", "start": "2022-08-20T09:05", "minutes": 15,
                                       "kind": "first_interview", "mode": "phone", "interpreter": "ukr",
                                       "status": "honoured"}]
    assert record["documents"] == [{"structure": "S-AGIR", "kind": "identity", "date": "2022-08-20",
                                    "expires": "2030-01-01", "filename": "cni.pdf", "sha256": None}]
    exported_acc = record["accompaniments"][0]
    assert exported_acc["diagnostic"]["date"] == "2022-09-01"
    assert list(exported_acc["diagnostic"]["areas"]) == ["rights", "housing", "employment", "language", "mobility",
                                                         "childcare"]
    assert exported_acc["diagnostic"]["areas"]["housing"] == {"need": "low", "text": "Hébergé chez un tiers"}
    assert exported_acc["plan"] == [{"area": "rights", "objective": "Ouvrir les droits", "due": None,
                                     "state": "done", "closed": "2022-10-01"}]
    assert exported_acc["contract"] == {"signed": "2022-09-05", "language": "ukr"}
    assert exported[("department", "33")]["region"] == "75"


def test_an_objective_points_by_position_in_the_line_and_is_exported_at_its_exported_position(runner, tmp_path, app):
    person = sample.v2_person()
    # Two trainings, the later first in the line: the objective points to position 0 (the qualifying one,
    # started in 2023); the export lists trainings by start date, so it is position 1 there.
    person["trainings"] = [{"level": "qualifying", "start": "2023-02-01"}, {"level": "diploma", "start": "2022-10-01"}]
    _acc(person)["plan"][2]["training"] = 0
    assert _import_person(runner, tmp_path, person).exit_code == 0
    first = export(runner)
    exported = {r["type"]: r for r in first}["person"]
    assert exported["trainings"] == [{"level": "diploma", "start": "2022-10-01"},
                                     {"level": "qualifying", "start": "2023-02-01"}]
    assert exported["accompaniments"][0]["plan"][2]["training"] == 1
    assert "training" not in exported["accompaniments"][0]["plan"][4]  # only when set
    empty_database(app)
    path = tmp_path / "again.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in first) + "\n", encoding="utf-8")
    assert runner.invoke(args=["agir", "import", str(path)]).exit_code == 0
    assert canonical(export(runner)) == canonical(first)


def test_the_files_history_names_the_v2_fields_of_an_imported_line(client, world):
    from models import AuditEntry
    from tests import factories
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.add(AuditEntry(person_id=person.id, action="import", detail="agir import, ligne 6",
                              fields=["appointments", "documents", "interpreter", "languages", "orientation"]))
    db.session.commit()
    factories.login(client, "sw@example.fr")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    history = page[page.index('id="historique"'):]
    assert ("rendez-vous, documents, langue d&#39;interprétation, langues parlées, orientation vers la structure"
            in history)
    for code in ("appointments", "interpreter", "languages"):
        assert code not in history, code
