"""Merging two files (SPEC §4.8) keeps the records of the contract's second version (issue 15): languages
(one line per code: the surviving file's level), orientation and interpreter (filled when the surviving file
has none), appointments and documents (moved)."""
from datetime import date, datetime

from sqlalchemy import func, select

from agir.extensions import db
from agir.operations.merge import merge_persons
from models import Appointment, Document, PersonLanguage
from tests import factories


def test_a_merge_keeps_languages_orientation_appointments_and_documents(world):
    keep = factories.make_person(world.department, world.agir, last_name="Rahimi", first_name="Nadia",
                                 birth_on=date(1995, 3, 2))
    gone = factories.make_person(world.department, world.agir, last_name="RAHIMI", first_name="Nadiya",
                                 birth_on=date(1995, 2, 3))
    factories.add_language(keep, "prs", "native")
    factories.add_language(gone, "prs", "basic")  # the same language on both files
    factories.add_language(gone, "fra", "basic")
    factories.orient(gone, world.agir, date(2022, 8, 1), "ofii")
    gone.interpreter = "prs"
    factories.make_appointment(gone, world.agir, datetime(2022, 8, 20, 10, 0))
    factories.make_document(gone, world.agir, "identity", date(2022, 8, 20))
    keep_id, gone_id = keep.id, gone.id

    merged = merge_persons(world.users.social_worker, keep, gone)
    db.session.commit()

    assert sorted((lang.code, lang.level) for lang in merged.languages) == [("fra", "basic"), ("prs", "native")]
    assert (merged.oriented_on, merged.orientation_source, merged.orientation_structure_id) == (
        date(2022, 8, 1), "ofii", world.agir.id)
    assert merged.interpreter == "prs"
    for model in (Appointment, Document):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.person_id == keep_id)) == 1
    assert db.session.scalar(select(func.count()).select_from(PersonLanguage)
                             .where(PersonLanguage.person_id == gone_id)) == 0
