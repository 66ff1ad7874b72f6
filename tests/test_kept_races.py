"""Races on the tables the database keeps (issue 21): two transactions writing one person's records at once leave
`person_milestones` (models/milestones.py) and the person's latest accompaniment (models/latest.py) equal to
their recomputation, and neither transaction fails.

Each test commits a person's records, then opens two connections of its own. The first writes and holds its
transaction; the second writes in a thread and must wait (the test checks it is still waiting); the first
commits, then the second. On PostgreSQL (READ COMMITTED) the triggers of the second transaction used to
recompute from the snapshot their statement took before the first committed: two deletions of one person's
jobs ended on a duplicate key, and an accompaniment written beside another left the person's latest one
stale. The triggers now lock the persons they recompute before reading (migration 0027), so that the second
waits for the first and then reads what it committed. SQLite lets one writer at a time: the second waits for
the database's lock (the same checks hold).
"""
import threading
import time
from datetime import date

from sqlalchemy import delete, insert, select, update

from agir.extensions import db
from models import Accompaniment, Job
from tests import factories
from tests.test_latest_accompaniment import kept_and_recomputed
from tests.test_person_milestones import kept, recomputed
from tests.test_races import Browser, live_server, post_together  # noqa: F401 — the fixture

HOLD = 0.6  # seconds the first transaction holds its writes while the second waits


def _race(first, second) -> None:
    """`first(conn)` in a transaction held open; `second(conn)` in a thread meanwhile; commit both, in order."""
    db.session.commit()
    one, two = db.engine.connect(), db.engine.connect()
    outcome: dict = {}

    def run_second():
        try:
            with two.begin():
                second(two)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            outcome["error"] = exc

    try:
        transaction = one.begin()
        first(one)
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(HOLD)
        assert thread.is_alive(), "the second transaction did not wait for the first: no race was tried"
        transaction.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        one.close()
        two.close()
    assert "error" not in outcome, outcome.get("error")
    db.session.expire_all()


def _jobs(world, *days: date) -> tuple[int, list[int]]:
    person = factories.make_person(world.department, world.agir)
    db.session.flush()
    ids = [db.session.execute(insert(Job).values(person_id=person.id, kind="cdi", start_on=day)
                              .returning(Job.id)).scalar_one() for day in days]
    return person.id, ids


def test_two_deletions_of_one_persons_jobs_at_once(world):
    person_id, (first_job, second_job, _third) = _jobs(world, date(2024, 3, 1), date(2024, 5, 1), date(2024, 7, 1))

    _race(lambda conn: conn.execute(delete(Job).where(Job.id == first_job)),
          lambda conn: conn.execute(delete(Job).where(Job.id == second_job)))

    assert kept() == recomputed() == {(person_id, "job_or_training", date(2024, 7, 1))}


def test_a_deletion_and_an_earlier_job_at_once(world):
    person_id, (first_job, _second) = _jobs(world, date(2024, 3, 1), date(2024, 5, 1))

    _race(lambda conn: conn.execute(insert(Job).values(person_id=person_id, kind="cdi", start_on=date(2024, 4, 1))),
          lambda conn: conn.execute(delete(Job).where(Job.id == first_job)))

    assert kept() == recomputed() == {(person_id, "job_or_training", date(2024, 4, 1))}


def test_an_earlier_job_and_a_deletion_at_once(world):
    person_id, (first_job, _second) = _jobs(world, date(2024, 3, 1), date(2024, 5, 1))

    _race(lambda conn: conn.execute(delete(Job).where(Job.id == first_job)),
          lambda conn: conn.execute(insert(Job).values(person_id=person_id, kind="cdi", start_on=date(2024, 4, 1))))

    assert kept() == recomputed() == {(person_id, "job_or_training", date(2024, 4, 1))}


def test_a_job_moved_and_another_deleted_at_once(world):
    person_id, (first_job, second_job) = _jobs(world, date(2024, 3, 1), date(2024, 5, 1))

    _race(lambda conn: conn.execute(update(Job).where(Job.id == second_job).values(start_on=date(2024, 9, 1))),
          lambda conn: conn.execute(delete(Job).where(Job.id == first_job)))

    assert kept() == recomputed() == {(person_id, "job_or_training", date(2024, 9, 1))}


def test_two_accompaniments_of_one_person_written_at_once(world):
    person = factories.make_person(world.department, world.agir)
    older = factories.make_accompaniment(person, world.agir, start=date(2023, 1, 1), planned_end=date(2023, 12, 31),
                                         exit_on=date(2023, 6, 1))
    newer = factories.make_accompaniment(person, world.agir, start=date(2024, 1, 1), planned_end=date(2024, 12, 31))
    db.session.flush()
    older_id, newer_id, person_id = older.id, newer.id, person.id

    # The first makes the older one the latest (a start corrected); the second edits the newer one's planned end.
    _race(lambda conn: conn.execute(update(Accompaniment).where(Accompaniment.id == older_id)
                                    .values(start_on=date(2025, 1, 1), exit_on=date(2025, 2, 1))),
          lambda conn: conn.execute(update(Accompaniment).where(Accompaniment.id == newer_id)
                                    .values(current_end_on=date(2025, 6, 30))))

    kept_rows, recomputed_rows = kept_and_recomputed()
    assert kept_rows == recomputed_rows
    assert kept_rows[person_id][0] == older_id


def test_six_referents_cancel_six_jobs_of_one_person_at_once(world, live_server):  # noqa: F811
    """Through the application: six signed-in browsers each cancel one of a person's jobs at the same instant.
    None gets an error page, every job goes, and the person has no job milestone left."""
    person_id, jobs = _jobs(world, *(date(2024, month, 1) for month in range(1, 7)))
    db.session.execute(update(Job).where(Job.id.in_(jobs)).values(structure_id=world.agir.id))
    db.session.commit()
    browsers = [Browser(live_server) for _ in jobs]
    for browser in browsers:
        browser.login(world.users.social_worker.email)
    results = post_together(browsers, [f"/persons/{person_id}/jobs/{job}/cancel" for job in jobs],
                            [{"cancel-correction_reason": "Saisie en double"}] * len(jobs))

    assert [status for status, _ in results] == [200] * len(jobs)  # each followed its redirect to the file
    db.session.remove()
    assert db.session.scalars(select(Job.id).where(Job.person_id == person_id)).all() == []
    assert kept() == recomputed() == set()
