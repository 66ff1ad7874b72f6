"""Queries of the pilot's dashboard: open alerts by kind, the pseudonymous compliance list, finer breakdowns.

Nothing here ever selects a name, a birth date, a contact or free text: persons appear only by
their pseudonym (SPEC §1, pilots see aggregates only).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, case, func, literal, or_, select, union_all

from agir.dates import add_months
from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators.annex import (
    PUBLIC_KEYS,
    assiduous_condition,
    count_where,
    durations,
    is_bpi,
    latest_planned_end,
    nationality_breakdown,
    open_on,
    over_limit_condition,
    overdue_condition,
    overlaps,
    planned_ends,
    progressed_condition,
    public_counts,
)
from agir.indicators.results import contract_within_month, contracts
from agir.indicators.scope import Scope, of_scope
from models import Accompaniment, Alert, Department, Participation, Person, Programme, Structure
from models.enums import ALERT_KINDS, LANGUAGE_THEMES


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
    """One page of the compliance list, its total, and the figures of `annex.durations` (`compliance_and_contracts`)."""
    lines, total, limits, _ = compliance_and_contracts(scope, page, per_page)
    return lines, total, limits


def compliance_and_contracts(scope: Scope, page: int = 1,
                             per_page: int = 25) -> tuple[list[ComplianceLine], int, dict, tuple[int, int]]:
    """One page of the compliance list, its total, the figures of `annex.durations` and the contracts of
    `results.contracts` — one statement.

    The accompaniments that may count (open on as_of, in the period, or whose contract was signed in the period)
    are read once: window sums over all of them give the overdue, over-limit, ineligible and open counts and the
    contracts, then the flagged ones are paged (their total is a window count too). A page past the end returns
    no row: the counts then come from `durations` and `results.contracts` on their own. Each count states its
    own condition, so that the accompaniments read for another one do not change it.
    """
    ends, on_ends = planned_ends(scope)
    in_period = overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end)
    signed = Accompaniment.contract_signed_on.between(scope.start, scope.end)
    overdue, over_limit = overdue_condition(scope.as_of, ends), over_limit_condition(scope.as_of)
    ineligible = and_(Accompaniment.is_eligible.is_(False), in_period)
    flags = {"overdue": overdue, "over_limit": over_limit, "ineligible": ineligible}
    candidates = (
        select(Person.pseudonym.label("pseudonym"), Structure.name.label("structure"),
               Accompaniment.kind.label("kind"), Accompaniment.start_on.label("start_on"),
               latest_planned_end(ends).label("planned_end"), Department.max_months.label("max_months"),
               *(case((condition, 1), else_=0).label(name) for name, condition in flags.items()),
               *(count_where(condition).over().label(f"{name}_n") for name, condition in flags.items()),
               count_where(open_on(scope.as_of)).over().label("open_n"),
               count_where(signed).over().label("signed_n"),
               count_where(and_(signed, contract_within_month())).over().label("signed_within_n"))
        .select_from(Accompaniment).join(Person, Person.id == Accompaniment.person_id)
        .join(Department, Department.id == Person.department_id)
        .join(Structure, Structure.id == Accompaniment.structure_id)
        .outerjoin(ends, on_ends)
        .where(or_(open_on(scope.as_of), in_period, signed)))
    candidates = of_scope(candidates, Accompaniment.person_id, scope, person_joined=True).subquery("candidates")
    c = candidates.c
    rows = db.session.execute(
        select(c.pseudonym, c.structure, c.kind, c.start_on, c.planned_end, c.max_months, c.overdue, c.over_limit,
               c.ineligible, c.overdue_n, c.over_limit_n, c.ineligible_n, c.open_n, func.count().over(),
               c.signed_n, c.signed_within_n)
        .where(or_(c.overdue == 1, c.over_limit == 1, c.ineligible == 1))
        .order_by(c.start_on, c.pseudonym).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        first = rows[0]
        limits = {"overdue": int(first[9]), "over_limit": int(first[10]), "ineligible_enrolments": int(first[11]),
                  "open": int(first[12]), "flagged": int(first[13])}
        signed_counts = (int(first[14]), int(first[15]))
    else:  # nothing flagged, or a page past the end
        limits, signed_counts = durations(scope), contracts(scope)
    lines = [ComplianceLine(row[0], row[1], row[2], row[3], row[4], add_months(row[3], row[5]),
                            bool(row[6]), bool(row[7]), bool(row[8])) for row in rows]
    return lines, limits["flagged"], limits, signed_counts


def by_nationality(public: list[tuple[str, dict]]) -> list[tuple[str, int]]:
    """Beneficiaries of the period by nationality, largest first, from `period_breakdowns`."""
    return [(nationality, figures["beneficiaries"]) for nationality, figures in public]


PARTICIPANT_KEYS = ("participant", "non_bpi", "assiduous", "progressed")


@dataclass(frozen=True)
class PeriodFigures:
    """What one read of the period's records gives the dashboard (`period_figures`)."""

    public: list[tuple[str, dict]]  # the public figures by nationality, as annex.public_by_nationality
    structures: list[tuple[str, str, int, int]]  # (name, kind, persons accompanied, programme participants)
    participants: dict  # the figures of annex.participants


def period_breakdowns(scope: Scope) -> tuple[list[tuple[str, dict]], list[tuple[str, str, int, int]]]:
    """The public figures by nationality (as `annex.public_by_nationality`) and, by structure, (name, kind,
    persons accompanied, programme participants) ordered by name (`period_figures`)."""
    figures = period_figures(scope)
    return figures.public, figures.structures


