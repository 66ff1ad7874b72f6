"""person_milestones (models/milestones.py) always equals its recomputation from the source tables — rights
obtained, permanent housing accesses, jobs, trainings, referrals to a programme of a language theme — whatever
writes them: the ORM (forms, operations), Core statements, a merge, a deletion, an anonymisation, a programme
whose theme changes, the importer (COPY on PostgreSQL, executemany on SQLite). Random sequences of writes
(hypothesis), checked after each write, on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from agir.extensions import db
from agir.indicators import cohort
from agir.interchange.importer import import_lines
from agir.operations.merge import MergeRefused, merge_persons
from agir.privacy import anonymise_person
from models import HousingAccess, Job, Person, PersonMilestone, Programme, Referral, RightStep, Training
from models import milestones as kept_milestones
from models.enums import HOUSING_KINDS, RIGHT_KINDS, RIGHT_STATES, THEMES
from tests import factories
from tests.interchange import sample
from tests.referrals_factories import make_referral

PERSONS = 2
DAYS = st.dates(date(2021, 1, 1), date(2024, 12, 31))
WHO = st.integers(0, PERSONS - 1)


def kept() -> set[tuple]:
    db.session.flush()
    return set(db.session.execute(select(PersonMilestone.person_id, PersonMilestone.milestone,
                                         PersonMilestone.reached_on)).all())


def recomputed() -> set[tuple]:
    db.session.flush()
    reached = cohort.first_reached_from_sources()
    return set(db.session.execute(select(reached.c.person_id, reached.c.milestone, reached.c.reached_on)).all())


def rebuilt() -> set[tuple]:
    """The table as the migration fills it (models/milestones.rebuild_sql), in a savepoint rolled back."""
    db.session.flush()
    savepoint = db.session.begin_nested()
    for sql in kept_milestones.rebuild_sql():
        db.session.connection().exec_driver_sql(sql)
    rows = kept()
    savepoint.rollback()
    return rows


def assert_kept() -> None:
    assert kept() == recomputed()


OPERATIONS = st.one_of(
    st.tuples(st.just("right"), WHO, st.sampled_from(RIGHT_KINDS), st.sampled_from(RIGHT_STATES), DAYS),
    st.tuples(st.just("right_delete"), WHO, st.sampled_from(RIGHT_KINDS)),
    st.tuples(st.just("rights_core_state"), WHO, st.sampled_from(RIGHT_STATES)),
    st.tuples(st.just("housing"), WHO, st.sampled_from(HOUSING_KINDS), DAYS),
    st.tuples(st.just("housing_edit"), WHO, st.sampled_from(HOUSING_KINDS), DAYS),
    st.tuples(st.just("job"), WHO, DAYS),
    st.tuples(st.just("job_edit"), WHO, DAYS),
    st.tuples(st.just("training"), WHO, DAYS),
    st.tuples(st.just("training_edit"), WHO, DAYS),
    st.tuples(st.just("referral"), WHO, st.integers(0, 1), DAYS),
    st.tuples(st.just("referral_edit"), WHO, st.integers(0, 1), DAYS),
    st.tuples(st.just("delete_records"), WHO, st.sampled_from(("housing", "job", "training", "referral"))),
    st.tuples(st.just("core_move"), WHO, WHO),
    st.tuples(st.just("theme"), st.integers(0, 1), st.sampled_from(THEMES)),
    st.tuples(st.just("merge"), WHO, WHO),
    st.tuples(st.just("delete_person"), WHO),
    st.tuples(st.just("anonymise"), WHO),
)
MODELS = {"housing": HousingAccess, "job": Job, "training": Training, "referral": Referral}


def _first(model, person):
    return db.session.scalar(select(model).where(model.person_id == person.id).order_by(model.id))


def apply(operation, world, persons: list[Person | None], programmes: list[Programme]) -> None:
    """One write (nothing when it names a person deleted by an earlier one)."""
    name, *args = operation
    if name == "theme":
        programmes[args[0]].theme = args[1]
        return
    who = [persons[args[0]], *([persons[args[1]]] if name in ("core_move", "merge") else [])]
    if any(p is None for p in who):
        return
    person = who[0]
    if name == "right":
        kind, state, day = args[1:]
        step = db.session.scalar(select(RightStep).where(RightStep.person_id == person.id, RightStep.kind == kind))
        if step is None:
            step = RightStep(person_id=person.id, kind=kind)
            db.session.add(step)
        step.state = state
        step.obtained_on = day if state == "obtained" else None
    elif name == "right_delete":
        db.session.execute(delete(RightStep).where(RightStep.person_id == person.id, RightStep.kind == args[1]))
    elif name == "rights_core_state":  # a Core statement, as the anonymisation and the merges write
        table = RightStep.__table__
        db.session.execute(update(table).where(table.c.person_id == person.id).values(state=args[1]))
    elif name == "housing":
        db.session.add(HousingAccess(person_id=person.id, kind=args[1], access_on=args[2]))
    elif name == "housing_edit":
        access = _first(HousingAccess, person)
        if access is not None:
            access.kind, access.access_on = args[1], args[2]
    elif name == "job":
        db.session.add(Job(person_id=person.id, kind="cdd", start_on=args[1], months=6))
    elif name == "job_edit":
        job = _first(Job, person)
        if job is not None:
            job.start_on = args[1]
    elif name == "training":
        db.session.add(Training(person_id=person.id, level="qualifying", start_on=args[1]))
    elif name == "training_edit":
        training = _first(Training, person)
        if training is not None:
            training.start_on = args[1]
    elif name == "referral":
        make_referral(person, programmes[args[1]], state="completed", sent_on=args[2])
    elif name == "referral_edit":
        referral = _first(Referral, person)
        if referral is not None:
            referral.programme, referral.sent_on = programmes[args[1]], args[2]
    elif name == "delete_records":
        model = MODELS[args[1]]
        db.session.execute(delete(model).where(model.person_id == person.id))
    elif name == "core_move":  # every path record of one person moved to another (Core, as the merge does)
        if who[0].id != who[1].id:
            for model in MODELS.values():
                table = model.__table__
                db.session.execute(update(table).where(table.c.person_id == who[0].id)
                                   .values(person_id=who[1].id))
    elif name == "merge":
        keep, gone = who
        if keep.id == gone.id:
            return
        savepoint = db.session.begin_nested()
        try:
            merge_persons(world.users.social_worker, keep, gone)
        except MergeRefused:
            savepoint.rollback()
            return
        savepoint.commit()
        persons[persons.index(gone)] = None
    elif name == "delete_person":
        db.session.delete(person)  # as agir.operations.corrections.delete_person (the relationships' cascade)
        db.session.flush()
        persons[persons.index(person)] = None
    elif name == "anonymise" and person.anonymised_at is None:
        anonymise_person(world.users.admin, person)
    db.session.flush()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=20))
def test_the_table_equals_its_recomputation_after_any_writes(world, operations):
    try:
        programmes = [world.programme, factories.make_programme(world.department, world.school, theme="employment")]
        persons: list[Person | None] = [factories.make_person(world.department, world.agir) for _ in range(PERSONS)]
        assert_kept()
        for operation in operations:
            apply(operation, world, persons, programmes)
            assert_kept()
        assert rebuilt() == kept()
    finally:
        db.session.rollback()


def test_a_language_referral_follows_its_programme_theme(world):
    person = factories.make_person(world.department, world.agir)
    other = factories.make_programme(world.department, world.school, theme="health")
    make_referral(person, other, state="completed", sent_on=date(2023, 2, 1))
    make_referral(person, world.programme, state="completed", sent_on=date(2023, 5, 1))
    assert (person.id, "language_referral", date(2023, 5, 1)) in kept()
    other.theme = "professional_french"
    assert (person.id, "language_referral", date(2023, 2, 1)) in kept()
    world.programme.theme = "health"
    other.theme = "digital"
    assert not {row for row in kept() if row[0] == person.id}
    assert_kept()


def test_a_right_counts_while_obtained(world):
    person = factories.make_person(world.department, world.agir)
    step = RightStep(person_id=person.id, kind="bank_account", state="requested")
    db.session.add(step)
    assert kept() == set()
    step.state, step.obtained_on = "obtained", date(2023, 3, 1)
    assert kept() == {(person.id, "bank_account", date(2023, 3, 1))}
    step.kind = "rsa"   # not a milestone
    assert kept() == set()
    step.kind = "caf_benefits"
    assert kept() == {(person.id, "caf_benefits", date(2023, 3, 1))}
    db.session.delete(step)
    assert kept() == set()


def test_the_database_refuses_an_unknown_milestone(world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    with pytest.raises(IntegrityError) as refused, db.engine.begin() as conn:
        conn.execute(text("INSERT INTO person_milestones (person_id, milestone, reached_on) VALUES (:p, 'x', :d)"),
                     {"p": person.id, "d": date(2023, 1, 1)})
    assert "ck_person_milestones_milestone" in str(refused.value) or "CHECK constraint failed" in str(refused.value)


def test_an_import_keeps_the_table(app_ctx):
    """The importer's bulk writes (COPY on PostgreSQL: one statement per table and batch) go through the
    triggers too; then edits of the imported files."""
    result = import_lines(sample.generated_lines(12))
    assert result.errors == [], result.errors
    rows = kept()
    assert {milestone for _, milestone, _ in rows} == set(kept_milestones.MILESTONES)
    assert_kept()
    first, second = db.session.scalars(select(Person).order_by(Person.id).limit(2)).all()
    db.session.execute(delete(Training).where(Training.person_id == first.id))
    db.session.add(HousingAccess(person_id=second.id, kind="social_rental", access_on=date(2023, 1, 5)))
    db.session.execute(update(RightStep.__table__).where(RightStep.__table__.c.person_id == second.id)
                       .values(state="requested"))
    assert_kept()
    db.session.delete(first)
    assert_kept()
    assert not {row for row in kept() if row[0] == first.id}
    db.session.rollback()


def _triggers(engine) -> set[tuple[str, str]]:
    """(table, trigger) of the milestones' triggers in a database."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(text("SELECT CAST(tgrelid::regclass AS text), tgname FROM pg_trigger "
                                     "WHERE tgname LIKE :name"), {"name": "person_milestones%"}).all()
        else:
            rows = conn.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name LIKE :name"), {"name": "person_milestones%"}).all()
    return {(table, name) for table, name in rows}


