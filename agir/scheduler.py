"""The scheduler process (`flask --app wsgi agir scheduler`): APScheduler 3 with its jobs persisted
in the application's database, never inside a web worker.

Jobs: the alerts at 02:00 and the e-mail digest at 07:00, Europe/Paris; coalesced (a night missed
while the process was down runs once, not once per missed night), one instance at a time. A second
scheduler process started by mistake is harmless: both rewrite the same job rows
(replace_existing) and the database lock of agir.jobs lets only one of them run a job.
"""
import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("agir.scheduler")
TIMEZONE = "Europe/Paris"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}
JOBS = (
    {"id": "nightly_alerts", "func": "agir.scheduler:nightly_alerts", "name": "Calcul des alertes",
     "trigger": "cron", "hour": 2, "minute": 0},
    {"id": "daily_digest", "func": "agir.scheduler:daily_digest", "name": "Récapitulatif quotidien par courriel",
     "trigger": "cron", "hour": 7, "minute": 0},
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


def configure(scheduler, app):
    """Give a scheduler the database job store and the AGIR jobs (call inside an app context)."""
    from agir.extensions import db
    global _app
    _app = app
    scheduler.configure(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS,
                        jobstores={"default": SQLAlchemyJobStore(engine=db.engine)})
    for job in JOBS:
        spec = dict(job)
        scheduler.add_job(spec.pop("func"), replace_existing=True, **spec)
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
