"""The social worker's « Orientations à planifier » (SPEC §4.5): persons oriented to the user's structure
without an honoured first interview since their orientation, the nearest one-month limit first (overdue
first). One query for the page (persons and their languages), one for the count; access by agir.access."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from agir.access import full_file_condition
from agir.dates import add_months
from agir.extensions import db
from agir.queries.persons import Page, search_condition
from models import Appointment, Person

FIRST_INTERVIEW_MONTHS = 1
ORIENTATION_FILTERS = ("", "late", "interpreter")


@dataclass
class OrientationRow:
    """One line: the person, the limit of their first interview and the days left (negative: late)."""

    person: Person
    limit: date
    days_left: int

    @property
    def late(self) -> bool:
        return self.days_left < 0


def latest_late_orientation(today: date) -> date:
    """The latest orientation date already late on `today` (limit = orientation + 1 month clipped at the
    month's end, agir.dates.add_months, late when the limit is before today): the limit never decreases
    with the orientation's date, so the late orientations are those on or before this one."""
    day = today - timedelta(days=40)
    while add_months(day + timedelta(days=1), FIRST_INTERVIEW_MONTHS) < today:
        day += timedelta(days=1)
    return day


def _not_interviewed():
    return ~exists().where(Appointment.person_id == Person.id, Appointment.kind == "first_interview",
                           Appointment.status == "honoured", Appointment.start_at >= Person.oriented_on)


def orientations_select(user, q: str = "", show: str = "", today: date | None = None):
    """select(Person) of the persons to schedule, in the order of their limit (the orientation's date: the
    limit is one month after it, a non-decreasing function of it), then by name."""
    stmt = select(Person).where(full_file_condition(user), Person.anonymised_at.is_(None),
                                Person.oriented_on.is_not(None),
                                Person.orientation_structure_id == user.structure_id, _not_interviewed())
    found = search_condition(q or "")  # the persons list's search: names across transliterations, ref, phone
    if found is not None:
        stmt = stmt.where(found)
    if show == "interpreter":
        stmt = stmt.where(Person.interpreter.is_not(None))
    elif show == "late" and today is not None:
        stmt = stmt.where(Person.oriented_on <= latest_late_orientation(today))
    return stmt.order_by(Person.oriented_on, Person.last_name, Person.first_name, Person.id)


def orientations_page(user, q: str, show: str, page: int, per_page: int, today: date) -> Page:
    """The requested page of orientations to schedule, each row with its limit and days left."""
    stmt = orientations_select(user, q, show, today)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    persons = db.session.scalars(stmt.options(selectinload(Person.languages))
                                 .limit(per_page).offset((page - 1) * per_page)).all()
    rows = []
    for person in persons:
        limit = add_months(person.oriented_on, FIRST_INTERVIEW_MONTHS)
        rows.append(OrientationRow(person, limit, (limit - today).days))
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def overdue_objectives(user, today: date, limit: int = 50) -> tuple[list, int]:
    """Open objectives of the action plans of my structure's open accompaniments whose due date has passed, the
    oldest due first: (rows of (objective, person), total). A computed list, not an alert kind (docs/rules.md)."""
    from sqlalchemy.orm import aliased

    from models import Accompaniment
    from models.entry import PlanObjective
    held = aliased(Accompaniment)  # agir.access's condition has its own correlated Accompaniment
    stmt = (select(PlanObjective, Person).join(held, PlanObjective.accompaniment_id == held.id)
            .join(Person, held.person_id == Person.id)
            .where(held.structure_id == user.structure_id, held.exit_on.is_(None),
                   PlanObjective.state == "open", PlanObjective.due_on < today,
                   full_file_condition(user), Person.anonymised_at.is_(None)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(stmt.order_by(PlanObjective.due_on, Person.last_name, PlanObjective.id)
                              .limit(limit)).all()
    return [tuple(r) for r in rows], total
