"""Cohort progress (SPEC §5, INTERCHANGE.md "Cohort JSON"): month by month since entry, the share of a
cohort that reached each milestone.

For each member and milestone, SQL gives the first month m at which the milestone was reached
(`reached <= start + m months`, calendar clip; 0 when reached on or before entry), then a
GROUP BY counts members per milestone and month; Python only accumulates those few counts over
the months. The members are a CTE and every milestone comes from one statement: the cohort is
computed once, and only its members' records are read (docs/performance.md).
"""
from sqlalchemy import String, func, literal, select, union_all

from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators.scope import CohortScope
from agir.indicators.sql import months_to_reach
from models import Accompaniment, Department, HousingAccess, Job, Person, Programme, Referral, RightStep, Training
from models.enums import LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS

MILESTONES = ("health_insurance", "caf_benefits", "bank_account", "permanent_housing", "job_or_training",
              "language_referral")
DEFAULT_MAX_MONTHS = 12
RIGHT_MILESTONES = MILESTONES[:3]


def members(scope: CohortScope, cte: bool = False):
    """Subquery (or CTE) (person_id, entry_on): persons whose earliest accompaniment started in the entry period."""
    query = (select(Accompaniment.person_id.label("person_id"), func.min(Accompaniment.start_on).label("entry_on"))
             .where(Accompaniment.start_on >= scope.entry_from, Accompaniment.start_on <= scope.entry_to)
             .group_by(Accompaniment.person_id))
    if scope.department is not None:
        query = query.join(Person, Person.id == Accompaniment.person_id).where(
            Person.department_id == scope.department.id)
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
        return () if persons is None else (column.in_(persons),)

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
    """The department's max_months, or the largest of all departments without one."""
    if scope.department is not None:
        return scope.department.max_months
    return db.session.scalar(select(func.max(Department.max_months))) or DEFAULT_MAX_MONTHS


def first_rights(persons):
    """Select (milestone, person_id, reached_on): when each person first obtained each right milestone
    (the three rights in one read of right_steps)."""
    return (select(RightStep.kind.label("milestone"), RightStep.person_id.label("person_id"),
                   func.min(RightStep.obtained_on).label("reached_on"))
            .where(RightStep.kind.in_(RIGHT_MILESTONES), RightStep.state == "obtained",
                   RightStep.obtained_on.is_not(None), RightStep.person_id.in_(persons))
            .group_by(RightStep.kind, RightStep.person_id))


MEMBERS = "members"  # the pseudo-milestone every member reaches at month 0: the cohort's size


def reached_by_month(cohort) -> dict[str, dict[int, int]]:
    """{milestone: {m: members who first reached the milestone at month m}}, in one statement.

    Also {MEMBERS: {0: size}}: each member "reaches" their own entry date, so the size of the cohort
    comes from the same statement (the members are computed once).
    """
    persons = select(cohort.c.person_id)
    parts = [first_rights(persons),
             select(literal(MEMBERS, String).label("milestone"), cohort.c.person_id, cohort.c.entry_on)]
    for name in MILESTONES[len(RIGHT_MILESTONES):]:
        reached = milestone_dates(name, persons)
        parts.append(select(literal(name, String).label("milestone"), reached.c.person_id, reached.c.reached_on))
    reached = union_all(*parts).subquery("reached_all")
    month = months_to_reach(cohort.c.entry_on, reached.c.reached_on).label("month")
    rows = db.session.execute(
        select(reached.c.milestone, month, func.count()).select_from(cohort)
        .join(reached, reached.c.person_id == cohort.c.person_id).group_by(reached.c.milestone, month)
    ).all()
    counts: dict[str, dict[int, int]] = {name: {} for name in (*MILESTONES, MEMBERS)}
    for name, m, n in rows:
        counts[name][int(m)] = int(n)
    return counts


def curve(counts: dict[int, int], size: int, months: int) -> list[float]:
    """Cumulative shares for m = 0..months (four decimals; 0.0 for an empty cohort)."""
    shares, running = [], 0
    for m in range(months + 1):
        running += counts.get(m, 0)
        shares.append(num.share(running, size) if size else 0.0)
    return shares


def compute(scope: CohortScope) -> dict:
    """The cohort JSON of INTERCHANGE.md."""
    cohort = members(scope, cte=True)
    months = max_months(scope)
    counts = reached_by_month(cohort)
    size = sum(counts[MEMBERS].values())  # {0: size}, or {} for an empty cohort
    return {
        "scope": scope.as_json(),
        "size": size,
        "months": list(range(months + 1)),
        "milestones": {name: curve(counts[name], size, months) for name in MILESTONES},
    }
