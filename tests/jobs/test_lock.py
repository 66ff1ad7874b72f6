"""The job lock: one run at a time, across threads and processes; an expired lock can be taken."""
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from agir import jobs
from agir.extensions import db
from models import Alert, JobLock
from models.base import utcnow
from tests.jobs import scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_acquisition_while_held_gets_nothing(app_ctx):
    first = jobs.acquire_lock("alerts")
    assert first
    assert jobs.acquire_lock("alerts") is None
    row = db.session.get(JobLock, "alerts")
    assert row.holder == first and row.expires_at > utcnow()


def test_a_released_lock_can_be_taken_again(app_ctx):
    first = jobs.acquire_lock("alerts")
    jobs.release_lock("alerts", first)
    second = jobs.acquire_lock("alerts")
    assert second and second != first


def test_releasing_someone_elses_lock_does_nothing(app_ctx):
    holder = jobs.acquire_lock("alerts")
    jobs.release_lock("alerts", "an-impostor")
    assert jobs.acquire_lock("alerts") is None
    assert db.session.scalar(select(JobLock.holder).where(JobLock.name == "alerts")) == holder


def test_an_expired_lock_can_be_taken(app_ctx):
    stale = jobs.acquire_lock("alerts")
    with db.engine.begin() as conn:
        conn.execute(update(JobLock.__table__).values(expires_at=utcnow() - timedelta(seconds=1)))
    fresh = jobs.acquire_lock("alerts")
    assert fresh and fresh != stale
    assert jobs.acquire_lock("alerts") is None


def test_locks_are_per_job(app_ctx):
    assert jobs.acquire_lock("alerts") and jobs.acquire_lock("digest")


def test_only_one_of_many_simultaneous_acquisitions_wins(app):
    barrier, won, errors = threading.Barrier(6), [], []

    def contender():
        with app.app_context():
            try:
                barrier.wait()
                token = jobs.acquire_lock("alerts")
                if token:
                    won.append(token)
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=contender) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len(won) == 1


def test_the_job_does_nothing_while_another_holds_the_lock(world):
    scenario.build(world)
    holder = jobs.acquire_lock("alerts")
    assert jobs.run_alerts(scenario.AS_OF) is None
    assert db.session.scalar(select(Alert.id)) is None
    jobs.release_lock("alerts", holder)
    assert jobs.run_alerts(scenario.AS_OF)["new"] == len(scenario.EXPECTED)
    assert db.session.get(JobLock, "alerts").holder is None  # released after the run


def test_a_second_process_does_nothing_while_the_first_holds_the_lock(world):
    scenario.build(world)
    jobs.acquire_lock("alerts", holder="the-first-scheduler")
    env = dict(os.environ, DATABASE_URL=os.environ["AGIR_TEST_DB_URL"], PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "agir", "run-jobs", "--only", "alerts",
                             "--as-of", "2023-06-15"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "déjà en cours" in result.stdout
    db.session.expire_all()
    assert db.session.scalar(select(Alert.id)) is None
    assert db.session.get(JobLock, "alerts").holder == "the-first-scheduler"
