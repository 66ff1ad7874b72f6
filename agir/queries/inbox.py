"""The alert inbox's selects: the open alerts a user may see (never another structure's), by kind, the
header badge, the pilot's counts by kind, and the document, appointment or referral behind an alert.

The alerts themselves are computed and kept by agir.alerts (the nightly job).
"""
import logging
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, false, func, select
from sqlalchemy.exc import DBAPIError

from agir.access import full_file_condition, limited_view_condition
from agir.alerts import REFERRAL_KIND
from models import Alert, AlertBadgeCount, Appointment, Document, Person, Programme, Referral
from models.base import utcnow
from models.enums import ALERT_KINDS
from models.upsert import replace_row

log = logging.getLogger("agir.alerts_badge")
# How long a badge count is read instead of counted (alert_badge_counts): see kept_badge_count.
BADGE_SECONDS = 60


def open_alert_person_ids(structure_id: int, kind: str | None = None) -> Select:
    """select() of the ids of persons with an open alert for the structure (optionally of one kind)."""
    query = select(Alert.person_id).where(Alert.structure_id == structure_id, Alert.resolved_on.is_(None))
    if kind:
        query = query.where(Alert.kind == kind)
    return query.distinct()


def kinds_for(user) -> tuple[str, ...]:
    """Alert kinds a user sees in the inbox: all for a social worker, unanswered referrals for an officer."""
    role = getattr(user, "role", None)
    if role == "social_worker":
        return ALERT_KINDS
    if role == "referral_officer":
        return (REFERRAL_KIND,)
    return ()


def inbox_condition(user):
    """SQL condition on Alert (joined to Person) for the open alerts a user may see, never another structure's."""
    kinds = kinds_for(user)
    if not kinds or not getattr(user, "structure_id", None):
        return false()
    person_ok = full_file_condition(user) if user.role == "social_worker" else limited_view_condition(user)
    return and_(Alert.structure_id == user.structure_id, Alert.resolved_on.is_(None), Alert.kind.in_(kinds),
                Person.anonymised_at.is_(None), person_ok)


def inbox_query(user, kind: str | None = None) -> Select:
    """select(Alert, Person) of the user's inbox, the longest-due first."""
    query = select(Alert, Person).join(Person, Person.id == Alert.person_id).where(inbox_condition(user))
    if kind:
        query = query.where(Alert.kind == kind)
    return query.order_by(Alert.due_on, Alert.kind, Person.last_name, Person.first_name, Alert.id)


def inbox_counts(session, user) -> dict[str, int]:
    """Open alerts of the user's inbox by kind (GROUP BY)."""
    rows = session.execute(select(Alert.kind, func.count(Alert.id)).join(Person, Person.id == Alert.person_id)
                           .where(inbox_condition(user)).group_by(Alert.kind)).all()
    return dict(rows)


def badge_count(session, user) -> int:
    """Number shown in the header badge: the open alerts of the user's inbox."""
    return session.scalar(select(func.count(Alert.id)).join(Person, Person.id == Alert.person_id)
                          .where(inbox_condition(user))) or 0


def kept_badge_count(session, user, seconds: float = BADGE_SECONDS, now: datetime | None = None) -> int:
    """badge_count, read from the table alert_badge_counts while fresh instead of counted on every page.

    Counting a structure's open alerts grows with the structure (~150 ms of database at 1,000,000 persons, on
    every page a social worker opens: docs/performance.md, « One million persons on PostgreSQL »); the count
    is the same for every user of the structure and role, so the first page of the minute counts it
    (badge_count, the very query of the inbox) and keeps it `seconds` for every worker and host; the others
    read one row by its primary key. The alerts job, the inbox's « recalculer » and the writes that delete
    alerts, and the anonymisation (its files leave the inboxes), delete every kept count (in their own
    transaction: agir.alerts.sync_alerts, agir.operations, agir.privacy), so the badge is right again at the
    first page after them; a count taken in the very moment one of them commits shows within `seconds`. The
    write goes through a connection of its own, committed at once (like the dashboard's cache): it never waits
    on the request's transaction, and a failed write never breaks the page."""
    structure_id = getattr(user, "structure_id", None)
    if seconds <= 0 or not kinds_for(user) or not structure_id:
        return badge_count(session, user)
    now = now or utcnow()
    role = str(user.role)
    kept = session.scalar(select(AlertBadgeCount.open_count).where(
        AlertBadgeCount.structure_id == structure_id, AlertBadgeCount.role == role, AlertBadgeCount.expires_at > now))
    if kept is not None:
        return kept
    count = badge_count(session, user)
    values = {"structure_id": structure_id, "role": role, "open_count": count, "computed_at": now,
              "expires_at": now + timedelta(seconds=seconds)}
    try:
        with session.get_bind().begin() as conn:
            conn.execute(replace_row(AlertBadgeCount.__table__, values, ["structure_id", "role"], conn.dialect.name))
    except DBAPIError:  # the count is shown all the same; the next page counts again
        log.exception("Nombre d'alertes du bandeau non conservé.")
    return count


def department_counts(session, department_id: int) -> dict[str, int]:
    """Open alerts by kind for the persons of a department (counts only, for the pilot)."""
    rows = session.execute(select(Alert.kind, func.count(func.distinct(Alert.person_id)))
                           .join(Person, Person.id == Alert.person_id)
                           .where(Person.department_id == department_id, Alert.resolved_on.is_(None))
                           .group_by(Alert.kind)).all()
    counts = dict.fromkeys(ALERT_KINDS, 0)
    counts.update(rows)
    return counts


def subjects_of(session, alerts) -> dict[str, object]:
    """The document or appointment behind document_expiry and appointment_missed alerts, by subject key
    (the inbox names the document's kind and says whether the appointment was missed or left planned)."""
    found: dict[str, object] = {}
    for prefix, model in (("document:", Document), ("appointment:", Appointment)):
        ids = [int(a.subject_key.split(":")[1]) for a in alerts if a.subject_key.startswith(prefix)]
        if ids:
            found.update({f"{prefix}{row.id}": row for row in session.scalars(select(model).where(model.id.in_(ids)))})
    return found


def referrals_of(session, alerts) -> dict[int, tuple]:
    """Referral and programme behind referral alerts, by referral id (for the officer's inbox)."""
    ids = [int(a.subject_key.split(":")[1]) for a in alerts if a.subject_key.startswith("referral:")]
    if not ids:
        return {}
    rows = session.execute(select(Referral, Programme).join(Programme, Programme.id == Referral.programme_id)
                           .where(Referral.id.in_(ids))).all()
    return {r.id: (r, p) for r, p in rows}
