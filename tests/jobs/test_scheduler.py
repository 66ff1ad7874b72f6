"""The scheduler: jobs persisted in the database, replaced (not duplicated) by a second process."""
from datetime import datetime
from zoneinfo import ZoneInfo

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
        assert rows == ["appointment_reminders", "catch_up_alerts", "daily_digest", "documents_scan", "nightly_alerts",
                        "nightly_retention"]  # caught up; appointment_reminders: issue 17; documents_scan: issue 18
        assert sched.get_job("documents_scan").next_run_time.minute % 10 == 0  # pending documents, every 10 minutes
        job = sched.get_job("nightly_alerts")
        assert job.coalesce is True and job.max_instances == 1
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 0)
        assert str(job.next_run_time.tzinfo) == "Europe/Paris"
        assert sched.get_job("daily_digest").next_run_time.hour == 7
        reminders = sched.get_job("appointment_reminders").next_run_time  # daytime only, every 15 minutes
        assert 8 <= reminders.hour <= 19 and reminders.minute in (0, 15, 30, 45)
        sched.remove_job("catch_up_alerts")  # before it fires in this paused test scheduler
    finally:
        sched.shutdown(wait=False)


def test_a_second_scheduler_replaces_the_jobs_instead_of_adding_more(app_ctx, app, monkeypatch):
    monkeypatch.setattr(scheduler, "missed_last_night", lambda last, now: False)
    first, second = _started(app), _started(app)
    try:
        count = db.session.execute(text("SELECT COUNT(*) FROM apscheduler_jobs")).scalar()
        assert count == len(scheduler.JOBS)
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


PARIS = ZoneInfo("Europe/Paris")


def _utc(*args):
    return datetime(*args, tzinfo=PARIS).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def test_a_night_is_missed_when_the_last_run_is_older_than_the_latest_two_oclock():
    now = datetime(2024, 3, 5, 9, 0, tzinfo=PARIS)
    assert scheduler.missed_last_night(None, now)
    assert scheduler.missed_last_night(_utc(2024, 3, 5, 1, 59), now)
    assert not scheduler.missed_last_night(_utc(2024, 3, 5, 2, 0), now)
    before_two = datetime(2024, 3, 5, 1, 30, tzinfo=PARIS)  # last night is the 4th's
    assert not scheduler.missed_last_night(_utc(2024, 3, 4, 2, 0), before_two)
    assert scheduler.missed_last_night(_utc(2024, 3, 4, 1, 0), before_two)


def test_no_catch_up_when_the_job_ran_since_two_oclock(app_ctx, app, monkeypatch):
    monkeypatch.setattr(scheduler, "missed_last_night", lambda last, now: False)
    sched = _started(app)
    try:
        assert sched.get_job("catch_up_alerts") is None and sched.get_job("nightly_alerts")
    finally:
        sched.shutdown(wait=False)
