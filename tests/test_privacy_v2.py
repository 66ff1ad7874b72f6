"""Anonymising a file (retention, SPEC §4.7 and docs/privacy.md) erases the free texts of the contract's second
version too (issue 15): the diagnostic's texts, the plan's objectives, and the documents with their file names."""
from datetime import date

from sqlalchemy import func, select

from agir.extensions import db
from agir.privacy import ERASED, anonymise_person
from models import DiagnosticArea, Document, PlanObjective
from tests import factories


def test_anonymisation_erases_diagnostic_texts_objectives_and_documents(world):
    person = factories.make_person(world.department, world.agir)
    acc = factories.make_accompaniment(person, world.agir)
    factories.make_diagnostic(acc, housing=("high", "Hébergée chez sa sœur Amina, rue des Lilas"))
    factories.add_objective(acc, "housing", "Logement près de l'école de Yasmine")
    factories.make_document(person, world.agir, "identity", date(2022, 9, 2), filename="passeport-rahimi.pdf")
    db.session.commit()

    anonymise_person(None, person)
    db.session.commit()

    texts = db.session.scalars(select(DiagnosticArea.text).where(DiagnosticArea.text.is_not(None))).all()
    assert texts == [ERASED]
    assert db.session.scalars(select(PlanObjective.objective)).all() == [ERASED]
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    # The figures stay: the needs and the objectives' states are not personal.
    assert db.session.scalar(select(func.count()).select_from(DiagnosticArea)) == 6
