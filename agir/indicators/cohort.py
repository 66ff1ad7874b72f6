"""Cohort progress (SPEC §5, INTERCHANGE.md "Cohort JSON"): month by month since entry, the share of a
cohort that reached each milestone, the members still observed on the as-of date, and the
Kaplan–Meier estimate that accounts for the members not observed long enough (censoring).

For each member and milestone, SQL gives `e`, the first month m at which the milestone was reached
(`reached <= start + m months`, calendar clip; 0 when reached on or before entry; `max + 1` for none
within the curve), and `c`, the last month at which the member is observed (`start + c months <=
as_of`; −1 when the start is after as_of; at most the curve's last month). A GROUP BY counts the
members per (milestone, e, c), then a second one, over the months 0..max, turns those few counts into
the per-month figures: reached, observed, observed and reached, at risk `n_m` and events `d_m`.
Python only multiplies the at most 19 factors of the Kaplan–Meier product. The members are a CTE and
everything comes from one statement: the cohort is computed once, and only its members' records are
read (docs/performance.md). The first dates come from `person_milestones` (models/milestones.py: kept
by the database's triggers, equal to `first_reached_from_sources`): one index range per member.
"""
from datetime import date
from fractions import Fraction

from sqlalchemy import Integer, String, and_, case, func, literal, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators.scope import CohortScope, department_records, ids_first
from agir.indicators.sql import any_of, month_index, months_to_reach  # noqa: F401 (months_to_reach: used by tests)
from models import (
    Accompaniment,
    Department,
    HousingAccess,
    Job,
    Person,
    PersonMilestone,
    Programme,
    Referral,
    RightStep,
    Training,
)
from models.enums import LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS
from models.milestones import MILESTONES, RIGHT_MILESTONES

DEFAULT_MAX_MONTHS = 12


def region_departments(region):
    """Select of the ids of a region's departments."""
    return select(Department.id).where(Department.region_id == region.id)


def members(scope: CohortScope, cte: bool = False):
    """Subquery (or CTE) (person_id, entry_on): persons whose earliest accompaniment started in the entry period
    (of the scope's department, or of its region's departments)."""
    query = (select(Accompaniment.person_id.label("person_id"), func.min(Accompaniment.start_on).label("entry_on"))
             .where(Accompaniment.start_on >= scope.entry_from, Accompaniment.start_on <= scope.entry_to)
             .group_by(Accompaniment.person_id))
    if scope.department is not None and ids_first(scope.department.id):
        # The department's accompaniments by their persons' ids (scope.Scope.records_of, docs/performance.md).
        query = query.where(department_records(Accompaniment.person_id, scope.department.id))
    elif scope.department is not None:
        query = query.join(Person, Person.id == Accompaniment.person_id).where(
            Person.department_id == scope.department.id)
    elif scope.region is not None:
        query = query.join(Person, Person.id == Accompaniment.person_id).where(
            Person.department_id.in_(region_departments(scope.region)))
    return query.cte("members") if cte else query.subquery("members")


def _right(kind: str, among):
    return (select(RightStep.person_id.label("person_id"), RightStep.obtained_on.label("reached_on"))
            .where(RightStep.kind == kind, RightStep.state == "obtained", RightStep.obtained_on.is_not(None),
                   *among(RightStep.person_id)))


def milestone_dates(name: str, persons=None):
    """Subquery (person_id, reached_on): the first date each person reached the milestone.

    `persons` (a select of person ids, e.g. the cohort's) restricts the records read: the
    database then reads the members' records by index instead of every person's.
    """
    def among(column):
        return () if persons is None else (any_of(column, persons.scalar_subquery()),)

    if name in ("health_insurance", "caf_benefits", "bank_account"):
        dated = _right(name, among)
    elif name == "permanent_housing":
        dated = (select(HousingAccess.person_id.label("person_id"), HousingAccess.access_on.label("reached_on"))
                 .where(HousingAccess.kind.in_(PERMANENT_HOUSING_KINDS), *among(HousingAccess.person_id)))
    elif name == "job_or_training":
        dated = select(Job.person_id.label("person_id"), Job.start_on.label("reached_on")).where(
            *among(Job.person_id)).union_all(
            select(Training.person_id.label("person_id"), Training.start_on.label("reached_on"))
            .where(*among(Training.person_id)))
    elif name == "language_referral":
        dated = (select(Referral.person_id.label("person_id"), Referral.sent_on.label("reached_on"))
                 .join(Programme, Programme.id == Referral.programme_id)
                 .where(Programme.theme.in_(LANGUAGE_THEMES), *among(Referral.person_id)))
    else:
        raise KeyError(name)
    dated = dated.subquery("dated")
    return (select(dated.c.person_id, func.min(dated.c.reached_on).label("reached_on"))
            .group_by(dated.c.person_id).subquery("reached"))


