"""Each person's latest accompaniment kept on the person's row by the database (models/latest.py, migration 0026)
equals its recomputation by the definition the persons list always had (agir.queries.persons.
latest_accompaniment_id: the greatest start, then id) — after random sequences of writes of every form (the ORM's,
statements of many rows, moves between persons, deletions, savepoints rolled back), after the operations of the
file (enrolment, extension, exit and its cancellation, corrections, cancelled enrolment, merge, anonymisation),
and after an import (PostgreSQL: COPY)."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import corrections
from agir.operations.merge import merge_persons
from agir.queries.persons import latest_accompaniment_id
from models import Accompaniment, Person
from models.latest import SQLITE, TRIGGERS
from tests import factories
from tests.indicators.helpers import import_generated

TODAY = date(2025, 6, 30)
DAY0 = date(2022, 1, 1)


def kept_and_recomputed() -> tuple[dict, dict]:
    """{person id: (id, start, end, exit, priority)} as kept on persons, and as recomputed from accompaniments."""
    kept = {row[0]: tuple(row[1:]) for row in db.session.execute(select(
        Person.id, Person.latest_accompaniment_id, Person.latest_start_on, Person.latest_end_on,
        Person.latest_exit_on, Person.latest_is_priority))}
    latest = aliased(Accompaniment)
    recomputed = {row[0]: tuple(row[1:]) for row in db.session.execute(
        select(Person.id, latest.id, latest.start_on, latest.current_end_on, latest.exit_on, latest.is_priority)
        .outerjoin(latest, latest.id == latest_accompaniment_id()))}
    return kept, recomputed


def assert_kept():
    db.session.flush()
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed


def _values(structure_id: int, person_id: int, start: int, length: int, closed: bool, priority: bool) -> dict:
    start_on = DAY0 + timedelta(days=start * 30)  # few distinct starts: ties broken by the id
    end_on = start_on + timedelta(days=30 * length)
    return dict(person_id=person_id, structure_id=structure_id, kind="agir", start_on=start_on,
                planned_end_on=end_on, current_end_on=end_on, exit_on=end_on if closed else None,
                is_priority=priority)


PERSON = st.integers(0, 3)
ACCOMPANIMENT = st.integers(0, 30)
NEW = st.tuples(PERSON, st.integers(0, 4), st.integers(1, 12), st.booleans(), st.booleans())
WRITES = st.one_of(
    st.tuples(st.just("add"), NEW),  # the ORM: one INSERT
    st.tuples(st.just("add_many"), st.lists(NEW, min_size=2, max_size=4)),  # one statement, several rows
    st.tuples(st.just("start"), ACCOMPANIMENT, st.integers(0, 6)),  # the ORM: an UPDATE of the start
    st.tuples(st.just("end"), ACCOMPANIMENT, st.integers(1, 24)),  # an extension: the current planned end
    st.tuples(st.just("close"), ACCOMPANIMENT, st.booleans()),  # exit recorded or cancelled (reopened)
    st.tuples(st.just("priority"), ACCOMPANIMENT, st.booleans()),
    st.tuples(st.just("move"), ACCOMPANIMENT, PERSON),  # one accompaniment to another person
    st.tuples(st.just("move_all"), PERSON, PERSON),  # a merge's statement: every one of a person
    st.tuples(st.just("delete"), ACCOMPANIMENT),  # the ORM: a cancelled enrolment
    st.tuples(st.just("delete_all"), PERSON),  # one statement, several rows
    st.tuples(st.just("touch"), ACCOMPANIMENT),  # a column the list does not read
)


def _write(write: tuple, structure_id: int, persons: list, accompaniments: list) -> None:
    """One write (WRITES) on the persons' accompaniments (`accompaniments`: their ids, in order)."""
    kind, table = write[0], Accompaniment.__table__
    if kind == "add":
        db.session.add(Accompaniment(**_values(structure_id, persons[write[1][0]], *write[1][1:])))
    elif kind == "add_many":
        db.session.execute(insert(table).values([_values(structure_id, persons[p], *rest) for p, *rest in write[1]]))
    elif kind == "move_all":
        db.session.execute(update(table).where(table.c.person_id == persons[write[1]])
                           .values(person_id=persons[write[2]]))
    elif kind == "delete_all":
        db.session.execute(delete(table).where(table.c.person_id == persons[write[1]]))
    elif accompaniments:
        chosen = accompaniments[write[1] % len(accompaniments)]
        acc = db.session.get(Accompaniment, chosen)
        if kind == "start":
            acc.start_on = DAY0 + timedelta(days=30 * write[2])
        elif kind == "end":
            acc.current_end_on = acc.start_on + timedelta(days=30 * write[2])
        elif kind == "close":
            acc.exit_on = acc.current_end_on if write[2] else None
        elif kind == "priority":
            acc.is_priority = write[2]
        elif kind == "move":
            db.session.execute(update(table).where(table.c.id == chosen).values(person_id=persons[write[2]]))
        elif kind == "delete":
            db.session.delete(acc)
        elif kind == "touch":
            acc.contract_language = "fra"
    db.session.flush()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITES, min_size=1, max_size=12))
