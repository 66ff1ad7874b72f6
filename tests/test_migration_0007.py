"""Migration 0007 fills the duplicate and search keys of the files already in the database (SPEC §4.8)."""
from datetime import date, datetime

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, insert, select

from agir.extensions import db
from tests.test_migrations import _fresh_url, app_on


def test_existing_files_get_their_keys_and_are_found():
    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0006")
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine, only=["departments", "persons"])
        departments, persons = meta.tables["departments"], meta.tables["persons"]
        now = datetime(2026, 1, 1)
        with engine.begin() as conn:
            dep = conn.execute(insert(departments).values(code="33", name="Gironde", agir_wave=2022, max_months=12,
                                                          version_id=1).returning(departments.c.id)).scalar()
            for n, (last, first, born) in enumerate([("Rahimi", "Nadia", date(1995, 3, 2)),
                                                     ("RAHIMI", "Nadiya", date(1995, 2, 3)),
                                                     ("Rahimi", "Farzana", date(1995, 3, 2))], 1):
                conn.execute(insert(persons).values(
                    ref=f"P{n}", pseudonym=f"PS{n}", department_id=dep, last_name=last, first_name=first, sex="F",
                    birth_on=born, nationality="AFG", status="refugee", protection_on=date(2021, 9, 15),
                    phone="+33 6 12 34 56 78" if n == 1 else None, created_at=now, updated_at=now, version_id=1))
        engine.dispose()
        upgrade(revision="0007")
        from agir.duplicates import find_duplicates
        from models import Person
        rows = db.session.execute(select(Person.ref, Person.name_key, Person.search_text, Person.phone_key)
                                  .order_by(Person.ref)).all()
        assert rows[0].name_key.startswith("1995:") and " rahimi " in rows[0].search_text
        assert rows[0].phone_key == "0612345678"
        assert [(p.a["ref"], p.b["ref"]) for p in find_duplicates()] == [("P1", "P2")]
        db.session.remove()
        db.engine.dispose()
