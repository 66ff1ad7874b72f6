"""Export: every record and contract field, streamed; the round trip import → export → import → export is exact."""
import json

from sqlalchemy import event, select

from agir.extensions import db
from agir.interchange import exporter
from agir.interchange.exporter import iter_export_lines
from models import AuditEntry, Person, Structure
from tests import factories
from tests.interchange import sample
from tests.interchange.helpers import canonical, empty_database, export, import_file


def _by_ref(records):
    return {(r["type"], r.get("ref") or r.get("code")): r for r in records}


def test_the_export_gives_back_exactly_what_was_imported(runner, tmp_path, app):
    assert import_file(runner, tmp_path, sample.records()).exit_code == 0
    records = export(runner)
    assert [r["type"] for r in records] == ["department", "structure", "structure", "structure", "programme", "person"]
    # Every contract field of the sample is present with its value, and nothing else.
    assert canonical(records) == canonical(sample.exported(sample.records()))


def test_every_contract_field_is_present_even_when_empty(runner, tmp_path, app):
    bare = {"type": "person", "ref": "P9", "department": "33", "last_name": "Haddad", "first_name": "Omar",
            "sex": "M", "birth_date": "1988-12-31", "nationality": "SYR", "status": "family",
            "first_permit_date": "2023-01-10"}
    programme = {k: v for k, v in sample.PROGRAMME.items() if k in ("type", "ref", "name", "theme", "structure",
                                                                   "department", "start")}
    assert import_file(runner, tmp_path, [sample.DEPARTMENT, *sample.STRUCTURES, programme, bare]).exit_code == 0
    records = _by_ref(export(runner))
    person = records[("person", "P9")]
    assert set(person) == set(sample.exported([sample.PERSON])[0])
    assert {key: person[key] for key in sample.V2_PERSON_DEFAULTS} == sample.V2_PERSON_DEFAULTS
    assert person["household"] is None and person["protection_date"] is None and person["email"] is None
    assert all(person[name] == [] for name in ("accompaniments", "rights", "housing_steps", "housing", "jobs",
                                                "trainings", "referrals", "participations", "events", "notes"))
    exported = records[("programme", "PR1")]
    assert set(exported) == set(sample.PROGRAMME)
    assert exported["end"] is None and exported["sessions"] == [] and exported["total_cost"] is None


def test_round_trip_import_export_import_export_is_exact(runner, tmp_path, app):
    persons = [sample.generated_person(n) for n in range(12)]
    assert import_file(runner, tmp_path, sample.records(sample.PERSON, *persons)).exit_code == 0
    first = export(runner)
    empty_database(app)
    (tmp_path / "export.jsonl").write_text("\n".join(json.dumps(r) for r in first) + "\n", encoding="utf-8")
    again = runner.invoke(args=["agir", "import", str(tmp_path / "export.jsonl")])
    assert again.exit_code == 0, again.stderr
    second = export(runner)
    assert len(first) == len(second) == 18
    assert canonical(first) == canonical(second)


def test_numbers_stay_numbers(runner, tmp_path, app):
    person = sample.person()
    person["participations"][0].update(planned_hours=100, attended_hours=85)
    assert import_file(runner, tmp_path, sample.records(person)).exit_code == 0
    line = next(line for line in runner.invoke(args=["agir", "export"]).stdout.splitlines() if '"person"' in line)
    assert '"planned_hours": 100.0' in line and '"attended_hours": 85.0' in line
    programme = _by_ref(export(runner))[("programme", "PR1")]
    assert programme["total_cost"] == 120000.0 and programme["sessions"][1]["hours"] == 2.5


