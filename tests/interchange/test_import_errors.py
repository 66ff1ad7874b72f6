"""A file with any error is refused whole: exit 1, one `line N: field.path: message` per error, nothing written."""
import copy
import re

import pytest

from tests.interchange import sample
from tests.interchange.helpers import import_file, row_counts, seeded


def _person(**changes):
    record = sample.person(ref="NEW", household="NEWH")
    record.update(changes)
    return record


def _set(path, value):
    """A person whose field at `path` (keys and indexes) is replaced by value (or deleted when value is ...)."""
    record = _person()
    target = record
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return record


def _acc(**changes):
    acc = copy.deepcopy(sample.PERSON["accompaniments"][0])
    acc.update(changes)
    return acc


CASES = [
    # JSON and record shape
    ("malformed_json", '{"type": "person", "ref": ', "line 7: record: JSON invalide"),
    ("not_an_object", "[1, 2]", "line 7: record: un enregistrement doit être un objet JSON"),
    ("missing_type", {k: v for k, v in _person().items() if k != "type"}, "line 7: type: champ obligatoire manquant"),
    ("unknown_type", {**_person(), "type": "household"}, "line 7: type: valeur inconnue « household »"),
    ("unknown_field", {**_person(), "nickname": "Nad"}, "line 7: nickname: champ inconnu"),
    ("unknown_nested_field", _set(["accompaniments", 0, "exit", "job", "salary"], 1500),
     "line 7: accompaniments[0].exit.job.salary: champ inconnu"),
    ("wrong_type_date", _set(["birth_date"], 19950302), "line 7: birth_date: doit être une date au format AAAA-MM-JJ"),
    ("wrong_type_number", _set(["participations", 0, "planned_hours"], "100"),
     "line 7: participations[0].planned_hours: doit être un nombre"),
    ("wrong_type_bool", _set(["accompaniments", 0, "exit", "followup", "positive"], "oui"),
     "line 7: accompaniments[0].exit.followup.positive: doit être un booléen"),
    ("wrong_type_list", _set(["rights"], {"kind": "rsa"}), "line 7: rights: doit être une liste"),
    ("wrong_type_int", _set(["jobs", 0, "months"], 8.5), "line 7: jobs[0].months: doit être un nombre entier"),
    ("huge_integer_hours", _set(["participations", 0, "planned_hours"], 10**400),
     "line 7: participations[0].planned_hours: doit être un nombre"),
    ("huge_integer_months", _set(["jobs", 0, "months"], -(10**400)),
     "line 7: jobs[0].months: doit être un nombre entier entre"),
    ("unknown_enum", _set(["status"], "asylum_seeker"), "line 7: status: valeur inconnue « asylum_seeker »"),
    ("unknown_nested_enum", _set(["accompaniments", 0, "exit", "reason"], "married"),
     "line 7: accompaniments[0].exit.reason: valeur inconnue « married »"),
    ("impossible_date", _set(["protection_date"], "2023-02-30"),
     "line 7: protection_date: date impossible : 2023-02-30"),
    ("loose_date", _set(["rights", 2, "requested"], "2022-7-6"),
     "line 7: rights[2].requested: doit être une date au format AAAA-MM-JJ"),
    ("datetime_is_not_a_date", _set(["arrival_date"], "2021-10-01T10:00:00"),
     "line 7: arrival_date: doit être une date au format AAAA-MM-JJ"),
    ("missing_required", _set(["last_name"], ...), "line 7: last_name: champ obligatoire manquant"),
    ("null_required", _set(["sex"], None), "line 7: sex: valeur obligatoire"),
    ("blank_name", _set(["first_name"], "  "), "line 7: first_name: ne peut pas être vide"),
    ("too_long", _set(["phone"], "0" * 41), "line 7: phone: trop long (40 caractères au plus)"),
    ("bad_nationality", _set(["nationality"], "afghan"), "line 7: nationality: code pays ISO 3166 alpha-3"),
    ("bpi_without_protection_date", _set(["protection_date"], None),
     "line 7: protection_date: La date d'obtention de la protection est obligatoire pour un·e BPI."),
    ("non_bpi_without_first_permit_date", _person(status="family", first_permit_date=None, accompaniments=[]),
     "line 7: first_permit_date: La date du premier titre de séjour est obligatoire"),
    ("negative_hours", _set(["participations", 0, "attended_hours"], -3),
     "line 7: participations[0].attended_hours: Le nombre d'heures ne peut être négatif."),
    # References
    ("dangling_structure", _set(["accompaniments", 0, "structure"], "S9"),
     "line 7: accompaniments[0].structure: référence inconnue « S9 »"),
    ("dangling_programme", _set(["participations", 0, "programme"], "PR9"),
     "line 7: participations[0].programme: référence inconnue « PR9 »"),
    ("dangling_department", _set(["department"], "99"), "line 7: department: référence inconnue « 99 »"),
    ("duplicate_ref_in_file", _person(ref="OK1"),
     "line 7: ref: référence « OK1 » en double dans le fichier (déjà ligne 6)"),
    # Eligibility and durations (SPEC §4.1, §4.2)
    ("programme_operator_holds", _set(["accompaniments", 0, "structure"], "S2"),
     "line 7: accompaniments[0].structure: Cette structure ne peut pas porter d'accompagnement"),
    ("non_bpi_in_agir", _person(status="economic", protection_date=None, first_permit_date="2021-09-15"),
     "line 7: accompaniments[0].start: La personne n'est pas bénéficiaire de la protection internationale"),
    ("before_agir_start", _person(accompaniments=[_acc(start="2022-06-30", planned_end="2023-05-31")]),
     "line 7: accompaniments[0].start: La date d'entrée est antérieure au déploiement d'AGIR"),
    ("two_years_passed", _person(protection_date="2020-06-30"),
     "line 7: accompaniments[0].start: La protection a été obtenue il y a plus de deux ans"),
    ("planned_end_too_soon", _person(accompaniments=[_acc(planned_end="2022-12-31", extensions=[])]),
     "line 7: accompaniments[0].planned_end: La fin prévue doit être au plus tôt le 01/01/2023"),
    ("planned_end_too_late", _person(accompaniments=[_acc(planned_end="2023-07-02", extensions=[])]),
     "line 7: accompaniments[0].planned_end: La fin prévue doit être au plus tard le 01/07/2023"),
    ("extension_beyond_max", _set(["accompaniments", 0, "extensions", 0, "planned_end"], "2023-07-31"),
     "line 7: accompaniments[0].extensions[0].planned_end: La prolongation ne peut dépasser la durée maximale"),
    ("extension_without_reason", _set(["accompaniments", 0, "extensions", 0, "reason"], " "),
     "line 7: accompaniments[0].extensions[0].reason: Le motif de la prolongation est obligatoire."),
    ("extension_after_exit", _set(["accompaniments", 0, "extensions", 0, "date"], "2023-06-20"),
     "line 7: accompaniments[0].extensions[0].date: La décision de prolongation ne peut suivre la sortie."),
    ("early_exit_needs_early_reason", _set(["accompaniments", 0, "exit", "date"], "2022-12-31"),
     "line 7: accompaniments[0].exit.reason: Une sortie avant 6 mois d'accompagnement exige un motif"),
    ("exit_before_start", _set(["accompaniments", 0, "exit", "date"], "2022-06-01"),
     "line 7: accompaniments[0].exit.date: La date de sortie ne peut précéder la date d'entrée."),
    ("followup_before_exit", _set(["accompaniments", 0, "exit", "followup", "date"], "2023-06-01"),
     "line 7: accompaniments[0].exit.followup.date: Le suivi ne peut précéder la sortie."),
    ("exit_cdi_with_months", _set(["accompaniments", 0, "exit", "job"], {"kind": "cdi", "months": 12}),
     "line 7: accompaniments[0].exit.job.months: Un CDI n'a pas de durée en mois."),
    ("two_open_accompaniments", _person(accompaniments=[
        _acc(exit=None, extensions=[]), _acc(structure="S3", start="2023-01-01", planned_end="2023-12-31",
                                             extensions=[], exit=None)]),
     "line 7: accompaniments: La personne a déjà un accompagnement en cours."),
    ("overlapping_accompaniments", _person(accompaniments=[
        _acc(), _acc(structure="S3", start="2023-06-01", planned_end="2023-12-31", extensions=[], exit=None)]),
     "line 7: accompaniments: Les accompagnements d'une personne ne peuvent pas se chevaucher."),
    # The path (SPEC §4.3)
    ("right_obtained_without_date", _set(["rights", 0, "obtained"], None),
     "line 7: rights[0].obtained: La date d'obtention est requise."),
    ("right_dates_backwards", _set(["rights", 0, "obtained"], "2022-07-01"),
     "line 7: rights[0].obtained: La date d'obtention ne peut précéder la date de demande."),
    ("right_twice", _set(["rights", 2, "kind"], "health_insurance"),
     "line 7: rights[2].kind: Un seul suivi par droit et par personne"),
    ("referral_without_sent", _set(["referrals", 0, "sent"], None),
     "line 7: referrals[0].sent: La date d'envoi est requise."),
    ("referral_impossible_path", _set(["referrals", 0, "refused"], "2022-07-26"),
     "line 7: referrals[0]."),
    ("referral_dates_backwards", _set(["referrals", 0, "started"], "2022-07-21"),
     "line 7: referrals[0].started: La date de démarrage ne peut précéder"),
    ("participation_backwards", _set(["participations", 0, "end"], "2022-07-01"),
     "line 7: participations[0].end: La date de fin ne peut précéder la date de début."),
    ("cdi_with_months", _set(["jobs", 1, "months"], 12), "line 7: jobs[1].months: Un CDI n'a pas de durée en mois."),
    ("job_zero_months", _set(["jobs", 0, "months"], 0),
     "line 7: jobs[0].months: La durée du contrat doit être d'au moins 1"),
    ("sport_event_without_id", _set(["events", 1, "event"], None),
     "line 7: events[1].event: L'identifiant de l'évènement est obligatoire"),
    ("consultation_with_event_id", _set(["events", 0, "event"], "EV1"),
     "line 7: events[0].event: Seuls les évènements sportifs et culturels portent un identifiant"),
    ("refused_right_without_reason", _set(["rights", 1, "reason"], None),
     "line 7: rights[1].reason: Le motif du refus est obligatoire."),
    ("enrolled_before_protection", _person(protection_date="2022-07-02"),
     "line 7: accompaniments[0].start: La date d'entrée est antérieure à la date d'obtention de la protection."),
]