def max_months(scope: CohortScope) -> int:
    """The department's max_months, or the largest of the region's departments (of all departments
    without a department or a region)."""
    if scope.department is not None:
        return scope.department.max_months
    query = select(func.max(Department.max_months))
    if scope.region is not None:
        query = query.where(Department.region_id == scope.region.id)
    return db.session.scalar(query) or DEFAULT_MAX_MONTHS


def first_rights(persons):
    """Select (milestone, person_id, reached_on): when each person first obtained each right milestone
    (the three rights in one read of right_steps)."""
    return (select(RightStep.kind.label("milestone"), RightStep.person_id.label("person_id"),
                   func.min(RightStep.obtained_on).label("reached_on"))
            .where(RightStep.kind.in_(RIGHT_MILESTONES), RightStep.state == "obtained",
                   RightStep.obtained_on.is_not(None), any_of(RightStep.person_id, persons.scalar_subquery()))
            .group_by(RightStep.kind, RightStep.person_id))


def first_reached_from_sources(persons=None):
    """Subquery (milestone, person_id, reached_on): one row per milestone a person of `persons` (default: every
    person) reached, with the first date, computed from the source tables (rights in one read of right_steps,
    the other milestones one read each) — what person_milestones must equal (models/milestones.py)."""
    if persons is None:
        persons = select(Person.id)
    parts = [first_rights(persons)]
    for name in MILESTONES[len(RIGHT_MILESTONES):]:
        reached = milestone_dates(name, persons)
        parts.append(select(literal(name, String).label("milestone"), reached.c.person_id, reached.c.reached_on))
    return union_all(*parts).subquery("reached_all")


class clamp(FunctionElement):
    """`value` limited to [low, high] (two integer literals): one evaluation of `value` (a CASE would repeat it).

    GREATEST/LEAST on PostgreSQL, the two-argument max()/min() on SQLite; `value` is never null here.
    """

    type = Integer()
    inherit_cache = True
    name = "clamp"


@compiles(clamp)
def _clamp_default(element, compiler, **kw):
    value, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"LEAST(GREATEST({value}, {low}), {high})"


@compiles(clamp, "sqlite")
def _clamp_sqlite(element, compiler, **kw):
    value, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"min(max({value}, {low}), {high})"


class month_number(FunctionElement):
    """12·year + month of a date column (as agir.indicators.sql.month_index), with PostgreSQL's date_part
    (double precision) instead of EXTRACT (numeric since PostgreSQL 14, several times slower per row)."""

    type = Integer()
    inherit_cache = True
    name = "month_number"


@compiles(month_number)
def _month_number_default(element, compiler, **kw):
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(date_part('year', {day}) * 12 + date_part('month', {day}) AS INTEGER)"


@compiles(month_number, "sqlite")
def _month_number_sqlite(element, compiler, **kw):
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST(strftime('%Y', {day}) AS INTEGER) * 12 + CAST(strftime('%m', {day}) AS INTEGER))"


