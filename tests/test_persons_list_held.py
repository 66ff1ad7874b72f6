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
    # Some enrolled as priority, one closed (the filters and sorts of the latest accompaniment).
    for i in range(5):
        p = factories.make_person(dep, agir, last_name="Martin", first_name="Awa")
        factories.make_accompaniment(p, agir, is_priority=i % 2 == 0, exit_on=date(2023, 5, 1) if i == 3 else None)
        made.setdefault("both", []).append(p.id)
    # Opened by agir, two accompaniments of agir (listed once all the same).
    p = factories.make_person(dep, agir, last_name="Durand", first_name="Ali")
    factories.make_accompaniment(p, agir, start=date(2021, 1, 1), planned_end=date(2021, 6, 30),
                                 exit_on=date(2021, 6, 1))
    factories.make_accompaniment(p, agir)
    made["twice"] = p.id
    # Opened by agir, never accompanied.
    made["opened"] = [factories.make_person(dep, agir, last_name=name, first_name="Zoé", protection_on=protected).id
                      for name, protected in (("abel", date(2024, 1, 15)), ("Bernard", date(2022, 3, 1)),
                                              ("ÉLODIE", None), ("martin", date(2023, 9, 1)))]
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
                                     queries.PersonFilters(accompaniment="none"),
                                     queries.PersonFilters(sort="end", descending=True),
                                     queries.PersonFilters(sort="end", priority=True),
                                     queries.PersonFilters(sort="start", descending=True, accompaniment="closed"),
                                     queries.PersonFilters(sort="end", accompaniment="none")])
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


def _page_sql(user, filters) -> str:
    """The SQL of the page's ids (the first 25), its values written in (for EXPLAIN)."""
    parts = queries.filtered_parts(user, filters, TODAY, held_parts(user, db.session))
    statement = queries.page_ids_select(parts, filters, 0, 25)
    return str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


def _pg_plan_without_scans_or_sorts(sql: str, json: bool = False):
    """PostgreSQL's plan of `sql` with sequential and bitmap scans and sorts off (on a few rows, with whatever
    statistics the worker's earlier tests left, the planner may sort one estimated row rather than walk an
    index): the lines of EXPLAIN, or the root of EXPLAIN (FORMAT JSON). The settings end with the transaction."""
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        db.session.execute(text(f"SET LOCAL {setting} = off"))
    if json:
        plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))[0]["Plan"]
    else:
        plan = [line.strip() for line in db.session.scalars(text(f"EXPLAIN {sql}"))]
    db.session.rollback()
    return plan


def test_first_page_by_name_is_read_in_index_order_on_sqlite(held):
    """SQLite walks the same index for the structure's own files, in name order, with no sort of all of them."""
    user, _ = held
    if db.engine.dialect.name != "sqlite":  # PostgreSQL: the test below
        return test_first_page_by_name_is_read_in_index_order_on_postgresql(held)
    for descending in (False, True):
        compiled = _page_sql(user, queries.PersonFilters(descending=descending))
        plan = [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
        own = plan[plan.index("LEFT-MOST SUBQUERY"):plan.index("UNION ALL")]  # the structure's own files
        assert any(line.startswith("SEARCH persons USING INDEX ix_persons_structure_name") for line in own), plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in own, plan  # at most the ties' direction is sorted


def test_first_page_by_name_is_read_in_index_order_on_postgresql(held):
    if db.engine.dialect.name != "postgresql":  # SQLite: the test above
        return test_first_page_by_name_is_read_in_index_order_on_sqlite(held)
    user, _ = held
    for descending in (False, True):
        # Sorts off too: with the statistics the worker's earlier tests left (a hundred persons imported, then
        # deleted), the planner may sort one estimated row rather than walk the index.
        plan = _pg_plan_without_scans_or_sorts(_page_sql(user, queries.PersonFilters(descending=descending)))
        # The structure's own files: 25 entries of the index in name order, no sort of all of them.
        scan = next((i for i, line in enumerate(plan) if "ix_persons_structure_name on persons " in line
                     and "Only" not in line), None)
        assert scan is not None, "\n".join(plan)
        assert plan[scan - 1].startswith("->  Limit"), plan


LATEST = [queries.PersonFilters(sort="end"), queries.PersonFilters(sort="end", descending=True),
          queries.PersonFilters(sort="start"), queries.PersonFilters(sort="start", descending=True),
          queries.PersonFilters(accompaniment="open", sort="start", descending=True),
          queries.PersonFilters(accompaniment="closed", sort="end"), queries.PersonFilters(accompaniment="open"),
          queries.PersonFilters(accompaniment="none", sort="end", descending=True),
          queries.PersonFilters(accompaniment="none"), queries.PersonFilters(accompaniment="none", descending=True),
          queries.PersonFilters(priority=True), queries.PersonFilters(priority=True, sort="end"),
          queries.PersonFilters(end_before=date(2023, 8, 31), sort="start")]


@pytest.mark.parametrize("filters", LATEST)
def test_the_latest_accompaniment_is_read_from_the_persons_row(held, filters):
    """The filters and sorts that read the latest accompaniment read the values kept on the person's row (the page's
    ids read no accompaniment), and give the rows of the reference, which joins the latest by its definition."""
    user, _ = held
    parts = queries.filtered_parts(user, filters, TODAY, held_parts(user, db.session))
    page = str(queries.page_ids_select(parts, filters, 0, 25).compile(dialect=db.engine.dialect))
    assert "accompaniments" not in page
    whole, _ = queries._persons_select(user, filters, TODAY)
    expected = [(p.id, a.id if a else None) for p, a in db.session.execute(whole).all()]
    assert expected, filters
    rows = queries.persons_page(user, filters, 1, 100, TODAY).rows
    assert [(row.person.id, row.accompaniment.id if row.accompaniment else None) for row in rows] == expected


SORTED = [queries.PersonFilters(sort="end"), queries.PersonFilters(sort="end", descending=True),
          queries.PersonFilters(sort="start", descending=True, accompaniment="open"),
          queries.PersonFilters(sort="end", priority=True)]


def _plan_nodes(plan: dict, above: tuple = ()) -> list:
    """[(node, the node types above it, root first)] of an EXPLAIN (FORMAT JSON) plan."""
    nodes = [(plan, above)]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child, above + (plan["Node Type"],))
    return nodes