@pytest.mark.parametrize("bad, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_invalid_person_is_reported_with_its_line_and_path_and_nothing_is_written(
        runner, tmp_path, app, bad, expected):
    before = row_counts(app)
    result = import_file(runner, tmp_path, sample.records(_person(ref="OK1", household="OKH"), bad))
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    assert all(re.fullmatch(r"line \d+: [^ ]+: .+", line) for line in result.stderr.splitlines()), result.stderr
    assert result.stdout == ""
    assert row_counts(app) == before


def test_every_error_of_the_file_is_listed_in_line_order(runner, tmp_path, app):
    before = seeded(runner, tmp_path, app)  # what is already in the database stays as it was
    items = ['{"oops"', _set(["sex"], "X"), _person(ref="P2", household=None, protection_date="2023-02-30")]
    result = import_file(runner, tmp_path, items)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "line 1: record: JSON invalide (colonne 8) : « : » attendu",
        "line 2: sex: valeur inconnue « X » (valeurs admises : F, M)",
        "line 3: protection_date: date impossible : 2023-02-30",
    ]
    assert row_counts(app) == before


def test_refs_already_in_the_database_are_an_error_each(runner, tmp_path, app):
    first = import_file(runner, tmp_path, sample.records(), name="first.jsonl")
    assert first.exit_code == 0, first.stderr
    before = row_counts(app)
    again = import_file(runner, tmp_path, sample.records(), name="again.jsonl")
    assert again.exit_code == 1
    errors = again.stderr.splitlines()
    assert "line 1: code: « 33 » existe déjà dans la base (import déjà fait ?)" in errors
    for number, ref in ((2, "S1"), (3, "S2"), (4, "S3"), (5, "PR1"), (6, "P1")):
        assert f"line {number}: ref: « {ref} » existe déjà dans la base (import déjà fait ?)" in errors
    assert len(errors) == 6
    assert row_counts(app) == before