def period_figures(scope: Scope) -> PeriodFigures:
    """The public figures by nationality, the structures' figures and the participants' figures
    (annex.participants) from one read of the period's records, one statement.

    The beneficiaries are the persons with an accompaniment or a participation overlapping the period;
    the same records, with the structure that holds them, give the persons accompanied and the
    programme participants of each structure; the participations also give, per person, whether they
    took part, attended a language programme assiduously or progressed (participations ending in the
    period are read too, for the last). They are read once (a CTE, materialised since it is used twice)
    instead of four times, and for a department by their persons' ids (`Scope.records_of`; docs/performance.md).
    """
    conditions = scope.person_conditions()
    persons = select(Person.id).where(*conditions)  # only the scope's persons' records are read

    def among(column):
        if scope.person_ids_first():
            return tuple(scope.records_of(column))
        return (column.in_(persons),) if conditions else ()

    counted = and_(*scope.programme_conditions()) if scope.programme_conditions() else literal(True)
    in_period = overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end)
    attending = overlaps(Participation.start_on, Participation.end_on, scope.start, scope.end)
    ending = and_(Participation.end_on >= scope.start, Participation.end_on <= scope.end)
    language = Programme.theme.in_(LANGUAGE_THEMES)

    def flag(condition):
        return case((condition, 1), else_=0)

    # held: 1 for an accompaniment, 0 for a participation; current: the record overlaps the period (a
    # participation may only end in it); counted: it counts for its structure (a participation of the scope's
    # programmes); assiduous, progressed: as annex.participants.
    records = union_all(
        select(Accompaniment.person_id.label("person_id"), Accompaniment.start_on.label("start_on"),
               Accompaniment.structure_id.label("structure_id"), literal(1).label("held"),
               literal(1).label("current"), literal(1).label("counted"), literal(0).label("assiduous"),
               literal(0).label("progressed"))
        .where(in_period, *among(Accompaniment.person_id)),
        select(Participation.person_id, Participation.start_on, Programme.structure_id, literal(0), flag(attending),
               flag(and_(counted, attending)), flag(and_(language, attending, assiduous_condition())),
               flag(and_(language, ending, progressed_condition())))
        .join(Programme, Programme.id == Participation.programme_id)
        .where(or_(attending, ending), *among(Participation.person_id)),
    ).cte("records")
    r = records.c
    entry = (select(r.person_id, func.min(case((r.current == 1, r.start_on))).label("entry_on"),
                    func.max(case((r.held == 0, r.current), else_=0)).label("participant"),
                    func.max(r.assiduous).label("assiduous"), func.max(r.progressed).label("progressed"))
             .group_by(r.person_id).subquery("entries"))
    n = len(PUBLIC_KEYS)
    # Persons whose only records are participations ending in the period have no entry: counted only as progressed.
    participant = entry.c.participant == 1
    grouped = (nationality_breakdown(entry, conditions, among=entry.c.entry_on.is_not(None))
               .add_columns(count_where(participant).label("participant"),
                            func.sum(case((participant, case((is_bpi(), 0), else_=1)), else_=0)).label("non_bpi"),
                            func.sum(entry.c.assiduous).label("assiduous"),
                            func.sum(entry.c.progressed).label("progressed"))
               .subquery("by_nationality"))
    nationalities = select(literal(0).label("part"), grouped.c.nationality.label("name"),
                           literal(None, String).label("kind"), *(grouped.c[key] for key in PUBLIC_KEYS),
                           *(grouped.c[key] for key in PARTICIPANT_KEYS), (-grouped.c.beneficiaries).label("rank"))
    # One row per (structure, person, held): each person counted once per structure and kind of record.
    pairs = (select(r.structure_id, r.person_id, r.held)
             .where(r.counted == 1).distinct().subquery("pairs"))
    per_structure = (select(pairs.c.structure_id, func.sum(pairs.c.held).label("held"),
                            func.sum(1 - pairs.c.held).label("attended"))
                     .group_by(pairs.c.structure_id).subquery("per_structure"))
    structures = (
        select(literal(1), Structure.name, Structure.kind, per_structure.c.held, per_structure.c.attended,
               *(literal(0) for _ in range(n - 2 + len(PARTICIPANT_KEYS))), literal(0))
        .join(per_structure, per_structure.c.structure_id == Structure.id))
    both = union_all(nationalities, structures).subquery("both")
    rows = db.session.execute(select(both).order_by(both.c.part, both.c.rank, both.c.name)).all()
    public = [(row[1], public_counts(row[3:3 + n])) for row in rows if row[0] == 0 and row[3]]
    totals = [sum(row[3 + n + i] or 0 for row in rows if row[0] == 0) for i in range(len(PARTICIPANT_KEYS))]
    return PeriodFigures(public=public, structures=[(row[1], row[2], int(row[3]), int(row[4]))
                                                    for row in rows if row[0] == 1],
                         participants={key: num.count(value) for key, value in zip(PARTICIPANT_KEYS, totals,
                                                                                   strict=True)})


def programmes_of(scope: Scope) -> list[Programme]:
    """The scope's programmes overlapping the period (for links to their Annex sheets)."""
    return list(db.session.scalars(
        select(Programme).where(overlaps(Programme.start_on, Programme.end_on, scope.start, scope.end),
                                *scope.programme_conditions())
        .order_by(Programme.theme, Programme.name)
    ))
