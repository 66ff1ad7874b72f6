"""The Annex indicators of SPEC §5 as SQL aggregates, shaped as the indicators JSON of INTERCHANGE.md
(the AGIR results of its second version — exit_outcomes, entry, appointments — in results.py).

Every figure is one GROUP BY / COUNT query over the scope (agir.indicators.scope): person
figures over the persons of the scope, programme figures over its programmes. No Python loop
ever runs over persons or records; Python only rounds the few numbers the database returns.
"""
from datetime import date

from sqlalchemy import Date, and_, case, distinct, func, literal, or_, select, true, union_all

from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators import results
from agir.indicators.scope import Scope, of_scope
from agir.indicators.sql import after_months, days_between, level_rank, plus_months, scanned
from models import (
    Accompaniment,
    Department,
    Event,
    Exit,
    Extension,
    FollowUp,
    HousingAccess,
    Participation,
    Person,
    Programme,
    Session,
)
from models.enums import BPI_STATUSES, EMPLOYMENT_SUBSIDY_THEMES, LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS

UNDER_AGE_MONTHS = 25 * 12
DURABLE_MONTHS = 6


def count_where(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.sum(case((condition, 1), else_=0))


def overlaps(start_col, end_col, first: date, last: date):
    """A record overlaps [first, last]: start <= last and (end is null or end >= first)."""
    return and_(scanned(start_col) <= last, or_(end_col.is_(None), end_col >= first))


def is_bpi():
    """The person is a beneficiary of international protection."""
    return Person.status.in_(BPI_STATUSES)


# --- public -----------------------------------------------------------------------------------

def entries(first: date, last: date, accompaniments: bool = True, programme_id: int | None = None,
            person_conditions=()):
    """Subquery (person_id, entry_on): earliest start among the person's records overlapping the period.

    With person_conditions (the scope's), only the records of those persons are read: a
    department's figures then read that department's records, not the whole country's.
    """
    among: tuple = ()
    if person_conditions:
        persons = select(Person.id).where(*person_conditions)
        among = (Accompaniment.person_id.in_(persons),), (Participation.person_id.in_(persons),)
    parts = []
    # Both ends scanned on SQLite: for a recent period the test `end is null or end >= first` took the end
    # column's index (an OR of two ranges) and fetched most of the table row by row, 2× slower than reading it;
    # a department's records still come through the person_id index, a programme's through programme_id.
    if accompaniments:
        parts.append(select(Accompaniment.person_id.label("person_id"), Accompaniment.start_on.label("start_on"))
                     .where(overlaps(Accompaniment.start_on, scanned(Accompaniment.exit_on), first, last),
                            *(among[0] if among else ())))
    participations = (select(Participation.person_id.label("person_id"), Participation.start_on.label("start_on"))
                      .where(overlaps(Participation.start_on, scanned(Participation.end_on), first, last),
                             *(among[1] if among else ())))
    if programme_id is not None:
        participations = participations.where(Participation.programme_id == programme_id)
    parts.append(participations)
    records = union_all(*parts).subquery("records")
    return (select(records.c.person_id, func.min(records.c.start_on).label("entry_on"))
            .group_by(records.c.person_id).subquery("entries"))


PUBLIC_KEYS = ("beneficiaries", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25")


def _public_columns(entry_subquery, among=None) -> list:
    """The eight counts of PUBLIC_KEYS over the entries joined to their persons (`among`: over the rows that
    satisfy it only).

    Under 25 on the entry date: entry before birth + 25 years (`plus_months`, clipped as SPEC §4.1) — one date
    per row, where on_or_after_months' year, month and day numbers cost SQLite some 14 strftime calls, twice."""
    young = entry_subquery.c.entry_on < plus_months(Person.birth_on, UNDER_AGE_MONTHS)
    bpi = is_bpi()
    conditions = [Person.sex == "M", Person.sex == "F", young, bpi, and_(bpi, Person.sex == "M"),
                  and_(bpi, Person.sex == "F"), and_(bpi, young)]
    if among is None:
        return [func.count(), *(count_where(condition) for condition in conditions)]
    return [count_where(among), *(count_where(and_(among, condition)) for condition in conditions)]


def public_counts(values) -> dict:
    """The eight counts of a row of _public_columns (in PUBLIC_KEYS order) as the public figures."""
    return {key: num.count(value) for key, value in zip(PUBLIC_KEYS, values, strict=True)}


def public_figures(entry_subquery, person_conditions) -> dict:
    """Beneficiaries and their breakdown (sex, under 25 on the entry date, BPI)."""
    return public_counts(db.session.execute(
        select(*_public_columns(entry_subquery))
        .select_from(entry_subquery).join(Person, Person.id == entry_subquery.c.person_id)
        .where(*person_conditions)
    ).one())


def nationality_breakdown(entry_subquery, person_conditions, among=None):
    """select (nationality, the counts of PUBLIC_KEYS, each labelled with its key), grouped by nationality
    (`among`: counting only the rows that satisfy it)."""
    return (select(Person.nationality, *(column.label(key) for key, column in
                                         zip(PUBLIC_KEYS, _public_columns(entry_subquery, among), strict=True)))
            .select_from(entry_subquery).join(Person, Person.id == entry_subquery.c.person_id)
            .where(*person_conditions).group_by(Person.nationality))


def public_by_nationality(scope: Scope) -> list[tuple[str, dict]]:
    """[(nationality, public figures of its beneficiaries)], most beneficiaries first, from one read of the entries.

    The dashboard's breakdown by nationality and the public figures (their sums, `sum_public`) share
    this one statement: the entries of the period are computed once, not twice.
    """
    conditions = scope.person_conditions()
    entry = entries(scope.start, scope.end, person_conditions=conditions)
    rows = db.session.execute(
        nationality_breakdown(entry, conditions).order_by(func.count().desc(), Person.nationality)).all()
    return [(row[0], public_counts(row[1:])) for row in rows]


def sum_public(by_nationality: list[tuple[str, dict]]) -> dict:
    """The public figures of the whole scope: the sums of its nationalities' (a few dozen groups)."""
    return {key: sum(figures[key] for _, figures in by_nationality) for key in PUBLIC_KEYS}


# --- employment ------------------------------------------------------------------------------

def durable_job(kind_col, months_col):
    """SQL form of agir.rules.path.is_durable_job: a CDI, or a job of more than 6 months."""
    return or_(kind_col == "cdi", and_(kind_col.is_not(None), months_col > DURABLE_MONTHS))


def exits(scope: Scope) -> tuple[dict, dict]:
    """Exits dated in the period, in one statement: the employment section (duration, positive, training,
    durable, 6-month follow-up) and the AGIR results' exit_outcomes (results.py) over the same exits."""
    positive = or_(Exit.job_kind.is_not(None), Exit.training_level.is_not(None))
    # The exits of the period in the table's order on SQLite (`scanned`): through the exit_on index, the
    # accompaniments, follow-ups and housing accesses were fetched in date order, scattered, 2× slower.
    # The persons are joined only for the scope's conditions (every accompaniment has its person).
    exit_on = scanned(Exit.exit_on)
    query = (select(func.count(Exit.id), func.sum(days_between(Exit.exit_on, Accompaniment.start_on)),
                    count_where(positive), count_where(Exit.training_level.is_not(None)),
                    count_where(durable_job(Exit.job_kind, Exit.job_months)),
                    count_where(FollowUp.is_positive.is_(True)), count_where(FollowUp.id.is_(None)),
                    *results.exit_outcome_columns())
             .select_from(Exit).join(Accompaniment, Accompaniment.id == Exit.accompaniment_id))
    query = of_scope(query, Accompaniment.person_id, scope)
    row = db.session.execute(query.outerjoin(FollowUp, FollowUp.exit_id == Exit.id)
                             .where(exit_on >= scope.start, exit_on <= scope.end)).one()
    exits_n, days, positive_n, training_n, durable_n, at_6, missing, housed, agir_positive = row
    exits_n, positive_n = num.count(exits_n), num.count(positive_n)
    return ({"exits": exits_n, "average_duration_months": num.mean_months(days, exits_n),
             "positive_exits": positive_n, "in_training": num.count(training_n),
             "durable_employment": num.count(durable_n), "positive_at_6_months": num.count(at_6),
             "followup_missing": num.count(missing)},
            results.exit_outcomes(exits_n, positive_n, housed, agir_positive))


def employment(scope: Scope) -> dict:
    """The employment section alone (see exits)."""
    return exits(scope)[0]


# --- housing, language, events, programme hours ------------------------------------------------

def housing(scope: Scope) -> dict:
    """Distinct households (a person without one is their own) with a permanent access in the period."""
    # One row per household, or per person without one (a DISTINCT, cheaper than two COUNT(DISTINCT)).
    housed = (select(Person.household_id, case((Person.household_id.is_(None), Person.id)).label("alone"))
              .select_from(HousingAccess).join(Person, Person.id == HousingAccess.person_id)
              .where(HousingAccess.kind.in_(PERMANENT_HOUSING_KINDS), HousingAccess.access_on >= scope.start,
                     HousingAccess.access_on <= scope.end))
    housed = of_scope(housed, HousingAccess.person_id, scope, person_joined=True).distinct().subquery("housed")
    return {"households_permanent_housing": num.count(db.session.scalar(select(func.count()).select_from(housed)))}


def assiduous_condition():
    """Attended at least 80 % of the planned hours (attended·5 ≥ planned·4: exact, no 0.8 float)."""
    return and_(Participation.planned_hours > 0, Participation.attended_hours.is_not(None),
                Participation.attended_hours * 5 >= Participation.planned_hours * 4)


def progressed_condition():
    """End level at least one CECRL step above the start level (agir.rules.path.progressed_one_level)."""
    return level_rank(Participation.level_end) >= level_rank(Participation.level_start) + 1


def language(_scope: Scope, hours_by_theme: dict, per_person: tuple[int, int]) -> dict:
    """Language and professional-French programmes: hours, assiduous persons, persons up one level
    (`per_person`: the two counts of `participants`)."""
    assiduous, progressed = per_person
    total = sum((hours_by_theme.get(theme, 0) for theme in LANGUAGE_THEMES), num.hours(0))
    return {"training_hours": num.as_number(total), "assiduous_participants": num.count(assiduous),
            "progressed_one_level": num.count(progressed)}


def session_hours_by_theme(scope: Scope) -> dict:
    """{theme: hours} of the sessions held in the period by the scope's programmes."""
    rows = db.session.execute(
        select(Programme.theme, func.sum(Session.hours))
        .select_from(Session).join(Programme, Programme.id == Session.programme_id)
        .where(Session.held_on >= scope.start, Session.held_on <= scope.end, *scope.programme_conditions())
        .group_by(Programme.theme)
    ).all()
    return {theme: num.hours(total) for theme, total in rows}


def event_counts(first: date, last: date, conditions, scope: Scope | None = None) -> dict:
    """{kind: (events, distinct events)} in the period; an event without id counts as its own event.

    The persons are joined only for `conditions` (every event has its person) — or, given the `scope` of those
    conditions, its persons are taken as `of_scope` does; on SQLite the period is read by a scan in the table's
    order (`scanned`), not row by row through the event_on index (4× slower)."""
    event_on = scanned(Event.event_on)
    query = (select(Event.kind, func.count(Event.id), func.count(distinct(Event.event_ref)),
                    count_where(Event.event_ref.is_(None))).select_from(Event))
    if scope is not None:
        query = of_scope(query, Event.person_id, scope)
    elif conditions:
        query = query.join(Person, Person.id == Event.person_id).where(*conditions)
    rows = db.session.execute(query.where(event_on >= first, event_on <= last).group_by(Event.kind)).all()
    return {kind: (num.count(n), num.count(distinct_n) + num.count(no_ref)) for kind, n, distinct_n, no_ref in rows}


# --- finance and compliance ------------------------------------------------------------------

def programme_totals(scope: Scope) -> dict:
    """Cost and P104 subsidy of the programmes overlapping the period, employment share, unreferenced."""
    unreferenced = and_(Programme.theme.in_(LANGUAGE_THEMES),
                        or_(Programme.carif_oref_ref.is_(None), Programme.carif_oref_ref == ""))
    row = db.session.execute(
        select(func.sum(Programme.total_cost), func.sum(Programme.p104_subsidy),
               func.sum(case((Programme.theme.in_(EMPLOYMENT_SUBSIDY_THEMES), Programme.p104_subsidy), else_=0)),
               count_where(unreferenced))
        .where(overlaps(Programme.start_on, Programme.end_on, scope.start, scope.end), *scope.programme_conditions())
    ).one()
    cost, subsidy, employment_subsidy, unreferenced_n = row
    return {"total_cost": num.money(cost), "p104_subsidy": num.money(subsidy),
            "employment_subsidy": num.money(employment_subsidy), "unreferenced": num.count(unreferenced_n)}


def participants(scope: Scope) -> dict:
    """Figures of the persons' participations, in one read of them grouped by person once:

    - participants: distinct persons with a participation overlapping the period, non_bpi: those not BPI;
    - assiduous: persons with a language or professional-French participation overlapping the period
      and attended at least 80 %; progressed: persons with one ending in the period, up one level.
    """
    overlapping = overlaps(Participation.start_on, Participation.end_on, scope.start, scope.end)
    ending = and_(Participation.end_on >= scope.start, Participation.end_on <= scope.end)
    language_theme = Programme.theme.in_(LANGUAGE_THEMES)

    def anyone(condition, then=1):
        return func.max(case((condition, then), else_=0))

    per_person = (select(anyone(overlapping).label("participant"),
                         anyone(overlapping, case((is_bpi(), 0), else_=1)).label("non_bpi"),
                         anyone(and_(language_theme, overlapping, assiduous_condition())).label("assiduous"),
                         anyone(and_(language_theme, ending, progressed_condition())).label("progressed"))
                  .select_from(Participation).join(Programme, Programme.id == Participation.programme_id)
                  .join(Person, Person.id == Participation.person_id)
                  .where(or_(overlapping, ending)))
    per_person = (of_scope(per_person, Participation.person_id, scope, person_joined=True)
                  .group_by(Participation.person_id).subquery("per_person"))
    row = db.session.execute(select(*(func.sum(column) for column in per_person.c))).one()
    return {key: num.count(value) for key, value in zip(per_person.c.keys(), row, strict=True)}


def extension_ends():
    """Subquery (accompaniment_id, planned_end): the furthest planned end among each accompaniment's extensions."""
    return (select(Extension.accompaniment_id.label("accompaniment_id"),
                   func.max(Extension.planned_end_on).label("planned_end"))
            .group_by(Extension.accompaniment_id).subquery("extension_ends"))


def planned_ends(scope: Scope):
    """(subquery with a planned_end column, its join condition on Accompaniment): the furthest planned end among
    the extensions of each accompaniment of the query, for `latest_planned_end`.

    A department on PostgreSQL (`Scope.person_ids_first`): a LATERAL subquery, the extensions of each
    accompaniment read by its index — the department's accompaniments only. Otherwise every extension grouped
    once (`extension_ends`; SQLite has no LATERAL)."""
    if scope.person_ids_first():
        ends = (select(func.max(Extension.planned_end_on).label("planned_end"))
                .where(Extension.accompaniment_id == Accompaniment.id).lateral("extension_ends"))
        return ends, true()
    ends = extension_ends()
    return ends, ends.c.accompaniment_id == Accompaniment.id


def latest_planned_end(ends=None):
    """The latest planned end of an accompaniment (its planned end moved by every extension).

    With `ends` (extension_ends(), outer-joined on the accompaniment by the caller) the extensions
    are read once for the whole query rather than by a subquery per accompaniment.
    """
    if ends is None:
        extended = (select(func.max(Extension.planned_end_on)).where(Extension.accompaniment_id == Accompaniment.id)
                    .correlate(Accompaniment).scalar_subquery())
    else:
        extended = ends.c.planned_end
    return case((and_(extended.is_not(None), extended > Accompaniment.current_end_on), extended),
                else_=Accompaniment.current_end_on)


def open_on(as_of: date):
    """Accompaniment open on as_of: started on or before, no exit on or before."""
    return and_(Accompaniment.start_on <= as_of, or_(Accompaniment.exit_on.is_(None), Accompaniment.exit_on > as_of))


def overdue_condition(as_of: date, ends=None):
    """Open on as_of, and as_of after the latest planned end (`ends`: see latest_planned_end)."""
    return and_(open_on(as_of), latest_planned_end(ends) < literal(as_of, Date))


def over_limit_condition(as_of: date):
    """Open on as_of, and as_of after start + max_months of the person's department (calendar clip)."""
    return and_(open_on(as_of), after_months(as_of, Accompaniment.start_on, Department.max_months))


def durations(scope: Scope) -> dict:
    """Overdue and over-limit accompaniments on as_of; ineligible enrolments overlapping the period;
    also the accompaniments open on as_of and those flagged (any of the three: the compliance list)."""
    ends, on_ends = planned_ends(scope)
    in_period = overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end)
    overdue, over_limit = overdue_condition(scope.as_of, ends), over_limit_condition(scope.as_of)
    ineligible = and_(in_period, Accompaniment.is_eligible.is_(False))
    row = db.session.execute(
        select(count_where(overdue), count_where(over_limit), count_where(ineligible),
               count_where(open_on(scope.as_of)), count_where(or_(overdue, over_limit, ineligible)))
        .select_from(Accompaniment).join(Person, Person.id == Accompaniment.person_id)
        .join(Department, Department.id == Person.department_id)
        .outerjoin(ends, on_ends)
        # Only rows that may count (open on as_of, or in the period): the exits index skips the others.
        .where(or_(open_on(scope.as_of), in_period), *scope.records_of(Accompaniment.person_id)
               if scope.person_ids_first() else (), *scope.person_conditions())
    ).one()
    keys = ("overdue", "over_limit", "ineligible_enrolments", "open", "flagged")
    return {key: num.count(value) for key, value in zip(keys, row, strict=True)}


# --- the whole JSON --------------------------------------------------------------------------

def compute(scope: Scope, by_nationality: list[tuple[str, dict]] | None = None,
            limits: dict | None = None, persons: dict | None = None,
            contracts: tuple[int, int] | None = None) -> dict:
    """The indicators JSON of INTERCHANGE.md (plus the optional compliance.ineligible_enrolments).

    The dashboard, which shows more from the same reads, passes what it already computed:
    `by_nationality` (public_by_nationality), `limits` (durations, or the compliance list's), `persons`
    (participants, or the dashboard's breakdowns') and `contracts` (results.contracts, or the compliance list's).
    """
    hours_by_theme = session_hours_by_theme(scope)
    events = event_counts(scope.start, scope.end, scope.person_conditions(), scope)
    totals = programme_totals(scope)
    persons = persons if persons is not None else participants(scope)
    limits = limits if limits is not None else durations(scope)
    public = sum_public(by_nationality if by_nationality is not None else public_by_nationality(scope))
    employment_figures, exit_outcomes = exits(scope)

    def n_events(kind, distinct_events=False):
        return events.get(kind, (0, 0))[1 if distinct_events else 0]

    return {
        "scope": scope.as_json(),
        "public": public,
        "employment": employment_figures,
        "housing": housing(scope),
        "language": language(scope, hours_by_theme, (persons["assiduous"], persons["progressed"])),
        "health": {"medical_consultations": n_events("medical_consultation")},
        "digital": {"tools_provided": n_events("digital_tool"),
                    "training_hours": num.as_number(hours_by_theme.get("digital"))},
        "mentoring": {"pairs": n_events("mentoring_pair")},
        "sport_culture": {"sport_events": n_events("sport_event", True),
                          "cultural_events": n_events("cultural_event", True)},
        "republic_values": {"training_hours": num.as_number(hours_by_theme.get("republic_values"))},
        "finance": {"total_cost": num.as_number(totals["total_cost"]),
                    "p104_subsidy": num.as_number(totals["p104_subsidy"])},
        "compliance": {
            "non_bpi_share": num.share(persons["non_bpi"], persons["participant"]),
            "employment_subsidy_share": num.share(totals["employment_subsidy"], totals["p104_subsidy"]),
            "language_programmes_unreferenced": totals["unreferenced"],
            "overdue": limits["overdue"], "over_limit": limits["over_limit"],
            "ineligible_enrolments": limits["ineligible_enrolments"],
        },
        "exit_outcomes": exit_outcomes,
        "entry": results.entry(scope, contracts),
        "appointments": results.appointments(scope),
    }
