"""The SQL calendar arithmetic answers exactly as agir.dates (relativedelta) — on SQLite and PostgreSQL."""
from datetime import date, timedelta

from sqlalchemy import Date, literal, select

from agir.dates import add_months, age_on
from agir.extensions import db
from agir.indicators.annex import durable_job
from agir.indicators.sql import (
    after_months,
    days_between,
    is_month_end,
    level_rank,
    months_to_reach,
    on_or_after_months,
)
from agir.rules.path import is_durable_job
from agir.rules.path import level_rank as rule_level_rank
from models.enums import JOB_KINDS, LEVELS

STARTS = (date(2023, 1, 31), date(2024, 1, 31), date(2022, 8, 31), date(2024, 2, 29), date(2023, 2, 28),
          date(2022, 3, 15), date(2023, 12, 31), date(2000, 2, 29), date(2023, 3, 1))
MONTHS = (0, 1, 6, 12, 18, 300)


def sql(day: date):
    return literal(day, Date)


def _cases():
    for start in STARTS:
        for n in MONTHS:
            target = add_months(start, n)
            for delta in (-2, -1, 0, 1, 2):
                yield start, n, target + timedelta(days=delta)


def test_after_and_on_or_after_months_match_relativedelta_in_sql(app_ctx):
    for start, n, day in _cases():
        target = add_months(start, n)
        row = db.session.execute(select(
            after_months(sql(day), sql(start), n), on_or_after_months(sql(day), sql(start), n),
            after_months(day, sql(start), n), on_or_after_months(day, sql(start), n),
        )).one()
        assert [bool(x) for x in row] == [day > target, day >= target] * 2, (start, n, day)


def test_months_to_reach_is_the_first_month_whose_clipped_date_is_not_before(app_ctx):
    reached_days = [start + timedelta(days=k) for start in STARTS for k in (-40, -1, 0, 1, 27, 28, 29, 30, 31, 59, 200)]
    for start in STARTS:
        expected = [next(m for m in range(0, 400) if reached <= add_months(start, m)) for reached in reached_days]
        got = db.session.execute(select(*(months_to_reach(sql(start), sql(r)) for r in reached_days))).one()
        assert list(got) == expected, start


def test_age_25_on_the_entry_day_is_not_under_25(app_ctx):
    births = (date(1997, 9, 1), date(2000, 2, 29), date(1999, 12, 31))
    for birth in births:
        for delta in (-1, 0, 1):
            entry = add_months(birth, 300) + timedelta(days=delta)
            aged = db.session.scalar(select(on_or_after_months(sql(entry), sql(birth), 300)))
            assert bool(aged) == (age_on(birth, entry) >= 25), (birth, entry)


def test_month_end_and_days_between(app_ctx):
    for day, end in ((date(2023, 2, 28), True), (date(2024, 2, 28), False), (date(2024, 2, 29), True),
                     (date(2023, 12, 31), True), (date(2023, 4, 30), True), (date(2023, 4, 29), False)):
        assert bool(db.session.scalar(select(is_month_end(sql(day))))) is end
    assert db.session.scalar(select(days_between(sql(date(2023, 3, 1)), sql(date(2022, 9, 1))))) == 181
    assert db.session.scalar(select(days_between(sql(date(2024, 3, 1)), sql(date(2024, 2, 1))))) == 29


def test_level_rank_in_sql_is_the_rule(app_ctx):
    for level in (*LEVELS, "Z9"):
        assert db.session.scalar(select(level_rank(literal(level)))) == rule_level_rank(level)


def test_durable_job_in_sql_is_the_rule(app_ctx):
    for kind in JOB_KINDS:
        for months in (None, 1, 6, 7, 24):
            got = db.session.scalar(select(durable_job(literal(kind), literal(months))))
            assert bool(got) is is_durable_job(kind, months), (kind, months)
