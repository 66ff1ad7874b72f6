"""SQLite query plans of the national indicators (docs/performance.md, « National indicators on SQLite (sixth
session) »): the dated tables are read in their own order, not row by row through a date index, and the persons are
joined only when the scope has conditions on them. The figures themselves are the oracle tests' business
(test_oracle.py, test_v2_oracle.py); this file checks how SQLite is asked for them, on a SQLite database of its own
when the suite runs on PostgreSQL (whose planner has statistics on ranges: `scanned` changes nothing there)."""
import tempfile
from datetime import date

import pytest
from sqlalchemy import event

from agir.app import create_app
from agir.config import TestConfig
from agir.extensions import db
from agir.indicators import Scope, annex, compute_indicators, results
from tests import factories

START, END, AS_OF = date(2025, 1, 1), date(2026, 12, 31), date(2026, 12, 5)

# Date indexes that a national computation must not walk: each period covers much of its table, so the walk
# fetched most rows one by one (2-4× the cost of reading the table).
DATE_INDEXES = ("ix_appointments_start_at", "ix_exits_exit_on", "ix_events_event_on",
                "ix_accompaniments_contract_signed_on", "ix_persons_oriented_on", "ix_accompaniments_exit_on",
                "ix_participations_end_on")


@pytest.fixture(scope="module")
def sqlite_app(app):
    """The suite's application when it runs on SQLite; otherwise a second one on a SQLite file of its own (these
    are SQLite's plans: they are checked whatever database the suite runs on)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        yield app
        return

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tempfile.mkdtemp(prefix='agir-plans-')}/plans.db"

    other = create_app(Config)
    with other.app_context():
        db.create_all()
    yield other


@pytest.fixture
def sqlite_only(sqlite_app):
    """An application context on SQLite, its tables emptied after the test."""
    with sqlite_app.app_context():
        yield sqlite_app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def sent_statements(call) -> list[tuple[str, object]]:
    """(statement, parameters) of every statement that call() sends (the plan tests of the alerts and the
    department's reads use it too)."""
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent


def plans(compute) -> list[tuple[str, str]]:
    """(statement, its EXPLAIN QUERY PLAN as one text) of every statement that compute() sends."""
    sent = sent_statements(compute)
    connection = db.session.connection()
    return [(statement, "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                                  parameters)))
            for statement, parameters in sent if statement.lstrip().upper().startswith("SELECT")]


def test_national_indicators_walk_no_date_index_on_sqlite(sqlite_only):
    national = Scope(START, END, AS_OF)
    used = [(index, statement[:80]) for statement, plan in plans(lambda: compute_indicators(national))
            for index in DATE_INDEXES if f"INDEX {index} " in plan]
    assert not used


def national_counts(scope: Scope):
    """The counts of dated records, each by its own function."""
    return {"appointments": lambda: results.appointments(scope), "exits": lambda: annex.exits(scope),
            "events": lambda: annex.event_counts(scope.start, scope.end, scope.person_conditions()),
            "contracts": lambda: results.contracts(scope)}


@pytest.mark.parametrize("name", ["exits", "events", "contracts"])
def test_counts_of_dated_records_join_the_persons_only_for_a_departments_figures(sqlite_only, name):
    """Every exit, event, contract has its person: without conditions on persons (national), no join."""
    (statement, plan), = plans(national_counts(Scope(START, END, AS_OF))[name])
    assert "JOIN persons" not in statement
    assert " persons " not in plan
    department = factories.make_department()
    statement, _ = plans(national_counts(Scope(START, END, AS_OF, department))[name])[-1]
    assert "JOIN persons" in statement
