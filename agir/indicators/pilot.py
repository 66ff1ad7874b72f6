"""Queries of the pilot's dashboard: open alerts by kind, the pseudonymous compliance list, finer breakdowns.

Nothing here ever selects a name, a birth date, a contact or free text: persons appear only by
their pseudonym (SPEC §1, pilots see aggregates only).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, distinct, func, or_, select

from agir.dates import add_months
from agir.extensions import db
from agir.indicators.annex import (
    count_where,
    durations,
    extension_ends,
    latest_planned_end,
    open_on,
    over_limit_condition,
    overdue_condition,
    overlaps,
)
from agir.indicators.scope import Scope
from models import Accompaniment, Alert, Department, Participation, Person, Programme, Structure
from models.enums import ALERT_KINDS


def alert_counts(department_id: int) -> dict[str, int]:
    """{kind: open alerts} for the persons of the department (every kind present, 0 when none)."""
    rows = db.session.execute(
        select(Alert.kind, func.count(Alert.id)).join(Person, Person.id == Alert.person_id)
        .where(Person.department_id == department_id, Alert.resolved_on.is_(None)).group_by(Alert.kind)
    ).all()
    counts = dict.fromkeys(ALERT_KINDS, 0)
    counts.update({kind: int(n) for kind, n in rows})
    return counts


@dataclass(frozen=True)
class ComplianceLine:
    """One accompaniment out of the rules, by pseudonym only."""

    pseudonym: str
    structure: str
    kind: str
    start_on: date
    planned_end_on: date
    limit_on: date
    overdue: bool
    over_limit: bool
    ineligible: bool


def compliance(scope: Scope, page: int = 1, per_page: int = 25) -> tuple[list[ComplianceLine], int, dict]:
    """One page of the compliance list, its total, and the figures of `annex.durations` — one statement.

    The accompaniments that may count (open on as_of, or in the period) are read once: window sums
    over all of them give the overdue, over-limit, ineligible and open counts, then the flagged ones
    are paged (their total is a window count too). A page past the end returns no row: the counts then
    come from `durations` on its own.
    """
    ends = extension_ends()  # extensions read once, not per accompaniment
    in_period = overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end)
    overdue, over_limit = overdue_condition(scope.as_of, ends), over_limit_condition(scope.as_of)
    ineligible = and_(Accompaniment.is_eligible.is_(False), in_period)
    flags = {"overdue": overdue, "over_limit": over_limit, "ineligible": ineligible}
    candidates = (
        select(Person.pseudonym.label("pseudonym"), Structure.name.label("structure"),
               Accompaniment.kind.label("kind"), Accompaniment.start_on.label("start_on"),
               latest_planned_end(ends).label("planned_end"), Department.max_months.label("max_months"),
               *(case((condition, 1), else_=0).label(name) for name, condition in flags.items()),
               *(count_where(condition).over().label(f"{name}_n") for name, condition in flags.items()),
               count_where(open_on(scope.as_of)).over().label("open_n"))
        .select_from(Accompaniment).join(Person, Person.id == Accompaniment.person_id)
        .join(Department, Department.id == Person.department_id)
        .join(Structure, Structure.id == Accompaniment.structure_id)
        .outerjoin(ends, ends.c.accompaniment_id == Accompaniment.id)
        .where(or_(open_on(scope.as_of), in_period), *scope.person_conditions())
        .subquery("candidates"))
    c = candidates.c
    rows = db.session.execute(
        select(c.pseudonym, c.structure, c.kind, c.start_on, c.planned_end, c.max_months, c.overdue, c.over_limit,
               c.ineligible, c.overdue_n, c.over_limit_n, c.ineligible_n, c.open_n, func.count().over())
        .where(or_(c.overdue == 1, c.over_limit == 1, c.ineligible == 1))
        .order_by(c.start_on, c.pseudonym).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        first = rows[0]
        limits = {"overdue": int(first[9]), "over_limit": int(first[10]), "ineligible_enrolments": int(first[11]),
                  "open": int(first[12]), "flagged": int(first[13])}
    else:  # nothing flagged, or a page past the end
        limits = durations(scope)
    lines = [ComplianceLine(row[0], row[1], row[2], row[3], row[4], add_months(row[3], row[5]),
                            bool(row[6]), bool(row[7]), bool(row[8])) for row in rows]
    return lines, limits["flagged"], limits


def by_nationality(public: list[tuple[str, dict]]) -> list[tuple[str, int]]:
    """Beneficiaries of the period by nationality, largest first, from `annex.public_by_nationality`."""
    return [(nationality, figures["beneficiaries"]) for nationality, figures in public]


def by_structure(scope: Scope) -> list[tuple[str, str, int, int]]:
    """(structure, kind, persons accompanied, programme participants) over the period, by structure."""
    held = dict(db.session.execute(
        select(Accompaniment.structure_id, func.count(distinct(Accompaniment.person_id)))
        .join(Person, Person.id == Accompaniment.person_id)
        .where(overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end),
               *scope.person_conditions())
        .group_by(Accompaniment.structure_id)
    ).all())
    attended = dict(db.session.execute(
        select(Programme.structure_id, func.count(distinct(Participation.person_id)))
        .join(Programme, Programme.id == Participation.programme_id)
        .join(Person, Person.id == Participation.person_id)
        .where(overlaps(Participation.start_on, Participation.end_on, scope.start, scope.end),
               *scope.person_conditions(), *scope.programme_conditions())
        .group_by(Programme.structure_id)
    ).all())
    ids = set(held) | set(attended)
    if not ids:
        return []
    structures = db.session.execute(
        select(Structure.id, Structure.name, Structure.kind).where(Structure.id.in_(ids)).order_by(Structure.name)
    ).all()
    return [(name, kind, int(held.get(sid, 0)), int(attended.get(sid, 0))) for sid, name, kind in structures]


def programmes_of(scope: Scope) -> list[Programme]:
    """The scope's programmes overlapping the period (for links to their Annex sheets)."""
    return list(db.session.scalars(
        select(Programme).where(overlaps(Programme.start_on, Programme.end_on, scope.start, scope.end),
                                *scope.programme_conditions())
        .order_by(Programme.theme, Programme.name)
    ))
