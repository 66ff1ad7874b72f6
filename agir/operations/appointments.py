"""Appointments of the agenda (issue 17, SPEC §4.6): create, move, cancel, record the outcome.

Two planned appointments of one référent never overlap, even when two colleagues book the same slot at the
same instant: the operation locks the référent's user row first (PostgreSQL: SELECT … FOR NO KEY UPDATE;
SQLite: a write on the row, which takes the database's write lock), then reads the référent's agenda and
checks — the second request waits for the first to commit, then sees its appointment and is refused.
Moves and cancellations keep the history in the audit (before / after, with the reason, as every
correction of SPEC §4.8). Operations flush and audit; the caller commits.
"""
from datetime import datetime, timedelta

from sqlalchemy import select, text

from agir.audit import record, record_correction
from agir.dates import PARIS
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.operations.persons import check_version
from agir.rules.appointments import HIGH, Slot, check_appointment_input, check_outcome, check_still_planned
from agir.rules.corrections import check_reason
from agir.rules.entry import check_appointment
from models import Appointment, User

FIELDS = ("start_at", "minutes", "kind", "mode", "referent_id", "interpreter")


class AppointmentRefused(RuleViolation):
    """Every rule the appointment breaks (`violations`), the first one as the exception itself."""

    def __init__(self, violations: list[RuleViolation]):
        first = violations[0]
        super().__init__(first.code, first.message, first.field)
        self.violations = violations


def paris_now() -> datetime:
    """The wall-clock time in Paris, naive (as appointments are stored)."""
    return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)


def lock_referent(user_id: int) -> None:
    """Hold the référent's user row until the end of the transaction (see the module's docstring)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))
    else:
        session.execute(text("UPDATE users SET id = id WHERE id = :id"), {"id": user_id})


def _lock_first(referent_id) -> None:
    """The référent's lock, as the transaction's first statement: on SQLite a read before it would hold a shared
    lock that cannot be upgraded while another booking holds the write lock (« database is locked »)."""
    if isinstance(referent_id, int):
        lock_referent(referent_id)


def agenda_around(referent_id: int, start: datetime, minutes: int, exclude_id: int | None = None) -> list[Slot]:
    """The référent's planned appointments that could overlap [start, start + minutes) (read after the lock)."""
    stmt = (select(Appointment.id, Appointment.start_at, Appointment.minutes)
            .where(Appointment.referent_id == referent_id, Appointment.status == "planned",
                   Appointment.start_at > start - timedelta(minutes=HIGH),
                   Appointment.start_at < start + timedelta(minutes=minutes))
            .execution_options(populate_existing=True))
    if exclude_id is not None:
        stmt = stmt.where(Appointment.id != exclude_id)
    return [Slot(i, s, m) for i, s, m in db.session.execute(stmt).all()]


def referents_of(structure_id: int) -> list[User]:
    """The social workers of a structure who may hold appointments (enabled accounts), by name."""
    return list(db.session.scalars(select(User).where(User.structure_id == structure_id,
                                                      User.role == "social_worker", User.is_enabled.is_(True))
                                   .order_by(User.display_name, User.email)))


def _check_holder(actor, person) -> None:
    structure = getattr(actor, "structure", None)
    if structure is None or person.structure_id != structure.id:
        raise RuleViolation("appointment_holder",
                            _l("Seule la structure qui suit la personne peut lui fixer un rendez-vous."), None)


def _check_referent(actor, referent_id) -> list[RuleViolation]:
    if referent_id is None:
        return [RuleViolation("appointment_referent_missing", _l("Choisissez le ou la référent·e du rendez-vous."),
                              "referent")]
    if referent_id not in {u.id for u in referents_of(actor.structure_id)}:
        return [RuleViolation("appointment_referent",
                              _l("Choisissez un·e référent·e de votre structure dans la liste."), "referent")]
    return []


def _validate(actor, person, *, start, minutes, kind, mode, referent_id, interpreter, now, exclude_id=None,
              new=True) -> None:
    found = _check_referent(actor, referent_id)
    others = []
    if not found and start is not None and minutes is not None:
        others = agenda_around(referent_id, start, minutes, exclude_id)
    found += check_appointment_input(start, minutes, kind, mode, interpreter, now, others, new=new)
    if not found:
        structure = actor.structure
        try:
            check_appointment(start, minutes, "planned", structure.kind, structure.department_id,
                              person.department_id, now.date())
        except RuleViolation as exc:
            found.append(exc)
    if found:
        raise AppointmentRefused(found)


def _snapshot(appointment: Appointment) -> dict:
    return {"start_at": appointment.start_at.isoformat(timespec="minutes"), "minutes": appointment.minutes,
            "kind": appointment.kind, "mode": appointment.mode, "referent_id": appointment.referent_id,
            "interpreter": appointment.interpreter, "status": appointment.status}


