"""A department's dashboard reads the department's records, not the country's (docs/performance.md, « Department
dashboard at 1,000,000 persons »), and its shared statements give exactly the figures of the separate ones.

- On PostgreSQL every record table that a department's dashboard reads is read through an index on its person
  (`person_id = ANY(ARRAY(the department's persons))`, `Scope.records_of`) or on its accompaniment, never by a
  date index or a scan of the whole table: the records of the country in the period are not read.
- The compliance list also gives the contracts of `results.contracts` (`compliance_and_contracts`, on every page,
  and past the last one), and the breakdowns' read of the period's records gives the figures of
  `annex.participants` (`period_figures`) — including for a participation that ends in the period without
  overlapping it (an end before the start: only « progressed » may count it).
- The dashboard's indicators, computed from those shared figures, equal the indicators computed alone, which the
  oracle tests (test_oracle.py) compare with plain Python.
"""
import re
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from agir.extensions import db
from agir.indicators import CohortScope, Scope, annex, compute_cohort, compute_indicators, pilot, results
from models import Department, Participation, Person, Programme
from tests import factories
from tests.indicators.helpers import import_generated
from tests.indicators.test_sqlite_plans import sent_statements

TODAY = date(2024, 6, 30)


@pytest.fixture(params=[0.0, 1.0], ids=["joined", "by-ids"])
def generated(app_ctx, request):
    """A few hundred generated persons in three departments; on PostgreSQL, a department's records read by its
    persons' ids whatever its share (1.0) or never (0.0) — both ways are checked (INDICATORS_IDS_FIRST_SHARE)."""
    import_generated(400, seed=11, today=TODAY)
    with share(app_ctx, request.param):
        yield request.param


class share:
    """INDICATORS_IDS_FIRST_SHARE set for a while (and the request's kept shares forgotten)."""

    def __init__(self, app, value: float):
        self.app, self.value = app, value

    def __enter__(self):
        self.before = self.app.config["INDICATORS_IDS_FIRST_SHARE"]
        self.app.config["INDICATORS_IDS_FIRST_SHARE"] = self.value
        db.session.info.pop("department_shares", None)

    def __exit__(self, *_):
        self.app.config["INDICATORS_IDS_FIRST_SHARE"] = self.before
        db.session.info.pop("department_shares", None)


def scopes() -> list[Scope]:
    departments = [None, *db.session.scalars(select(Department).order_by(Department.code))]
    return [Scope(first, last, as_of, department)
            for department in departments
            for first, last, as_of in ((date(2023, 1, 1), date(2023, 12, 31), TODAY),
                                       (date(2022, 7, 1), date(2024, 6, 30), TODAY + timedelta(days=400)))]


def dashboard(scope: Scope, page: int = 1) -> dict:
    """The dashboard's figures as blueprints.pilot.routes.dashboard_figures computes them."""
    lines, total, limits, contracts = pilot.compliance_and_contracts(scope, page, 20)
    figures = pilot.period_figures(scope)
    return {"data": compute_indicators(scope, by_nationality=figures.public, limits=limits,
                                       persons=figures.participants, contracts=contracts),
            "cohort": compute_cohort(CohortScope(scope.start, scope.end, scope.department, as_of=scope.as_of)),
            "lines": lines, "total": total, "structures": figures.structures}


def test_a_departments_records_are_read_by_their_persons_on_postgresql(generated):
    """Every statement of a department's dashboard that reads one of the big record tables restricts it by its
    persons' ids (the form PostgreSQL reads through the table's person_id index) or reaches it from such a
    table's rows (exits from their accompaniments, extensions by accompaniment, the cohort's milestones from its
    members, first interviews from the persons oriented in the period) — never the country's records of the
    period joined to the department's persons. (The plans at 1,000,000 persons: docs/performance.md; on this
    small database PostgreSQL may rightly prefer a date index for a few dozen rows.)"""
    if db.engine.dialect.name != "postgresql" or generated == 0.0:
        return  # SQLite, or a department's share above the setting: the persons joined (test_sqlite_plans.py)
    department = db.session.scalars(select(Department).order_by(Department.code)).first()
    scope = Scope(date(2023, 1, 1), date(2023, 12, 31), TODAY, department)
    sent = [" ".join(statement.split()) for statement, _ in sent_statements(lambda: dashboard(scope))
            if statement.lstrip().upper().startswith(("SELECT", "WITH"))]
    by_ids = {table: 0 for table in ("accompaniments", "participations", "events", "housing_accesses",
                                     "appointments")}
    for statement in sent:
        for table in by_ids:
            if re.search(rf"\b(FROM|JOIN) {table}\b", statement):
                ids = re.search(rf"{table}\.person_id = ANY\(ARRAY\(\(SELECT persons(_\d+)?\.id", statement)
                reached = table == "appointments" and "first_interviews" in statement  # from the oriented persons
                reached |= table in ("housing_accesses", "accompaniments") and "members" in statement  # the cohort
                reached |= table == "housing_accesses" and "FROM exits" in statement  # housed at exit
                assert ids or reached, (table, statement[:300])
                by_ids[table] += bool(ids)
    assert all(by_ids.values()), by_ids
    assert sum(by_ids.values()) >= 8


