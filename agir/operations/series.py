"""Session series and attendance of a programme (issue 17, item 5). Operations flush and audit, never commit.

- A series creates all its dated sessions in one transaction (checked first by agir.rules.series: nothing is
  written when one rule is broken). Its sessions stay ordinary dated sessions: the interchange exports them one
  per date, as before.
- One occurrence, or the rest of the series from an occurrence on, may be changed (hours, start time) or
  cancelled; a session where presences are recorded is not cancelled (the attended hours would change silently).
- The attendance grid of a session: who came, with the hours. Saving it writes only the rows the officer
  changed, under a lock on the session, and refuses a row someone else changed meanwhile (two officers saving
  at once keep each other's ticks). The participations' attended hours are then the sum of their presences
  (docs/rules.md, « Assiduité »).
"""
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import func, select, text

from agir import access, audit, dates
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.operations.programmes import MAX_SESSION_HOURS, may_edit_programme
from agir.rules import series as rules
from models import Participation, Person, Programme, Session
from models.programme import Attendance, SessionSeries

SCOPES = ("one", "rest")


def _forbidden(field_name: str | None = None) -> RuleViolation:
    return RuleViolation("programme_forbidden", _l("Vous ne pouvez pas modifier ce programme."), field_name)


def plan_series(actor, programme: Programme, first_on: date | None, last_on: date | None, weekdays, hours,
                skip_holidays: bool = True, exceptions: str | None = None) -> rules.Plan:
    """The dates the series would create (the preview), every broken rule raised at once."""
    if not may_edit_programme(actor, programme):
        raise _forbidden("first_on")
    holidays = {}
    if skip_holidays and first_on and last_on:
        holidays = rules.public_holidays(first_on, last_on, programme.department.code)
    return rules.check_series(first_on, last_on, weekdays, hours, programme.start_on, programme.end_on,
                              exceptions, holidays)


def create_series(actor, programme: Programme, first_on: date | None, last_on: date | None, weekdays, hours,
                  starts_at: time | None = None, skip_holidays: bool = True,
                  exceptions: str | None = None) -> SessionSeries:
    """Create the series and all its sessions at once (nothing when a rule is broken)."""
    plan = plan_series(actor, programme, first_on, last_on, weekdays, hours, skip_holidays, exceptions)
    series = SessionSeries(programme=programme, first_on=first_on, last_on=last_on,
                           weekdays=rules.weekdays_text(weekdays), starts_at=starts_at, hours=float(hours),
                           skip_holidays=skip_holidays, exceptions=(exceptions or "").strip() or None)
    db.session.add(series)
    for day in plan.dates:
        db.session.add(Session(programme=programme, series=series, held_on=day, hours=float(hours),
                               starts_at=starts_at))
    db.session.flush()
    audit.record(actor, "session_series_created", fields=["held_on", "hours"],
                 detail=f"programme {programme.ref}: {len(plan.dates)} séances du {first_on} au {last_on}")
    return series


def _occurrences(programme: Programme, session: Session, scope: str) -> list[Session]:
    """The session alone, or it and the later sessions of its series."""
    if scope == "rest" and session.series_id is not None:
        return [s for s in programme.sessions if s.series_id == session.series_id and s.held_on >= session.held_on]
    return [session]


def _session_of(programme: Programme, session_id: int) -> Session:
    session = next((s for s in programme.sessions if s.id == session_id), None)
    if session is None:
        raise RuleViolation("session_unknown", _l("Cette séance n'existe pas (déjà supprimée ?)."), None)
    return session


