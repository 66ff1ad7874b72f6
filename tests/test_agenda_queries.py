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
