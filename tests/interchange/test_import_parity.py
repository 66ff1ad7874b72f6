"""`agir import` refuses what the forms refuse, and the forms refuse what `agir import` would (issue 13):
each finding of the audit, through the real command and the real operation or form, one rule for both."""
import re
from datetime import date, timedelta

import pytest

from agir.dates import add_months
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations import persons as person_ops
from agir.operations import referrals as referral_ops
from models import Person
from tests import factories
from tests.interchange import sample
from tests.interchange.helpers import empty_database, export, import_file, row_counts

TODAY = paris_today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


def _person(**changes):
    record = sample.person(ref="NEW", household="NEWH")
    record.update(changes)
    return record


def _refused(runner, tmp_path, app, record, expected):
    """The import of the sample file with this person fails with `expected` among its lines, writing nothing."""
    before = row_counts(app)
    result = import_file(runner, tmp_path, sample.records(record))
    assert result.exit_code == 1, result.stderr
    assert expected in result.stderr.splitlines(), result.stderr
    assert all(line.startswith("line 6: ") for line in result.stderr.splitlines()), result.stderr
    assert row_counts(app) == before
    return result.stderr.splitlines()


def _values(**changes):
    """The sample person as the person form gives it to the operation."""
    values = dict(last_name="Rahimi", first_name="Nadia", sex="F", birth_on=date(1995, 3, 2), nationality="AFG",
                  status="refugee", protection_on=date(2021, 9, 15), first_permit_on=None,
                  arrival_on=date(2021, 10, 1), cir_on=date(2021, 11, 2), permit_expiry_on=date(2031, 9, 14),
                  hosting="cph", language_level="A1", prior_programme=None, phone=None, email="nadia@example.org")
    values.update(changes)
    return values


@pytest.fixture
def worker(app_ctx):
    """A social worker of another department (44), so that the sample file (33) imports beside it."""
    department = factories.make_department(code="44", name="Loire-Atlantique")
    structure = factories.make_structure(department, "agir_operator", ref="S-44")
    user = factories.make_user("social_worker", structure, email="sw44@example.fr")
    db.session.commit()
    return user


def _form_refuses(worker, field, **changes):
    """The operation behind the person form refuses these values, on that field."""
    with pytest.raises(RuleViolation) as refused:
        person_ops.create_person(worker, _values(**changes))
    assert refused.value.field == field, refused.value.message
    db.session.rollback()
    return refused.value.message


def test_the_sample_file_imports(runner, tmp_path):
    result = import_file(runner, tmp_path, sample.records())
    assert result.exit_code == 0, result.stderr


# ---- the findings ------------------------------------------------------------------------------

def test_a_referral_need_naming_a_disease_is_refused_by_import_as_by_the_referral_form(runner, tmp_path, app):
    record = _person()
    record["referrals"][0]["need"] = "Suivi de sa   tuberculose"
    lines = _refused(runner, tmp_path, app, record,
                     "line 6: referrals[0].need: Le besoin ne doit contenir aucune information médicale "
                     "(« tuberculose ») : indiquez ce qui est attendu du programme, jamais un diagnostic ou un "
                     "traitement.")
    assert len(lines) == 1
    with pytest.raises(RuleViolation) as refused:  # the form's operation, same rule, same message
        referral_ops.check_need("Suivi de sa tuberculose")
    assert refused.value.code == "need_medical" and str(refused.value.message) in lines[0]


def test_a_birth_date_in_2031_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker):
    message = _form_refuses(worker, "birth_on", birth_on=date(2031, 3, 2))
    _refused(runner, tmp_path, app, _person(birth_date="2031-03-02"), f"line 6: birth_date: {message}")


def test_a_birth_date_tomorrow_is_refused_and_today_accepted(runner, tmp_path, app):
    born_today = _person(birth_date=TODAY.isoformat(), protection_date=TODAY.isoformat(), arrival_date=None,
                         cir_date=None, accompaniments=[], rights=[], housing_steps=[], housing=[], jobs=[],
                         trainings=[], referrals=[], participations=[], events=[], notes=[])
    _refused(runner, tmp_path, app, dict(born_today, birth_date=TOMORROW),
             "line 6: birth_date: La date de naissance ne peut pas être postérieure à aujourd'hui.")
    assert import_file(runner, tmp_path, sample.records(born_today)).exit_code == 0


def test_a_note_dated_2031_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker):
    person = factories.make_person(worker.structure.department, worker.structure)
    with pytest.raises(RuleViolation) as refused:
        person_ops.add_note(worker, person, date(2031, 1, 5), "Entretien")
    db.session.rollback()
    record = _person()
    record["notes"][0]["date"] = "2031-01-05"
    _refused(runner, tmp_path, app, record, f"line 6: notes[0].date: {refused.value.message}")


def test_an_arrival_date_in_2099_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker):
    message = _form_refuses(worker, "arrival_on", arrival_on=date(2099, 1, 1))
    _refused(runner, tmp_path, app, _person(arrival_date="2099-01-01"), f"line 6: arrival_date: {message}")


