"""The retention job: anonymise the files past their retention period, purge the old audit entries.

A file is anonymised (agir.privacy.anonymise_persons) when none of its accompaniments is open and its
last activity is RETENTION_YEARS years old or more: last activity = the latest date recorded in the
file (start, extension, exit or follow-up of an accompaniment, right steps, housing, jobs,
trainings, referral steps, participations, events, notes; orientation, honoured appointments,
documents, diagnostic, contract signature, closed plan objectives), or the creation of the file when it
holds none. Views, exports and technical timestamps are not activity (docs/rules.md).

Audit entries older than AUDIT_RETENTION_DAYS are deleted: the only delete path of the audit table.

`run_retention` is one unit of work that flushes and never commits: agir.jobs (nightly) and the
`agir retention` command commit, or roll back for a dry run. Running it twice changes nothing more.
"""
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, or_, select, union_all

from agir.dates import PARIS, add_years
from agir.extensions import db
from agir.privacy import anonymise_persons
from models import (
    Accompaniment,
    Appointment,
    AuditEntry,
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
    Referral,
    RightStep,
    Training,
)

log = logging.getLogger("agir.retention")


@dataclass
class RetentionResult:
    """What a run did (or would do, for a dry run)."""

    as_of: date
    years: int
    audit_days: int
    dry_run: bool = False
    anonymised: list[int] = field(default_factory=list)
    audit_purged: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """The figures, for logs and the command line."""
        return {"anonymised": len(self.anonymised), "audit_purged": self.audit_purged}


def _dated_columns():
    """(person id column, date column, join) of every dated record of a file."""
    acc = Accompaniment
    return [
        select(acc.person_id.label("person_id"), acc.start_on.label("day")),
        select(acc.person_id, acc.exit_on),
        select(acc.person_id, Extension.decided_on).join(Extension, Extension.accompaniment_id == acc.id),
        select(acc.person_id, FollowUp.followup_on).join(Exit, Exit.accompaniment_id == acc.id)
        .join(FollowUp, FollowUp.exit_id == Exit.id),
        *[select(RightStep.person_id, column) for column in
          (RightStep.requested_on, RightStep.obtained_on, RightStep.refused_on)],
        select(HousingStep.person_id, HousingStep.step_on),
        select(HousingAccess.person_id, HousingAccess.access_on),
        select(Job.person_id, Job.start_on),
        select(Training.person_id, Training.start_on),
        *[select(Referral.person_id, column) for column in
          (Referral.sent_on, Referral.accepted_on, Referral.refused_on, Referral.started_on,
           Referral.completed_on, Referral.dropped_out_on, Referral.cancelled_on)],
        select(Participation.person_id, Participation.start_on),
        select(Participation.person_id, Participation.end_on),
        select(Event.person_id, Event.event_on),
        select(Note.person_id, Note.noted_on),
        # Contract v2 (issue 15): the orientation, honoured appointments (their day in Paris: start_at is
        # the local wall clock), documents, the diagnostic, the contract's signature, closed objectives.
        select(Person.id, Person.oriented_on),
        select(Appointment.person_id, func.date(Appointment.start_at)).where(Appointment.status == "honoured"),
        select(Document.person_id, Document.document_on),
        select(acc.person_id, acc.diagnostic_on),
        select(acc.person_id, acc.contract_signed_on),
        select(acc.person_id, PlanObjective.closed_on).join(PlanObjective, PlanObjective.accompaniment_id == acc.id),
    ]


def last_activity():
    """Subquery (person_id, last): the latest date recorded in each file (one GROUP BY over every table)."""
    days = union_all(*_dated_columns()).subquery()
    return (select(days.c.person_id, func.max(days.c.day).label("last"))
            .where(days.c.day.is_not(None)).group_by(days.c.person_id).subquery())


def expired_persons(as_of: date, years: int) -> list[tuple[int, date]]:
    """(id, birth date) of the files to anonymise on as_of, oldest first."""
    # SQL keeps a superset (one day of slack for 29 February); the exact calendar test runs on those only.
    cutoff = add_years(as_of, -years) + timedelta(days=1)
    activity = last_activity()
    is_open = exists().where(Accompaniment.person_id == Person.id, Accompaniment.exit_on.is_(None))
    rows = db.session.execute(
        select(Person.id, Person.birth_on, activity.c.last, Person.created_at)
        .outerjoin(activity, activity.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None), ~is_open,
               or_(activity.c.last <= cutoff,
                   and_(activity.c.last.is_(None), Person.created_at < datetime.combine(cutoff, time.min))))
        .order_by(Person.id)
    ).all()
    # created_at is a UTC time: the file's day of creation is the day in France (agir.dates.today's zone).
    return [(pid, born) for pid, born, last, created in rows
            if add_years(last if last is not None else created.replace(tzinfo=UTC).astimezone(PARIS).date(),
                         years) <= as_of]


def purge_audit(as_of: date, days: int, dry_run: bool = False) -> int:
    """Delete (or count) the audit entries older than `days` days on as_of; the number of entries."""
    before = datetime.combine(as_of - timedelta(days=days), time.min)
    if dry_run:
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.at < before)) or 0
    return db.session.execute(delete(AuditEntry.__table__).where(AuditEntry.__table__.c.at < before)).rowcount


def run_retention(as_of: date, actor=None, *, years: int | None = None, audit_days: int | None = None,
                  dry_run: bool = False) -> RetentionResult:
    """Anonymise the expired files and purge the old audit entries on as_of (flushes, never commits)."""
    config = current_app.config
    years = config.get("RETENTION_YEARS", 2) if years is None else years
    audit_days = config.get("AUDIT_RETENTION_DAYS", 365) if audit_days is None else audit_days
    result = RetentionResult(as_of=as_of, years=years, audit_days=audit_days, dry_run=dry_run)
    result.audit_purged = purge_audit(as_of, audit_days, dry_run)
    expired = expired_persons(as_of, years)
    result.anonymised = [pid for pid, _ in expired]
    if not dry_run:
        anonymise_persons(actor, expired, f"Conservation : aucune activité depuis {years} an(s) "
                                          f"après la fin de l'accompagnement (au {as_of.isoformat()})")
        db.session.flush()
    log.info("Conservation au %s%s : %s", as_of.isoformat(), " (essai)" if dry_run else "", result.counts)
    return result
