"""Issue 13, item 6: a form that fails shows EVERY error at once — the field checks and the rule checks of the
operation together (before, the rules ran only once every field passed: fix one error, the next appeared).
Each error is next to its field, and the error summary at the top links to every field in error."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agir.dates import today
from agir.extensions import db
from models import Department, Note, Person, Referral
from tests import factories


def html(response):
    return response.get_data(as_text=True)


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": factories.csrf_token(client, page or url), **data})


def error_of(page: str, field_id: str) -> str | None:
    """The message shown next to the field (its fr-error-text), or None."""
    import re
    match = re.search(rf'<p id="{re.escape(field_id)}-error" class="fr-error-text">([^<]*)</p>', page)
    return match.group(1) if match else None


def persons_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Person))


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return client


PERSON = {"last_name": "Haidari", "first_name": "Zahra", "sex": "F", "birth_on": "1991-04-12",
          "nationality": "AFG", "status": "refugee", "protection_on": "2024-02-01", "household_choice": "new"}


def test_new_person_shows_a_missing_field_and_a_future_birth_date_together(sw):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    before = persons_count()
    response = post(sw, "/persons/new", {**PERSON, "last_name": "", "birth_on": tomorrow})
    page = html(response)
    assert response.status_code == 200
    assert error_of(page, "last_name") == "Le nom est obligatoire."           # field check
    assert "postérieure à aujourd" in (error_of(page, "birth_on") or "")      # rule check, same round
    # The summary at the top links to both fields.
    assert 'href="#last_name"' in page and 'href="#birth_on"' in page
    assert persons_count() == before  # nothing written


def test_edit_person_shows_a_bad_nationality_code_and_an_invalid_email_together(sw, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    url = f"/persons/{person.id}/edit"
    response = post(sw, url, {**PERSON, "nationality": "AF", "email": "pas-une-adresse",
                              "version": str(person.version_id)})
    page = html(response)
    assert error_of(page, "nationality") == "Code à trois lettres."
    assert error_of(page, "email")  # the e-mail rule of agir.rules, shown with the field check
    assert 'href="#nationality"' in page and 'href="#email"' in page
    db.session.expire_all()
    assert db.session.get(Person, person.id).last_name != "Haidari"


def test_every_rule_of_the_person_is_shown_not_only_the_first(sw):
    # Fields all valid; three rules broken (birth after today, CIR before birth, bad e-mail): all three at once.
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = post(sw, "/persons/new", {**PERSON, "birth_on": tomorrow, "cir_on": "2020-01-01",
                                         "email": "pas-une-adresse"})
    page = html(response)
    assert error_of(page, "birth_on") and error_of(page, "email")
    assert page.count('class="fr-error-text"') >= 2


def test_note_shows_an_empty_text_and_a_future_date_together(sw, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = post(sw, f"/persons/{person.id}/notes/new", {"note-date": tomorrow, "note-text": ""})
    page = html(response)
    assert error_of(page, "note-text") == "Le texte de la note est obligatoire."
    assert "postérieure à aujourd" in (error_of(page, "note-date") or "")
    assert db.session.scalar(select(func.count()).select_from(Note)) == 0


def test_referral_shows_an_unreadable_date_and_a_medical_need_together(client, world):
    world.programme.end_on = today() + timedelta(days=365)  # still running: one may refer to it
    person = factories.make_person(world.department, world.agir, protection_on=today() - timedelta(days=400))
    db.session.commit()
    factories.login(client, "sw@example.fr")
    url = f"/referrals/new?person_id={person.id}"
    response = post(client, url, {"programme_id": world.programme.id, "need": "Suivi de son hépatite C",
                                  "sent_on": "hier"})
    page = html(response)
    assert error_of(page, "sent_on") == "Date invalide : utilisez le format jj/mm/aaaa."
    assert error_of(page, "need")  # the medical-word rule of the operation, in the same round
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_pilot_settings_show_an_unreadable_date_and_a_rule_of_the_operation_together(client, world):
    factories.login(client, "pilot@example.fr")
    department = world.department
    response = post(client, "/pilot/settings", {"agir_start_on": "31/02/2024", "agir_wave": "",
                                                "max_months": "0", "version_id": str(department.version_id)})
    page = html(response)
    assert error_of(page, "agir_start_on") == "Date invalide : utilisez le format jj/mm/aaaa."
    assert error_of(page, "max_months")
    db.session.expire_all()
    assert db.session.get(Department, department.id).max_months == 12


def test_admin_department_form_shows_a_field_error_and_a_rule_together(client, world):
    factories.login(client, "admin@example.fr")
    response = post(client, "/admin/departments/new", {"code": "33", "name": "Gironde bis", "agir_start_on": "hier",
                                                       "agir_wave": "", "max_months": "12"})
    page = html(response)
    assert error_of(page, "agir_start_on") == "Date invalide : utilisez le format jj/mm/aaaa."
    assert error_of(page, "code")  # department 33 exists: the operation's refusal, in the same round
    assert db.session.scalar(select(func.count()).select_from(Department)) == 1
