"""Alerts of SPEC §4.4 over the database: candidate rows by SQL, verdicts by agir.rules.alerts, and the
sync of the `alerts` table (the nightly job). The inbox's selects are in agir.queries.inbox.

`compute_alerts(session, as_of)` reads only rows that may hold an alert (SQL filters on dates,
never a scan of every person in Python); `sync_alerts` keeps one row per alert: it appears once,
keeps its first-seen date, gets `resolved_on` when it no longer holds and comes back as new.

A date condition that most rows meet (started on or before as_of, sent more than a week ago, exited six
months ago…) is `scanned`: SQLite, which has no statistics on ranges, would otherwise walk the date's index
and fetch nearly every row of the table one by one, a cost that grew faster than the rows (docs/performance.md,
« Alerts on SQLite »). PostgreSQL's SQL is unchanged by it.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, and_, case, delete, exists, func, insert, or_, select, union_all, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from agir.dates import add_years
from agir.indicators.sql import scanned
from agir.rules import alerts as rules
from models import (
    Accompaniment,
    Alert,
    AlertBadgeCount,
    Appointment,
    Department,
    Document,
    Event,
    Exit,
    Extension,
    FollowUp,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Person,
    PlanObjective,
    Programme,
    Referral,
    RightStep,
    Structure,
    Training,
)
from models.enums import ALERT_KINDS, BPI_STATUSES

REFERRAL_KIND = "referral_unanswered"


@dataclass(frozen=True)
class Found:
    """An alert that holds on a day: what, for whom, for which structure, about what, since when."""

    kind: str
    person_id: int
    structure_id: int | None
    subject_key: str
    due_on: date

    @property
    def key(self) -> tuple:
        """Identity of the alert in the table (its due date may move, it stays the same alert)."""
        return (self.kind, self.person_id, self.structure_id, self.subject_key)


class day_of(FunctionElement):
    """The calendar day of a timestamp column (an appointment's local start), as a DATE."""

    type = Date()
    name = "day_of"
    inherit_cache = True


@compiles(day_of)
def _day_of(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


class latest_of(FunctionElement):
    """The latest of a row's dates, NULLs ignored (NULL when all are): GREATEST on PostgreSQL. SQLite's max(a, b, …)
    is NULL as soon as one is: there the NULLs become '' (before any ISO date) and '' NULL again."""

    type = Date()
    name = "latest_of"
    inherit_cache = True


@compiles(latest_of)
def _latest_of(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(latest_of, "sqlite")
def _latest_of_sqlite(element, compiler, **kw):
    days = ", ".join(f"coalesce({compiler.process(day, **kw)}, '')" for day in element.clauses)
    return f"nullif(max({days}), '')"


def _midnight(day: date) -> datetime:
    """The first minute of a day: an appointment is dated before `day` when it starts before this."""
    return datetime.combine(day, time())


def _live_person():
    return Person.anonymised_at.is_(None)


def _open_on(as_of: date, accompaniment=Accompaniment):
    """Open on as_of: started (nearly every accompaniment, so not through the start date's index) and not exited
    (a few: SQLite reads them by the exit date's index, both sides of the OR)."""
    return and_(scanned(accompaniment.start_on) <= as_of,
                or_(accompaniment.exit_on.is_(None), accompaniment.exit_on > as_of))


def last_activity_subquery(as_of: date, persons=None):
    """Per person, the latest date of anything dated in the file on or before as_of.

    `persons` (a select of person ids) restricts the rows read to those persons' (the job needs
    only the persons with an open accompaniment: a fraction of the files once most have exited).
    """
    # Each table once, for all its dates (a row's latest date on or before as_of: `latest_of`), not once per date.
    sources = [
        # Contract v2: diagnostic and contract signature; below, orientation and documents.
        (Accompaniment.person_id, (Accompaniment.start_on, Accompaniment.diagnostic_on,
                                   Accompaniment.contract_signed_on)),
        (RightStep.person_id, (RightStep.requested_on, RightStep.obtained_on, RightStep.refused_on)),
        (HousingStep.person_id, (HousingStep.step_on,)), (HousingAccess.person_id, (HousingAccess.access_on,)),
        (Job.person_id, (Job.start_on,)), (Training.person_id, (Training.start_on,)),
        (Referral.person_id, (Referral.sent_on, Referral.accepted_on, Referral.refused_on, Referral.started_on,
                              Referral.completed_on, Referral.dropped_out_on, Referral.cancelled_on)),
        (Participation.person_id, (Participation.start_on, Participation.end_on)),
        (Event.person_id, (Event.event_on,)), (Note.person_id, (Note.noted_on,)),
        (Person.id, (Person.oriented_on,)), (Document.person_id, (Document.document_on,)),
    ]
    if persons is not None:
        # SQLite reads them once (it materialises a CTE named more than once), not once per source: an IN
        # (subquery) in each part was evaluated for each part. PostgreSQL keeps its plan of the subquery in each
        # part (NOT MATERIALIZED): with a CTE scan the union lost its parallel workers and took 1.5× the time.
        held = persons.cte("held").prefix_with("NOT MATERIALIZED", dialect="postgresql")

    def among(column) -> tuple:
        return (column.in_(select(held.c[0])),) if persons is not None else ()

    def latest(days):
        if len(days) == 1:
            return days[0]
        return latest_of(*(case((day <= as_of, day)) for day in days))

    parts = [select(pid.label("person_id"), latest(days).label("day"))
             .where(or_(*(day <= as_of for day in days)), *among(pid)) for pid, days in sources]
    parts.append(select(Accompaniment.person_id.label("person_id"), Extension.decided_on.label("day"))
                 .join(Extension, Extension.accompaniment_id == Accompaniment.id)
                 .where(Extension.decided_on <= as_of, *among(Accompaniment.person_id)))
    parts.append(select(Accompaniment.person_id.label("person_id"), PlanObjective.closed_on.label("day"))
                 .join(PlanObjective, PlanObjective.accompaniment_id == Accompaniment.id)
                 .where(PlanObjective.closed_on <= as_of, *among(Accompaniment.person_id)))
    # An honoured appointment counts on the day it started (local time); the others are no activity.
    parts.append(select(Appointment.person_id.label("person_id"), day_of(Appointment.start_at).label("day"))
                 .where(Appointment.status == "honoured", Appointment.start_at < _midnight(as_of + timedelta(days=1)),
                        *among(Appointment.person_id)))
    dated = union_all(*parts).subquery("dated")
    return (select(dated.c.person_id, func.max(dated.c.day).label("last_on"))
            .group_by(dated.c.person_id).subquery("activity"))


def _accompaniment_alerts(session, as_of: date) -> list[Found]:
    """end_soon, overdue, over_limit and inactive on the accompaniments open on as_of."""
    held = aliased(Accompaniment)
    activity = last_activity_subquery(as_of, select(held.person_id).where(_open_on(as_of, held)))
    last_on = activity.c.last_on
    rows = session.execute(
        select(Accompaniment.id, Accompaniment.person_id, Accompaniment.structure_id, Accompaniment.start_on,
               Accompaniment.current_end_on, Accompaniment.exit_on, Department.max_months, last_on)
        .join(Person, Person.id == Accompaniment.person_id)
        .join(Department, Department.id == Person.department_id)
        .outerjoin(activity, activity.c.person_id == Accompaniment.person_id)
        .where(_open_on(as_of), _live_person(), or_(
            Accompaniment.current_end_on <= as_of + timedelta(days=rules.END_SOON_DAYS),
            # Six months are at least 181 days: a superset of the over-limit candidates.
            Accompaniment.start_on <= as_of - timedelta(days=181),
            func.coalesce(last_on, Accompaniment.start_on) <= as_of - timedelta(days=rules.INACTIVE_DAYS),
        ))
    )
    found = []
    for acc_id, person_id, structure_id, start, current_end, exit_on, max_months, last in rows:
        subject = f"accompaniment:{acc_id}"
        verdicts = {
            "end_soon": rules.end_soon(start, current_end, exit_on, as_of),
            "overdue": rules.overdue(start, current_end, exit_on, as_of),
            "over_limit": rules.over_limit(start, exit_on, max_months, as_of),
            "inactive": rules.inactive(start, exit_on, last, as_of),
        }
        found += [Found(kind, person_id, structure_id, subject, v.due_on) for kind, v in verdicts.items() if v]
    return found


def _permit_alerts(session, as_of: date) -> list[Found]:
    """permit_expiry for persons followed on as_of (open accompaniment, or never enrolled)."""
    open_acc = (select(Accompaniment.person_id, Accompaniment.structure_id)
                .where(_open_on(as_of)).subquery("open_acc"))
    ever = exists().where(Accompaniment.person_id == Person.id, Accompaniment.start_on <= as_of)
    rows = session.execute(
        select(Person.id, Person.permit_expiry_on, open_acc.c.structure_id, Person.structure_id)
        .outerjoin(open_acc, open_acc.c.person_id == Person.id)
        .where(_live_person(), Person.permit_expiry_on <= as_of + timedelta(days=rules.PERMIT_EXPIRY_DAYS),
               or_(open_acc.c.person_id.is_not(None), ~ever))
    )
    found = []
    for person_id, expiry, held_by, opened_by in rows:
        verdict = rules.permit_expiry(expiry, as_of)
        if verdict:
            found.append(Found("permit_expiry", person_id, held_by if held_by is not None else opened_by,
                               f"permit:{expiry.isoformat()}", verdict.due_on))
    return found


def _referral_alerts(session, as_of: date) -> list[Found]:
    """referral_unanswered: one alert for the receiving structure, one for the sender when known."""
    not_before = lambda col: or_(col.is_(None), col > as_of)  # noqa: E731 — answer not given yet on as_of
    rows = session.execute(
        select(Referral.id, Referral.person_id, Referral.sent_on, Referral.accepted_on, Referral.refused_on,
               Referral.cancelled_on, Programme.structure_id, Referral.sender_structure_id)
        # Most referrals were sent more than a week ago: the table read in its order, each referral's programme
        # by primary key (not the programmes first, then their referrals by index).
        .join(Programme, Programme.id == scanned(Referral.programme_id))
        .join(Person, Person.id == Referral.person_id)
        .where(_live_person(),
               scanned(Referral.sent_on) <= as_of - timedelta(days=rules.REFERRAL_ANSWER_DAYS + 1),
               not_before(Referral.accepted_on), not_before(Referral.refused_on),
               not_before(Referral.cancelled_on),
               # A referral answered without dates (hand-edited data) is not pending.
               or_(Referral.state == "sent", Referral.accepted_on.is_not(None), Referral.refused_on.is_not(None),
                   Referral.cancelled_on.is_not(None)))
    )
    found = []
    for ref_id, person_id, sent, accepted, refused, cancelled, receiver, sender in rows:
        verdict = rules.referral_unanswered(sent, rules.referral_answered_on(accepted, refused, cancelled), as_of)
        if not verdict:
            continue
        found.extend(Found(REFERRAL_KIND, person_id, structure_id, f"referral:{ref_id}", verdict.due_on)
                     for structure_id in dict.fromkeys(s for s in (receiver, sender) if s is not None))
    return found


def _followup_alerts(session, as_of: date) -> list[Found]:
    """followup_due on exits at least six months old with no follow-up recorded on as_of."""
    rows = session.execute(
        select(Accompaniment.id, Accompaniment.person_id, Accompaniment.structure_id, Accompaniment.exit_on,
               FollowUp.followup_on, Exit.reason)
        .join(Person, Person.id == Accompaniment.person_id)
        .outerjoin(Exit, Exit.accompaniment_id == Accompaniment.id)
        .outerjoin(FollowUp, FollowUp.exit_id == Exit.id)
        .where(_live_person(), scanned(Accompaniment.exit_on) <= as_of - timedelta(days=181),
               or_(Exit.reason.is_(None), Exit.reason != "deceased"),
               or_(FollowUp.id.is_(None), FollowUp.followup_on > as_of))
    )
    found = []
    for acc_id, person_id, structure_id, exit_on, followup_on, reason in rows:
        verdict = rules.followup_due(exit_on, followup_on, as_of, reason)
        if verdict:
            found.append(Found("followup_due", person_id, structure_id, f"accompaniment:{acc_id}", verdict.due_on))
    return found


def _eligibility_alerts(session, as_of: date) -> list[Found]:
    """eligibility_closing: BPI never enrolled whose protection + 2 years falls in the next 30 days."""
    enrolled = exists().where(Accompaniment.person_id == Person.id, Accompaniment.start_on <= as_of)
    low = add_years(as_of, -2) - timedelta(days=3)
    high = add_years(as_of + timedelta(days=rules.ELIGIBILITY_CLOSING_DAYS), -2) + timedelta(days=3)
    rows = session.execute(
        select(Person.id, Person.status, Person.protection_on, Person.structure_id, Department.agir_start_on)
        .join(Department, Department.id == Person.department_id)
        .where(_live_person(), Person.status.in_(BPI_STATUSES), Person.protection_on.between(low, high),
               Department.agir_start_on.is_not(None), ~enrolled)
    )
    found = []
    for person_id, status, protection_on, structure_id, agir_start in rows:
        verdict = rules.eligibility_closing(status, protection_on, False, agir_start, as_of)
        if verdict:
            found.append(Found("eligibility_closing", person_id, structure_id,
                               f"protection:{protection_on.isoformat()}", verdict.due_on))
    return found


def _first_interview_alerts(session, as_of: date) -> list[Found]:
    """first_interview_late: oriented more than a month ago, no honoured first interview since, path not over."""
    # Honoured first interview at any structure, dated from the orientation's day to as_of (the timestamp
    # compared with the DATE: from its first minute).
    interviewed = exists().where(Appointment.person_id == Person.id, Appointment.kind == "first_interview",
                                 Appointment.status == "honoured", Appointment.start_at >= Person.oriented_on,
                                 Appointment.start_at < _midnight(as_of + timedelta(days=1)))
    # Path over: an accompaniment exited on or before as_of and none open. One NOT EXISTS of an exit without an
    # open accompaniment beside it, not NOT (ended AND NOT open): PostgreSQL runs the two anti-joins on hashes
    # of the accompaniments; the OR of the old form was a subplan run for each person oriented a month ago
    # (558,000 index probes at 1,000,000 persons once its hash outgrew work_mem: « Alerts on PostgreSQL at
    # 1,000,000 », docs/performance.md).
    exited, held = aliased(Accompaniment), aliased(Accompaniment)
    path_over = exists().where(exited.person_id == Person.id, exited.exit_on <= as_of,
                               ~exists().where(held.person_id == exited.person_id, _open_on(as_of, held)))
    rows = session.execute(
        select(Person.id, Person.oriented_on, Person.orientation_structure_id)
        .where(_live_person(),
               # One month is at least 28 days: a superset of the late orientations, decided by the rule.
               scanned(Person.oriented_on) <= as_of - timedelta(days=28),
               ~interviewed, ~path_over)
    )
    found = []
    for person_id, oriented_on, structure_id in rows:
        verdict = rules.first_interview_late(oriented_on, None, False, as_of)
        if verdict:
            found.append(Found("first_interview_late", person_id, structure_id,
                               f"orientation:{oriented_on.isoformat()}", verdict.due_on))
    return found


def _appointment_alerts(session, as_of: date) -> list[Found]:
    """appointment_missed: per person and structure, the latest appointment dated before as_of (cancelled and
    excused ones aside) is missed or still planned, and nothing is planned there from as_of on.

    The pairs that can hold the alert are found first: a missed or still planned appointment before as_of,
    nothing planned from as_of on (EXCEPT). Only their appointments before as_of are numbered, latest first
    (at the same minute: honoured, then missed, then planned, then the last one recorded:
    rules.appointment_rank), and the first of each is kept when missed or planned. The other pairs' agendas —
    most of the table, honoured appointments — are neither sorted nor numbered. No correlated subquery:
    SQLite would walk a structure's whole agenda for each candidate.
    """
    day0 = _midnight(as_of)
    rank = case((Appointment.status == "honoured", 0), (Appointment.status == "missed", 1), else_=2)
    unheld, planned = aliased(Appointment), aliased(Appointment)
    pairs = (select(unheld.person_id, unheld.structure_id)
             .where(scanned(unheld.start_at) < day0, unheld.status.in_(rules.APPOINTMENT_NOT_HELD))
             .except_(select(planned.person_id, planned.structure_id)
                      .where(planned.start_at >= day0, planned.status == "planned"))
             .cte("pairs"))
    ranked = (select(Appointment.id, Appointment.person_id, Appointment.structure_id, Appointment.start_at,
                     Appointment.status,
                     func.row_number().over(partition_by=(Appointment.person_id, Appointment.structure_id),
                                            order_by=(Appointment.start_at.desc(), rank, Appointment.id.desc()))
                     .label("position"))
              .join(pairs, and_(pairs.c.person_id == Appointment.person_id,
                                pairs.c.structure_id == Appointment.structure_id))
              .where(scanned(Appointment.start_at) < day0, Appointment.status.not_in(rules.APPOINTMENT_IGNORED))
              .subquery("ranked"))
    rows = session.execute(
        select(ranked.c.id, ranked.c.person_id, ranked.c.structure_id, ranked.c.start_at, ranked.c.status)
        .join(Person, Person.id == ranked.c.person_id)
        .where(_live_person(), ranked.c.position == 1, ranked.c.status.in_(rules.APPOINTMENT_NOT_HELD))
    )
    found = []
    for appointment_id, person_id, structure_id, start_at, status in rows:
        verdict = rules.appointment_missed(start_at.date(), status, False, as_of)
        if verdict:
            found.append(Found("appointment_missed", person_id, structure_id, f"appointment:{appointment_id}",
                               verdict.due_on))
    return found


def _document_alerts(session, as_of: date) -> list[Found]:
    """document_expiry: the latest-expiring document of its kind expires within 90 days (or has expired),
    for persons followed on as_of (open accompaniment: its structure; never enrolled: the document's).
    Only current documents count, on both sides: a replaced one (issue 18) is history, never an alert."""
    newer = aliased(Document)
    superseded = exists().where(newer.person_id == Document.person_id, newer.kind == Document.kind,
                                newer.expires_on > Document.expires_on, newer.replaced_by_id.is_(None))
    open_acc = (select(Accompaniment.person_id, Accompaniment.structure_id)
                .where(_open_on(as_of)).subquery("open_acc"))
    ever = exists().where(Accompaniment.person_id == Document.person_id, Accompaniment.start_on <= as_of)
    rows = session.execute(
        select(Document.id, Document.person_id, Document.structure_id, Document.expires_on, open_acc.c.structure_id)
        .join(Person, Person.id == Document.person_id)
        .outerjoin(open_acc, open_acc.c.person_id == Document.person_id)
        .where(_live_person(), scanned(Document.expires_on) <= as_of + timedelta(days=rules.DOCUMENT_EXPIRY_DAYS),
               Document.replaced_by_id.is_(None), ~superseded, or_(open_acc.c.person_id.is_not(None), ~ever))
    )
    found = []
    for document_id, person_id, kept_by, expires_on, held_by in rows:
        verdict = rules.document_expiry(expires_on, False, True, as_of)
        if verdict:
            found.append(Found("document_expiry", person_id, held_by if held_by is not None else kept_by,
                               f"document:{document_id}", verdict.due_on))
    return found


def compute_alerts(session, as_of: date) -> list[Found]:
    """Every alert that holds on as_of, from the data as it stands."""
    found = []
    for part in (_accompaniment_alerts, _permit_alerts, _referral_alerts, _followup_alerts, _eligibility_alerts,
                 _first_interview_alerts, _appointment_alerts, _document_alerts):
        found += part(session, as_of)
    return found


def as_interchange(session, found: list[Found]) -> list[dict]:
    """The JSON list of INTERCHANGE.md: {"kind", "person", "structure", "date"}, refs and ISO dates, sorted."""
    person_ids = sorted({f.person_id for f in found})
    person_refs: dict[int, str] = {}
    for i in range(0, len(person_ids), 500):
        chunk = person_ids[i:i + 500]
        person_refs.update(session.execute(select(Person.id, Person.ref).where(Person.id.in_(chunk))).all())
    structure_refs = dict(session.execute(select(Structure.id, Structure.ref)).all())
    items = [{"kind": f.kind, "person": person_refs[f.person_id],
              "structure": structure_refs.get(f.structure_id) if f.structure_id is not None else None,
              "date": f.due_on.isoformat()} for f in found]
    order = {kind: i for i, kind in enumerate(ALERT_KINDS)}
    items.sort(key=lambda a: (a["date"], order[a["kind"]], a["person"], a["structure"] or ""))
    return items


def forget_badge_counts(session) -> None:
    """Drop every header badge count kept a minute (agir.queries.inbox.kept_badge_count): whatever writes or
    deletes alerts calls it in its own transaction, so the next page counts again."""
    session.execute(delete(AlertBadgeCount))


def sync_alerts(session, found: list[Found], as_of: date) -> dict:
    """Bring the alerts table in line with `found` on as_of (flush, no commit); returns the counts.

    Only what changed is written row by row: new alerts, alerts that come back, alerts resolved, and kept
    alerts whose due date moved. Every other open alert was seen again today: one set-based statement moves
    their `last_seen_on` (a night with nothing new sent one UPDATE per open alert from Python, 263,652 at
    1,000,000 persons: most of the job's time; docs/performance.md « The alerts job writes what changed »)."""
    known = {(kind, pid, sid, subject): (aid, resolved, due)
             for aid, kind, pid, sid, subject, resolved, due in session.execute(
                 select(Alert.id, Alert.kind, Alert.person_id, Alert.structure_id, Alert.subject_key,
                        Alert.resolved_on, Alert.due_on)).all()}
    wanted = {f.key: f for f in found}
    new, updates, counts = [], [], {"new": 0, "kept": 0, "reopened": 0, "resolved": 0}
    for key, f in wanted.items():
        if key not in known:
            new.append({"kind": f.kind, "person_id": f.person_id, "structure_id": f.structure_id,
                        "subject_key": f.subject_key, "due_on": f.due_on, "first_seen_on": as_of,
                        "last_seen_on": as_of, "resolved_on": None})
            counts["new"] += 1
            continue
        alert_id, resolved, due = known[key]
        if resolved is not None:  # it comes back: a new episode, seen for the first time today
            updates.append({"id": alert_id, "due_on": f.due_on, "last_seen_on": as_of, "resolved_on": None,
                            "first_seen_on": as_of})
            counts["reopened"] += 1
            continue
        counts["kept"] += 1
        if due != f.due_on:
            updates.append({"id": alert_id, "due_on": f.due_on, "last_seen_on": as_of})
    for key, (alert_id, resolved, _due) in known.items():
        if resolved is None and key not in wanted:
            updates.append({"id": alert_id, "resolved_on": as_of})
            counts["resolved"] += 1
    _bulk(session, new, updates)
    # The open alerts now are exactly those found today: each was seen today.
    session.execute(update(Alert).where(Alert.resolved_on.is_(None), Alert.last_seen_on != as_of)
                    .values(last_seen_on=as_of).execution_options(synchronize_session=False))
    forget_badge_counts(session)
    counts["open"] = len(wanted)
    return counts


def _bulk(session, new: list[dict], updates: list[dict]) -> None:
    """Executemany in chunks: INSERT new rows, UPDATE by primary key (rows with the same keys together)."""
    for i in range(0, len(new), 1000):
        session.execute(insert(Alert), new[i:i + 1000])
    groups: dict[tuple, list[dict]] = {}
    for change in updates:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    for rows in groups.values():
        for i in range(0, len(rows), 1000):
            session.execute(update(Alert), rows[i:i + 1000])
    session.flush()
