"""Cohort progress (SPEC §5, INTERCHANGE.md "Cohort JSON"): month by month since entry, the share of a
cohort that reached each milestone.

For each member and milestone, SQL gives the first month m at which the milestone was reached
(`reached <= start + m months`, calendar clip; 0 when reached on or before entry), then a
GROUP BY counts members per month; Python only accumulates those few counts over the months.
"""
from sqlalchemy import func, select

from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators.scope import CohortScope
from agir.indicators.sql import months_to_reach
from models import Accompaniment, Department, HousingAccess, Job, Person, Programme, Referral, RightStep, Training
from models.enums import LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS

MILESTONES = ("health_insurance", "caf_benefits", "bank_account", "permanent_housing", "job_or_training",
              "language_referral")
DEFAULT_MAX_MONTHS = 12


def members(scope: CohortScope):
    """Subquery (person_id, entry_on): persons whose earliest accompaniment started in the entry period."""
    query = (select(Accompaniment.person_id.label("person_id"), func.min(Accompaniment.start_on).label("entry_on"))
             .where(Accompaniment.start_on >= scope.entry_from, Accompaniment.start_on <= scope.entry_to)
             .group_by(Accompaniment.person_id))
    if scope.department is not None:
        query = query.join(Person, Person.id == Accompaniment.person_id).where(
            Person.department_id == scope.department.id)
    return query.subquery("members")


def _right(kind: str):
    return (select(RightStep.person_id.label("person_id"), RightStep.obtained_on.label("reached_on"))
            .where(RightStep.kind == kind, RightStep.state == "obtained", RightStep.obtained_on.is_not(None)))


def milestone_dates(name: str):
    """Subquery (person_id, reached_on): the first date each person reached the milestone."""
    if name in ("health_insurance", "caf_benefits", "bank_account"):
        dated = _right(name)
    elif name == "permanent_housing":
        dated = (select(HousingAccess.person_id.label("person_id"), HousingAccess.access_on.label("reached_on"))
                 .where(HousingAccess.kind.in_(PERMANENT_HOUSING_KINDS)))
    elif name == "job_or_training":
        dated = select(Job.person_id.label("person_id"), Job.start_on.label("reached_on")).union_all(
            select(Training.person_id.label("person_id"), Training.start_on.label("reached_on")))
    elif name == "language_referral":
        dated = (select(Referral.person_id.label("person_id"), Referral.sent_on.label("reached_on"))
                 .join(Programme, Programme.id == Referral.programme_id)
                 .where(Programme.theme.in_(LANGUAGE_THEMES)))
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


def reached_by_month(cohort, name: str) -> dict[int, int]:
    """{m: members who first reached the milestone at month m}."""
    reached = milestone_dates(name)
    month = months_to_reach(cohort.c.entry_on, reached.c.reached_on).label("month")
    rows = db.session.execute(
        select(month, func.count()).select_from(cohort)
        .join(reached, reached.c.person_id == cohort.c.person_id).group_by(month)
    ).all()
    return {int(m): int(n) for m, n in rows}


def curve(counts: dict[int, int], size: int, months: int) -> list[float]:
    """Cumulative shares for m = 0..months (four decimals; 0.0 for an empty cohort)."""
    shares, running = [], 0
    for m in range(months + 1):
        running += counts.get(m, 0)
        shares.append(num.share(running, size) if size else 0.0)
    return shares


def compute(scope: CohortScope) -> dict:
    """The cohort JSON of INTERCHANGE.md."""
    cohort = members(scope)
    size = db.session.scalar(select(func.count()).select_from(cohort)) or 0
    months = max_months(scope)
    return {
        "scope": scope.as_json(),
        "size": size,
        "months": list(range(months + 1)),
        "milestones": {name: curve(reached_by_month(cohort, name), size, months) for name in MILESTONES},
    }
