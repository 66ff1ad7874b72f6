"""Reusable selects of the referrals side: the queue, the catalogue, the limited view (SQL, never Python loops)."""
from datetime import date, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from agir import access
from agir.dates import today as paris_today
from agir.extensions import db
from models import Event, Participation, Person, Programme, Referral, Session

# Unanswered referrals first, then the ones in progress, then the closed ones.
STATE_ORDER = case((Referral.state == "sent", 0), (Referral.state == "accepted", 1),
                   (Referral.state == "started", 2), else_=3)
UNANSWERED_DAYS = 15


def _queue_scope(user, direction: str | None = None):
    """Referrals received by the user's structure (its programmes) and/or sent by it."""
    sid = user.structure_id
    incoming = Programme.structure_id == sid
    outgoing = Referral.sender_structure_id == sid
    where = {"in": incoming, "out": outgoing}.get(direction, or_(incoming, outgoing))
    # The access condition correlates on persons, referrals and programmes: isolate it in its own SELECT.
    visible = access.persons_referred_to(user).with_only_columns(Person.id).correlate(None)
    return [where, Person.id.in_(visible), Person.anonymised_at.is_(None)]


def queue_select(user, direction: str | None = None, state: str | None = None, theme: str | None = None,
                 programme_id: int | None = None) -> Select:
    """The queue: unanswered first, then in progress, then closed; oldest first within each group."""
    stmt = (select(Referral).join(Referral.programme).join(Referral.person)
            .where(*_queue_scope(user, direction))
            .options(contains_eager(Referral.programme).joinedload(Programme.structure),
                     contains_eager(Referral.person), joinedload(Referral.sender_structure)))
    if state:
        stmt = stmt.where(Referral.state == state)
    if theme:
        stmt = stmt.where(Programme.theme == theme)
    if programme_id:
        stmt = stmt.where(Referral.programme_id == programme_id)
    return stmt.order_by(STATE_ORDER, Referral.sent_on, Referral.id)


def queue_counts(user, direction: str | None = None, as_of: date | None = None) -> dict[str, int]:
    """Number of referrals per state in the queue, plus "late": sent and unanswered for more than 15 days."""
    as_of = as_of or paris_today()
    rows = db.session.execute(
        select(Referral.state, func.count(Referral.id)).join(Referral.programme).join(Referral.person)
        .where(*_queue_scope(user, direction)).group_by(Referral.state)).all()
    counts = {state: n for state, n in rows}
    counts["late"] = db.session.scalar(
        select(func.count(Referral.id)).join(Referral.programme).join(Referral.person)
        .where(*_queue_scope(user, direction), Referral.state == "sent",
               Referral.sent_on < as_of - timedelta(days=UNANSWERED_DAYS))) or 0
    return counts


def queue_programmes(user) -> list[Programme]:
    """Programmes appearing in the user's queue (for the filter)."""
    ids = select(Referral.programme_id).join(Referral.programme).join(Referral.person).where(*_queue_scope(user))
    return list(db.session.scalars(select(Programme).where(Programme.id.in_(ids)).order_by(Programme.name)))


def catalogue_select(department_id: int | None, theme: str | None = None, unreferenced: bool = False) -> Select:
    """Programmes with their number of sessions and total hours (GROUP BY in SQL)."""
    hours = (select(Session.programme_id, func.count(Session.id).label("sessions"),
                    func.coalesce(func.sum(Session.hours), 0).label("hours"))
             .group_by(Session.programme_id).subquery())
    stmt = (select(Programme, func.coalesce(hours.c.sessions, 0), func.coalesce(hours.c.hours, 0))
            .outerjoin(hours, hours.c.programme_id == Programme.id)
            .options(joinedload(Programme.structure), joinedload(Programme.department)))
    if department_id is not None:
        stmt = stmt.where(Programme.department_id == department_id)
    if theme:
        stmt = stmt.where(Programme.theme == theme)
    if unreferenced:
        stmt = stmt.where(Programme.theme.in_(("language", "professional_french")),
                          or_(Programme.carif_oref_ref.is_(None), Programme.carif_oref_ref == ""))
    return stmt.order_by(Programme.start_on.desc(), Programme.name, Programme.id)


def programme_figures(programme_id: int) -> dict:
    """Referrals per state, participants and assiduous participants of one programme."""
    states = dict(db.session.execute(select(Referral.state, func.count(Referral.id))
                                     .where(Referral.programme_id == programme_id).group_by(Referral.state)).all())
    # At least 80 % of the planned hours, in exact arithmetic (attended·5 ≥ planned·4) as the indicators count it.
    assiduous = (Participation.planned_hours > 0) & \
        (Participation.attended_hours * 5 >= Participation.planned_hours * 4)
    row = db.session.execute(select(
        func.count(func.distinct(Participation.person_id)),
        func.count(func.distinct(case((assiduous, Participation.person_id)))),
    ).where(Participation.programme_id == programme_id)).one()
    return {"states": states, "participants": row[0], "assiduous": row[1]}


def referable_programmes(department_id: int, on: date) -> list[Programme]:
    """Programmes of the department still running on `on` (a person may be referred to them)."""
    return list(db.session.scalars(
        select(Programme).where(Programme.department_id == department_id,
                                or_(Programme.end_on.is_(None), Programme.end_on >= on))
        .options(joinedload(Programme.structure)).order_by(Programme.theme, Programme.name)))


def structure_programmes(structure_id: int | None) -> list[Programme]:
    """Programmes operated by a structure."""
    if not structure_id:
        return []
    return list(db.session.scalars(select(Programme).where(Programme.structure_id == structure_id)
                                   .order_by(Programme.name)))


def limited_referrals(person_id: int, structure_id: int) -> list[Referral]:
    """The person's referrals sent by the structure or to one of its programmes (no other structure's)."""
    return list(db.session.scalars(
        select(Referral).join(Referral.programme)
        .where(Referral.person_id == person_id,
               or_(Programme.structure_id == structure_id, Referral.sender_structure_id == structure_id))
        .options(joinedload(Referral.programme).joinedload(Programme.structure),
                 joinedload(Referral.sender_structure))
        .order_by(Referral.sent_on.desc(), Referral.id.desc())))


def limited_participations(person_id: int, structure_id: int) -> list[Participation]:
    """Participations in the structure's programmes, or in programmes the structure referred the person to."""
    referred = select(Referral.programme_id).where(Referral.person_id == person_id,
                                                   Referral.sender_structure_id == structure_id)
    return list(db.session.scalars(
        select(Participation).join(Participation.programme)
        .where(Participation.person_id == person_id,
               or_(Programme.structure_id == structure_id, Participation.programme_id.in_(referred)))
        .options(joinedload(Participation.programme)).order_by(Participation.start_on.desc())))


def limited_events(person_id: int, structure_id: int) -> list[Event]:
    """Events recorded by the structure's programmes for the person."""
    return list(db.session.scalars(
        select(Event).join(Event.programme)
        .where(Event.person_id == person_id, Programme.structure_id == structure_id)
        .options(joinedload(Event.programme)).order_by(Event.event_on.desc(), Event.id.desc())))


def programme_participations(programme_id: int) -> list[Participation]:
    """Participations of one programme with their person (for the operator's own list)."""
    return list(db.session.scalars(
        select(Participation).join(Participation.person)
        .where(Participation.programme_id == programme_id, Person.anonymised_at.is_(None))
        .options(joinedload(Participation.person))
        .order_by(Participation.end_on.is_not(None), Participation.start_on.desc())))
