"""Every department of a scope (a region, or the whole country) side by side (issue 19, SPEC §5): exits and
their outcomes against the national targets, the entry path, durations, cohort medians — with the scope's
total, and the small counts masked (agir.rules.masking).

One GROUP BY department statement per family of figures (exits, entry, durations, cohort), never a loop
over departments; each department's figures equal those of `agir indicators --department X` and
`agir cohort --department X` for the same period (tests/indicators/test_compare.py).

The period is a whole calendar year (docs/rules.md « Comparison »): `for_year` builds it; the as-of date
of the situations (overdue, over limit) and of the cohort is the year's last day (today at the latest).
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from agir.extensions import db
from agir.i18n import N_
from agir.indicators import cohort as cohort_sql
from agir.indicators import numbers as num
from agir.indicators import results
from agir.indicators.annex import count_where, extension_ends, over_limit_condition, overdue_condition
from agir.indicators.scope import Scope
from agir.indicators.sql import date_of, days_between, plus_months
from agir.rules import masking
from models import Accompaniment, Appointment, Department, Exit, Person, PersonMilestone, Region
from models.enums import AppointmentKind

# The national targets of AGIR (SPEC §5): shares of the exits. Shown as targets, in one place.
TARGETS = {"housing_share": 0.80, "employment_share": 0.60}
FIRST_YEAR = 2022

COUNTS = ("exits", "permanent_housing", "employment_or_training", "agir_positive", "orientations",
          "first_interview_within_month", "overdue", "over_limit", "cohort_size")
# Derived figures and the counts they are computed from (hidden when one of them is).
DERIVED = {"housing_share": ("permanent_housing", "exits"), "employment_share": ("employment_or_training", "exits"),
           "agir_positive_share": ("agir_positive", "exits"),
           "within_month_share": ("first_interview_within_month", "orientations"),
           "median_days_to_first_interview": ("orientations", "interviewed"),
           "average_duration_months": ("exits",),
           **{f"median_months.{name}": ("cohort_size",) for name in cohort_sql.MILESTONES}}
# The columns of the table, in order (a median per milestone in `median_months`).
COLUMNS = ("exits", "permanent_housing", "housing_share", "employment_or_training", "employment_share",
           "agir_positive", "agir_positive_share", "orientations", "first_interview_within_month",
           "within_month_share", "median_days_to_first_interview", "average_duration_months", "overdue",
           "over_limit", "cohort_size", "median_months.permanent_housing", "median_months.job_or_training")

SHARE, COUNT, MEAN, DAYS, MONTHS = "share", "count", "mean", "days", "months"
# key: (label, kind) of the columns, for the page and the files.
LABELS = {
    "exits": (N_("Sorties"), COUNT),
    "permanent_housing": (N_("Sorties en logement pérenne"), COUNT),
    "housing_share": (N_("Part en logement pérenne"), SHARE),
    "employment_or_training": (N_("Sorties en emploi ou formation"), COUNT),
    "employment_share": (N_("Part en emploi ou formation"), SHARE),
    "agir_positive": (N_("Sorties positives AGIR"), COUNT),
    "agir_positive_share": (N_("Part de sorties positives AGIR"), SHARE),
    "orientations": (N_("Orientations"), COUNT),
    "first_interview_within_month": (N_("Premier entretien en moins d'un mois"), COUNT),
    "within_month_share": (N_("Part reçue en moins d'un mois"), SHARE),
    "median_days_to_first_interview": (N_("Délai médian du premier entretien (jours)"), DAYS),
    "average_duration_months": (N_("Durée moyenne d'accompagnement (mois)"), MEAN),
    "overdue": (N_("Accompagnements échus"), COUNT),
    "over_limit": (N_("Au-delà de la durée maximale"), COUNT),
    "cohort_size": (N_("Cohorte entrée dans l'année"), COUNT),
    "median_months.permanent_housing": (N_("Mois médian jusqu'au logement pérenne"), MONTHS),
    "median_months.job_or_training": (N_("Mois médian jusqu'à l'emploi ou la formation"), MONTHS),
}


@dataclass(frozen=True)
class Comparison:
    """A scope's departments (Region or None: the whole country) over [start, end], situations on as_of."""

    start: date
    end: date
    as_of: date
    region: Region | None = None

    @property
    def year(self) -> int:
        return self.start.year

    def person_scope(self) -> Scope:
        """The indicators' scope of the whole region (or country): its person conditions."""
        return Scope(self.start, self.end, self.as_of, region=self.region)

    def conditions(self) -> list:
        return self.person_scope().person_conditions()

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "as_of": self.as_of.isoformat(),
                "region": self.region.code if self.region else None, "year": self.year}