def test_reference_records_are_checked_too(runner, tmp_path, app):
    before = seeded(runner, tmp_path, app)
    items = [
        {**sample.DEPARTMENT, "code": "2A", "max_months": 24},
        {**sample.DEPARTMENT, "code": "3300"},
        {**sample.STRUCTURES[0], "ref": "SX", "department": "99", "kind": "association"},
        {**sample.PROGRAMME, "ref": "PRX", "theme": "cooking", "end": "2021-12-31", "total_cost": -5,
         "sessions": [{"date": "2022-02-01"}]},
        {**sample.PROGRAMME, "ref": "PRY", "start": "2022-06-01", "end": "2022-05-31"},
    ]
    result = import_file(runner, tmp_path, items)
    assert result.exit_code == 1
    errors = result.stderr
    assert "line 1: max_months: La durée maximale doit être comprise entre 6 et 18 mois." in errors
    assert "line 2: code: code de département INSEE invalide" in errors
    assert "line 3: department: référence inconnue « 99 »" in errors
    assert "line 3: kind: valeur inconnue « association »" in errors
    assert "line 4: theme: valeur inconnue « cooking »" in errors
    assert "line 4: total_cost: ne peut pas être négatif" in errors
    assert "line 4: sessions[0].hours: champ obligatoire manquant" in errors
    assert "line 5: end: La date de fin ne peut précéder la date de début." in errors
    assert row_counts(app) == before


