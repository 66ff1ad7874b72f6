"""Persons, households and notes: creation in the actor's structure, rules refused with French messages,
nothing half-written, audit with field names only, optimistic locking."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import persons as ops
from models import AuditEntry, Household, Note, Person
from tests import factories

TODAY = date(2024, 6, 15)


def values(**kw):
    base = dict(last_name="Haidari", first_name="Amina", sex="F", birth_on=date(1995, 3, 2), nationality="afg",
                status="refugee", protection_on=date(2024, 1, 10), arrival_on=date(2024, 2, 1), cir_on=None,
                permit_expiry_on=None, hosting="cph", language_level="A1", prior_programme="", phone=" 06 12 ",
                email="Amina@Example.fr")
    base.update(kw)
    return base


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_person_opens_the_file_in_the_actors_structure_with_a_new_household(world):
    actor = world.users.social_worker
    person = ops.create_person(actor, values(), today=TODAY)
    assert person.ref.startswith("P-") and len(person.ref) == 10
    assert person.structure_id == world.agir.id
    assert person.department_id == world.department.id
    assert person.household.ref.startswith("H-") and person.household.members == [person]
    assert person.nationality == "AFG" and person.email == "amina@example.fr" and person.phone == "06 12"
    assert person.prior_programme is None  # empty text is stored as nothing
    assert person.pseudonym  # generated for the pilot's pseudonymous lists


def test_create_person_audits_field_names_never_values(world):
    person = ops.create_person(world.users.social_worker, values(), today=TODAY)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id)).one()
    assert entry.action == "create_person" and entry.user_id == world.users.social_worker.id
    assert {"last_name", "protection_on", "household"} <= set(entry.fields)
    dumped = json.dumps([entry.fields, entry.detail])
    assert "Haidari" not in dumped and "1995" not in dumped and "example.fr" not in dumped


def test_create_person_joins_an_existing_household(world):
    first = ops.create_person(world.users.social_worker, values(), today=TODAY)
    second = ops.create_person(world.users.social_worker, values(first_name="Karim", sex="M"),
                               household=first.household, today=TODAY)
    assert second.household_id == first.household_id
    assert count(Household) == 1


@pytest.mark.parametrize("changes, field, message", [
    (dict(protection_on=None), "protection_on", "obligatoire pour un·e BPI"),
    (dict(status="family", protection_on=None, first_permit_on=None), "first_permit_on", "premier titre"),
    (dict(birth_on=TODAY + timedelta(days=1)), "birth_on", "postérieure à aujourd'hui"),
    (dict(protection_on=date(1990, 1, 1)), "protection_on", "ne peut précéder la naissance"),
    (dict(nationality="AF"), "nationality", "trois lettres"),
    (dict(last_name="  "), "last_name", "Le nom est obligatoire"),
    (dict(sex="X"), "sex", "Sexe inconnu"),
    (dict(language_level="D1"), "language_level", "CECRL"),
    (dict(email="not-an-email"), "email", "invalide"),
])
def test_create_person_refuses_invalid_values_and_writes_nothing(world, changes, field, message):
    before = (count(Person), count(Household), count(AuditEntry))
    with pytest.raises(RuleViolation) as refused:
        ops.create_person(world.users.social_worker, values(**changes), today=TODAY)
    assert refused.value.field == field and message in refused.value.message
    assert (count(Person), count(Household), count(AuditEntry)) == before


def test_a_non_bpi_needs_only_a_first_permit_date(world):
    person = ops.create_person(world.users.social_worker,
                               values(status="economic", protection_on=None, first_permit_on=date(2023, 5, 1)),
                               today=TODAY)
    assert not person.is_bpi and person.reference_on == date(2023, 5, 1)


def test_an_account_without_structure_cannot_create_a_person(world):
    with pytest.raises(RuleViolation):
        ops.create_person(world.users.admin, values(), today=TODAY)


def test_update_person_changes_and_audits_only_the_fields_changed(world):
    actor = world.users.social_worker
    person = ops.create_person(actor, values(), today=TODAY)
    version = person.version_id
    ops.update_person(actor, person, values(hosting="dna", phone="07 00 00 00 00"), version=version, today=TODAY)
    assert person.hosting == "dna" and person.version_id == version + 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update_person")).one()
    assert sorted(entry.fields) == ["hosting", "phone"]


def test_update_person_with_an_old_version_is_refused_as_stale(world):
    actor = world.users.social_worker
    person = ops.create_person(actor, values(), today=TODAY)
    ops.update_person(actor, person, values(hosting="dna"), version=person.version_id, today=TODAY)
    with pytest.raises(StaleRecord) as refused:
        ops.update_person(actor, person, values(hosting="homeless"), version=person.version_id - 1, today=TODAY)
    assert "modifié par quelqu'un d'autre" in refused.value.message
    assert person.hosting == "dna"


def test_change_household_moves_the_person_and_drops_the_empty_household(world):
    actor = world.users.social_worker
    a = ops.create_person(actor, values(), today=TODAY)
    b = ops.create_person(actor, values(first_name="Karim", sex="M"), today=TODAY)
    old = b.household_id
    ops.change_household(actor, b, a.household, version=b.version_id)
    assert b.household_id == a.household_id
    assert db.session.get(Household, old) is None
    ops.change_household(actor, b, None, version=b.version_id)  # leaves to form a household of one
    assert b.household_id != a.household_id and a.household.members == [a]


def test_change_household_refuses_a_pointless_move(world):
    actor = world.users.social_worker
    a = ops.create_person(actor, values(), today=TODAY)
    with pytest.raises(RuleViolation, match="à elle seule"):
        ops.change_household(actor, a, None)
    with pytest.raises(RuleViolation, match="déjà partie"):
        ops.change_household(actor, a, a.household)


def test_notes_are_dated_written_and_corrected_only_by_their_author(world):
    actor, colleague = world.users.social_worker, factories.make_user("social_worker", world.agir)
    person = factories.make_person(world.department, world.agir)
    note = ops.add_note(actor, person, TODAY, "  Rendez-vous CAF  ", today=TODAY)
    assert note.text == "Rendez-vous CAF" and note.author_id == actor.id
    with pytest.raises(RuleViolation, match="auteur"):
        ops.correct_note(colleague, note, TODAY, "autre", "motif", today=TODAY)
    with pytest.raises(RuleViolation, match="auteur"):
        ops.cancel_note(colleague, note, "motif")
    ops.correct_note(actor, note, TODAY - timedelta(days=1), "Rendez-vous CAF mardi", "Mauvais jour", today=TODAY)
    assert note.noted_on == TODAY - timedelta(days=1)
    ops.cancel_note(actor, note, "Note sur la mauvaise personne")
    assert count(Note) == 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.person_id == person.id)).all()
    assert actions == ["add_note", "correct_record", "cancel_record"]


@pytest.mark.parametrize("noted_on, text, field", [
    (None, "x", "date"), (TODAY + timedelta(days=1), "x", "date"), (TODAY, "   ", "text"), (TODAY, "x" * 5001, "text"),
])
def test_a_note_needs_a_past_date_and_a_text(world, noted_on, text, field):
    person = factories.make_person(world.department, world.agir)
    with pytest.raises(RuleViolation) as refused:
        ops.add_note(world.users.social_worker, person, noted_on, text, today=TODAY)
    assert refused.value.field == field and count(Note) == 0
