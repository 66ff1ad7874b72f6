"""Date arithmetic in SQL that answers the same on SQLite and PostgreSQL.

The calendar step of SPEC §4.1 (`start + n months`, clipped to the end of the month, as
`dateutil.relativedelta` does) is expressed with year, month and day numbers only, so no
dialect's own interval arithmetic (which clips differently) is ever used:

- `d > s + n months`  ⇔  idx(d) − idx(s) > n, or = n and day(d) > day(s);
- `d ≥ s + n months`  ⇔  idx(d) − idx(s) > n, or = n and (day(d) ≥ day(s) or d is a month's last day);

where idx(x) = 12·year(x) + month(x). (When both dates fall in the same target month, the
clipped day is min(day(s), days in that month), hence the month-end case.)

`plus_months` gives the clipped date itself, one per row (cheaper on SQLite when the step is compared
with another column): PostgreSQL's interval clips as relativedelta does; SQLite's `date(d, '+n months')`
does not, so it is capped at the last day of the target month (tests compare it with agir.dates.add_months).
"""
import typing
from datetime import date

from sqlalchemy import Boolean, Date, Integer, and_, case, cast, extract, literal, literal_column, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from models.enums import LEVELS


class days_between(FunctionElement):
    """`later − earlier` in whole days (an integer)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


class next_day(FunctionElement):
    """The day after a date."""

    type = Date()
    inherit_cache = True
    name = "next_day"


@compiles(next_day)
def _next_day_default(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"({compiler.process(day, **kw)} + 1)"


@compiles(next_day, "sqlite")
def _next_day_sqlite(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+1 day')"


class scanned(FunctionElement):
    """A column compared without its index on SQLite (`+column`), unchanged elsewhere.

    SQLite has no statistics on value ranges: it takes `start_on <= last` for a selective condition
    and reads nearly the whole table through the index, one row at a time, when the period is recent
    (most records start before its end) — twice as slow as scanning (docs/performance.md).
    PostgreSQL estimates ranges from its statistics and needs no hint.
    """

    inherit_cache = True
    name = "scanned"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(scanned)
def _scanned_default(element, compiler, **kw):
    (column,) = list(element.clauses)
    return compiler.process(column, **kw)


@compiles(scanned, "sqlite")
def _scanned_sqlite(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"+{compiler.process(column, **kw)}"


def day_of(day) -> ColumnElement | int:
    """Day of the month (a plain int for a Python date)."""
    if isinstance(day, date):
        return day.day
    return cast(extract("day", day), Integer)


def month_index(day) -> ColumnElement | int:
    """12·year + month: consecutive months differ by one."""
    if isinstance(day, date):
        return day.year * 12 + day.month
    return cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer)


def is_month_end(day) -> ColumnElement:
    """True when the date is the last day of its month."""
    if isinstance(day, date):
        return literal(_is_last_day(day))
    return cast(extract("day", next_day(day)), Integer) == 1


def after_months(day, start, months) -> ColumnElement:
    """SQL condition `day > start + months` (calendar months, clipped)."""
    diff = month_index(day) - month_index(start)
    return or_(diff > months, and_(diff == months, _condition(day_of(day) > day_of(start))))


def on_or_after_months(day, start, months) -> ColumnElement:
    """SQL condition `day >= start + months` (calendar months, clipped)."""
    diff = month_index(day) - month_index(start)
    if isinstance(day, date):
        same_or_end = or_(_condition(day_of(start) <= day.day), literal(_is_last_day(day)))
    else:
        same_or_end = or_(_condition(day_of(day) >= day_of(start)), is_month_end(day))
    return or_(diff > months, and_(diff == months, same_or_end))


def _condition(compared: ColumnElement[bool] | bool) -> ColumnElement[bool]:
    """A comparison of day_of() values, for the type checker: always SQL here, as at least one side is a column."""
    return typing.cast(ColumnElement[bool], compared)


def _is_last_day(day: date) -> bool:
    return date.fromordinal(day.toordinal() + 1).day == 1


def months_to_reach(start, reached) -> ColumnElement:
    """The smallest m ≥ 0 with `reached <= start + m months` (0 when reached on or before start)."""
    diff = month_index(reached) - month_index(start)
    m = diff + case((_condition(day_of(reached) > day_of(start)), 1), else_=0)
    return case((m < 0, 0), else_=m)


def level_rank(column) -> ColumnElement:
    """Rank of a CECRL level (pre_A1 = 0 … C2 = 6), null for no level — as agir.rules.path.level_rank."""
    return case({level: rank for rank, level in enumerate(LEVELS)}, value=column, else_=None)


class date_of(FunctionElement):
    """The calendar day of a timestamp (appointments' local start): `date(x)` on SQLite, `CAST(x AS DATE)` elsewhere.

    (SQLAlchemy's own `cast(x, Date)` is `CAST(x AS DATE)` on SQLite too, which there gives the year as a number.)
    """

    type = Date()
    inherit_cache = True
    name = "date_of"


@compiles(date_of)
def _date_of_default(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"CAST({compiler.process(moment, **kw)} AS DATE)"


@compiles(date_of, "sqlite")
def _date_of_sqlite(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"date({compiler.process(moment, **kw)})"


class plus_months(FunctionElement):
    """`day + n months` as a date, clipped to the end of the month (31 Jan + 1 = 28/29 Feb), n a Python int.

    PostgreSQL's interval arithmetic clips so; SQLite's `date(d, '+n months')` overflows into the next month
    (31 Jan + 1 month = 3 March), so SQLite takes the earlier of that and the last day of the target month.
    One date per row, cheaper on SQLite than after_months' day and month numbers when compared with a column.
    (n travels as a literal column, so that it is part of the statement's cache key.)
    """

    type = Date()
    inherit_cache = True
    name = "plus_months"

    def __init__(self, day, months: int):
        super().__init__(day, literal_column(str(int(months))))


def _day_and_months(element, compiler, **kw) -> tuple[str, int]:
    day, months = list(element.clauses)
    return compiler.process(day, **kw), int(months.name)


@compiles(plus_months)
def _plus_months_default(element, compiler, **kw):
    day, months = _day_and_months(element, compiler, **kw)
    return f"CAST({day} + INTERVAL '{months} months' AS DATE)"


@compiles(plus_months, "sqlite")
def _plus_months_sqlite(element, compiler, **kw):
    day, months = _day_and_months(element, compiler, **kw)
    return f"min(date({day}, '+{months} months'), date({day}, 'start of month', '+{months + 1} months', '-1 day'))"


class any_of(FunctionElement):
    """`column = ANY(ARRAY(SELECT …))` on PostgreSQL, `column IN (SELECT …)` elsewhere (`ids`: a scalar subquery).

    PostgreSQL reads the subquery once (an InitPlan) and fetches the column's matches through its index, one
    descent per id — a department's records by person_id rather than every record of the country in the period
    hashed against the department's persons (agir.indicators.scope.Scope.records_of, docs/performance.md).
    """

    type = Boolean()
    inherit_cache = True
    name = "any_of"


@compiles(any_of)
def _any_of_default(element, compiler, **kw):
    column, ids = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY(ARRAY({ids}))"


@compiles(any_of, "sqlite")
def _any_of_sqlite(element, compiler, **kw):
    column, ids = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN {ids}"