def test_compliance_list_carries_the_contracts_on_every_page(generated):
    seen = 0
    for scope in scopes():
        plain = results.contracts(scope)
        flagged = pilot.compliance(scope, 1, 3)[1]
        for page in (1, 2, flagged // 3 + 5):  # first pages, and one past the end (the counts on their own)
            lines, total, limits, contracts = pilot.compliance_and_contracts(scope, page, 3)
            assert contracts == plain, (scope, page)
            assert (lines, total, limits) == pilot.compliance(scope, page, 3)
        seen += plain[0] > 0 and plain[1] > 0
    assert seen >= 3


def test_breakdowns_carry_the_participants_figures(generated):
    nonzero = set()
    for scope in scopes():
        figures = pilot.period_figures(scope)
        assert figures.participants == annex.participants(scope), scope
        assert (figures.public, figures.structures) == pilot.period_breakdowns(scope)
        assert figures.public == annex.public_by_nationality(scope)
        nonzero |= {key for key, value in figures.participants.items() if value}
    assert nonzero == {"participant", "non_bpi", "assiduous", "progressed"}


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_a_participation_ending_in_the_period_without_overlapping_it_counts_as_progressed_only(app_ctx, value):
    department = factories.make_department()
    structure = factories.make_structure(department)
    programme = factories.make_programme(department, structure, theme="language")
    person = factories.make_person(department, structure, nationality="SYR")
    # Ends in 2023, starts in 2024 (an inconsistent record): not a beneficiary of 2023, yet « ending in the period ».
    db.session.add(Participation(person_id=person.id, programme_id=programme.id, start_on=date(2024, 3, 1),
                                 end_on=date(2023, 6, 1), planned_hours=10, attended_hours=10, level_start="A1",
                                 level_end="A2"))
    other = factories.make_person(department, structure, nationality="AFG")
    factories.make_accompaniment(other, structure, start=date(2023, 2, 1))
    db.session.commit()
    for scope in (Scope(date(2023, 1, 1), date(2023, 12, 31), TODAY, department),
                  Scope(date(2023, 1, 1), date(2023, 12, 31), TODAY)):
        with share(app_ctx, value):
            figures = pilot.period_figures(scope)
        assert figures.participants == annex.participants(scope)
        assert figures.participants["progressed"] == 1 and figures.participants["participant"] == 0
        assert [nationality for nationality, _ in figures.public] == ["AFG"]
        assert figures.public == annex.public_by_nationality(scope)
    assert db.session.get(Person, person.id) and db.session.get(Programme, programme.id)


def test_dashboard_figures_equal_the_figures_computed_alone(generated):
    for scope in scopes():
        got = dashboard(scope)
        assert got["data"] == compute_indicators(scope), scope
        assert got["cohort"] == compute_cohort(CohortScope(scope.start, scope.end, scope.department,
                                                           as_of=scope.as_of))
        plain_lines, plain_total, _ = pilot.compliance(scope, 1, 20)
        assert (got["lines"], got["total"]) == (plain_lines, plain_total)
        assert got["structures"] == pilot.period_breakdowns(scope)[1]
        # Past the last page of the compliance list, the counts come from their own statements: the same figures.
        past = dashboard(scope, page=got["total"] // 20 + 5)
        assert past["data"] == got["data"] and past["lines"] == []


def test_both_ways_of_reading_a_departments_records_give_the_same_figures(generated):
    """By the persons' ids or joined to the persons (the way the oracle tests check): the same dashboard."""
    for scope in scopes():
        by_ids = dashboard(scope)
        with share(current_app, 1.0 - generated):
            assert dashboard(scope) == by_ids, scope


def test_records_of_a_departments_scope_only(generated):
    """The ids' way is taken for a department's scope on PostgreSQL, when it holds at most the set share of the
    persons (appointments: whatever its share); a national scope has no condition."""
    department = db.session.scalars(select(Department)).first()
    national = Scope(date(2023, 1, 1), date(2023, 12, 31), TODAY)
    assert national.records_of(Participation.person_id) == [] and not national.person_ids_first()
    scope = Scope(date(2023, 1, 1), date(2023, 12, 31), TODAY, department)
    postgresql = db.engine.dialect.name == "postgresql"
    assert scope.person_ids_first() == (postgresql and generated == 1.0)  # three departments: a third each
    assert scope.person_ids_first(whatever_share=True) == postgresql
    count = select(Participation.id).where(*scope.records_of(Participation.person_id))
    joined = (select(Participation.id).join(Person, Person.id == Participation.person_id)
              .where(Person.department_id == department.id))
    assert sorted(db.session.scalars(count)) == sorted(db.session.scalars(joined))