def test_the_migration_creates_the_triggers_of_the_test_schema(app):
    """Migration 0025 and create_all (the tests' schema) give the same 18 triggers; downgrading removes them."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine

    from tests.test_migrations import _fresh_url, app_on

    with app.app_context():
        expected = _triggers(db.engine)
    assert len(expected) == 18
    url = _fresh_url()
    migrated = app_on(url)
    engine = create_engine(url)
    try:
        with migrated.app_context():
            upgrade()
            assert _triggers(engine) == expected
            downgrade(revision="0024")
            assert _triggers(engine) == set()
            db.engine.dispose()
    finally:
        engine.dispose()


def test_the_migration_holds_a_frozen_copy_of_the_trigger_sql():
    """Migration 0025 carries its own copy of the SQL (a migration must not change with the application's
    module): while they are equal the test schema and a migrated database have the same triggers; the day
    models/milestones.py changes them, this fails until a new migration replaces the triggers."""
    import importlib.util
    from pathlib import Path

    from models import milestones

    def load(name):
        path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / name
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        return migration

    migration, locking = load("0025_person_milestones.py"), load("0027_kept_tables_lock_persons.py")
    assert milestones.rebuild_sql() == migration.REBUILD
    # 0027 replaced PostgreSQL's recomputation (it locks the persons first); the rest is 0025's.
    assert [locking.MILESTONES_REFRESH, *migration.CREATE["postgresql"][1:]] == milestones.create_statements(
        "postgresql")
    assert migration.CREATE["sqlite"] == milestones.create_statements("sqlite")
    for dialect in ("postgresql", "sqlite"):
        assert migration.DROP[dialect] == milestones.drop_statements(dialect)
    assert milestones.in_list_sql("milestone", milestones.MILESTONES) == migration.CHECK_MILESTONE