def test_a_protection_date_before_the_birth_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker):
    message = _form_refuses(worker, "protection_on", protection_on=date(1994, 1, 1))
    assert message == "La date de protection ne peut précéder la naissance."
    _refused(runner, tmp_path, app, _person(protection_date="1994-01-01", accompaniments=[]),
             f"line 6: protection_date: {message}")


def test_a_cir_date_before_the_birth_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker):
    message = _form_refuses(worker, "cir_on", cir_on=date(1995, 3, 1))
    _refused(runner, tmp_path, app, _person(cir_date="1995-03-01"), f"line 6: cir_date: {message}")


@pytest.mark.parametrize("address", ["nadia@exemple", "nadia..rahimi@exemple.fr", "nadia @exemple.fr",
                                     "nadia@exemple.fr@autre.fr"])
def test_an_invalid_email_is_refused_by_import_as_by_the_form(runner, tmp_path, app, worker, address):
    message = _form_refuses(worker, "email", email=address)
    _refused(runner, tmp_path, app, _person(email=address), f"line 6: email: {message}")


def test_a_fact_of_the_path_dated_after_today_is_refused_by_import_as_by_the_forms(runner, tmp_path, app):
    record = _person()
    record["jobs"][0]["start"] = TOMORROW
    record["referrals"][0]["started"] = TOMORROW
    record["accompaniments"][0]["exit"]["followup"]["date"] = TOMORROW
    lines = _refused(runner, tmp_path, app, record,
                     "line 6: jobs[0].start: La date de début du contrat ne peut pas être postérieure à aujourd'hui.")
    assert "line 6: referrals[0].started: La date ne peut pas être postérieure à aujourd'hui." in lines
    assert ("line 6: accompaniments[0].exit.followup.date: La date du suivi ne peut pas être postérieure à "
            "aujourd'hui.") in lines


def test_the_dates_that_may_be_later_stay_accepted(runner, tmp_path):
    """INTERCHANGE.md: a permit expiry, a planned end and a participation's end are not facts yet."""
    record = _person(permit_expiry="2099-09-14", accompaniments=[], referrals=[])
    record["participations"][0]["end"] = "2099-12-15"
    assert import_file(runner, tmp_path, sample.records(record)).exit_code == 0


def test_a_note_longer_than_the_form_allows_is_refused_by_import(runner, tmp_path, app):
    record = _person()
    record["notes"][0]["text"] = "x" * 5001
    _refused(runner, tmp_path, app, record, "line 6: notes[0].text: trop long (5000 caractères au plus)")


# ---- the person form refuses what import would refuse --------------------------------------------

def _edit_data(person, **changes):
    data = {n: (getattr(person, n).isoformat() if isinstance(getattr(person, n), date) else getattr(person, n) or "")
            for n in person_ops.PERSON_FIELDS}
    data.update(changes)
    return data


def _post_edit(client, person, **changes):
    page = client.get(f"/persons/{person.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    token = factories.csrf_token(client, "/persons/")
    response = client.post(f"/persons/{person.id}/edit",
                           data={"csrf_token": token, "version": version, **_edit_data(person, **changes)})
    return response.get_data(as_text=True)


def _enrolled(world, start):
    person = factories.make_person(world.department, world.agir, protection_on=start - timedelta(days=90))
    factories.make_accompaniment(person, world.agir, start=start, planned_end=add_months(start, 12))
    db.session.commit()
    return person


def test_moving_the_protection_date_after_the_entry_is_refused_by_the_person_form(client, world, runner, app,
                                                                                  tmp_path):
    start = TODAY - timedelta(days=30)
    person = _enrolled(world, start)
    factories.login(client, "sw@example.fr")
    page = _post_edit(client, person, protection_on=(start + timedelta(days=1)).isoformat())
    error = re.search(r'id="protection_on-error"[^>]*>([^<]*)', page)
    assert error and "avant cette date de protection" in error.group(1), page
    db.session.expire_all()
    assert db.session.get(Person, person.id).protection_on == start - timedelta(days=90)  # nothing written
    # The file, as it stays, is one that agir import takes.
    records = export(runner)
    empty_database(app)
    result = import_file(runner, tmp_path, records)
    assert result.exit_code == 0, result.stderr


def test_an_accompanied_person_cannot_become_non_bpi_through_the_form(client, world):
    person = _enrolled(world, TODAY - timedelta(days=30))
    factories.login(client, "sw@example.fr")
    page = _post_edit(client, person, status="family", first_permit_on=(TODAY - timedelta(days=200)).isoformat())
    error = re.search(r'id="status-error"[^>]*>([^<]*)', page)
    assert error and "seul·e un·e BPI" in error.group(1), page
    db.session.expire_all()
    assert db.session.get(Person, person.id).status == "refugee"


def test_a_protection_date_moved_but_still_before_the_entry_is_saved_and_the_export_imports(
        client, world, runner, app, tmp_path):
    start = TODAY - timedelta(days=30)
    person = _enrolled(world, start)
    factories.login(client, "sw@example.fr")
    _post_edit(client, person, protection_on=(start - timedelta(days=10)).isoformat())
    db.session.expire_all()
    assert db.session.get(Person, person.id).protection_on == start - timedelta(days=10)
    records = export(runner)
    empty_database(app)
    result = import_file(runner, tmp_path, records)
    assert result.exit_code == 0, result.stderr

