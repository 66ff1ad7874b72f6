"""The scheduler process (`flask --app wsgi agir scheduler`): APScheduler 3 with its jobs persisted
in the application's database, never inside a web worker.

Jobs: the alerts at 02:00, the retention job at 03:30, the e-mail digest at 07:00 and the appointment reminders
every 15 minutes from 08:00 to 19:45 (agir/reminders.py), Europe/Paris;
coalesced (runs missed while the process was busy run once), one instance at a time; a night
missed while the process was down is caught up as soon as it starts. A second
scheduler process started by mistake is harmless: both rewrite the same job rows
(replace_existing) and the database lock of agir.jobs lets only one of them run a job.
"""
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("agir.scheduler")
TIMEZONE = "Europe/Paris"
NIGHTLY_AT = time(2, 0)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}
JOBS = (
    {"id": "nightly_alerts", "func": "agir.scheduler:nightly_alerts", "name": "Calcul des alertes",
     "trigger": "cron", "hour": NIGHTLY_AT.hour, "minute": NIGHTLY_AT.minute},
    {"id": "daily_digest", "func": "agir.scheduler:daily_digest", "name": "Récapitulatif quotidien par courriel",
     "trigger": "cron", "hour": 7, "minute": 0},
    # Issue 17: appointment reminders, every 15 minutes in the daytime only (08:00–19:45, Paris time).
    {"id": "appointment_reminders", "func": "agir.scheduler:appointment_reminders",
     "name": "Rappels de rendez-vous (courriel et SMS)", "trigger": "cron", "hour": "8-19", "minute": "*/15"},
    {"id": "nightly_retention", "func": "agir.scheduler:nightly_retention",
     "name": "Anonymisation des dossiers expirés et purge du journal", "trigger": "cron", "hour": 3, "minute": 30},
    # Issue 18: documents left « en attente d'analyse » while the virus scanner did not answer.
    {"id": "documents_scan", "func": "agir.scheduler:documents_scan",
     "name": "Analyse antivirus des documents en attente", "trigger": "cron", "minute": "*/10"},
)

_app = None


def _application():
    """The Flask app the jobs run in (the scheduler's own, or a fresh one in another process)."""
    global _app
    if _app is None:
        from agir.app import create_app
        _app = create_app()
    return _app


def nightly_alerts() -> None:
    """Scheduled entry point of agir.jobs.run_alerts (textual reference kept in the job store)."""
    from agir import jobs
    with _application().app_context():
        jobs.run_alerts()


def daily_digest() -> None:
    """Scheduled entry point of agir.jobs.send_digests."""
    from agir import jobs
    with _application().app_context():
        jobs.send_digests()


def appointment_reminders() -> None:
    """Scheduled entry point of agir.jobs.run_reminders (agir/reminders.py)."""
    from agir import jobs
    with _application().app_context():
        jobs.run_reminders()


def nightly_retention() -> None:
    """Scheduled entry point of agir.jobs.run_retention_job (agir/retention.py)."""
    from agir import jobs
    with _application().app_context():
        jobs.run_retention_job()


def documents_scan() -> None:
    """Scheduled entry point of agir.jobs.run_document_scan (agir/operations/documents.py)."""
    from agir import jobs
    with _application().app_context():
        jobs.run_document_scan()


def missed_last_night(last_run_utc: datetime | None, now: datetime) -> bool:
    """True when the last nightly run is older than the latest 02:00 in Paris (the process was down)."""
    paris = ZoneInfo(TIMEZONE)
    now = now.astimezone(paris)
    day = now.date() if now.time() >= NIGHTLY_AT else now.date() - timedelta(days=1)
    latest = datetime.combine(day, NIGHTLY_AT, tzinfo=paris)
    if last_run_utc is None:
        return True
    return last_run_utc.replace(tzinfo=ZoneInfo("UTC")) < latest


def configure(scheduler, app):
    """Give a scheduler the database job store and the AGIR jobs (call inside an app context).

    A missed night (no run since the latest 02:00) is caught up at once by a one-off job.
    """
    from agir.extensions import db
    global _app
    _app = app
    scheduler.configure(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS,
                        jobstores={"default": SQLAlchemyJobStore(engine=db.engine)})
    for job in JOBS:
        spec = dict(job)
        scheduler.add_job(spec.pop("func"), replace_existing=True, **spec)
    from agir.jobs import last_run_at
    if missed_last_night(last_run_at(), datetime.now(ZoneInfo(TIMEZONE))):
        scheduler.add_job("agir.scheduler:nightly_alerts", "date", id="catch_up_alerts",
                          name="Rattrapage du calcul des alertes", replace_existing=True)
    return scheduler


def run_forever(app) -> None:
    """Start the blocking scheduler (Ctrl-C or SIGTERM stops it)."""
    scheduler = configure(BlockingScheduler(), app)
    for job in JOBS:
        log.info("Tâche planifiée : %s (%s)", job["name"], job["id"])
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
