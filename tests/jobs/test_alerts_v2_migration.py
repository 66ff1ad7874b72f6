"""Migration 0013: the CHECK on alerts.kind accepts the kinds of the contract's second version; walking
down again deletes the alerts of those kinds (the older schema cannot hold them) and keeps the others."""
from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.exc import IntegrityError

from agir.extensions import db
from tests.test_migrations import _fresh_url, app_on

NOW = datetime(2026, 1, 5, 9, 0)
DAY = date(2023, 6, 15)


@pytest.fixture
def at_0012():
    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0012")
    engine = create_engine(url)
    yield application, engine
    engine.dispose()
    with application.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def _tables(engine):
    meta = MetaData()
    meta.reflect(engine)
    return meta.tables


def _seed(engine):
    t = _tables(engine)
    with engine.begin() as conn:
        conn.execute(t["departments"].insert(), {"id": 1, "code": "33", "name": "Gironde", "max_months": 12,
                                                  "version_id": 1})
        conn.execute(t["structures"].insert(), {"id": 1, "ref": "S1", "name": "AGIR", "department_id": 1,
                                                 "kind": "agir_operator"})
        conn.execute(t["persons"].insert(), {
            "id": 1, "ref": "P1", "pseudonym": "AAAA", "department_id": 1, "structure_id": 1, "last_name": "Nom",
            "first_name": "Prénom", "sex": "F", "birth_on": date(1990, 1, 1), "nationality": "AFG",
            "status": "refugee", "protection_on": date(2022, 3, 1), "created_at": NOW, "updated_at": NOW,
            "version_id": 1})


def _alert(engine, kind, subject):
    t = _tables(engine)
    with engine.begin() as conn:
        conn.execute(t["alerts"].insert(), {"kind": kind, "person_id": 1, "structure_id": 1, "subject_key": subject,
                                            "due_on": DAY, "first_seen_on": DAY, "last_seen_on": DAY})


def _kinds(engine):
    t = _tables(engine)
    with engine.connect() as conn:
        return sorted(conn.execute(select(t["alerts"].c.kind)).scalars())


def test_0013_accepts_the_new_kinds_and_its_downgrade_removes_them(at_0012):
    application, engine = at_0012
    _seed(engine)
    _alert(engine, "inactive", "accompaniment:1")
    with pytest.raises(IntegrityError):  # before 0013 the database refuses them
        _alert(engine, "document_expiry", "document:1")
    with application.app_context():
        upgrade(revision="0013")
    for n, kind in enumerate(("first_interview_late", "appointment_missed", "document_expiry")):
        _alert(engine, kind, f"new:{n}")
    assert _kinds(engine) == ["appointment_missed", "document_expiry", "first_interview_late", "inactive"]
    with application.app_context():
        downgrade(revision="0012")
    assert _kinds(engine) == ["inactive"]
    with pytest.raises(IntegrityError):
        _alert(engine, "appointment_missed", "appointment:1")