def update_occurrences(actor, programme: Programme, session_id: int, scope: str, hours: float | None,
                       starts_at: time | None, held_on: date | None = None) -> list[Session]:
    """Change the hours and start time of one occurrence (and its date), or of the rest of its series."""
    if not may_edit_programme(actor, programme):
        raise _forbidden()
    session = _session_of(programme, session_id)
    found = []
    if hours is None or not hours > 0 or hours > MAX_SESSION_HOURS:
        found.append(RuleViolation("session_hours", _l("La durée d'une séance est comprise entre 0 (exclu) et 24 "
                                                       "heures."), "hours"))
    if scope == "one":
        if held_on is None:
            found.append(RuleViolation("date_required", _l("La date de la séance est requise."), "held_on"))
        elif held_on < programme.start_on or (programme.end_on is not None and held_on > programme.end_on):
            found.append(RuleViolation("session_outside_programme",
                                       _l("Une séance du %(day)s tombe hors des dates du programme.",
                                          day=LazyDate(held_on)), "held_on"))
    targets = _occurrences(programme, session, scope)
    recorded = [s for s in targets if hours is not None and any(a.hours > hours + 1e-9 for a in s.attendances)]
    if recorded:
        found.append(RuleViolation("attendance_above_hours", _l("Des présences de plus de %(hours)s h sont déjà "
                                                                "enregistrées : corrigez d'abord la feuille de "
                                                                "présence.", hours=f"{hours:g}"), "hours"))
    if found or hours is None:
        found[0].violations = found
        raise found[0]
    for target in targets:
        target.hours = float(hours)
        target.starts_at = starts_at
    if scope == "one" and held_on is not None:
        session.held_on = held_on
    db.session.flush()
    audit.record(actor, "session_updated", fields=["held_on", "hours", "starts_at"],
                 detail=f"programme {programme.ref}: {len(targets)} séance(s)")
    return targets


def cancel_occurrences(actor, programme: Programme, session_id: int, scope: str) -> int:
    """Cancel one occurrence, or the rest of its series from it on (the series then ends the day before).
    Refused when a presence is recorded at one of them."""
    if not may_edit_programme(actor, programme):
        raise _forbidden()
    session = _session_of(programme, session_id)
    targets = _occurrences(programme, session, scope)
    with_presences = [s for s in targets if s.attendances]
    if with_presences:
        raise RuleViolation("session_has_attendance",
                            _l("Des présences sont enregistrées pour la séance du %(day)s : retirez-les de la "
                               "feuille de présence avant d'annuler.", day=LazyDate(with_presences[0].held_on)),
                            None)
    series = session.series
    for target in targets:
        programme.sessions.remove(target)
    db.session.flush()
    if series is not None and scope == "rest":
        left = db.session.scalar(select(func.max(Session.held_on)).where(Session.series_id == series.id))
        if left is None:
            db.session.delete(series)
        else:
            series.last_on = left
    db.session.flush()
    audit.record(actor, "session_removed", fields=["held_on", "hours"],
                 detail=f"programme {programme.ref}: {len(targets)} séance(s)")
    return len(targets)


# ---------------------------------------------------------------- attendance

@dataclass
class GridRow:
    """A participant of the session: their participation, name, and hours attended (None: absent)."""
    participation_id: int
    person_id: int
    name: str
    hours: float | None


@dataclass
class Saved:
    """What saving a grid did: rows written, and the names of the rows refused because someone else changed them."""
    written: int = 0
    conflicts: list[str] = field(default_factory=list)


def session_participants(programme: Programme, session: Session) -> list[GridRow]:
    """The programme's participants on the session's day (a participation covering it, person not anonymised),
    with their recorded presence; by name."""
    rows = db.session.execute(
        select(Participation.id, Person.id, Person.last_name, Person.first_name, Attendance.hours)
        .join(Person, Person.id == Participation.person_id)
        .outerjoin(Attendance, (Attendance.participation_id == Participation.id)
                   & (Attendance.session_id == session.id))
        .where(Participation.programme_id == programme.id, Person.anonymised_at.is_(None),
               Participation.start_on <= session.held_on,
               (Participation.end_on.is_(None)) | (Participation.end_on >= session.held_on))
        .order_by(func.lower(Person.last_name), func.lower(Person.first_name), Participation.id))
    return [GridRow(pid, person_id, f"{(last or '').upper()} {first or ''}".strip(), hours)
            for pid, person_id, last, first, hours in rows]


