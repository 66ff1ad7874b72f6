"""Export of the JSON-Lines interchange file (INTERCHANGE.md): every record and every contract field.

Departments, structures, programmes (with their sessions), then persons with their whole path,
streamed by pages of persons (keyset on id) with one query per path table and page: memory stays
flat whatever the number of persons. Every contract field is present (null or [] when empty);
the optional extensions (referral `need` and `sender`, event `programme`, person `opened_by`) only when set.
The fields of the contract's second version are always written too (a department's `region`, a person's
`languages`, `interpreter`, `orientation`, `appointments`, `documents`, an accompaniment's `diagnostic`,
`plan` and `contract`).
With a department, the file also carries the structures, programmes and departments its persons
and programmes point to, so that it imports on its own (docs/rules.md).
"""
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select, union

from agir.extensions import db
from agir.reference_geo import region_of
from models import (
    Accompaniment,
    Appointment,
    Department,
    DiagnosticArea,
    Document,
    Event,
    Exit,
    Extension,
    FollowUp,
    Household,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Person,
    PersonLanguage,
    PlanObjective,
    Programme,
    Referral,
    Region,
    RightStep,
    Session,
    Structure,
    Training,
)
from models.enums import AREAS

PAGE = 500
# A plan objective's links by position: interchange field → the person's list it points into.
LINK_LISTS = {"housing_step": "housing_steps", "referral": "referrals", "training": "trainings"}


class UnknownDepartment(LookupError):
    """The department asked for does not exist."""


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _local(moment: datetime) -> str:
    """A local (Europe/Paris) date and time as the contract writes it: YYYY-MM-DDTHH:MM."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def iter_export_lines(department_code: str | None = None) -> Iterator[str]:
    """The export, one JSON line (without newline) per record; raises UnknownDepartment for an unknown code."""
    scope = _Scope(department_code)
    yield from _departments(scope)
    yield from _structures(scope)
    yield from _programmes(scope)
    yield from _persons(scope)


class _Scope:
    """Which records an export holds: everything, or one department and what its records point to."""

    def __init__(self, code: str | None):
        self.department_id = None
        if code is not None:
            self.department_id = db.session.scalar(select(Department.id).where(Department.code == code))
            if self.department_id is None:
                raise UnknownDepartment(code)
        self.department_codes = dict(db.session.execute(select(Department.id, Department.code)).all())
        self.structure_refs = dict(db.session.execute(select(Structure.id, Structure.ref)).all())
        self.programme_refs = dict(db.session.execute(select(Programme.id, Programme.ref)).all())

    def persons(self):
        """Ids of the persons exported (a subquery)."""
        query = select(Person.id)
        if self.department_id is not None:
            query = query.where(Person.department_id == self.department_id)
        return query

    def programmes(self):
        """Ids of the programmes of the department, and of those its persons were referred to or took part in."""
        if self.department_id is None:
            return select(Programme.id)
        persons = self.persons()
        return union(
            select(Programme.id).where(Programme.department_id == self.department_id),
            select(Referral.programme_id).where(Referral.person_id.in_(persons)),
            select(Participation.programme_id).where(Participation.person_id.in_(persons)),
            select(Event.programme_id).where(Event.person_id.in_(persons), Event.programme_id.is_not(None)),
        )

    def structures(self):
        """Ids of the structures of the department, and of those its records point to."""
        if self.department_id is None:
            return select(Structure.id)
        persons = self.persons()
        return union(
            select(Structure.id).where(Structure.department_id == self.department_id),
            select(Accompaniment.structure_id).where(Accompaniment.person_id.in_(persons)),
            select(Referral.sender_structure_id).where(Referral.person_id.in_(persons),
                                                       Referral.sender_structure_id.is_not(None)),
            select(Programme.structure_id).where(Programme.id.in_(self.programmes())),
            select(Person.structure_id).where(Person.id.in_(persons), Person.structure_id.is_not(None)),
            select(Person.orientation_structure_id).where(Person.id.in_(persons),
                                                          Person.orientation_structure_id.is_not(None)),
            select(Appointment.structure_id).where(Appointment.person_id.in_(persons)),
            select(Document.structure_id).where(Document.person_id.in_(persons)),
        )

    def departments(self):
        """Ids of the departments exported."""
        if self.department_id is None:
            return select(Department.id)
        return union(
            select(Department.id).where(Department.id == self.department_id),
            select(Structure.department_id).where(Structure.id.in_(self.structures())),
            select(Programme.department_id).where(Programme.id.in_(self.programmes())),
        )


def _rows(query):
    """Plain rows (never ORM objects: the caller's session and identity map stay untouched)."""
    return db.session.execute(query)


def _departments(scope: _Scope) -> Iterator[str]:
    t, r = Department.__table__, Region.__table__
    query = (select(t, r.c.code.label("region_code")).outerjoin(r, r.c.id == t.c.region_id)
             .where(t.c.id.in_(scope.departments())).order_by(t.c.code))
    for d in _rows(query):
        yield _line({"type": "department", "code": d.code, "name": d.name, "agir_start": _iso(d.agir_start_on),
                     "agir_wave": d.agir_wave, "max_months": d.max_months,
                     # A row written without its region (before migration 0011's seed) gets the code's own.
                     "region": d.region_code or region_of(d.code)})


def _structures(scope: _Scope) -> Iterator[str]:
    t = Structure.__table__
    for s in _rows(select(t).where(t.c.id.in_(scope.structures())).order_by(t.c.ref)):
        yield _line({"type": "structure", "ref": s.ref, "name": s.name,
                     "department": scope.department_codes[s.department_id], "kind": s.kind})


def _programmes(scope: _Scope) -> Iterator[str]:
    ids = select(Programme.id).where(Programme.id.in_(scope.programmes())).order_by(Programme.ref)
    for page in _pages(list(db.session.scalars(ids))):
        sessions = defaultdict(list)
        t = Session.__table__
        for s in _rows(select(t).where(t.c.programme_id.in_(page)).order_by(t.c.held_on, t.c.id)):
            sessions[s.programme_id].append({"date": _iso(s.held_on), "hours": s.hours})
        t = Programme.__table__
        for p in _rows(select(t).where(t.c.id.in_(page)).order_by(t.c.ref)):
            yield _line({
                "type": "programme", "ref": p.ref, "name": p.name, "theme": p.theme,
                "structure": scope.structure_refs[p.structure_id],
                "department": scope.department_codes[p.department_id],
                "start": _iso(p.start_on), "end": _iso(p.end_on), "target_beneficiaries": p.target_beneficiaries,
                "total_cost": p.total_cost, "p104_subsidy": p.p104_subsidy, "carif_oref_ref": p.carif_oref_ref,
                "sessions": sessions[p.id]})


def _pages(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), PAGE):
        yield ids[start:start + PAGE]


