"""The persons list read as two disjoint parts (agir.access.held_persons, docs/performance.md « One million
persons on PostgreSQL »): the structure's own files, then the files of its accompaniments it did not open.

Edge cases of that split: a person held both ways is listed once, a person held only through an
accompaniment is listed, an anonymised file is not, other structures' files are not; pages neither
overlap nor skip, ties of names included; and on PostgreSQL the first page by name is read from the
index in name order (no sort of every file of the structure).
"""
from datetime import date

import pytest
from sqlalchemy import text

from agir.access import held_parts, persons_visible_to
from agir.extensions import db
from agir.queries import persons as queries
from models import Person
from tests import factories

TODAY = date(2024, 6, 30)


@pytest.fixture
def held(app_ctx):
    """Structure « agir » with files held every way, and a few of another structure's."""
    world = factories.make_world(commit=False)
    dep, agir, other = world.department, world.agir, world.other
    made = {}
    # Opened by agir, accompanied by agir (held both ways), several times the same name (ties).
    for _ in range(5):
        p = factories.make_person(dep, agir, last_name="Martin", first_name="Awa")
        factories.make_accompaniment(p, agir)
        made.setdefault("both", []).append(p.id)
    # Opened by agir, two accompaniments of agir (listed once all the same).
    p = factories.make_person(dep, agir, last_name="Durand", first_name="Ali")
    factories.make_accompaniment(p, agir, start=date(2021, 1, 1), planned_end=date(2021, 6, 30),
                                 exit_on=date(2021, 6, 1))
    factories.make_accompaniment(p, agir)
    made["twice"] = p.id
    # Opened by agir, never accompanied.
    made["opened"] = [factories.make_person(dep, agir, last_name=name, first_name="Zoé").id
                      for name in ("abel", "Bernard", "ÉLODIE", "martin")]
    # Opened by the other structure, accompanied before by agir: agir holds the file too.
    p = factories.make_person(dep, other, last_name="Martin", first_name="Awa")
    factories.make_accompaniment(p, agir, start=date(2021, 1, 1), planned_end=date(2021, 6, 30),
                                 exit_on=date(2021, 6, 1))
    factories.make_accompaniment(p, other)
    made["accompanied"] = p.id
    # Opened by nobody (no structure), accompanied by agir.
    p = factories.make_person(dep, None, last_name="Aaron", first_name="Bob")
    factories.make_accompaniment(p, agir)
    made["nobody"] = p.id
    # Anonymised: opened by agir, and accompanied by agir while opened by the other structure.
    p = factories.make_person(dep, agir, last_name="Anonyme", first_name="A")
    p.anonymised_at = db.func.now()
    q = factories.make_person(dep, other, last_name="Anonyme", first_name="B")
    factories.make_accompaniment(q, agir)
    q.anonymised_at = db.func.now()
    made["anonymised"] = [p.id, q.id]
    # The other structure's only.
    p = factories.make_person(dep, other, last_name="Autre", first_name="C")
    factories.make_accompaniment(p, other)
    made["others"] = p.id
    db.session.commit()
    return world.users.social_worker, made


def _plain(user) -> set:
    """The files the user may open, by agir.access's condition (the reference)."""
    return set(db.session.scalars(persons_visible_to(user).with_only_columns(Person.id)))


def test_every_held_file_once_and_no_other(held):
    user, made = held
    query, _ = queries._persons_select(user, queries.PersonFilters(), TODAY)
    ids = [p.id for p, _ in db.session.execute(query).all()]
    assert len(ids) == len(set(ids))  # a person held both ways (or with two accompaniments) once
    assert set(ids) == _plain(user)
    assert {made["accompanied"], made["nobody"], made["twice"]} <= set(ids)
    assert not set(made["anonymised"]) & set(ids) and made["others"] not in ids
    assert queries.persons_page(user, queries.PersonFilters(), 1, 25, TODAY).total == len(ids) == 12


@pytest.mark.parametrize("filters", [queries.PersonFilters(), queries.PersonFilters(descending=True),
                                     queries.PersonFilters(sort="start"), queries.PersonFilters(q="martin"),
                                     queries.PersonFilters(accompaniment="open", sort="created", descending=True),
                                     queries.PersonFilters(accompaniment="none")])