class day_number(FunctionElement):
    """Day of the month of a date column (as agir.indicators.sql.day_of), with date_part on PostgreSQL."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(date_part('day', {day}) AS INTEGER)"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(strftime('%d', {day}) AS INTEGER)"


def _is_last_day(day: date) -> bool:
    return date.fromordinal(day.toordinal() + 1).day == 1


def last_observed_month(start, as_of: date):
    """SQL: the largest m with `start + m months <= as_of` (calendar, clipped), negative when start > as_of.

    With diff = idx(as_of) − idx(start): m = diff when day(as_of) >= day(start) or as_of is the last day
    of its month (start + diff months is then clipped on or before it), else diff − 1.
    """
    diff = literal(month_index(as_of)) - month_number(start)
    if _is_last_day(as_of):
        return diff
    return diff - case((day_number(start) > as_of.day, 1), else_=0)


def _months(last: int):
    """Subquery (m) of the months 0..last."""
    return union_all(*(select(literal(m, Integer).label("m")) for m in range(last + 1))).subquery("months")


FIGURES = ("size", "reached", "observed", "observed_reached", "at_risk", "events")
NEVER = date(9999, 12, 31)  # "not reached": a date beyond any curve, so that e = last + 1 without a CASE


def monthly_counts(cohort, as_of: date, last: int) -> dict[str, list[dict[str, int]]]:
    """{milestone: [figures of month m for m in 0..last]}, in one statement ({} for an empty cohort).

    Figures of month m (INTERCHANGE.md): `size` members; `reached` members with e <= m; `observed`
    members with c >= m; `observed_reached` with c >= m and e <= m; `at_risk` (n_m) with c >= m and
    e >= m (e = last + 1 when never reached within the curve); `events` (d_m) with e = m and c >= m.
    """
    # Each member's entry month, entry day and last observed month c, computed once per member.
    timed = select(cohort.c.person_id, month_number(cohort.c.entry_on).label("entry_month"),
                   day_number(cohort.c.entry_on).label("entry_day"),
                   clamp(last_observed_month(cohort.c.entry_on, as_of), -1, last).label("c")).cte("timed")
    names = union_all(*(select(literal(name, String).label("milestone")) for name in MILESTONES)).subquery("names")
    # The members' kept first dates, joined to the members directly (one index range each; an IN would
    # de-duplicate the members and hash the rows again).
    reached = (select(PersonMilestone.milestone.label("milestone"), PersonMilestone.person_id.label("person_id"),
                      PersonMilestone.reached_on.label("reached_on"))
               .join(timed, timed.c.person_id == PersonMilestone.person_id).subquery("reached_all"))
    on = func.coalesce(reached.c.reached_on, NEVER)
    # months_to_reach on the precomputed entry month and day: the smallest m >= 0 with reached <= start + m
    # months, then limited to last + 1 ("none within the curve").
    e = clamp(month_number(on) - timed.c.entry_month + case((day_number(on) > timed.c.entry_day, 1), else_=0),
              0, last + 1)
    per_member = (select(names.c.milestone, e.label("e"), timed.c.c).select_from(timed)
                  .join(names, true())
                  .outerjoin(reached, and_(reached.c.person_id == timed.c.person_id,
                                           reached.c.milestone == names.c.milestone))
                  .subquery("per_member"))
    grouped = (select(per_member.c.milestone, per_member.c.e, per_member.c.c, func.count().label("n"))
               .group_by(per_member.c.milestone, per_member.c.e, per_member.c.c).subquery("grouped"))
    months = _months(last)
    g, m = grouped.c, months.c.m

    def total(*conditions):
        return func.sum(case((and_(*conditions), g.n), else_=0)) if conditions else func.sum(g.n)

    rows = db.session.execute(
        select(g.milestone, m, total(), total(g.e <= m), total(g.c >= m), total(g.c >= m, g.e <= m),
               total(g.c >= m, g.e >= m), total(g.c >= m, g.e == m))
        .select_from(grouped).join(months, true()).group_by(g.milestone, m)
    ).all()
    counts: dict[str, list[dict[str, int]]] = {}
    for name, month_row, *values in rows:
        series = counts.setdefault(name, [{} for _ in range(last + 1)])
        series[int(month_row)] = dict(zip(FIGURES, (int(v or 0) for v in values), strict=True))
    return counts


def curve(counts: dict[int, int], size: int, months: int) -> list[float]:
    """Cumulative shares for m = 0..months (four decimals; 0.0 for an empty cohort)."""
    shares: list[float] = []
    running = 0
    for m in range(months + 1):
        running += counts.get(m, 0)
        shares.append((num.share(running, size) or 0.0) if size else 0.0)
    return shares


def kaplan_meier(series: list[dict[str, int]]) -> list[float | None]:
    """km[m] = 1 − S(m), S(m) = S(m−1) × (1 − d_m / n_m) (S(m−1) when n_m = 0), S(−1) = 1, computed exactly
    and rounded to four decimals (half up); None when nobody is observed at month m."""
    survival, estimates = Fraction(1), []
    for figures in series:
        if figures["at_risk"]:
            survival *= Fraction(figures["at_risk"] - figures["events"], figures["at_risk"])
        reached = 1 - survival
        estimates.append(num.share(reached.numerator, reached.denominator) if figures["observed"] else None)
    return estimates


def median_month(estimates: list[float | None]) -> int | None:
    """The first month whose published estimate is at least 0.5, or None."""
    return next((m for m, value in enumerate(estimates) if value is not None and value >= 0.5), None)


def compute(scope: CohortScope) -> dict:
    """The cohort JSON of INTERCHANGE.md (with the second version's observed, observed_shares, km and
    median_months)."""
    return compute_with_counts(scope)[0]


def compute_with_counts(scope: CohortScope) -> tuple[dict, dict[str, list[dict[str, int]]]]:
    """The cohort JSON and, per milestone, the monthly counts it comes from (`monthly_counts`: the XLSX's
    members observed and events), from the same single statement."""
    cohort = members(scope, cte=True)
    last = max_months(scope)
    counts = monthly_counts(cohort, scope.as_of, last)
    empty = [dict.fromkeys(FIGURES, 0) for _ in range(last + 1)]
    series = {name: counts.get(name, empty) for name in MILESTONES}
    size = series[MILESTONES[0]][0]["size"]
    observed = [figures["observed"] for figures in series[MILESTONES[0]]]
    km = {name: kaplan_meier(series[name]) for name in MILESTONES}
    return {
        "scope": scope.as_json(),
        "size": size,
        "months": list(range(last + 1)),
        "milestones": {name: [num.share(f["reached"], size) if size else 0.0 for f in series[name]]
                       for name in MILESTONES},
        "observed": observed,
        "observed_shares": {name: [num.share(f["observed_reached"], f["observed"]) for f in series[name]]
                            for name in MILESTONES},
        "km": km,
        "median_months": {name: median_month(km[name]) for name in MILESTONES},
    }, series
