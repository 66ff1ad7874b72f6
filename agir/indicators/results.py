"""The AGIR results of SPEC §5 (INTERCHANGE.md « Indicators JSON », second version): `exit_outcomes`,
`entry` and `appointments`, as SQL aggregates over the scope's persons.

- exit_outcomes: over the exits that `employment` counts, in the same statement (annex.exits);
- entry: orientations of the period, the first honoured first interview dated on or after the
  orientation (at any structure), its delay (grouped by delay in SQL: the median is read from one row
  per distinct delay), contracts signed in the period;
- appointments: the scope's persons' appointments (at any structure) whose start day is in the period.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select

from agir.extensions import db
from agir.indicators import numbers as num
from agir.indicators.scope import Scope, of_scope
from agir.indicators.sql import date_of, days_between, plus_months, scanned
from models import Accompaniment, Appointment, Exit, HousingAccess, Person
from models.enums import PERMANENT_HOUSING_KINDS, AppointmentKind, AppointmentStatus, TrainingLevel

# AGIR's positive outcome besides housing: a CDI, a job of 6 months or more (6 counts, unlike the Annex's
# durable employment), or a training of one of these levels (pre-qualifying does not count).
AGIR_JOB_MONTHS = 6
AGIR_TRAININGS = (TrainingLevel.QUALIFYING.value, TrainingLevel.CERTIFYING.value, TrainingLevel.DIPLOMA.value)
HONOURED, MISSED = AppointmentStatus.HONOURED.value, AppointmentStatus.MISSED.value


def count_where(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.sum(case((condition, 1), else_=0))


# --- exit_outcomes ----------------------------------------------------------------------------------

def housed_by_exit():
    """The exiting person has a permanent-housing access dated on or before the exit (Exit, Accompaniment in FROM)."""
    return exists().where(HousingAccess.person_id == Accompaniment.person_id,
                          HousingAccess.kind.in_(PERMANENT_HOUSING_KINDS), HousingAccess.access_on <= Exit.exit_on)


def agir_job_or_training():
    """The exit's situation is a CDI, a job of at least 6 months, or a qualifying, certifying or diploma training."""
    return or_(Exit.job_kind == "cdi", and_(Exit.job_kind.is_not(None), Exit.job_months >= AGIR_JOB_MONTHS),
               Exit.training_level.in_(AGIR_TRAININGS))


def exit_outcome_columns() -> list:
    """The two counts that exit_outcomes adds to the employment statement: housed, AGIR-positive."""
    housed = housed_by_exit()
    return [count_where(housed), count_where(and_(housed, agir_job_or_training()))]


def exit_outcomes(exits: int, positive: int, housed, agir_positive) -> dict:
    """The exit_outcomes section from the counts of the employment statement (shares over the exits)."""
    housed, agir_positive = num.count(housed), num.count(agir_positive)
    return {"exits": exits, "permanent_housing": housed, "employment_or_training": positive,
            "agir_positive": agir_positive, "housing_share": num.share(housed, exits),
            "employment_share": num.share(positive, exits), "agir_positive_share": num.share(agir_positive, exits)}


# --- entry ------------------------------------------------------------------------------------------

def oriented_in_period(scope: Scope, scan: bool = False) -> list:
    """Conditions on Person: of the scope, oriented in the period (`scan`: the persons read by a scan on SQLite
    rather than through the oriented_on index, see interview_delays)."""
    oriented_on = scanned(Person.oriented_on) if scan else Person.oriented_on
    return [oriented_on >= scope.start, oriented_on <= scope.end, *scope.person_conditions()]


def first_interviews(scope: Scope, scan: bool = False):
    """Subquery (oriented_on, first_at): each person of the scope oriented in the period, with the start of the
    earliest honoured first interview dated on or after their orientation (at any structure; SPEC §4.6), null
    when none.

    The persons are read once, their appointments joined by the (person_id, start_at) index and grouped by person
    (a GROUP BY rather than a correlated subquery: SQLite would repeat a correlated subquery at every mention of
    its value; the persons were read twice when the first interviews were a subquery of their own joined back).
    """
    return (select(Person.oriented_on.label("oriented_on"), func.min(Appointment.start_at).label("first_at"))
            .select_from(Person)
            .outerjoin(Appointment, and_(Appointment.person_id == Person.id,
                                         Appointment.kind == AppointmentKind.FIRST_INTERVIEW.value,
                                         Appointment.status == HONOURED, Appointment.start_at >= Person.oriented_on))
            .where(*oriented_in_period(scope, scan))
            .group_by(Person.id, Person.oriented_on).subquery("first_interviews"))