def test_pages_neither_overlap_nor_skip(held, filters):
    user, _ = held
    query, _ = queries._persons_select(user, filters, TODAY)
    whole = [p.id for p, _ in db.session.execute(query).all()]
    assert whole and len(whole) == len(set(whole))
    seen = []
    for per_page in (1, 2, 3, 25):
        seen = []
        for number in range(1, -(-len(whole) // per_page) + 1):
            page = queries.persons_page(user, filters, number, per_page, TODAY)
            assert page.total == len(whole)
            seen += [row.person.id for row in page.rows]
        assert seen == whole, (filters, per_page)


def test_name_order_ignores_case_and_breaks_ties_by_id(held):
    user, made = held
    rows = queries.persons_page(user, queries.PersonFilters(), 1, 25, TODAY).rows
    keys = [(r.person.last_name.lower(), r.person.first_name.lower(), r.person.id) for r in rows]
    assert keys == sorted(keys)
    martins = [r.person.id for r in rows if r.person.last_name == "Martin"]
    assert martins == sorted(made["both"] + [made["accompanied"]])


def test_first_page_by_name_is_read_in_index_order_on_sqlite(held):
    """SQLite walks the same index for the structure's own files, in name order, with no sort of all of them."""
    user, _ = held
    if db.engine.dialect.name != "sqlite":  # PostgreSQL: the test below
        return test_first_page_by_name_is_read_in_index_order_on_postgresql(held)
    for descending in (False, True):
        filters = queries.PersonFilters(descending=descending)
        parts = queries.filtered_parts(user, filters, TODAY, held_parts(user, db.session))
        statement = queries.page_ids_select(parts, filters, 0, 25)
        compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        plan = [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
        own = plan[plan.index("LEFT-MOST SUBQUERY"):plan.index("UNION ALL")]  # the structure's own files
        assert any(line.startswith("SEARCH persons USING INDEX ix_persons_structure_name") for line in own), plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in own, plan  # at most the ties' direction is sorted


def test_first_page_by_name_is_read_in_index_order_on_postgresql(held):
    if db.engine.dialect.name != "postgresql":  # SQLite: the test above
        return test_first_page_by_name_is_read_in_index_order_on_sqlite(held)
    user, _ = held
    for descending in (False, True):
        filters = queries.PersonFilters(descending=descending)
        parts = queries.filtered_parts(user, filters, TODAY, held_parts(user, db.session))
        statement = queries.page_ids_select(parts, filters, 0, 25)
        compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = [line.strip() for line in db.session.scalars(text(f"EXPLAIN {compiled}"))]
        db.session.rollback()
        # The structure's own files: 25 entries of the index in name order, no sort of all of them.
        scan = next(i for i, line in enumerate(plan) if "ix_persons_structure_name on persons " in line
                    and "Only" not in line)
        assert plan[scan - 1].startswith("->  Limit"), plan


@pytest.mark.parametrize("sort", ["start", "end"])
def test_a_list_sorted_by_the_accompaniments_dates_joins_them_by_equality_even_when_filtered(held, sort):
    """« Open, by start date »: with the `BETWEEN` join of a filtered list, PostgreSQL read the open accompaniments in
    date order and tried each against every file of the structure (over two minutes at 1,000,000 persons). A
    list sorted by the latest accompaniment's dates joins it by equality (a hash join); a list only filtered by it
    keeps the `BETWEEN` form (primary-key lookups); both give the same rows."""
    user, _ = held
    sorted_filtered = queries.PersonFilters(accompaniment="open", sort=sort, descending=True)
    parts = queries.filtered_parts(user, sorted_filtered, TODAY, held_parts(user, db.session))
    page = str(queries.page_ids_select(parts, sorted_filtered, 0, 25).compile(dialect=db.engine.dialect))
    assert " BETWEEN " not in page
    filtered = queries.PersonFilters(accompaniment="open")
    parts = queries.filtered_parts(user, filtered, TODAY, held_parts(user, db.session))
    assert " BETWEEN " in str(queries.page_ids_select(parts, filtered, 0, 25).compile(dialect=db.engine.dialect))
    whole, _ = queries._persons_select(user, sorted_filtered, TODAY)
    expected = [p.id for p in db.session.scalars(whole)]
    assert [row.person.id for row in queries.persons_page(user, sorted_filtered, 1, 100, TODAY).rows] == expected