def years(today: date) -> list[int]:
    """The calendar years that may be compared: closed years from 2022 (the newest first)."""
    return list(range(today.year - 1, FIRST_YEAR - 1, -1))


def for_year(year: int, region: Region | None, today: date) -> Comparison:
    """The comparison of a closed calendar year (ValueError for another year)."""
    if year not in years(today):
        raise ValueError(year)
    return Comparison(date(year, 1, 1), date(year, 12, 31), min(date(year, 12, 31), today), region)


def departments(comparison: Comparison) -> list[Department]:
    """The departments of the scope, by code."""
    query = select(Department).order_by(Department.code)
    if comparison.region is not None:
        query = query.where(Department.region_id == comparison.region.id)
    return list(db.session.scalars(query))


# --- the four statements ----------------------------------------------------------------------------

def exit_rows(comparison: Comparison) -> dict[int, tuple]:
    """{department id: (exits, days, employment or training, housed, agir positive)} — annex.exits grouped."""
    positive = or_(Exit.job_kind.is_not(None), Exit.training_level.is_not(None))
    # Housed (results.housed_by_exit: a permanent housing access on or before the exit) ⟺ the first permanent
    # housing kept in person_milestones is on or before the exit: one index probe per exit instead of two
    # (the EXISTS was evaluated for each of the two counts).
    housing = aliased(PersonMilestone)
    housed = housing.reached_on <= Exit.exit_on
    rows = db.session.execute(
        select(Person.department_id, func.count(Exit.id), func.sum(days_between(Exit.exit_on, Accompaniment.start_on)),
               count_where(positive), count_where(housed), count_where(and_(housed, results.agir_job_or_training())))
        .select_from(Exit).join(Accompaniment, Accompaniment.id == Exit.accompaniment_id)
        .join(Person, Person.id == Accompaniment.person_id)
        .outerjoin(housing, and_(housing.person_id == Accompaniment.person_id,
                                 housing.milestone == "permanent_housing"))
        .where(Exit.exit_on >= comparison.start, Exit.exit_on <= comparison.end, *comparison.conditions())
        .group_by(Person.department_id)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def entry_rows(comparison: Comparison) -> dict[int, list[tuple]]:
    """{department id: [(delay or None, within a month 0/1, persons)]} — results.interview_delays grouped."""
    scope = comparison.person_scope()
    # Each oriented person's first honoured first interview on or after the orientation (results.first_interviews):
    # one MIN per person through the (person_id, start_at) index, read with the person — the persons of the period
    # are read once, not once more to join their appointments. MATERIALIZED: the value is computed once per
    # person, not at each of its mentions below.
    first_at = (select(func.min(Appointment.start_at))
                .where(Appointment.person_id == Person.id, Appointment.kind == AppointmentKind.FIRST_INTERVIEW.value,
                       Appointment.status == results.HONOURED, Appointment.start_at >= Person.oriented_on)
                .correlate(Person).scalar_subquery())
    oriented = (select(Person.department_id.label("department_id"), Person.oriented_on.label("oriented_on"),
                       first_at.label("first_at"))
                .where(*results.oriented_in_period(scope)).cte("oriented").prefix_with("MATERIALIZED"))
    first_day = date_of(oriented.c.first_at)
    delays = (select(oriented.c.department_id.label("department_id"),
                     days_between(first_day, oriented.c.oriented_on).label("delay"),
                     case((first_day <= plus_months(oriented.c.oriented_on, 1), 1), else_=0).label("within"))
              .subquery("delays"))
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for department_id, delay, within, n in db.session.execute(
            select(delays.c.department_id, delays.c.delay, delays.c.within, func.count())
            .group_by(delays.c.department_id, delays.c.delay, delays.c.within)).all():
        grouped[department_id].append((delay, within, n))
    return grouped


def duration_rows(comparison: Comparison) -> dict[int, tuple[int, int]]:
    """{department id: (overdue, over limit)} on as_of — annex.durations grouped."""
    ends = extension_ends()
    rows = db.session.execute(
        select(Person.department_id, count_where(overdue_condition(comparison.as_of, ends)),
               count_where(over_limit_condition(comparison.as_of)))
        .select_from(Accompaniment).join(Person, Person.id == Accompaniment.person_id)
        .join(Department, Department.id == Person.department_id)
        .outerjoin(ends, ends.c.accompaniment_id == Accompaniment.id)
        .where(Accompaniment.start_on <= comparison.as_of,
               or_(Accompaniment.exit_on.is_(None), Accompaniment.exit_on > comparison.as_of),
               *comparison.conditions())
        .group_by(Person.department_id)).all()
    return {row[0]: (num.count(row[1]), num.count(row[2])) for row in rows}


def cohort_rows(comparison: Comparison, last: int) -> dict[int, dict[str, list[dict[str, int]]]]:
    """{department id: {milestone: [figures of month m, m = 0..last]}} — the figures of cohort.monthly_counts per
    department (the cohort of persons whose first accompaniment started in the period), from one statement.

    For each member, `c` is the last month they are observed and `e` the first month at which they reached a
    milestone (cohort.py). The statement counts members per (department, milestone, e, c) among those who
    reached it — an inner join with their first dates, no row per member and milestone — and, in the same
    statement, members per (department, c); those who never reached a milestone are the difference (e =
    last + 1). `_series` turns these few hundred counts per department into the monthly figures.
    Computed up to `last` (the largest max_months of the scope): a department's series cut at its own
    max_months is the series of its own cohort (c and e are only compared with months up to it).
    """
    in_period = (Accompaniment.start_on >= comparison.start, Accompaniment.start_on <= comparison.end)
    conditions = comparison.conditions()
    if conditions:
        members = (select(Accompaniment.person_id.label("person_id"), Person.department_id.label("department_id"),
                          func.min(Accompaniment.start_on).label("entry_on"))
                   .join(Person, Person.id == Accompaniment.person_id).where(*in_period, *conditions)
                   .group_by(Accompaniment.person_id, Person.department_id).cte("members"))
    else:
        # The whole country: each member's department read by primary key (a join read every person's).
        department = (select(Person.department_id).where(Person.id == Accompaniment.person_id)
                      .correlate(Accompaniment).scalar_subquery())
        members = (select(Accompaniment.person_id.label("person_id"), department.label("department_id"),
                          func.min(Accompaniment.start_on).label("entry_on"))
                   .where(*in_period).group_by(Accompaniment.person_id).cte("members"))
    timed = select(members.c.person_id, members.c.department_id,
                   cohort_sql.month_number(members.c.entry_on).label("entry_month"),
                   cohort_sql.day_number(members.c.entry_on).label("entry_day"),
                   cohort_sql.clamp(cohort_sql.last_observed_month(members.c.entry_on, comparison.as_of), -1, last)
                   .label("c")).cte("timed")
    # Each member's first dates: one index range of person_milestones per member, joined directly.
    reached = PersonMilestone.__table__
    on = reached.c.reached_on
    e = cohort_sql.clamp(cohort_sql.month_number(on) - timed.c.entry_month
                         + case((cohort_sql.day_number(on) > timed.c.entry_day, 1), else_=0), 0, last + 1)
    by_milestone = (select(timed.c.department_id, reached.c.milestone, e.label("e"), timed.c.c, func.count())
                    .select_from(timed).join(reached, reached.c.person_id == timed.c.person_id)
                    .group_by(timed.c.department_id, reached.c.milestone, e, timed.c.c))
    by_department = (select(timed.c.department_id, literal(None, String), literal(None, Integer), timed.c.c,
                            func.count()).group_by(timed.c.department_id, timed.c.c))
    sizes: dict[int, dict[int, int]] = defaultdict(dict)
    counts: dict[int, dict[str, dict[tuple[int, int], int]]] = defaultdict(lambda: defaultdict(dict))
    for department_id, milestone, e_month, c_month, n in db.session.execute(union_all(by_milestone, by_department)):
        if milestone is None:
            sizes[department_id][int(c_month)] = int(n)
        else:
            counts[department_id][milestone][(int(e_month), int(c_month))] = int(n)
    return {department_id: {name: _series(by_c, counts[department_id].get(name, {}), last)
                            for name in cohort_sql.MILESTONES} for department_id, by_c in sizes.items()}


def _series(sizes: dict[int, int], reached: dict[tuple[int, int], int], last: int) -> list[dict[str, int]]:
    """The figures of months 0..last (cohort.FIGURES) from the members per last observed month c (`sizes`) and
    those who reached the milestone per (e, c); the others count as e = last + 1 (never within the curve).

    With N[e][c] the members per (e, c) and S[e][m] = Σ_{c ≥ m} N[e][c]: reached(m) = Σ_{e ≤ m} N[e][·],
    observed(m) = Σ_{c ≥ m} sizes, observed_reached(m) = Σ_{e ≤ m} S[e][m], at_risk(m) = Σ_{e ≥ m} S[e][m],
    events(m) = S[m][m] — a few hundred additions, whatever the size of the cohort.
    """
    width = last + 2                        # c in -1..last → index c + 1; e in 0..last + 1
    grid = [[0] * width for _ in range(last + 2)]
    for (e_month, c_month), n in reached.items():
        grid[e_month][c_month + 1] += n
    for c_month, n in sizes.items():
        grid[last + 1][c_month + 1] += n - sum(grid[e_month][c_month + 1] for e_month in range(last + 1))
    size = sum(sizes.values())
    # suffix[e][m] = Σ_{c ≥ m} N[e][c] for m in 0..last (c index ≥ m + 1).
    suffix = []
    for row in grid:
        running, sums = 0, [0] * (last + 2)
        for index in range(width - 1, 0, -1):
            running += row[index]
            sums[index - 1] = running
        suffix.append(sums)
    reached_by = list(accumulate(sum(row) for row in grid))            # Σ_{e ≤ m} N[e][·]
    observed_by = [sum(n for c_month, n in sizes.items() if c_month >= m) for m in range(last + 1)]
    return [{"size": size, "reached": reached_by[m], "observed": observed_by[m],
             "observed_reached": sum(suffix[e_month][m] for e_month in range(m + 1)),
             "at_risk": sum(suffix[e_month][m] for e_month in range(m, last + 2)),
             "events": suffix[m][m]} for m in range(last + 1)]


# --- figures ----------------------------------------------------------------------------------------

def _cohort_figures(series: dict[str, list[dict[str, int]]] | None, months: int) -> dict:
    """Cohort size and median months per milestone from a department's (or the total's) series, cut at `months`."""
    if not series:
        return {"cohort_size": 0, "median_months": dict.fromkeys(cohort_sql.MILESTONES)}
    cut = {name: series[name][:months + 1] for name in cohort_sql.MILESTONES if name in series}
    size = cut[cohort_sql.MILESTONES[0]][0]["size"]
    return {"cohort_size": size,
            "median_months": {name: cohort_sql.median_month(cohort_sql.kaplan_meier(cut[name])) if name in cut
                              else None for name in cohort_sql.MILESTONES}}


def figures(exit_row: tuple | None, delays: list[tuple], durations: tuple[int, int] | None, cohort: dict) -> dict:
    """The row of one department (or of the total) from its counts."""
    exits_n, days, positive, housed, agir_positive = exit_row or (0, 0, 0, 0, 0)
    exits_n = num.count(exits_n)
    outcomes = results.exit_outcomes(exits_n, num.count(positive), housed, agir_positive)
    orientations = sum(num.count(n) for _, _, n in delays)
    within = sum(num.count(n) for _, w, n in delays if w)
    overdue, over_limit = durations or (0, 0)
    return {
        "exits": exits_n, "permanent_housing": outcomes["permanent_housing"],
        "housing_share": outcomes["housing_share"], "employment_or_training": outcomes["employment_or_training"],
        "employment_share": outcomes["employment_share"], "agir_positive": outcomes["agir_positive"],
        "agir_positive_share": outcomes["agir_positive_share"],
        "orientations": orientations, "first_interview_within_month": within,
        "within_month_share": num.share(within, orientations),
        "interviewed": sum(num.count(n) for delay, _, n in delays if delay is not None),
        "median_days_to_first_interview": num.median((delay, n) for delay, _, n in delays),
        "average_duration_months": num.mean_months(days, exits_n),
        "overdue": overdue, "over_limit": over_limit, **cohort,
    }


def compute(comparison: Comparison) -> dict:
    """The published comparison: {"scope", "targets", "departments": [row…], "total": row}, small counts masked."""
    return mask(compute_unmasked(comparison))


def compute_unmasked(comparison: Comparison) -> dict:
    """The comparison before masking (tests compare it with the per-department indicators; never published)."""
    found = departments(comparison)
    last = max((department.max_months for department in found), default=cohort_sql.DEFAULT_MAX_MONTHS)
    exits = exit_rows(comparison)
    entries = entry_rows(comparison)
    durations = duration_rows(comparison)
    cohorts = cohort_rows(comparison, last)
    rows = [{"department": department.code, "name": department.name,
             "region": department.region.code if department.region else None,
             **figures(exits.get(department.id), entries.get(department.id, []), durations.get(department.id),
                       _cohort_figures(cohorts.get(department.id), department.max_months))}
            for department in found]
    ids = {department.id for department in found}
    total_exits = [sum(num.count(row[i]) if i != 1 else num.to_decimal(row[i]) for dep, row in exits.items()
                       if dep in ids) for i in range(5)]
    merged: dict[tuple, int] = defaultdict(int)
    for dep, groups in entries.items():
        if dep in ids:
            for delay, within, n in groups:
                merged[(delay, within)] += num.count(n)
    total_durations = (sum(values[0] for dep, values in durations.items() if dep in ids),
                       sum(values[1] for dep, values in durations.items() if dep in ids))
    total = figures(tuple(total_exits), [(d, w, n) for (d, w), n in merged.items()], total_durations,
                    _cohort_figures(_sum_series([cohorts[dep] for dep in cohorts if dep in ids], last), last))
    return {"scope": comparison.as_json(), "targets": dict(TARGETS), "departments": rows, "total": total}


def _sum_series(series_list: list[dict[str, list[dict[str, int]]]], last: int) -> dict | None:
    """The month-by-month counts of the scope's whole cohort: the sums of its departments' (same last month)."""
    if not series_list:
        return None
    summed = {name: [dict.fromkeys(cohort_sql.FIGURES, 0) for _ in range(last + 1)] for name in cohort_sql.MILESTONES}
    for series in series_list:
        for name, months in series.items():
            for m, values in enumerate(months):
                for key, value in values.items():
                    summed[name][m][key] += value
    return summed


# --- masking ----------------------------------------------------------------------------------------

def value_of(row: dict, key: str):
    """A figure of a row (`median_months.x` reads the nested medians)."""
    if key.startswith("median_months."):
        return row["median_months"][key.split(".", 1)[1]]
    return row[key]


def mask(result: dict) -> dict:
    """Hide the small counts (agir.rules.masking) and what is derived from them: each row gains `masked`,
    the sorted list of its hidden figures (their values become None). The count of persons with a first
    interview (`interviewed`, base of the median delay) is only used for masking, then removed."""
    rows, total = result["departments"], result["total"]
    groups = {row["department"]: row["region"] for row in rows}
    hidden: dict[str, set[str]] = {row["department"]: set() for row in rows}
    hidden_total: set[str] = set()
    for column in (*COUNTS, "interviewed"):
        masked = masking.mask_column({row["department"]: row[column] for row in rows}, groups)
        for code in masked.cells:
            hidden[code].add(column)
        if masked.total or (result["scope"]["region"] is not None and masked.groups):
            hidden_total.add(column)
    for row, counted in [*((row, hidden[row["department"]]) for row in rows), (total, hidden_total)]:
        names = counted | masking.mask_derived(counted, DERIVED)
        for name in names:
            if name.startswith("median_months."):
                row["median_months"][name.split(".", 1)[1]] = None
            elif name in row:
                row[name] = None
        row["masked"] = sorted(name for name in names if name != "interviewed")
        row.pop("interviewed", None)
    return result
