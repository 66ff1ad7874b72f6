"""The scheduler: jobs persisted in the database, replaced (not duplicated) by a second process."""
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, text

from agir import scheduler
from agir.extensions import db
from models import Alert
from tests.jobs import scenario


def _started(app):
    sched = scheduler.configure(BackgroundScheduler(), app)
    sched.start(paused=True)
    return sched


def test_jobs_are_persisted_in_the_database(app_ctx, app):
    sched = _started(app)
    try:
        rows = db.session.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars().all()
        assert rows == ["daily_digest", "nightly_alerts"]
        job = sched.get_job("nightly_alerts")
        assert job.coalesce is True and job.max_instances == 1
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 0)
        assert str(job.next_run_time.tzinfo) == "Europe/Paris"
        assert sched.get_job("daily_digest").next_run_time.hour == 7
    finally:
        sched.shutdown(wait=False)


def test_a_second_scheduler_replaces_the_jobs_instead_of_adding_more(app_ctx, app):
    first, second = _started(app), _started(app)
    try:
        count = db.session.execute(text("SELECT COUNT(*) FROM apscheduler_jobs")).scalar()
        assert count == 2
    finally:
        first.shutdown(wait=False)
        second.shutdown(wait=False)


def test_the_scheduled_function_runs_the_alerts_job(world, app, monkeypatch):
    scenario.build(world)
    monkeypatch.setattr("agir.jobs.paris_today", lambda: scenario.AS_OF)
    monkeypatch.setattr(scheduler, "_app", app)
    scheduler.nightly_alerts()
    assert db.session.scalar(select(func.count(Alert.id))) == len(scenario.EXPECTED)


def test_the_scheduler_command_is_registered(runner, app_ctx):
    result = runner.invoke(args=["agir", "scheduler", "--help"])
    assert result.exit_code == 0 and "02:00" in result.output
