"""Text rules in one place (agir.rules.text): the table of lengths follows the database columns, and the
forms and the interchange schema read it; the medical-word check of referral needs."""
import pytest
from sqlalchemy import String, Text

from agir.errors import RuleViolation
from agir.interchange import schema
from agir.rules.text import (
    MAX_LENGTHS,
    TEXT_COLUMNS,
    check_length,
    check_need,
    check_no_medical_detail,
    medical_word,
)
from models import Department, Event, Household, HousingStep, Person, Programme, Referral, Structure

COLUMNS = {
    "department.code": (Department, "code"), "department.name": (Department, "name"),
    "structure.ref": (Structure, "ref"), "structure.name": (Structure, "name"),
    "programme.ref": (Programme, "ref"), "programme.name": (Programme, "name"),
    "programme.carif_oref_ref": (Programme, "carif_oref_ref"),
    "person.ref": (Person, "ref"), "person.household": (Household, "ref"),
    "person.last_name": (Person, "last_name"), "person.first_name": (Person, "first_name"),
    "person.nationality": (Person, "nationality"), "person.prior_programme": (Person, "prior_programme"),
    "person.phone": (Person, "phone"), "person.email": (Person, "email"),
    "housing_step.number": (HousingStep, "number"), "event.event": (Event, "event_ref"),
    "referral.need": (Referral, "need"),
}
# Where each key lives in the interchange schema.
SCHEMA_FIELDS = {
    "department.code": (schema.DEPARTMENT, "code"), "department.name": (schema.DEPARTMENT, "name"),
    "structure.ref": (schema.STRUCTURE, "ref"), "structure.name": (schema.STRUCTURE, "name"),
    "programme.ref": (schema.PROGRAMME, "ref"), "programme.name": (schema.PROGRAMME, "name"),
    "programme.carif_oref_ref": (schema.PROGRAMME, "carif_oref_ref"),
    "person.ref": (schema.PERSON, "ref"), "person.household": (schema.PERSON, "household"),
    "person.last_name": (schema.PERSON, "last_name"), "person.first_name": (schema.PERSON, "first_name"),
    "person.nationality": (schema.PERSON, "nationality"), "person.prior_programme": (schema.PERSON, "prior_programme"),
    "person.phone": (schema.PERSON, "phone"), "person.email": (schema.PERSON, "email"),
    "housing_step.number": (schema.PERSON["housing_steps"].schema, "number"),
    "event.event": (schema.EVENT, "event"), "referral.need": (schema.REFERRAL, "need"),
    "referral.refusal_reason": (schema.REFERRAL, "refusal_reason"),
    "note.text": (schema.PERSON["notes"].schema, "text"),
    "extension.reason": (schema.ACCOMPANIMENT["extensions"].schema, "reason"),
    "right.reason": (schema.RIGHT, "reason"),
}


@pytest.mark.parametrize("key", sorted(COLUMNS))
def test_a_varchar_length_is_the_columns(key):
    model, column = COLUMNS[key]
    column_type = model.__table__.c[column].type
    assert isinstance(column_type, String) and MAX_LENGTHS[key] == column_type.length


@pytest.mark.parametrize("key", sorted(TEXT_COLUMNS))
def test_a_text_column_gets_its_length_from_the_table(key):
    model, column = TEXT_COLUMNS[key]
    assert isinstance(model.__table__.c[column].type, Text) and MAX_LENGTHS[key] > 0


def test_the_table_holds_every_text_of_the_person_forms_and_of_the_interchange():
    assert set(COLUMNS) | set(TEXT_COLUMNS) <= set(MAX_LENGTHS)
    assert all(isinstance(n, int) and n > 0 for n in MAX_LENGTHS.values())


@pytest.mark.parametrize("key", sorted(SCHEMA_FIELDS))
def test_the_interchange_schema_reads_the_table(key):
    fields, name = SCHEMA_FIELDS[key]
    assert fields[name].max_length == MAX_LENGTHS[key]


def test_the_person_forms_read_the_table(app):
    from blueprints.persons.forms import NoteForm, PersonForm, RightForm
    from blueprints.referrals.forms import StepForm
    with app.test_request_context():
        def limit(form, name):
            return next(v.max for v in getattr(form, name).validators if hasattr(v, "max") and v.max != -1)
        person = PersonForm(meta={"csrf": False})
        for name in ("last_name", "first_name", "prior_programme", "phone", "email"):
            assert limit(person, name) == MAX_LENGTHS[f"person.{name}"]
        assert limit(NoteForm(meta={"csrf": False}), "text") == MAX_LENGTHS["note.text"]
        assert limit(RightForm(meta={"csrf": False}), "reason") == MAX_LENGTHS["right.reason"]
        assert limit(StepForm(meta={"csrf": False}), "reason") == MAX_LENGTHS["referral.refusal_reason"]


def test_check_length_refuses_one_character_more():
    check_length("x" * MAX_LENGTHS["note.text"], "note.text")
    with pytest.raises(RuleViolation) as refused:
        check_length("x" * (MAX_LENGTHS["note.text"] + 1), "note.text")
    assert (refused.value.code, refused.value.field) == ("too_long", "text")


@pytest.mark.parametrize("need, word", [
    ("Suivi de sa tuberculose", "tuberculose"), ("Personne séropositive, besoin d'un suivi", "séropositive"),
    ("Dépression depuis son arrivée", "Dépression"), ("Diagnostiqué diabétique", "Diagnostiqué"),
    ("Besoin d'aide pour sa GROSSESSE", "GROSSESSE"), ("stress post-traumatique", "stress post-traumatique"),
])
def test_a_need_naming_a_disease_is_refused(need, word):
    assert medical_word(need) == word
    with pytest.raises(RuleViolation) as refused:
        check_no_medical_detail(need)
    assert refused.value.code == "need_medical" and f"« {word} »" in refused.value.message


@pytest.mark.parametrize("need", ["Apprendre le français", "Consultation de médecine générale à organiser",
                                  "Trouver une crèche", "Accès aux soins (ouverture des droits)", "", None])
def test_a_need_saying_what_is_sought_passes(need):
    assert medical_word(need) is None
    check_no_medical_detail(need)


def test_the_referral_form_need_collapses_spaces_then_checks_everything():
    assert check_need("  Apprendre   le français ") == "Apprendre le français"
    for bad, code in (("   ", "need_required"), ("x" * 301, "need_too_long"), ("Suivi  du  VIH", "need_medical")):
        with pytest.raises(RuleViolation) as refused:
            check_need(bad)
        assert refused.value.code == code
