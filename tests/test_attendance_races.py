"""Attendance grids saved at the same instant by several referral officers (issue 17, item 5), through a real
HTTP server (SQLite file, or PostgreSQL with TEST_DATABASE_URL).

- Six officers on one session's grid, each ticking another participant: every tick is kept.
- Six officers on six sessions' grids, all ticking the same participant: her attended hours are the sum of the six
  (without the row locks, the participation's version check refused all but one, or a sum missed a presence).
"""
from datetime import date

from sqlalchemy import func, select

from agir.extensions import db
from models import Participation, Session
from models.programme import Attendance
from tests import factories
from tests.test_races import Browser, live_server, post_together  # noqa: F401 (fixture)

N = 6


def _officers(live_server, world) -> list[Browser]:  # noqa: F811
    browsers = []
    for i in range(N):
        email = f"ro{i}@example.fr"
        factories.make_user("referral_officer", world.school, email=email)
        db.session.commit()
        browser = Browser(live_server)
        browser.login(email)
        browsers.append(browser)
    return browsers


def _class(world, n: int) -> list[int]:
    ids = []
    for i in range(n):
        person = factories.make_person(world.department, world.agir, last_name=f"Élève{i}")
        participation = Participation(person=person, programme=world.programme, start_on=date(2022, 5, 1),
                                      planned_hours=40)
        db.session.add(participation)
        db.session.flush()
        ids.append(participation.id)
    db.session.commit()
    return ids


def _grid(world, session_id: int) -> str:
    return f"/referrals/programmes/{world.programme.id}/sessions/{session_id}/attendance"


def test_six_officers_ticking_six_people_on_one_grid_keep_every_tick(world, live_server):  # noqa: F811
    participations = _class(world, N)
    session_id = world.programme.sessions[0].id  # 01/09/2022, 3 h
    browsers = _officers(live_server, world)
    path = _grid(world, session_id)
    results = post_together(browsers, [path] * N, [{f"present-{pid}": "1"} for pid in participations])

    assert all(status in (200, 302) for status, _ in results), [s for s, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.session_id == session_id)) == N
    assert [db.session.get(Participation, pid).attended_hours for pid in participations] == [3.0] * N


def test_six_grids_saved_at_once_for_one_person_add_up(world, live_server):  # noqa: F811
    (pid,) = _class(world, 1)
    sessions = [Session(programme=world.programme, held_on=date(2022, 9, 2 + i), hours=1.0 + i) for i in range(N)]
    db.session.add_all(sessions)
    db.session.commit()
    browsers = _officers(live_server, world)
    results = post_together(browsers, [_grid(world, s.id) for s in sessions], [{f"present-{pid}": "1"}] * N)

    assert all(status in (200, 302) for status, _ in results), [s for s, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.participation_id == pid)) == N
    assert db.session.get(Participation, pid).attended_hours == sum(1.0 + i for i in range(N))
