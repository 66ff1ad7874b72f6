"""Migration 0005 on a database that a past race left with duplicates (issue 13, item 3).

The exact duplicates of an open accompaniment are removed and a second open referral to one programme
is cancelled, both audited; two different open accompaniments stop the migration, nothing written.
"""
from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, select

from agir.extensions import db
from tests.test_migrations import _fresh_url, app_on

NOW = datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def at_0004():
    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0004")
    engine = create_engine(url)
    yield application, engine
    engine.dispose()
    with application.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def _seed(engine, second_accompaniment: dict):
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["departments"].insert(), {"id": 1, "code": "33", "name": "Gironde", "max_months": 12,
                                                  "version_id": 1})
        conn.execute(t["structures"].insert(), [
            {"id": 1, "ref": "S1", "name": "AGIR", "department_id": 1, "kind": "agir_operator"},
            {"id": 2, "ref": "S2", "name": "École", "department_id": 1, "kind": "programme_operator"}])
        conn.execute(t["programmes"].insert(), {"id": 1, "ref": "PR1", "name": "FLE", "theme": "language",
                                                 "structure_id": 2, "department_id": 1, "start_on": date(2022, 1, 1),
                                                 "version_id": 1})
        conn.execute(t["persons"].insert(), {
            "id": 1, "ref": "P1", "pseudonym": "AAAA", "department_id": 1, "structure_id": 1, "last_name": "Nom",
            "first_name": "Prénom", "sex": "F", "birth_on": date(1990, 1, 1), "nationality": "AFG",
            "status": "refugee", "protection_on": date(2022, 3, 1), "created_at": NOW, "updated_at": NOW,
            "version_id": 1})
        acc = {"person_id": 1, "structure_id": 1, "kind": "agir", "start_on": date(2025, 9, 1),
               "planned_end_on": date(2026, 8, 31), "current_end_on": date(2026, 8, 31), "is_eligible": True,
               "is_priority": False, "eligibility_reasons": [], "created_at": NOW, "updated_at": NOW, "version_id": 1}
        conn.execute(t["accompaniments"].insert(), [{**acc, "id": 1}, {**acc, "id": 2, **second_accompaniment}])
        ref = {"person_id": 1, "programme_id": 1, "sender_structure_id": 1, "created_at": NOW, "version_id": 1}
        for row in ({"id": 1, "state": "accepted", "sent_on": date(2025, 10, 1), "accepted_on": date(2025, 10, 3)},
                    {"id": 2, "state": "sent", "sent_on": date(2025, 10, 1)},
                    {"id": 3, "state": "refused", "sent_on": date(2025, 9, 1), "refused_on": date(2025, 9, 2),
                     "refusal_reason": "Complet"}):
            conn.execute(t["referrals"].insert(), {**ref, **row})


def test_the_duplicates_of_a_race_are_resolved_and_audited(at_0004):
    application, engine = at_0004
    _seed(engine, {})
    with application.app_context():
        upgrade()
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.connect() as conn:
        assert conn.execute(select(t["accompaniments"].c.id)).scalars().all() == [1]
        states = dict(conn.execute(select(t["referrals"].c.id, t["referrals"].c.state)).all())
        assert states == {1: "accepted", 2: "cancelled", 3: "refused"}
        assert conn.execute(select(t["referrals"].c.cancelled_on).where(t["referrals"].c.id == 2)).scalar() \
            == date(2025, 10, 1)
        audit = conn.execute(select(t["audit_entries"].c.action, t["audit_entries"].c.detail,
                                    t["audit_entries"].c.person_id, t["audit_entries"].c.reason)).all()
    assert sorted((a, d, p) for a, d, p, _ in audit) == [("cancel_record", "accompaniment", 1),
                                                           ("cancel_record", "referral", 1)]
    assert all("migration 0005" in reason for *_, reason in audit)


def test_two_different_open_accompaniments_stop_the_migration(at_0004, capfd):
    application, engine = at_0004
    _seed(engine, {"structure_id": 1, "start_on": date(2025, 11, 1)})
    with application.app_context(), pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits 1
        upgrade()
    err = capfd.readouterr().err
    assert "plusieurs accompagnements ouverts" in err and "persons.id : [1]" in err
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        assert len(conn.execute(select(meta.tables["accompaniments"].c.id)).all()) == 2
        assert conn.execute(select(meta.tables["referrals"].c.state).where(
            meta.tables["referrals"].c.id == 2)).scalar() == "sent"