def test_dry_run_of_an_invalid_file_lists_the_errors(runner, tmp_path, app):
    result = import_file(runner, tmp_path, sample.records(_set(["hosting"], "hotel")), "--dry-run")
    assert result.exit_code == 1
    assert "line 6: hosting: valeur inconnue « hotel »" in result.stderr


def test_invalid_utf8_is_an_error_of_its_line(runner, tmp_path, app):
    path = tmp_path / "latin1.jsonl"
    lines = sample.dumps(sample.records())
    path.write_bytes(("\n".join(lines[:5]) + "\n").encode() + lines[5].encode("latin-1", "replace") + b"\xe9\n")
    result = runner.invoke(args=["agir", "import", str(path)])
    assert result.exit_code == 1
    assert "line 6: record: encodage invalide (UTF-8 attendu)" in result.stderr


def test_a_person_before_its_department_gets_the_same_errors_as_after_it(runner, tmp_path, app):
    """Persons are checked at the scan when their department and structures are known, else in the
    check pass: the order of the file changes neither the errors nor their order within a line."""
    bad = _person(protection_date="2023-02-30", referrals=[{**sample.PERSON["referrals"][0], "programme": "NOPE"}],
                  jobs=[{"kind": "cdi", "start": "2023-01-02", "months": 6}])
    reference = [sample.DEPARTMENT, *sample.STRUCTURES, sample.PROGRAMME]
    after = import_file(runner, tmp_path, [*reference, bad], name="after.jsonl")
    before = import_file(runner, tmp_path, [bad, *reference], name="before.jsonl")
    assert after.exit_code == before.exit_code == 1

    def messages(result):
        return [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    assert messages(after) == messages(before)
    assert messages(after)[0].startswith("referrals[0].programme: référence inconnue « NOPE »")
    assert any(m.startswith("protection_date: date impossible") for m in messages(after))
    assert any(m.startswith("jobs[0]") for m in messages(after)), messages(after)