def create_appointment(actor, person, *, start, minutes, kind, mode, referent_id, interpreter=None,
                       now: datetime | None = None) -> Appointment:
    """A new planned appointment of the person at the actor's structure (every broken rule at once)."""
    _lock_first(referent_id)
    _check_holder(actor, person)
    interpreter = (interpreter or "").strip().lower() or None
    _validate(actor, person, start=start, minutes=minutes, kind=kind, mode=mode, referent_id=referent_id,
              interpreter=interpreter, now=now or paris_now())
    appointment = Appointment(person_id=person.id, structure_id=actor.structure_id, start_at=start, minutes=minutes,
                              kind=kind, mode=mode, referent_id=referent_id, interpreter=interpreter,
                              status="planned")
    db.session.add(appointment)
    db.session.flush()
    record(actor, "add_appointment", person, FIELDS, detail=f"appointment {appointment.id}")
    return appointment


def _check_own(actor, appointment: Appointment) -> None:
    if appointment.structure_id != getattr(actor, "structure_id", None):
        raise RuleViolation("appointment_holder", _l("Seule la structure qui a fixé ce rendez-vous peut le modifier."),
                            None)


def move_appointment(actor, appointment: Appointment, *, start, minutes, referent_id, reason, version=None,
                     now: datetime | None = None) -> Appointment:
    """Move a planned appointment (another day, time, length or référent), with the reason; the audit keeps
    where it was and where it went. The new slot must be ahead and free."""
    _lock_first(referent_id)
    _check_own(actor, appointment)
    check_still_planned(appointment.status)
    check_version(appointment, version)
    found = []
    try:
        reason = check_reason(reason)
    except RuleViolation as exc:
        found.append(exc)
    try:
        _validate(actor, appointment.person, start=start, minutes=minutes, kind=appointment.kind,
                  mode=appointment.mode, referent_id=referent_id, interpreter=appointment.interpreter,
                  now=now or paris_now(), exclude_id=appointment.id)
    except AppointmentRefused as exc:
        found += exc.violations
    before = _snapshot(appointment)
    if not found and (start, minutes, referent_id) == (appointment.start_at, appointment.minutes,
                                                       appointment.referent_id):
        found.append(RuleViolation("unchanged", _l("Rien n'a changé : indiquez la nouvelle date, heure, durée ou "
                                      "le ou la nouvel·le référent·e."), "start"))
    if found:
        raise AppointmentRefused(found)
    appointment.start_at, appointment.minutes, appointment.referent_id = start, minutes, referent_id
    db.session.flush()
    record_correction(actor, appointment.person, "appointment", before, _snapshot(appointment), reason)
    return appointment


def cancel_appointment(actor, appointment: Appointment, reason, version=None) -> Appointment:
    """Cancel a planned appointment, with the reason (kept in the audit); it leaves the agenda's slots free."""
    _check_own(actor, appointment)
    check_still_planned(appointment.status)
    check_version(appointment, version)
    reason = check_reason(reason, cancel=True)
    before = _snapshot(appointment)
    appointment.status = "cancelled"
    db.session.flush()
    record_correction(actor, appointment.person, "appointment", before, _snapshot(appointment), reason)
    return appointment


def record_outcome(actor, appointment: Appointment, outcome: str, now: datetime | None = None) -> Appointment:
    """Honoured, missed or excused, in one click from the agenda."""
    _check_own(actor, appointment)
    check_outcome(appointment.status, outcome, appointment.start_at, now or paris_now())
    appointment.status = outcome
    db.session.flush()
    record(actor, "appointment_outcome", appointment.person, ["status"], detail=f"appointment {appointment.id}")
    return appointment


def set_reminders_opt_out(actor, person, opt_out: bool):
    """The person refuses (or accepts again) the appointment reminders."""
    _check_holder(actor, person)
    person.reminders_opt_out = bool(opt_out)
    db.session.flush()
    record(actor, "reminders_opt_out", person, ["reminders_opt_out"])
    return person


PHONE_CHARS = set("0123456789 +.()-")


def set_structure_contact(actor, phone: str | None, address: str | None):
    """The phone number and address that the structure's reminders give (every error at once)."""
    structure = actor.structure
    phone, address = " ".join((phone or "").split()) or None, " ".join((address or "").split()) or None
    found = []
    if phone and (not set(phone) <= PHONE_CHARS or len(phone) > 40 or sum(c.isdigit() for c in phone) < 4):
        found.append(RuleViolation("structure_phone", _l("Numéro de téléphone invalide : chiffres, espaces et « + » "
                                      "seulement, par exemple 05 56 00 00 00."), "phone"))
    if address and len(address) > 300:
        found.append(RuleViolation("structure_address", _l("L'adresse fait au plus 300 caractères."), "address"))
    if found:
        raise AppointmentRefused(found)
    structure.phone, structure.address = phone, address
    db.session.flush()
    record(actor, "update_structure", None, ["phone", "address"], detail=f"structure {structure.ref}")
    return structure
