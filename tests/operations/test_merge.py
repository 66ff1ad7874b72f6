"""Merging two files of one person (SPEC §4.8): every record kept, one line per right, the rules checked on the
merged file, nothing half-written, audited on both files, the merged-away file deleted, its ref gone."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations.merge import MergeRefused, merge_persons
from models import (
    Accompaniment,
    Alert,
    AuditEntry,
    Event,
    Exit,
    Household,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Person,
    Referral,
    RightStep,
    Training,
)
from tests import factories
from tests.referrals_factories import make_referral


def pair(world, **gone_kw):
    keep = factories.make_person(world.department, world.agir, last_name="Rahimi", first_name="Nadia",
                                 birth_on=date(1995, 3, 2), phone=None)
    gone = factories.make_person(world.department, world.agir, last_name="RAHIMI", first_name="Nadiya",
                                 birth_on=date(1995, 2, 3), phone="06 12 34 56 78", **gone_kw)
    return keep, gone


def test_every_record_of_both_files_is_kept(world):
    keep, gone = pair(world)
    factories.make_accompaniment(keep, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 8, 31),
                                 exit_on=date(2023, 3, 1)).exit = Exit(exit_on=date(2023, 3, 1), reason="goals_reached")
    factories.make_accompaniment(gone, world.agir, start=date(2023, 4, 1), planned_end=date(2024, 3, 31))
    db.session.add_all([
        RightStep(person=keep, kind="health_insurance", state="requested", requested_on=date(2022, 9, 5)),
        RightStep(person=gone, kind="health_insurance", state="obtained", requested_on=date(2022, 9, 2),
                  obtained_on=date(2022, 10, 1)),
        RightStep(person=keep, kind="caf_benefits", state="obtained", obtained_on=date(2022, 11, 1)),
        RightStep(person=gone, kind="caf_benefits", state="requested", requested_on=date(2022, 10, 1)),
        RightStep(person=gone, kind="bank_account", state="todo"),
        HousingStep(person=gone, kind="siao_application", step_on=date(2023, 5, 1)),
        HousingAccess(person=keep, kind="social_rental", access_on=date(2023, 9, 1)),
        Job(person=gone, kind="cdd", start_on=date(2023, 6, 1), months=6),
        Training(person=keep, level="qualifying", start_on=date(2022, 12, 1)),
        Participation(person=gone, programme=world.programme, start_on=date(2023, 5, 1)),
        Event(person=gone, kind="medical_consultation", event_on=date(2023, 5, 2)),
        Note(person=gone, noted_on=date(2023, 5, 3), text="Premier entretien"),
        Note(person=keep, noted_on=date(2022, 9, 1), text="Arrivée"),
        Alert(kind="inactive", person=gone, structure_id=world.agir.id, subject_key="x", due_on=date(2023, 7, 1),
              first_seen_on=date(2023, 7, 1), last_seen_on=date(2023, 7, 1)),
    ])
    make_referral(gone, world.programme, state="completed")
    db.session.flush()
    keep_id, gone_id, gone_ref, keep_ref = keep.id, gone.id, gone.ref, keep.ref

    merged = merge_persons(world.users.social_worker, keep, gone)
    db.session.commit()

    assert merged.id == keep_id and merged.ref == keep_ref
    assert db.session.get(Person, gone_id) is None
    assert db.session.scalar(select(Person.id).where(Person.ref == gone_ref)) is None
    assert sorted(a.start_on for a in merged.accompaniments) == [date(2022, 9, 1), date(2023, 4, 1)]
    rights = {r.kind: r.state for r in merged.rights}
    # One line per kind: the furthest state of the two.
    assert rights == {"health_insurance": "obtained", "caf_benefits": "obtained", "bank_account": "todo"}
    for model, n in ((HousingStep, 1), (HousingAccess, 1), (Job, 1), (Training, 1), (Participation, 1),
                     (Event, 1), (Note, 2), (Referral, 1), (Accompaniment, 2)):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.person_id == keep_id)) == n
        assert db.session.scalar(select(func.count()).select_from(model).where(model.person_id == gone_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Alert).where(Alert.person_id == gone_id)) == 0
    assert merged.phone == "06 12 34 56 78"  # an empty field of the surviving file is filled from the other
    assert merged.last_name == "Rahimi" and merged.first_name == "Nadia"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge_person")).all()
    assert len(entries) == 2  # one for each file
    assert {e.detail for e in entries} == {f"dossier {gone_ref} fusionné dans {keep_ref}"}
    assert [e.person_id for e in entries if e.person_id is not None] == [keep_id]


def test_two_open_accompaniments_cannot_be_merged_and_nothing_is_written(world):
    keep, gone = pair(world)
    factories.make_accompaniment(keep, world.agir, start=date(2022, 9, 1))
    factories.make_accompaniment(gone, world.agir, start=date(2023, 4, 1), planned_end=date(2024, 3, 31))
    make_referral(keep, world.programme, state="sent")
    make_referral(gone, world.programme, state="accepted")
    db.session.commit()
    with pytest.raises(MergeRefused) as refused:
        merge_persons(world.users.social_worker, keep, gone)
    codes = {v.code for v in refused.value.violations}
    assert codes == {"two_open", "referral_open"}  # every reason at once
    assert "enregistrez d'abord la sortie" in refused.value.message
    db.session.rollback()
    assert db.session.get(Person, gone.id) is not None
    assert len(db.session.get(Person, gone.id).accompaniments) == 1


def test_overlapping_accompaniments_are_refused(world):
    keep, gone = pair(world)
    a = factories.make_accompaniment(keep, world.agir, start=date(2022, 9, 1), exit_on=date(2023, 6, 1))
    a.exit = Exit(exit_on=date(2023, 6, 1), reason="goals_reached")
    factories.make_accompaniment(gone, world.agir, start=date(2023, 4, 1), planned_end=date(2024, 3, 31))
    with pytest.raises(MergeRefused) as refused:
        merge_persons(world.users.social_worker, keep, gone)
    assert {v.code for v in refused.value.violations} == {"overlap"}


def test_only_files_of_the_actors_structure(world):
    keep, _ = pair(world)
    elsewhere = factories.make_person(world.department, world.other, last_name="Rahimi", first_name="Nadia")
    with pytest.raises(MergeRefused) as refused:
        merge_persons(world.users.social_worker, keep, elsewhere)
    assert {v.code for v in refused.value.violations} == {"not_held"}
    with pytest.raises(MergeRefused):
        merge_persons(world.users.social_worker, keep, keep)


def test_the_merged_file_joins_the_family_recorded_on_the_other(world):
    keep, gone = pair(world)
    child = factories.make_person(world.department, world.agir, household=gone.household, first_name="Ali")
    family = gone.household_id
    alone = keep.household_id
    merged = merge_persons(world.users.social_worker, keep, gone)
    db.session.commit()
    assert merged.household_id == family
    assert {p.id for p in db.session.get(Household, family).members} == {merged.id, child.id}
    assert db.session.get(Household, alone) is None