def _persons(scope: _Scope) -> Iterator[str]:
    last_id = 0
    while True:
        t = Person.__table__
        query = _person_query().where(t.c.id > last_id).order_by(t.c.id).limit(PAGE)
        if scope.department_id is not None:
            query = query.where(t.c.department_id == scope.department_id)
        rows = _rows(query).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        path = _PathPage(ids, scope)
        for row in rows:
            yield _line(_person(row, row.household_ref, path, scope))
        last_id = ids[-1]


def _person_query():
    """Persons as plain rows, with the ref of their household."""
    t, h = Person.__table__, Household.__table__
    return select(t, h.c.ref.label("household_ref")).outerjoin(h, t.c.household_id == h.c.id)


def _person(p, household: str | None, path: "_PathPage", scope: _Scope) -> dict:
    record = {
        "type": "person", "ref": p.ref, "department": scope.department_codes[p.department_id], "household": household,
        "last_name": p.last_name, "first_name": p.first_name, "sex": p.sex, "birth_date": _iso(p.birth_on),
        "nationality": p.nationality, "status": p.status, "protection_date": _iso(p.protection_on),
        "first_permit_date": _iso(p.first_permit_on), "arrival_date": _iso(p.arrival_on), "cir_date": _iso(p.cir_on),
        "permit_expiry": _iso(p.permit_expiry_on), "hosting": p.hosting, "language_level": p.language_level,
        "prior_programme": p.prior_programme, "phone": p.phone, "email": p.email,
        **{name: path.of(name, p.id) for name in _PathPage.LISTS},
        "interpreter": p.interpreter,
        "orientation": ({"date": _iso(p.oriented_on), "source": p.orientation_source,
                         "structure": scope.structure_refs[p.orientation_structure_id]}
                        if p.oriented_on is not None else None),
    }
    accompaniments = record["accompaniments"]
    derived = accompaniments[-1]["structure"] if accompaniments else None  # ordered by start, as imported
    if p.structure_id is not None and scope.structure_refs[p.structure_id] != derived:
        record["opened_by"] = scope.structure_refs[p.structure_id]
    return record