def test_the_kept_latest_accompaniment_equals_its_recomputation_after_any_writes(world, writes):
    persons = [factories.make_person(world.department, world.agir).id for _ in range(4)]
    accompaniments: list = []
    for write in writes:
        try:
            with db.session.begin_nested():  # a write refused (two open at once) is rolled back, with its trigger's
                _write(write, world.agir.id, persons, accompaniments)
        except IntegrityError:
            pass
        db.session.expire_all()
        accompaniments[:] = list(db.session.scalars(select(Accompaniment.id).where(
            Accompaniment.person_id.in_(persons)).order_by(Accompaniment.id)))
        assert_kept()
    db.session.commit()
    assert_kept()


def test_the_operations_of_the_file_keep_it(world):
    actor = world.users.social_worker
    person = factories.make_person(world.department, world.agir, protection_on=date(2024, 1, 10))
    other = factories.make_person(world.department, world.agir, protection_on=date(2023, 5, 2))
    assert_kept()
    first = acc_ops.enrol_person(actor, person, date(2024, 2, 1), date(2024, 12, 1), today=TODAY)
    assert_kept()
    acc_ops.extend_accompaniment(actor, first, date(2024, 6, 1), date(2025, 1, 31), "Prolongée", today=TODAY)
    assert_kept()
    acc_ops.record_exit(actor, first, date(2025, 1, 20), "goals_reached", job_kind="cdi", today=TODAY)
    assert_kept()
    corrections.cancel_exit(actor, db.session.get(Accompaniment, first.id), "Sortie enregistrée par erreur")
    assert_kept()
    acc_ops.record_exit(actor, db.session.get(Accompaniment, first.id), date(2025, 1, 10), "goals_reached",
                        job_kind="cdi", today=TODAY)
    second = acc_ops.enrol_person(actor, person, date(2025, 3, 1), date(2025, 12, 1), today=TODAY)
    assert db.session.scalar(select(Person.latest_accompaniment_id).where(Person.id == person.id)) == second.id
    assert_kept()
    corrections.correct_enrolment(actor, second, date(2025, 2, 15), date(2025, 11, 15), "Date d'entrée",
                                  today=TODAY)
    assert_kept()
    corrections.cancel_enrolment(actor, db.session.get(Accompaniment, second.id), "Inscrite par erreur")
    assert db.session.scalar(select(Person.latest_accompaniment_id).where(Person.id == person.id)) == first.id
    assert_kept()
    acc_ops.enrol_person(actor, other, date(2023, 6, 1), date(2024, 5, 31), today=TODAY)
    db.session.commit()
    assert_kept()
    # A merge moves the accompaniments of the file merged away (none overlap here) and deletes it.
    acc = db.session.scalar(select(Accompaniment).where(Accompaniment.person_id == other.id))
    acc_ops.record_exit(actor, acc, date(2024, 1, 31), "moved_away", today=TODAY)
    merge_persons(actor, db.session.get(Person, person.id), db.session.get(Person, other.id), today=TODAY)
    db.session.commit()
    assert_kept()
    assert db.session.scalar(select(Person.latest_accompaniment_id).where(Person.id == person.id)) == first.id


def test_an_anonymised_file_keeps_it(world):
    from agir.privacy import anonymise_persons

    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir, exit_on=date(2023, 8, 1))
    db.session.commit()
    anonymise_persons(world.users.admin, [(person.id, date(2023, 8, 1))], "test")
    db.session.commit()
    assert_kept()


def test_an_import_keeps_it(app_ctx):
    """The importer writes accompaniments by COPY on PostgreSQL (executemany on SQLite): the statement's
    trigger keeps every person's latest of the batch."""
    import_generated(150, seed=3, today=TODAY)
    kept, recomputed = kept_and_recomputed()
    assert sum(1 for values in kept.values() if values[0] is not None) > 50  # many persons enrolled
    assert kept == recomputed


def test_a_person_deleted_with_its_accompaniments(world):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    db.session.delete(db.session.get(Person, person.id))
    db.session.commit()
    assert_kept()


def test_the_triggers_exist_on_this_database(app_ctx):
    if db.engine.dialect.name == "sqlite":
        names = set(db.session.scalars(select(db.text("name")).select_from(db.text("sqlite_master"))
                                       .where(db.text("type = 'trigger'"))))
        assert len(SQLITE) == len(TRIGGERS)
    else:
        names = set(db.session.scalars(db.text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'accompaniments'::regclass AND NOT tgisinternal")))
    assert set(TRIGGERS) <= names
