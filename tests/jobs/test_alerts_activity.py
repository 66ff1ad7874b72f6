"""The last activity of a file (agir.alerts.last_activity_subquery: the latest dated fact on or before a day, the
« inactive » alert's date) equals a plain reading of every dated column, row by row in Python.

The statement reads each table once for all its dates (`latest_of`: GREATEST on PostgreSQL, a NULL-proof max on
SQLite) and, for the alerts job, only the persons with an open accompaniment (a CTE); the reference below reads
every row of every table and keeps, per person, the latest date not after the day. Generated data has rows with
some, all or none of their dates set (referrals answered or not, rights refused or obtained…)."""
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import or_, select

from agir import alerts
from agir.extensions import db
from models import (
    Accompaniment,
    Appointment,
    Document,
    Event,
    Extension,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Person,
    PlanObjective,
    Referral,
    RightStep,
    Training,
)
from tests.indicators.helpers import import_generated

TODAY = date(2024, 6, 30)
DAYS = (TODAY, TODAY - timedelta(days=200), TODAY - timedelta(days=700), TODAY + timedelta(days=120))


@pytest.fixture
def generated(app_ctx):
    import_generated(300, seed=11, today=TODAY)


def plain_last_activity(day: date) -> dict[int, date]:
    """Per person, the latest of every dated column on or before `day`, read row by row."""
    dated: list[tuple[int, date | None]] = []
    for model, person, columns in (
            (Accompaniment, Accompaniment.person_id, ("start_on", "diagnostic_on", "contract_signed_on")),
            (RightStep, RightStep.person_id, ("requested_on", "obtained_on", "refused_on")),
            (HousingStep, HousingStep.person_id, ("step_on",)),
            (HousingAccess, HousingAccess.person_id, ("access_on",)),
            (Job, Job.person_id, ("start_on",)), (Training, Training.person_id, ("start_on",)),
            (Referral, Referral.person_id, ("sent_on", "accepted_on", "refused_on", "started_on", "completed_on",
                                            "dropped_out_on", "cancelled_on")),
            (Participation, Participation.person_id, ("start_on", "end_on")),
            (Event, Event.person_id, ("event_on",)), (Note, Note.person_id, ("noted_on",)),
            (Person, Person.id, ("oriented_on",)), (Document, Document.person_id, ("document_on",))):
        for row in db.session.execute(select(person, *(getattr(model, c) for c in columns))):
            dated += [(row[0], value) for value in row[1:]]
    owner = dict(db.session.execute(select(Accompaniment.id, Accompaniment.person_id)).all())
    dated += [(owner[acc], on) for acc, on in db.session.execute(select(Extension.accompaniment_id,
                                                                        Extension.decided_on))]
    dated += [(owner[acc], on) for acc, on in db.session.execute(select(PlanObjective.accompaniment_id,
                                                                        PlanObjective.closed_on))]
    dated += [(person, start.date()) for person, start, status in db.session.execute(
        select(Appointment.person_id, Appointment.start_at, Appointment.status)) if status == "honoured"]
    latest: dict[int, date] = defaultdict(lambda: date.min)
    for person, on in dated:
        if on is not None and on <= day:
            latest[person] = max(latest[person], on)
    return dict(latest)


def open_persons(day: date):
    return select(Accompaniment.person_id).where(Accompaniment.start_on <= day, or_(
        Accompaniment.exit_on.is_(None), Accompaniment.exit_on > day))


def test_the_last_activity_is_the_latest_dated_fact_of_every_table(generated):
    several_dates = 0
    for day in DAYS:
        expected = plain_last_activity(day)
        got = dict(db.session.execute(select(alerts.last_activity_subquery(day))).all())
        assert got == expected, day
        held = set(db.session.scalars(open_persons(day)))
        got_held = dict(db.session.execute(select(alerts.last_activity_subquery(day, open_persons(day)))).all())
        assert got_held == {person: on for person, on in expected.items() if person in held}, day
        several_dates += len(got_held)
    # The data has referrals and rights with several dates of which only some are set: the NULL-proof latest.
    assert db.session.scalar(select(Referral.id).where(Referral.accepted_on.is_not(None),
                                                       Referral.completed_on.is_(None)).limit(1))
    assert several_dates > 50