def test_export_of_one_department_carries_what_its_records_point_to(runner, tmp_path, app):
    dep64 = {**sample.DEPARTMENT, "code": "64", "name": "Pyrénées-Atlantiques"}
    s64 = {**sample.STRUCTURES[0], "ref": "S64", "department": "64"}
    # A person of 64 referred to the programme of 33 (kept, with its structure and department).
    p64 = sample.person(ref="P64", household="H64", department="64", accompaniments=[], rights=[])
    p64["referrals"][0]["sender"] = "S64"
    lonely = {**sample.DEPARTMENT, "code": "40", "name": "Landes"}
    assert import_file(runner, tmp_path, [*sample.records(), dep64, s64, p64, lonely]).exit_code == 0
    records = export(runner, "--department", "64")
    keys = {(r["type"], r.get("ref") or r.get("code")) for r in records}
    assert ("person", "P64") in keys and ("person", "P1") not in keys
    assert {("department", "64"), ("department", "33"), ("structure", "S64"), ("programme", "PR1"),
            ("structure", "S2")} <= keys
    assert ("department", "40") not in keys and ("structure", "S3") not in keys
    # The department's file imports on its own into an empty database.
    empty_database(app)
    (tmp_path / "d64.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assert runner.invoke(args=["agir", "import", str(tmp_path / "d64.jsonl")]).exit_code == 0


def test_export_of_an_unknown_department_is_refused(runner, app):
    result = runner.invoke(args=["agir", "export", "--department", "99"])
    assert result.exit_code == 1
    assert "Département inconnu : 99" in result.stderr and result.stdout == ""


def test_persons_are_streamed_page_by_page(runner, tmp_path, app, app_ctx, monkeypatch):
    persons = [sample.generated_person(n) for n in range(7)]
    assert import_file(runner, tmp_path, sample.records(*persons)).exit_code == 0
    monkeypatch.setattr(exporter, "PAGE", 2)
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        refs = [json.loads(line)["ref"] for line in iter_export_lines() if '"type": "person"' in line]
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert refs == [f"G{n}" for n in range(7)]
    # Pages of 2 persons: 4 pages and the empty one that ends the stream; rights read page by page too.
    assert sum(1 for s in statements if "FROM persons LEFT OUTER JOIN households" in s) == 5
    assert sum(1 for s in statements if "FROM right_steps" in s) == 4
    assert len(db.session.identity_map) == 0  # plain rows: the caller's session is left alone


def test_the_export_is_audited_without_any_personal_data(runner, tmp_path, app):
    assert import_file(runner, tmp_path, sample.records()).exit_code == 0
    export(runner)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
        assert entry.detail == "agir export : 6 enregistrement(s)"
        db.session.remove()


def test_records_created_outside_the_importer_are_exported(runner, app_ctx):
    world = factories.make_world()
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    records = _by_ref(export(runner))
    exported = records[("person", person.ref)]
    assert exported["accompaniments"][0] == {"structure": "S-AGIR", "start": "2022-09-01", "planned_end": "2023-08-31",
                                             "extensions": [], "exit": None, **sample.V2_ACCOMPANIMENT_DEFAULTS}
    assert records[("programme", "PR-LANG")]["sessions"] == [{"date": "2022-09-01", "hours": 3.0}]


def test_the_structure_that_opened_a_file_not_yet_enrolled_survives_the_round_trip(runner, app_ctx, tmp_path):
    world = factories.make_world()
    factories.make_person(world.department, world.agir, ref="WAIT")
    enrolled = factories.make_person(world.department, world.other, ref="ENR")
    factories.make_accompaniment(enrolled, world.other)
    db.session.commit()
    first = export(runner)
    persons = _by_ref(first)
    assert persons[("person", "WAIT")]["opened_by"] == "S-AGIR"
    assert "opened_by" not in persons[("person", "ENR")]  # told by its accompaniment
    db.session.remove()
    empty_database(app_ctx)
    (tmp_path / "export.jsonl").write_text("\n".join(json.dumps(r) for r in first), encoding="utf-8")
    assert runner.invoke(args=["agir", "import", str(tmp_path / "export.jsonl")]).exit_code == 0
    assert db.session.scalar(select(Person.structure_id).where(Person.ref == "WAIT")) == db.session.scalar(
        select(Structure.id).where(Structure.ref == "S-AGIR"))
    assert canonical(export(runner)) == canonical(first)


def test_person_record_is_the_exported_record_of_one_person(runner, tmp_path, app, app_ctx):
    assert import_file(runner, tmp_path, sample.records()).exit_code == 0
    person_id = db.session.scalar(select(Person.id).where(Person.ref == "P1"))
    exported = next(json.loads(line) for line in iter_export_lines() if '"type": "person"' in line)
    assert exporter.person_record(person_id) == exported
    assert exporter.person_record(person_id + 1000) is None
