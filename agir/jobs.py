"""Scheduled jobs: plain functions taking `as_of`, run by the scheduler process or `agir run-jobs`.

A job never runs twice at once, even from several processes: it first takes a named lock row in
`job_locks` by an atomic UPDATE … WHERE (free or expired), or an INSERT when the row does not
exist yet, on its own connection and committed at once; the lock is released at the end and
expires by itself if the process dies. A job is one unit of work: it commits once.
"""
import logging
import os
import socket
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from agir import alerts, dates, mail
from agir.dates import format_fr
from agir.extensions import db
from agir.labels import label
from agir.queries import inbox
from models import Alert, JobLock, OutboxMessage, Person, User
from models.base import utcnow
from models.enums import ALERT_KINDS

log = logging.getLogger("agir.jobs")
LOCK_TTL = timedelta(hours=2)
ALERTS_LOCK, DIGEST_LOCK = "alerts", "digest"


def paris_today() -> date:
    """Today in France (the server may run on UTC): agir.dates.today, the application's one « today »."""
    return dates.today()


# --- The lock --------------------------------------------------------------------------------------

def acquire_lock(name: str, ttl: timedelta = LOCK_TTL, holder: str | None = None) -> str | None:
    """Take the named lock for ttl; the holder's token, or None when someone else holds it."""
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now, table = utcnow(), JobLock.__table__
    with db.engine.begin() as conn:
        taken = conn.execute(
            update(table).where(table.c.name == name,
                                or_(table.c.expires_at.is_(None), table.c.expires_at <= now))
            .values(holder=holder, locked_at=now, expires_at=now + ttl)
        ).rowcount
    if taken == 1:
        return holder
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(table).values(name=name, holder=holder, locked_at=now, expires_at=now + ttl))
    except IntegrityError:  # the row exists and is held (or another process inserted it first)
        return None
    return holder


def release_lock(name: str, holder: str) -> None:
    """Free the lock if we still hold it (locked_at stays: the start of the last run)."""
    table = JobLock.__table__
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.name == name, table.c.holder == holder)
                     .values(holder=None, expires_at=None))


@contextmanager
def job_lock(name: str, ttl: timedelta = LOCK_TTL):
    """`with job_lock("alerts") as holder:` — holder is None when the job already runs elsewhere."""
    holder = acquire_lock(name, ttl)
    try:
        yield holder
    finally:
        if holder:
            release_lock(name, holder)


def last_run_at(name: str = ALERTS_LOCK) -> datetime | None:
    """When the job last started (UTC), or None if it never ran."""
    return db.session.scalar(select(JobLock.locked_at).where(JobLock.name == name))


# --- The nightly alerts job --------------------------------------------------------------------------

def run_alerts(as_of: date | None = None) -> dict | None:
    """Compute the alerts of SPEC §4.4 on as_of and sync the alerts table; None if already running."""
    as_of = as_of or paris_today()
    with job_lock(ALERTS_LOCK) as holder:
        if holder is None:
            log.warning("Calcul des alertes déjà en cours dans un autre processus : rien à faire.")
            return None
        try:
            counts = alerts.sync_alerts(db.session, alerts.compute_alerts(db.session, as_of), as_of)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    log.info("Alertes au %s : %s", as_of.isoformat(), counts)
    return counts


# --- The daily digest --------------------------------------------------------------------------------

def digest_subject(as_of: date) -> str:
    """Subject of the digest of a day (also how a second run of the day knows it was sent)."""
    return f"AGIR — vos alertes du {format_fr(as_of)}"


def _new_counts(user, as_of: date) -> dict[str, int]:
    rows = db.session.execute(
        select(Alert.kind, func.count(Alert.id)).join(Person, Person.id == Alert.person_id)
        .where(inbox.inbox_condition(user), Alert.first_seen_on == as_of).group_by(Alert.kind)).all()
    return dict(rows)


