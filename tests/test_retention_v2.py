"""Retention (docs/privacy.md): the dated facts of the contract's second version are activity of the file too
(issue 15): the orientation, an honoured appointment, a document, the diagnostic, the contract's signature
and the closing of a plan objective move the retention on; a planned, missed or cancelled appointment does not."""
from datetime import date, datetime

import pytest

from agir.extensions import db
from agir.retention import run_retention
from models import Exit
from tests import factories

LATE = date(2024, 6, 1)


def closed_file(world):
    person = factories.make_person(world.department, world.agir)
    acc = factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 6, 30),
                                       current_end=date(2023, 6, 30), exit_on=date(2023, 6, 30))
    acc.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached")
    db.session.flush()
    return person, acc


@pytest.mark.parametrize("late_record", ["orientation", "appointment", "document", "diagnostic", "contract",
                                         "objective"])
def test_v2_activity_after_the_exit_moves_the_retention_on(world, late_record):
    person, acc = closed_file(world)
    {
        "orientation": lambda: factories.orient(person, world.agir, LATE),
        "appointment": lambda: factories.make_appointment(person, world.agir, datetime(2024, 6, 1, 23, 30),
                                                          status="honoured"),
        "document": lambda: factories.make_document(person, world.agir, on=LATE),
        "diagnostic": lambda: factories.make_diagnostic(acc, on=LATE),
        "contract": lambda: factories.sign_contract(acc, on=LATE),
        "objective": lambda: factories.add_objective(acc, state="done", closed=LATE),
    }[late_record]()
    db.session.commit()
    assert run_retention(date(2026, 5, 31)).anonymised == []
    assert run_retention(date(2026, 6, 1)).anonymised == [person.id]


@pytest.mark.parametrize("status", ["planned", "missed", "excused", "cancelled"])
def test_an_appointment_that_did_not_take_place_is_no_activity(world, status):
    person, _ = closed_file(world)
    factories.make_appointment(person, world.agir, datetime(2024, 6, 1, 10, 0), status=status)
    db.session.commit()
    assert run_retention(date(2025, 6, 30)).anonymised == [person.id]
