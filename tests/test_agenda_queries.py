"""The structure's week (issue 17 speed target): a bounded number of SQL statements, whatever the number of
appointments shown. Before, the audit entry's commit expired every row loaded and the page read each appointment
and person again, one statement each (580 statements for a busy week at 100,000 persons)."""
from datetime import datetime, timedelta

from sqlalchemy import event

from agir.extensions import db
from tests import factories
from tests.referrals_factories import client_for


def test_the_structures_week_runs_a_few_statements_for_forty_appointments(app, world):
    monday = datetime(2026, 3, 2, 9, 0)
    for i in range(40):
        person = factories.make_person(world.department, world.agir, last_name=f"Nom{i}")
        factories.make_appointment(person, world.agir, start=monday + timedelta(days=i % 5, minutes=15 * (i // 5)),
                                   minutes=15, kind="follow_up", status="planned",
                                   referent=world.users.social_worker)
    db.session.commit()
    client = client_for(app, "sw@example.fr")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/agenda/?view=week&scope=structure&day=2026-03-02")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "NOM39" in page.upper()
    assert len(statements) < 15, f"{len(statements)} statements for one week"


def test_the_reminders_job_writes_and_keeps_forty_reminders_in_a_few_statements(app, world):
    """The nightly-scale job (issue 17: 100,000 persons under a minute): the rows due are written in one INSERT … ON
    CONFLICT DO NOTHING and claimed in one UPDATE, not one savepoint, claim and commit each (about 10 statements a
    reminder before)."""
    from agir import reminders
    from models import ReminderMessage
    day = datetime(2026, 3, 4, 10, 0)
    for i in range(40):
        person = factories.make_person(world.department, world.agir, last_name=f"Nom{i}", email=f"p{i}@example.org")
        factories.make_appointment(person, world.agir, start=day + timedelta(minutes=15 * i), minutes=15,
                                   kind="follow_up", status="planned")
    db.session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = reminders.run(app.config, datetime(2026, 3, 2, 9, 0))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert counts["written"] == 40 and counts["logged"] == 40
    assert db.session.query(ReminderMessage).filter_by(status="logged").count() == 40
    assert len(statements) < 25, f"{len(statements)} statements for 40 reminders"
    # Never twice: the same run again writes nothing.
    assert reminders.run(app.config, datetime(2026, 3, 2, 9, 15))["written"] == 0