class _PathPage:
    """The path records of a page of persons, one query per table, grouped by person."""

    LISTS = ("accompaniments", "rights", "housing_steps", "housing", "jobs", "trainings", "referrals",
             "participations", "events", "notes", "languages", "appointments", "documents")

    def __init__(self, ids: list[int], scope: _Scope):
        self.scope = scope
        self.data = {name: defaultdict(list) for name in self.LISTS}
        self.linked = []  # (objective record, its row) of the objectives that point into the path
        self.positions: dict[str, dict[int, object]] = {name: {} for name in ("rights", *LINK_LISTS.values())}
        self._accompaniments(ids)
        simple = (
            ("rights", RightStep, (), self._right),
            ("housing_steps", HousingStep, (HousingStep.step_on,), self._housing_step),
            ("housing", HousingAccess, (HousingAccess.access_on,), self._housing),
            ("jobs", Job, (Job.start_on,), self._job),
            ("trainings", Training, (Training.start_on,), self._training),
            ("referrals", Referral, (Referral.sent_on,), self._referral),
            ("participations", Participation, (Participation.start_on,), self._participation),
            ("events", Event, (Event.event_on,), self._event),
            ("notes", Note, (Note.noted_on,), self._note),
            ("languages", PersonLanguage, (), self._language),
            ("appointments", Appointment, (Appointment.start_at,), self._appointment),
            ("documents", Document, (Document.document_on,), self._document),
        )
        for name, model, order, build in simple:
            t = model.__table__
            query = select(t).where(t.c.person_id.in_(ids)).order_by(t.c.person_id, *order, t.c.id)
            positions = self.positions.get(name)
            for row in _rows(query):
                items = self.data[name][row.person_id]
                if positions is not None:  # what a plan's objective may point to: a right's kind, a position
                    positions[row.id] = row.kind if name == "rights" else len(items)
                items.append(build(row))
        for record, row in self.linked:
            if row.right_step_id is not None:
                record["right"] = self.positions["rights"][row.right_step_id]
            for field, name in LINK_LISTS.items():
                target = getattr(row, f"{field}_id")
                if target is not None:
                    record[field] = self.positions[name][target]

    def of(self, name: str, person_id: int) -> list:
        """The list `name` of a person ([] when empty)."""
        return self.data[name].get(person_id, [])

    def _accompaniments(self, ids: list[int]) -> None:
        t = Accompaniment.__table__
        accs = _rows(select(t).where(t.c.person_id.in_(ids)).order_by(t.c.person_id, t.c.start_on, t.c.id)).all()
        acc_ids = [a.id for a in accs]
        extensions = defaultdict(list)
        t = Extension.__table__
        for e in _rows(select(t).where(t.c.accompaniment_id.in_(acc_ids)).order_by(t.c.decided_on, t.c.id)):
            extensions[e.accompaniment_id].append(
                {"date": _iso(e.decided_on), "planned_end": _iso(e.planned_end_on), "reason": e.reason})
        exits = {}
        x, f = Exit.__table__, FollowUp.__table__
        query = (select(x, f.c.id.label("followup_id"), f.c.followup_on, f.c.is_positive)
                 .outerjoin(f, f.c.exit_id == x.c.id).where(x.c.accompaniment_id.in_(acc_ids)))
        for row in _rows(query):
            exits[row.accompaniment_id] = {
                "date": _iso(row.exit_on), "reason": row.reason,
                "job": {"kind": row.job_kind, "months": row.job_months} if row.job_kind else None,
                "training": {"level": row.training_level} if row.training_level else None,
                "followup": ({"date": _iso(row.followup_on), "positive": row.is_positive}
                             if row.followup_id is not None else None)}
        areas = defaultdict(dict)
        t = DiagnosticArea.__table__
        for d in _rows(select(t).where(t.c.accompaniment_id.in_(acc_ids))):
            areas[d.accompaniment_id][d.area] = {"need": d.need, "text": d.text}
        plans = defaultdict(list)
        t = PlanObjective.__table__
        for o in _rows(select(t).where(t.c.accompaniment_id.in_(acc_ids)).order_by(t.c.id)):
            record = {"area": o.area, "objective": o.objective, "due": _iso(o.due_on), "state": o.state,
                      "closed": _iso(o.closed_on)}
            if any(getattr(o, f"{name}_id") is not None for name in ("right_step", *LINK_LISTS)):
                self.linked.append((record, o))  # its links are written once the path is read
            plans[o.accompaniment_id].append(record)
        for a in accs:
            found = areas.get(a.id, {})
            self.data["accompaniments"][a.person_id].append({
                "structure": self.scope.structure_refs[a.structure_id], "start": _iso(a.start_on),
                "planned_end": _iso(a.planned_end_on), "extensions": extensions[a.id], "exit": exits.get(a.id),
                "diagnostic": ({"date": _iso(a.diagnostic_on), "areas": {area: found[area] for area in AREAS
                                                                          if area in found}}
                               if a.diagnostic_on is not None else None),
                "plan": plans[a.id],
                "contract": ({"signed": _iso(a.contract_signed_on), "language": a.contract_language}
                             if a.contract_signed_on is not None else None)})

    @staticmethod
    def _right(x) -> dict:
        return {"kind": x.kind, "state": x.state, "requested": _iso(x.requested_on), "obtained": _iso(x.obtained_on),
                "refused": _iso(x.refused_on), "reason": x.refusal_reason}

    @staticmethod
    def _housing_step(x) -> dict:
        return {"kind": x.kind, "date": _iso(x.step_on), "number": x.number}

    @staticmethod
    def _housing(x) -> dict:
        return {"kind": x.kind, "date": _iso(x.access_on)}

    @staticmethod
    def _job(x) -> dict:
        return {"kind": x.kind, "start": _iso(x.start_on), "months": x.months}

    @staticmethod
    def _training(x) -> dict:
        return {"level": x.level, "start": _iso(x.start_on)}

    def _referral(self, x) -> dict:
        record = {"programme": self.scope.programme_refs[x.programme_id], "sent": _iso(x.sent_on),
                  "accepted": _iso(x.accepted_on), "refused": _iso(x.refused_on), "refusal_reason": x.refusal_reason,
                  "started": _iso(x.started_on), "completed": _iso(x.completed_on),
                  "dropped_out": _iso(x.dropped_out_on), "cancelled": _iso(x.cancelled_on)}
        if x.need is not None:
            record["need"] = x.need
        if x.sender_structure_id is not None:
            record["sender"] = self.scope.structure_refs[x.sender_structure_id]
        return record

    def _participation(self, x) -> dict:
        return {"programme": self.scope.programme_refs[x.programme_id], "start": _iso(x.start_on),
                "end": _iso(x.end_on), "planned_hours": x.planned_hours, "attended_hours": x.attended_hours,
                "level_start": x.level_start, "level_end": x.level_end}

    def _event(self, x) -> dict:
        record = {"kind": x.kind, "date": _iso(x.event_on), "event": x.event_ref}
        if x.programme_id is not None:
            record["programme"] = self.scope.programme_refs[x.programme_id]
        return record

    @staticmethod
    def _note(x) -> dict:
        return {"date": _iso(x.noted_on), "text": x.text}

    @staticmethod
    def _language(x) -> dict:
        return {"code": x.code, "level": x.level}

    def _appointment(self, x) -> dict:
        return {"structure": self.scope.structure_refs[x.structure_id], "start": _local(x.start_at),
                "minutes": x.minutes, "kind": x.kind, "mode": x.mode, "interpreter": x.interpreter,
                "status": x.status}

    def _document(self, x) -> dict:
        return {"structure": self.scope.structure_refs[x.structure_id], "kind": x.kind,
                "date": _iso(x.document_on), "expires": _iso(x.expires_on), "filename": x.filename,
                "sha256": x.sha256}


def person_record(person_id: int) -> dict | None:
    """One person's record, exactly as in the export (for the right of access, agir/privacy.py); None if absent."""
    scope = _Scope(None)
    row = _rows(_person_query().where(Person.__table__.c.id == person_id)).first()
    if row is None:
        return None
    return _person(row, row.household_ref, _PathPage([person_id], scope), scope)
