"""Every record the indicators read, loaded once into plain Python objects (the baseline's input).

The baseline of the indicators benchmark is "a plain Python pass over the same records already
in memory": the plain-Python oracle of tests/indicators/test_oracle.py (which the test suite
proves equal to the SQL indicators) run over light objects with the same attribute names as the
models, built here from Core selects. Loading is not timed; only the pass is.
"""
from collections import defaultdict

from sqlalchemy import select

from agir.extensions import db
from models import (
    Accompaniment,
    Appointment,
    Department,
    Event,
    Exit,
    Extension,
    FollowUp,
    HousingAccess,
    Job,
    Participation,
    Person,
    Programme,
    Referral,
    RightStep,
    Session,
    Training,
)


def _kind(name: str, fields: tuple[str, ...]):
    """A small class with __slots__ (much lighter than ORM objects for millions of records)."""
    def init(self, *values):
        for field, value in zip(fields, values, strict=True):
            setattr(self, field, value)
    return type(name, (), {"__slots__": fields, "__init__": init})


Dept = _kind("Dept", ("id", "code", "max_months"))
Pers = _kind("Pers", ("id", "department_id", "household_id", "status", "sex", "birth_on", "oriented_on",
                      "department", "accompaniments", "participations", "housing", "events", "rights", "jobs",
                      "trainings", "referrals", "appointments"))
Acc = _kind("Acc", ("id", "person_id", "structure_id", "start_on", "planned_end_on", "exit_on", "is_eligible",
                    "contract_signed_on", "extensions", "exit"))
Appt = _kind("Appt", ("kind", "status", "start_at"))
Ext = _kind("Ext", ("planned_end_on",))
Out = _kind("Out", ("id", "exit_on", "job_kind", "job_months", "training_level", "followup"))
Follow = _kind("Follow", ("is_positive", "followup_on"))
Part = _kind("Part", ("person_id", "start_on", "end_on", "planned_hours", "attended_hours", "level_start",
                      "level_end", "programme"))
Prog = _kind("Prog", ("id", "department_id", "structure_id", "theme", "start_on", "end_on", "total_cost",
                      "p104_subsidy", "carif_oref_ref", "sessions"))
Sess = _kind("Sess", ("held_on", "hours"))
Dated = _kind("Dated", ("kind", "access_on"))
Ev = _kind("Ev", ("kind", "event_on", "event_ref"))
Right = _kind("Right", ("kind", "state", "obtained_on"))
StartOn = _kind("StartOn", ("start_on",))
Ref = _kind("Ref", ("sent_on", "programme"))


def load() -> tuple[list, list]:
    """(persons, programmes) with every record the indicators and the cohort read."""
    rows = lambda *cols: db.session.execute(select(*cols)).all()  # noqa: E731
    departments = {d.id: Dept(d.id, d.code, d.max_months) for d in db.session.scalars(select(Department))}
    programmes = {r[0]: Prog(*r, []) for r in rows(
        Programme.id, Programme.department_id, Programme.structure_id, Programme.theme, Programme.start_on,
        Programme.end_on, Programme.total_cost, Programme.p104_subsidy, Programme.carif_oref_ref)}
    for programme_id, held_on, hours in rows(Session.programme_id, Session.held_on, Session.hours):
        programmes[programme_id].sessions.append(Sess(held_on, hours))
    persons = {}
    for r in db.session.execute(select(Person.id, Person.department_id, Person.household_id, Person.status,
                                       Person.sex, Person.birth_on, Person.oriented_on).order_by(Person.id)):
        persons[r[0]] = Pers(*r, departments[r[1]], [], [], [], [], [], [], [], [], [])
    extensions = defaultdict(list)
    for accompaniment_id, planned_end in rows(Extension.accompaniment_id, Extension.planned_end_on):
        extensions[accompaniment_id].append(Ext(planned_end))
    followups = {exit_id: Follow(positive, on) for exit_id, positive, on in
                 rows(FollowUp.exit_id, FollowUp.is_positive, FollowUp.followup_on)}
    exits = {r[0]: Out(*r[1:], followups.get(r[1])) for r in rows(
        Exit.accompaniment_id, Exit.id, Exit.exit_on, Exit.job_kind, Exit.job_months, Exit.training_level)}
    for r in rows(Accompaniment.id, Accompaniment.person_id, Accompaniment.structure_id, Accompaniment.start_on,
                  Accompaniment.planned_end_on, Accompaniment.exit_on, Accompaniment.is_eligible,
                  Accompaniment.contract_signed_on):
        persons[r[1]].accompaniments.append(Acc(*r, extensions.get(r[0], []), exits.get(r[0])))
    for r in rows(Participation.person_id, Participation.start_on, Participation.end_on,
                  Participation.planned_hours, Participation.attended_hours, Participation.level_start,
                  Participation.level_end, Participation.programme_id):
        persons[r[0]].participations.append(Part(*r[:-1], programmes[r[-1]]))
    for person_id, kind, on in rows(HousingAccess.person_id, HousingAccess.kind, HousingAccess.access_on):
        persons[person_id].housing.append(Dated(kind, on))
    for person_id, kind, on, ref in rows(Event.person_id, Event.kind, Event.event_on, Event.event_ref):
        persons[person_id].events.append(Ev(kind, on, ref))
    for person_id, kind, state, on in rows(RightStep.person_id, RightStep.kind, RightStep.state,
                                           RightStep.obtained_on):
        persons[person_id].rights.append(Right(kind, state, on))
    for person_id, on in rows(Job.person_id, Job.start_on):
        persons[person_id].jobs.append(StartOn(on))
    for person_id, on in rows(Training.person_id, Training.start_on):
        persons[person_id].trainings.append(StartOn(on))
    for person_id, on, programme_id in rows(Referral.person_id, Referral.sent_on, Referral.programme_id):
        persons[person_id].referrals.append(Ref(on, programmes[programme_id]))
    for person_id, kind, status, start_at in rows(Appointment.person_id, Appointment.kind, Appointment.status,
                                                  Appointment.start_at):
        persons[person_id].appointments.append(Appt(kind, status, start_at))
    return list(persons.values()), list(programmes.values())