def digest_body(user, as_of: date, base_url: str = "") -> str | None:
    """The digest of a user's open alerts: counts only, never a name; None when there is nothing."""
    if user.role == "pilot" and user.department_id:
        counts, new = inbox.department_counts(db.session, user.department_id), {}
        scope = f"le département {user.department.name}"
        unit = "personne(s)"
    elif inbox.kinds_for(user) and user.structure_id:
        counts, new = inbox.inbox_counts(db.session, user), _new_counts(user, as_of)
        scope = user.structure.name
        unit = "alerte(s)"
    else:
        return None
    if not any(counts.values()):
        return None
    lines = ["Bonjour,", "", f"Alertes AGIR ouvertes au {format_fr(as_of)} pour {scope} :", ""]
    for kind in ALERT_KINDS:
        if counts.get(kind):
            extra = f" (dont {new[kind]} nouvelle(s))" if new.get(kind) else ""
            lines.append(f"- {label(kind, 'alert_kind')} : {counts[kind]} {unit}{extra}")
    where = f"{base_url.rstrip('/')}/alerts/" if user.role != "pilot" else f"{base_url.rstrip('/')}/pilot/"
    lines += ["", f"Pour les consulter : {where}" if base_url else "Pour les consulter : rubrique « "
              + ("Tableau de bord" if user.role == "pilot" else "Alertes") + " » d'AGIR.", "",
              "Ce message ne contient volontairement aucun nom : les informations personnelles restent dans AGIR.",
              "Vous recevez ce récapitulatif car vous l'avez demandé ; vous pouvez l'arrêter depuis la page "
              "des alertes."]
    return "\n".join(lines)


def send_digests(as_of: date | None = None, config=None) -> dict | None:
    """One digest per opted-in user (once a day); None if the digest job already runs elsewhere."""
    from flask import current_app
    as_of = as_of or paris_today()
    config = config if config is not None else current_app.config
    base_url = config.get("BASE_URL") or os.environ.get("AGIR_BASE_URL", "")
    subject = digest_subject(as_of)
    with job_lock(DIGEST_LOCK) as holder:
        if holder is None:
            return None
        counts = {"sent": 0, "kept": 0, "skipped": 0}
        try:
            users = db.session.scalars(select(User).where(User.wants_digest.is_(True), User.is_enabled.is_(True))
                                       .order_by(User.id)).all()
            done = set(db.session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.subject == subject)))
            for user in users:
                body = None if user.id in done else digest_body(user, as_of, base_url)
                if body is None:
                    counts["skipped"] += 1
                    continue
                message = mail.deliver(db.session, config, recipient=user.email, subject=subject, body=body,
                                       user_id=user.id)
                counts["sent" if message.sent_at else "kept"] += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return counts


# --- The nightly retention job (agir/retention.py) ------------------------------------------------------

RETENTION_LOCK = "retention"


def run_retention_job(as_of: date | None = None, dry_run: bool = False) -> dict | None:
    """Anonymise the expired files and purge the old audit entries, one commit; None if already running."""
    from agir.documents.purge import sweep_orphans
    from agir.retention import run_retention
    as_of = as_of or paris_today()
    with job_lock(RETENTION_LOCK) as holder:
        if holder is None:
            log.warning("Tâche de conservation déjà en cours dans un autre processus : rien à faire.")
            return None
        try:
            counts = run_retention(as_of, dry_run=dry_run).counts
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        # Bytes whose deletion failed after an earlier commit (agir.documents.purge): a day old, they go now.
        counts["orphans_deleted"] = sweep_orphans(db.session, dry_run=dry_run)
        db.session.rollback()  # the sweep only read
    return counts


# --- Appointment reminders (agir/reminders.py, issue 17) --------------------------------------------------

REMINDERS_LOCK = "reminders"


def run_reminders(now: datetime | None = None, config=None) -> dict | None:
    """Write and send the reminders due at `now` (Paris wall-clock time, naive; the current time by default),
    under the job's database lock; None when another process is already sending them."""
    from flask import current_app

    from agir import reminders
    from agir.operations.appointments import paris_now
    now = now or paris_now()
    with job_lock(REMINDERS_LOCK, ttl=timedelta(minutes=30)) as holder:
        if holder is None:
            log.warning("Envoi des rappels déjà en cours dans un autre processus : rien à faire.")
            return None
        try:
            counts = reminders.run(config if config is not None else current_app.config, now)
        except Exception:
            db.session.rollback()
            raise
    log.info("Rappels de rendez-vous à %s : %s", now.isoformat(timespec="minutes"), counts)
    return counts


# --- Documents still waiting for the virus scan (issue 18; agir/operations/documents.py) -------------------

DOCUMENTS_SCAN_LOCK = "documents_scan"


def run_document_scan(config=None) -> dict | None:
    """Scan the pending documents (one commit each); None when another process is already at it."""
    from flask import current_app

    from agir.operations.documents import scan_pending
    with job_lock(DOCUMENTS_SCAN_LOCK) as holder:
        if holder is None:
            log.warning("Analyse des documents déjà en cours dans un autre processus : rien à faire.")
            return None
        try:
            return scan_pending(config if config is not None else current_app.config)
        except Exception:
            db.session.rollback()
            raise
