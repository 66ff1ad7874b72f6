"""Migration 0026 fills each person's latest accompaniment (persons.latest_*) from the accompaniments already in the
database, makes the triggers that keep it — the same as the models' (models/latest.py, made by `create_all` for the
tests) — and its downgrade takes everything away."""
import re
from datetime import date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, insert, inspect, text

from agir.extensions import db
from models.latest import TRIGGERS
from tests.test_latest_accompaniment import kept_and_recomputed
from tests.test_migrations import _fresh_url, app_on


def _triggers(conn) -> dict:
    """{name: definition, whitespace folded} of the triggers on accompaniments, and of the PostgreSQL functions
    they call."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name = 'accompaniments'")).all()
    else:
        rows = conn.execute(text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'accompaniments'::regclass "
            "AND NOT tgisinternal UNION ALL SELECT proname, pg_get_functiondef(oid) FROM pg_proc "
            "WHERE proname LIKE 'agir\\_%latest%'")).all()
    return {name: re.sub(r"\s+", " ", definition).strip() for name, definition in rows}


def test_existing_accompaniments_fill_it_and_the_triggers_are_the_models(app):
    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0025")
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine, only=["departments", "structures", "persons", "accompaniments"])
        departments, structures = meta.tables["departments"], meta.tables["structures"]
        persons, accompaniments = meta.tables["persons"], meta.tables["accompaniments"]
        now = datetime(2026, 1, 1)
        with engine.begin() as conn:
            dep = conn.execute(insert(departments).values(code="33", name="Gironde", agir_wave=2022, max_months=12,
                                                          version_id=1).returning(departments.c.id)).scalar()
            structure = conn.execute(insert(structures).values(ref="S1", name="Opérateur", department_id=dep,
                                                               kind="agir_operator").returning(structures.c.id)).scalar()
            ids = [conn.execute(insert(persons).values(
                ref=f"P{n}", pseudonym=f"PS{n}", department_id=dep, structure_id=structure, last_name="Rahimi",
                first_name="Nadia", sex="F", birth_on=date(1995, 3, 2), nationality="AFG", status="refugee",
                created_at=now, updated_at=now, version_id=1).returning(persons.c.id)).scalar() for n in range(3)]
            # The first: two accompaniments the same day (the greater id is the latest) and an older one; the
            # second: one closed; the third: none.
            for person, start, exit_on in ((ids[0], date(2023, 1, 1), date(2023, 6, 1)),
                                           (ids[0], date(2024, 1, 1), date(2024, 3, 1)),
                                           (ids[0], date(2024, 1, 1), None),
                                           (ids[1], date(2022, 5, 1), date(2022, 9, 1))):
                conn.execute(insert(accompaniments).values(
                    person_id=person, structure_id=structure, kind="agir", start_on=start, exit_on=exit_on,
                    planned_end_on=date(2025, 1, 1), current_end_on=date(2025, 1, 1), is_eligible=True,
                    is_priority=exit_on is None, eligibility_reasons=[], created_at=now, updated_at=now, version_id=1))
        engine.dispose()
        upgrade(revision="0026")
        kept, recomputed = kept_and_recomputed()
        assert kept == recomputed
        assert kept[ids[0]][1:] == (date(2024, 1, 1), date(2025, 1, 1), None, True)
        assert kept[ids[1]][3] == date(2022, 9, 1) and kept[ids[2]] == (None,) * 5
        db.session.remove()  # no transaction left open on the tables the downgrade alters
        with db.engine.connect() as conn:
            at_0026 = _triggers(conn)
        upgrade()  # the latest functions (0027: PostgreSQL's recomputation locks the persons first)
        with db.engine.connect() as conn:
            migrated = _triggers(conn)
        with app.app_context(), db.engine.connect() as conn:
            made = _triggers(conn)
        assert set(TRIGGERS) <= set(migrated) and migrated == made
        downgrade(revision="0026")
        with db.engine.connect() as conn:
            assert _triggers(conn) == at_0026
        if db.engine.dialect.name == "postgresql":
            assert "FOR NO KEY UPDATE" in made["agir_keep_latest_accompaniment"]
            assert "FOR NO KEY UPDATE" not in at_0026["agir_keep_latest_accompaniment"]
        downgrade(revision="0025")
        assert not {"latest_accompaniment_id", "latest_end_on"} & {c["name"] for c in inspect(db.engine).get_columns(
            "persons")}
        with db.engine.connect() as conn:
            assert _triggers(conn) == {}
        db.session.remove()
        db.engine.dispose()
