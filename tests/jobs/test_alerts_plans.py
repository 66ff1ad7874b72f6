"""SQLite query plans of the alerts computation (docs/performance.md, « Alerts on SQLite »): the conditions that most
rows meet read their table in its own order, not row by row through a date index; the open accompaniments of the
last activity are read once, not once per dated source, and each table once for all its dates; only the pairs that
can hold a missed appointment have their agenda numbered. The alerts themselves are the other tests' business
(test_alerts_job.py, test_alerts_v2.py and test_alerts_activity.py compare them with the plain definitions, on both
databases); this file checks how SQLite is asked for them, on a SQLite database of its own when the suite runs on
PostgreSQL."""
from datetime import date

from agir import alerts
from agir.extensions import db
from tests.indicators.test_sqlite_plans import sent_statements, sqlite_app, sqlite_only  # noqa: F401 — fixtures

AS_OF = date(2026, 12, 5)

# A date index walked for a range that holds most of its table: every row fetched one by one, in date order.
BROAD_WALKS = ("INDEX ix_accompaniments_start_on ", "INDEX ix_referrals_sent_on ", "INDEX ix_persons_oriented_on ",
               "INDEX ix_documents_expires_on ", "ix_accompaniments_exit_on (exit_on<?)",
               "ix_appointments_start_at (start_at<?)")


def alerts_plans() -> list[tuple[str, str]]:
    """(statement, its EXPLAIN QUERY PLAN as one text) of every statement of the alerts computation."""
    sent = sent_statements(lambda: alerts.compute_alerts(db.session, AS_OF))
    connection = db.session.connection()
    return [(statement, "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                                  parameters)))
            for statement, parameters in sent]


def test_no_broad_date_condition_walks_its_index_on_sqlite(sqlite_only):  # noqa: F811 — the fixture
    sent = alerts_plans()
    assert len(sent) == 8  # one statement per kind of alert source
    walked = [(walk, statement[:80]) for statement, plan in sent for walk in BROAD_WALKS if walk in plan]
    assert not walked


def test_the_open_accompaniments_are_read_once_for_the_last_activity(sqlite_only):  # noqa: F811 — the fixture
    statement, plan = next((statement, plan) for statement, plan in alerts_plans() if "max(dated.day)" in statement)
    assert statement.lstrip().startswith("WITH held AS")
    assert plan.count("MATERIALIZE held") == 1
    # Each of the 15 dated sources (a table once for all its dates) looks the held persons up in that one result;
    # the open accompaniments (the alias of the CTE) are read by the one materialisation, the two sides of its OR
    # on exit_on.
    assert plan.count("LIST SUBQUERY") == 15
    assert plan.count("SCAN held") == plan.count("LIST SUBQUERY"), plan
    assert len([line for line in plan.splitlines() if " accompaniments_1 " in line]) == 2, plan


def test_only_the_pairs_that_can_hold_a_missed_appointment_are_numbered(sqlite_only):  # noqa: F811 — the fixture
    statement, plan = next((statement, plan) for statement, plan in alerts_plans() if "row_number()" in statement)
    assert "EXCEPT" in statement
    assert plan.count("MATERIALIZE pairs") == 1
    assert "SCAN pairs" in plan