def attendance_matrix(programme: Programme) -> tuple[list[Session], list[tuple[int, str]], dict]:
    """The programme's grid: sessions × participants, with the hours of each presence (one query, no loop over
    rows beyond what is shown)."""
    sessions = list(programme.sessions)
    people = db.session.execute(
        select(Participation.id, Person.last_name, Person.first_name)
        .join(Person, Person.id == Participation.person_id)
        .where(Participation.programme_id == programme.id, Person.anonymised_at.is_(None))
        .order_by(func.lower(Person.last_name), func.lower(Person.first_name), Participation.id)).all()
    cells = {(sid, pid): hours for sid, pid, hours in db.session.execute(
        select(Attendance.session_id, Attendance.participation_id, Attendance.hours)
        .join(Session, Session.id == Attendance.session_id).where(Session.programme_id == programme.id))}
    return sessions, [(pid, f"{(last or '').upper()} {first or ''}".strip()) for pid, last, first in people], cells


def _lock_session(session: Session) -> None:
    """Hold the session's row until the end of the transaction (a second grid saved at once waits, then reads what
    the first wrote). PostgreSQL: FOR NO KEY UPDATE; SQLite: a write takes the database's write lock now."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Session.id).where(Session.id == session.id).with_for_update(key_share=True))
    else:
        db.session.execute(text("UPDATE programme_sessions SET hours = hours WHERE id = :id"), {"id": session.id})


def save_attendance(actor, programme: Programme, session: Session, marks: list[rules.Mark]) -> Saved:
    """Write the rows the officer changed; a row changed meanwhile by someone else is kept as they left it and
    named in `conflicts`. Then the attended hours of each participation touched = the sum of its presences."""
    if not access.takes_attendance(actor, programme) or session.programme_id != programme.id:
        raise RuleViolation("attendance_forbidden", _l("Seuls les chargé·es d'orientation de la structure qui "
                                                       "porte le programme tiennent sa feuille de présence."), None)
    early = rules.attendance_too_early(session.held_on, dates.today())
    if early is not None and any(mark.changed and mark.now is not None for mark in marks):
        raise early
    _lock_session(session)
    allowed = {row.participation_id: row for row in session_participants(programme, session)}
    current = {a.participation_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id).execution_options(populate_existing=True))}
    saved = Saved()
    touched: list[int] = []
    changed = [mark for mark in marks if mark.participation_id in allowed and mark.changed]
    # The participations first, in id order (a grid of another session saved at once for the same person waits
    # here, then adds to what it wrote): FOR NO KEY UPDATE does not wait on the key-share locks of the inserts.
    locked = _lock_participations(sorted({mark.participation_id for mark in changed}))
    for mark in changed:
        row = allowed[mark.participation_id]
        existing = current.get(mark.participation_id)
        if not rules.same_hours(existing.hours if existing else None, mark.was):
            saved.conflicts.append(row.name)
            continue
        if mark.now is None:
            db.session.delete(existing)
        elif existing is None:
            db.session.add(Attendance(session_id=session.id, participation_id=mark.participation_id, hours=mark.now))
        else:
            existing.hours = mark.now
        touched.append(mark.participation_id)
        saved.written += 1
    db.session.flush()
    if touched:
        _fill_attended_hours(actor, programme, session, [p for p in locked if p.id in touched])
    return saved


def _lock_participations(participation_ids: list[int]) -> list[Participation]:
    """The participations, read again under a row lock held until the end of the transaction."""
    if not participation_ids:
        return []
    return list(db.session.scalars(
        select(Participation).where(Participation.id.in_(participation_ids)).order_by(Participation.id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)))


def _fill_attended_hours(actor, programme: Programme, session: Session, participations: list[Participation]) -> None:
    """attended_hours = SUM of the participation's presences (GROUP BY), on the rows locked before writing."""
    participation_ids = [p.id for p in participations]
    sums = dict(db.session.execute(
        select(Attendance.participation_id, func.sum(Attendance.hours))
        .where(Attendance.participation_id.in_(participation_ids)).group_by(Attendance.participation_id)).all())
    for participation in participations:
        participation.attended_hours = round(float(sums.get(participation.id) or 0.0), 2)
    db.session.flush()
    for participation in participations:
        audit.record(actor, "attendance_recorded", person=participation.person_id, fields=["attended_hours"],
                     detail=f"programme {programme.ref}, séance du {session.held_on.isoformat()}")
