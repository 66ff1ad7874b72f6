"""Small builders for the indicator tests (on top of tests/factories.py): exits, path records, scopes."""
from datetime import date

from agir.extensions import db
from agir.indicators import build_cohort_scope, build_scope, compute_cohort, compute_indicators
from models import (
    Event,
    Exit,
    Extension,
    FollowUp,
    HousingAccess,
    Job,
    Participation,
    Referral,
    RightStep,
    Training,
)
from tests import factories as f

AS_OF = "2030-01-01"


def indicators(start="2022-01-01", end="2022-12-31", department=None, structure=None, as_of=AS_OF,
               region=None) -> dict:
    """The indicators JSON for the period (strings, as the command receives them)."""
    db.session.flush()
    return compute_indicators(build_scope(start, end, department, structure, as_of, region=region))


def cohort(entry_from, entry_to, department=None) -> dict:
    """The cohort JSON for the entry period."""
    db.session.flush()
    return compute_cohort(build_cohort_scope(entry_from, entry_to, department))


def person(world, **kw):
    """A person of the world's department (a household of their own unless told)."""
    return f.make_person(kw.pop("department", world.department), kw.pop("structure", world.agir), **kw)


def without_household(p):
    """Detach the person from any household (a household of one for the indicators)."""
    p.household = None
    db.session.flush()
    return p


def accompaniment(p, structure, start, exit_on=None, planned_end=None, reason="goals_reached", job=None,
                  job_months=None, training=None, followup=None, **kw):
    """An accompaniment, closed by an exit when exit_on is given (followup = (date, positive))."""
    a = f.make_accompaniment(p, structure, start=start, planned_end=planned_end or date(start.year + 1, 1, 1), **kw)
    if exit_on is not None:
        a.exit_on = exit_on
        a.exit = Exit(exit_on=exit_on, reason=reason, job_kind=job, job_months=job_months, training_level=training)
        if followup is not None:
            a.exit.followup = FollowUp(followup_on=followup[0], is_positive=followup[1])
    db.session.flush()
    return a


def extend(a, decided_on, new_end):
    """An extension moving the planned end (and the denormalised current end)."""
    a.extensions.append(Extension(decided_on=decided_on, planned_end_on=new_end, reason="Démarches en cours"))
    a.current_end_on = new_end
    db.session.flush()


def participation(p, programme, start, end=None, planned=None, attended=None, level_start=None, level_end=None):
    """A participation in a programme."""
    part = Participation(person=p, programme=programme, start_on=start, end_on=end, planned_hours=planned,
                         attended_hours=attended, level_start=level_start, level_end=level_end)
    db.session.add(part)
    db.session.flush()
    return part


def event(p, kind, on, ref=None):
    """An event of the path."""
    db.session.add(Event(person=p, kind=kind, event_on=on, event_ref=ref))
    db.session.flush()


def housing(p, kind, on):
    """A housing access."""
    db.session.add(HousingAccess(person=p, kind=kind, access_on=on))
    db.session.flush()


def right(p, kind, obtained=None, requested=None):
    """A right obtained on a date (or only requested)."""
    state = "obtained" if obtained else "requested"
    db.session.add(RightStep(person=p, kind=kind, state=state, obtained_on=obtained, requested_on=requested))
    db.session.flush()


def job(p, start, kind="cdd", months=8):
    """A job."""
    db.session.add(Job(person=p, kind=kind, start_on=start, months=months))
    db.session.flush()


def training(p, start, level="qualifying"):
    """A training."""
    db.session.add(Training(person=p, level=level, start_on=start))
    db.session.flush()


def referral(p, programme, sent):
    """A referral sent on a date."""
    db.session.add(Referral(person=p, programme=programme, sent_on=sent, state="sent"))
    db.session.flush()


# Plain forms of the dashboard's shared statements: the oracles its tests compare them with ------------------

def plain_compliance_query(scope):
    """The accompaniments overdue or over limit on as_of, or not eligible, in a statement of their own."""
    from sqlalchemy import and_, case, or_, select

    from agir.indicators.annex import (
        extension_ends,
        latest_planned_end,
        over_limit_condition,
        overdue_condition,
        overlaps,
    )
    from models import Accompaniment, Department, Person, Structure
    ineligible = and_(Accompaniment.is_eligible.is_(False),
                      overlaps(Accompaniment.start_on, Accompaniment.exit_on, scope.start, scope.end))
    ends = extension_ends()
    flagged = or_(overdue_condition(scope.as_of, ends), over_limit_condition(scope.as_of), ineligible)
    return (select(Person.pseudonym, Structure.name, Accompaniment.kind, Accompaniment.start_on,
                   latest_planned_end(ends).label("planned_end"), Department.max_months,
                   case((overdue_condition(scope.as_of, ends), True), else_=False),
                   case((over_limit_condition(scope.as_of), True), else_=False),
                   case((ineligible, True), else_=False))
            .select_from(Accompaniment).join(Person, Person.id == Accompaniment.person_id)
            .join(Department, Department.id == Person.department_id)
            .join(Structure, Structure.id == Accompaniment.structure_id)
            .outerjoin(ends, ends.c.accompaniment_id == Accompaniment.id)
            .where(flagged, *scope.person_conditions()))


def plain_open_accompaniments(scope) -> int:
    """Accompaniments of the scope open on as_of, counted on their own."""
    from sqlalchemy import func, select

    from agir.indicators.annex import open_on
    from models import Accompaniment, Person
    return int(db.session.scalar(
        select(func.count(Accompaniment.id)).join(Person, Person.id == Accompaniment.person_id)
        .where(open_on(scope.as_of), *scope.person_conditions())
    ) or 0)


def import_generated(persons: int, seed: int, today: date, departments: int = 3) -> None:
    """Generated persons (every rule of SPEC §4 holds) written by the importer, committed."""
    from agir.demo.generator import generate_lines
    from agir.interchange.importer import import_lines
    result = import_lines(generate_lines(persons, seed=seed, departments=departments, today=today))
    assert not result.errors, result.errors[:3]
    db.session.commit()


def plain_by_structure(scope) -> list[tuple[str, str, int, int]]:
    """(structure, kind, persons accompanied, programme participants) over the period, in statements of their own."""
    from sqlalchemy import distinct, func, select

    from agir.indicators.annex import overlaps
    from models import Accompaniment, Participation, Person, Programme, Structure
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