@pytest.mark.parametrize("filters", SORTED)
def test_a_page_sorted_by_the_latest_accompaniment_is_read_in_index_order_on_postgresql(held, filters):
    """The structure's files with a date are read from ix_persons_structure_latest_end / _start in the order asked
    (backwards for the descending one), cut at the page: no sort of every file of the structure, at most an
    incremental sort of the names among the files of one date; those without a date from the same index, in name
    order, cut at the page too. (Sorts are turned off as well as the scans: on a few rows a sort costs nothing and
    the planner may take one; at 1,000,000 persons it takes these plans by itself: docs/performance.md.)"""
    if db.engine.dialect.name != "postgresql":  # SQLite: the test below
        return
    user, _ = held
    compiled = _page_sql(user, filters)
    # Statistics of this test's rows, not of whatever an earlier test of the worker left when autovacuum ran.
    db.session.execute(text("ANALYZE persons, accompaniments"))
    nodes = _plan_nodes(_pg_plan_without_scans_or_sorts(compiled, json=True))
    # The structure's own part (its Index Cond names the structure): with scans off, the planner may also walk
    # this index to read the few persons of the second part, which is not what this test is about.
    scans = [(node, above) for node, above in nodes
             if node.get("Index Name") == f"ix_persons_structure_latest_{filters.sort}"
             and "structure_id =" in node.get("Index Cond", "")]
    without = [] if filters.accompaniment else [True]  # « open »: every file has a date
    assert len(scans) == 1 + len(without), nodes
    for node, above in scans:
        # From the part's Limit (FETCH … WITH TIES) down to the index: nothing but an incremental sort.
        assert "Limit" in above, above
        assert set(above[len(above) - above[::-1].index("Limit"):]) <= {"Incremental Sort"}, above
        assert node["Node Type"].startswith("Index"), node


@pytest.mark.parametrize("descending", [False, True])
def test_files_not_enrolled_in_name_order_are_read_from_the_planned_ends_index_on_postgresql(held, descending):
    """« Pas encore inscrit·e » in name order: the NULL entries of ix_persons_structure_latest_end, in name order,
    cut at the page (the names' index would read every enrolled file of the structure to find them)."""
    if db.engine.dialect.name != "postgresql":
        return
    user, _ = held
    compiled = _page_sql(user, queries.PersonFilters(accompaniment="none", descending=descending))
    nodes = _plan_nodes(_pg_plan_without_scans_or_sorts(compiled, json=True))
    own = [(node, above) for node, above in nodes if node.get("Index Name") == "ix_persons_structure_latest_end"
           and "structure_id =" in node.get("Index Cond", "")]
    assert len(own) == 1 and own[0][1][-1] == "Limit" and "latest_end_on IS NULL" in own[0][0]["Index Cond"], nodes


@pytest.mark.parametrize("filters", SORTED)
def test_a_page_sorted_by_the_latest_accompaniment_is_read_in_index_order_on_sqlite(held, filters):
    """SQLite walks the same indexes: the dates' one for the files with a date, no sort of all of them (the
    descending order sorts only the names among the files of one date: « RIGHT PART OF ORDER BY »)."""
    if db.engine.dialect.name != "sqlite":  # PostgreSQL: the test above
        return
    user, _ = held
    plan = [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {_page_sql(user, filters)}"))]
    dated = next(i for i, line in enumerate(plan) if f"ix_persons_structure_latest_{filters.sort}" in line)
    assert plan[dated].startswith(f"SEARCH persons USING INDEX ix_persons_structure_latest_{filters.sort}"), plan
    assert plan[dated + 1] != "USE TEMP B-TREE FOR ORDER BY", plan