def interview_delays(scope: Scope) -> list[tuple]:
    """(delay in days or None, within a month 0/1, persons): the persons of the scope oriented in the period,
    grouped by the delay to their first interview (None: none yet) and whether it fell on or before
    orientation + 1 month (calendar step, clipped).

    The persons oriented in the period are read by a scan on SQLite (`scanned`): through the oriented_on index
    the appointments were then fetched in date order of orientation, scattered (158 → 131 ms at 100,000)."""
    firsts = first_interviews(scope, scan=True)
    first_day = date_of(firsts.c.first_at)
    delays = (select(days_between(first_day, firsts.c.oriented_on).label("delay"),
                     case((first_day <= plus_months(firsts.c.oriented_on, 1), 1), else_=0).label("within"))
              .subquery("delays"))
    return [tuple(row) for row in db.session.execute(
        select(delays.c.delay, delays.c.within, func.count()).group_by(delays.c.delay, delays.c.within)).all()]


def contract_within_month():
    """The accompaniment's contract was signed on or before its start + 1 month."""
    return Accompaniment.contract_signed_on <= plus_months(Accompaniment.start_on, 1)


def contracts(scope: Scope) -> tuple[int, int]:
    """(contracts signed in the period, of which on or before the accompaniment's start + 1 month).

    The persons are joined only for the scope's conditions (every accompaniment has its person); the period is
    read by a scan on SQLite (`scanned`: the index walk fetched half the table row by row, 2× slower)."""
    signed_on = scanned(Accompaniment.contract_signed_on)
    query = select(func.count(Accompaniment.id), count_where(contract_within_month()))
    query = of_scope(query.select_from(Accompaniment), Accompaniment.person_id, scope)
    row = db.session.execute(query.where(signed_on >= scope.start, signed_on <= scope.end)).one()
    return num.count(row[0]), num.count(row[1])


def entry(scope: Scope, signed_counts: tuple[int, int] | None = None) -> dict:
    """The entry section: orientations, first interviews within the month and their median delay, contracts
    (`signed_counts`: those of `contracts`, when the caller has them)."""
    delays = interview_delays(scope)
    signed, signed_within = signed_counts if signed_counts is not None else contracts(scope)
    return {"orientations": sum(num.count(n) for _, _, n in delays),
            "first_interview_within_month": sum(num.count(n) for _, within, n in delays if within),
            "median_days_to_first_interview": num.median((delay, n) for delay, _, n in delays),
            "contracts_signed": signed, "contract_within_month": signed_within}


# --- appointments -----------------------------------------------------------------------------------

def day_start(day: date) -> datetime:
    """Midnight at the start of a day (appointments' start_at is a local wall-clock time)."""
    return datetime.combine(day, time())


def appointments(scope: Scope) -> dict:
    """Honoured and missed appointments of the scope's persons whose start day is in the period
    (a half-open range on start_at); missed_share = missed / (honoured + missed).

    On SQLite the range is read by a scan of the table (`scanned`), not through the start_at index: with no
    statistics on ranges SQLite took the range for selective and fetched nearly half the table row by row,
    4× slower (docs/performance.md); a department's figures then start from its persons (person_id index)."""
    start_at = scanned(Appointment.start_at)
    query = select(count_where(Appointment.status == HONOURED), count_where(Appointment.status == MISSED))
    # By the persons' ids whatever the department's share: one index scan of (person_id, start_at) ranges is
    # cheaper than the persons joined one by one or the country's appointments of the period (docs/performance.md).
    query = of_scope(query.select_from(Appointment), Appointment.person_id, scope, whatever_share=True)
    honoured, missed = db.session.execute(query.where(
        start_at >= day_start(scope.start), start_at < day_start(scope.end + timedelta(days=1)),
        Appointment.status.in_((HONOURED, MISSED)))).one()
    honoured, missed = num.count(honoured), num.count(missed)
    return {"honoured": honoured, "missed": missed, "missed_share": num.share(missed, honoured + missed)}
