"""PostgreSQL query plans of the alerts computation (docs/performance.md, « Alerts on PostgreSQL at 1,000,000 »).

« First interview late » excludes the persons whose path is over (an exit on or before as_of, no accompaniment
open). Written NOT (ended AND NOT open), PostgreSQL could not make it a join: it was a subplan evaluated for every
person oriented a month ago — hashed while the exits fit in work_mem, one index probe per person beyond (558,000 at
1,000,000 persons, most of the statement's 4 s). Written as one NOT EXISTS of an exit with no open accompaniment
beside it, both are anti-joins whatever the size. The alerts themselves are the other tests' business
(test_alerts_job.py, test_alerts_v2.py compare them with the plain definitions, on both databases). On SQLite
(test_alerts_plans.py for its plans) this file has nothing to check."""
from datetime import date

from sqlalchemy import text

from agir import alerts
from agir.extensions import db
from tests.indicators.test_sqlite_plans import sent_statements

AS_OF = date(2026, 12, 5)


def first_interview_statement() -> tuple[str, object]:
    sent = sent_statements(lambda: alerts._first_interview_alerts(db.session, AS_OF))
    assert len(sent) == 1
    return sent[0]


def test_first_interview_late_has_no_subplan_per_person_on_postgresql(app_ctx):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite: test_alerts_plans.py
    statement, parameters = first_interview_statement()
    connection = db.session.connection()
    # Whatever the sizes the planner expects: no subplan may run once per person, hashed or not.
    for setting in ("100kB", "1GB"):
        connection.execute(text(f"SET LOCAL work_mem = '{setting}'"))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "SubPlan" not in plan, plan
        assert plan.count("Anti Join") == 3, plan  # the interviews, the exits, the open accompaniments beside them
    db.session.rollback()
