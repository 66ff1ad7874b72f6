"""The file page /persons/<id> at any size (issue 21 item 2, issue 15 item 8): statement counts, not timings.

- the header's alerts badge is counted once a minute for a structure and role, then read by primary key
  (agir.queries.inbox.kept_badge_count), and is right again after the alerts job, after a correction
  that deletes alerts and after a file is anonymised;
- one person's visibility is decided by its primary key and the accompaniments' person index, never by the
  union of every file of the structure (agir.access.view_level).
"""
import re
from datetime import date

import pytest
from sqlalchemy import event, select

from agir import access, jobs
from agir.extensions import db
from agir.operations import corrections
from agir.privacy import anonymise_person
from agir.queries import inbox
from models import AlertBadgeCount, Person, User
from tests import factories
from tests.jobs import scenario

BADGE = re.compile(r'id="alerts-badge".*?</a>', re.S)
COUNTED = re.compile(r"count\(alerts\.id\)", re.I)


@pytest.fixture
def alerted(world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    return people


def _get(app, client, url):
    """(HTML, statements) of one GET."""
    statements = []
    with app.app_context():
        engine = db.engine

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def _badge(html) -> int:
    found = re.search(r">(\d+)</span>", BADGE.search(html).group(0))
    return int(found.group(1)) if found else 0


def _live(email) -> int:
    db.session.expire_all()
    return inbox.badge_count(db.session, db.session.scalar(select(User).where(User.email == email)))


def test_the_badge_is_counted_once_then_read_and_right_again_after_the_alerts_job(app, client, alerted):
    factories.login(client, "sw@example.fr")
    url = f"/persons/{alerted.b.id}"
    first, statements = _get(app, client, url)
    assert _badge(first) == 8 and sum(bool(COUNTED.search(s)) for s in statements) == 1
    second, statements = _get(app, client, url)
    assert _badge(second) == 8 and not any(COUNTED.search(s) for s in statements)  # one row by primary key
    # Alpha leaves on the 16th: the job of the 17th resolves her « fin proche » alert.
    scenario.exit_(alerted.a.accompaniments[0], date(2023, 6, 16))
    db.session.commit()
    jobs.run_alerts(date(2023, 6, 17))
    expected = _live("sw@example.fr")
    after, statements = _get(app, client, url)
    assert _badge(after) == expected and "ALPHA" not in client.get("/alerts/").get_data(as_text=True)
    assert sum(bool(COUNTED.search(s)) for s in statements) == 1
    assert expected == len(re.findall(r"<tr>", client.get("/alerts/").get_data(as_text=True).split("<tbody>")[1]))


def test_the_badge_is_right_after_a_correction_deletes_alerts(app, client, alerted):
    factories.login(client, "sw@example.fr")
    assert _badge(_get(app, client, f"/persons/{alerted.c.id}")[0]) == 8
    assert db.session.scalar(select(AlertBadgeCount.open_count)) == 8
    sw = db.session.scalar(select(User).where(User.email == "sw@example.fr"))
    # Bravo's enrolment never was: its two alerts (overdue, over the limit) go with it.
    corrections.cancel_enrolment(sw, db.session.get(Person, alerted.b.id).accompaniments[0], "Saisie en double")
    db.session.commit()
    assert _live("sw@example.fr") == 6
    html, statements = _get(app, client, f"/persons/{alerted.c.id}")
    assert _badge(html) == 6 and sum(bool(COUNTED.search(s)) for s in statements) == 1


def test_the_badge_is_right_after_a_file_is_anonymised(app, client, alerted):
    factories.login(client, "sw@example.fr")
    assert _badge(_get(app, client, f"/persons/{alerted.c.id}")[0]) == 8
    sw = db.session.scalar(select(User).where(User.email == "sw@example.fr"))
    anonymise_person(sw, db.session.get(Person, alerted.b.id))  # Bravo's two alerts leave the inbox
    db.session.commit()
    assert _live("sw@example.fr") == 6
    html, statements = _get(app, client, f"/persons/{alerted.c.id}")
    assert _badge(html) == 6 and sum(bool(COUNTED.search(s)) for s in statements) == 1


def test_each_role_and_structure_keeps_its_own_count(app, client, alerted):
    for email, count in (("sw@example.fr", 8), ("sw-other@example.fr", 1), ("ro@example.fr", 1)):
        client = app.test_client()
        factories.login(client, email)
        for _ in range(2):
            assert _badge(client.get("/alerts/").get_data(as_text=True)) == count
    assert db.session.scalar(select(AlertBadgeCount).where(AlertBadgeCount.role == "referral_officer")).open_count == 1


def test_one_persons_visibility_reads_no_union_of_the_structures_files(app, client, alerted):
    factories.login(client, "sw@example.fr")
    _get(app, client, f"/persons/{alerted.b.id}")  # the badge counted (with the inbox's union), then kept
    _, statements = _get(app, client, f"/persons/{alerted.b.id}")
    assert not any("UNION" in s.upper() for s in statements), [s for s in statements if "UNION" in s.upper()]
    # Another structure's file: a 404 decided by one statement (the limited view of a social worker is the same).
    other = alerted.x.id
    seen = []
    with app.app_context():
        engine = db.engine
    listen = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(f"/persons/{other}").status_code == 404
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert sum("FROM persons" in s and "persons.id =" in s for s in seen) == 1


def test_view_level_gives_the_persons_of_the_lists(world, alerted):
    """The one-person condition gives exactly the full files and limited views of the lists' conditions."""
    users = db.session.scalars(select(User)).all()
    persons = db.session.scalars(select(Person.id)).all()
    for user in users:
        full = set(db.session.scalars(select(Person.id).where(access.full_file_condition(user),
                                                              Person.anonymised_at.is_(None))))
        limited = set(db.session.scalars(select(Person.id).where(access.limited_view_condition(user),
                                                                 Person.anonymised_at.is_(None))))
        for person_id in persons:
            expected = access.FULL if person_id in full else access.LIMITED if person_id in limited else None
            assert access.view_level(user, person_id, db.session) == expected, (user.email, person_id)
